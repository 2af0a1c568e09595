//! Data-driven tests of the model: each folder in `tests/fixtures/model/` is
//! a small docs tree; its snapshots hold the model as `cargo xtask model`
//! prints it and the diagnostics of reading and modelling it.

use crate::support;

use generator::{SourcePage, build_model, parse_pages};

#[test]
fn model_fixtures() {
    support::run_cases(&support::fixture_cases("model"), |case| {
        let files = support::read_md_tree(case);
        let sources: Vec<SourcePage<'_>> = files
            .iter()
            .map(|(p, t)| SourcePage { path: p, text: t })
            .collect();
        let (pages, mut diagnostics) = parse_pages(&sources, &generator::Includes::new());
        let (api, model_diags) = build_model(&pages);
        diagnostics.extend(model_diags);
        support::with_snapshots_in(case, || {
            insta::assert_json_snapshot!("model", api);
            insta::assert_snapshot!(
                "diagnostics",
                diagnostics
                    .iter()
                    .map(|d| format!("{d}\n"))
                    .collect::<String>()
            );
        });
    });
}
