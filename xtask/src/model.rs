//! `cargo xtask model`: print the API model of a docs folder as JSON.

use std::io::Write;

use crate::docs::DocsFolder;

/// Builds the model and prints it as pretty JSON on stdout; diagnostics go to
/// stderr as a one-line summary.
pub fn run(docs: &DocsFolder) -> Result<(), String> {
    let (pages, mut diagnostics) = generator::parse_pages(&docs.sources(), &docs.includes);
    let (api, model_diags) = generator::build_model(&pages);
    diagnostics.extend(model_diags);
    diagnostics.extend(docs.problems.iter().cloned());
    let json = serde_json::to_string_pretty(&api).map_err(|e| e.to_string())?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(out, "{json}").map_err(|e| e.to_string())?;
    crate::note!(
        "{}; {} endpoints, {} types",
        crate::lint::summary(docs.pages.len(), &diagnostics),
        api.endpoints.len(),
        api.types.len()
    );
    Ok(())
}
