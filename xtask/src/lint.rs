//! `cargo xtask lint`: read a docs folder and report every diagnostic.

use std::collections::BTreeSet;
use std::io::Write;

use codespan_reporting::diagnostic::{Diagnostic as Report, Label, Severity as ReportSeverity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor};

use generator::{Diagnostic, Severity};

use crate::baseline::Baseline;
use crate::docs::DocsFolder;

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-like, with the source line shown.
    Human,
    /// One JSON object per line on stdout.
    Json,
    /// A SARIF 2.1.0 log on stdout, for code-scanning services.
    Sarif,
    /// GitHub workflow commands on stdout (`::error file=...,line=...::...`),
    /// which annotate the lines of a pull request.
    Github,
}

/// When human output uses colour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Color {
    /// Only on a terminal, and never when `NO_COLOR` is set.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl Color {
    /// The choice for standard error.
    fn for_stderr(self) -> termcolor::ColorChoice {
        use std::io::IsTerminal;
        match self {
            Color::Always => termcolor::ColorChoice::Always,
            Color::Never => termcolor::ColorChoice::Never,
            Color::Auto => {
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                if std::io::stderr().is_terminal() && !no_color {
                    termcolor::ColorChoice::Auto
                } else {
                    termcolor::ColorChoice::Never
                }
            }
        }
    }
}

/// Every diagnostic of a docs folder, sorted.
pub fn diagnostics_of(docs: &DocsFolder) -> Vec<Diagnostic> {
    model_and_diagnostics(docs).1
}

/// The model of a docs folder, and every diagnostic, sorted.
pub fn model_and_diagnostics(docs: &DocsFolder) -> (generator::Api, Vec<Diagnostic>) {
    let (_, api, diagnostics) = read_all(docs);
    (api, diagnostics)
}

/// The pages of a docs folder as read, its model, and every diagnostic,
/// sorted: what lint reports, for callers that also need the pages.
pub fn read_all(docs: &DocsFolder) -> (Vec<generator::Page>, generator::Api, Vec<Diagnostic>) {
    let (pages, mut diagnostics) = generator::parse_pages(&docs.sources(), &docs.includes);
    let (api, model) = generator::build_model(&pages);
    diagnostics.extend(model);
    diagnostics.extend(generator::names_diagnostics(&api, &docs.names));
    diagnostics.extend(docs.problems.iter().cloned());
    diagnostics.sort();
    (pages, api, diagnostics)
}

/// Which pages a lint reports on.
#[derive(Debug, Clone, Default)]
pub enum Scope {
    /// Every page.
    #[default]
    All,
    /// These pages (relative to the docs folder) and the pages their
    /// types and endpoints reach.
    Pages(BTreeSet<String>),
}

/// How a lint prints: the format, the colour, and the docs folder as the
/// command was given it (the prefix of the paths in SARIF and GitHub output).
#[derive(Debug, Clone)]
pub struct Output {
    /// The format.
    pub format: Format,
    /// Colour of human output.
    pub color: Color,
    /// The docs folder's path, as given.
    pub prefix: String,
}

/// Checks the docs against a baseline file: prints the new diagnostics in
/// full and lists the fixed ones. With `update` (or when the file does not
/// exist yet, outside CI) it records the current diagnostics instead.
/// Returns whether the check fails: a new error or warning.
pub fn run_baseline(
    docs: &DocsFolder,
    file: &std::path::Path,
    update: bool,
    color: Color,
) -> Result<bool, String> {
    let diagnostics = diagnostics_of(docs);
    let under_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    if update || (!file.exists() && !under_ci) {
        Baseline::record(&diagnostics).save(file)?;
        crate::note!(
            "recorded {} diagnostics in {} ({})",
            diagnostics.len(),
            file.display(),
            summary(docs.pages.len(), &diagnostics)
        );
        return Ok(false);
    }
    let baseline = Baseline::load(file)?;
    let comparison = baseline.compare(&diagnostics);
    let new: Vec<Diagnostic> = comparison.new.iter().map(|d| (*d).clone()).collect();
    print_human(docs, &new, color)?;
    for fixed in &comparison.fixed {
        let times = if fixed.count > 1 {
            format!(" ({} times)", fixed.count)
        } else {
            String::new()
        };
        crate::note!(
            "fixed: {} [{}] {}{times}",
            fixed.file,
            fixed.code,
            fixed.message
        );
    }
    crate::note!(
        "baseline {}: {} new ({} failing), {} fixed, {} known",
        file.display(),
        new.len(),
        new.iter()
            .filter(|d| d.severity() != Severity::Note)
            .count(),
        comparison.fixed.iter().map(|e| e.count).sum::<usize>(),
        comparison.known
    );
    if !comparison.fixed.is_empty() {
        crate::note!(
            "note: record the fixes with `cargo xtask lint --baseline {} --update-baseline`",
            file.display()
        );
    }
    Ok(comparison.fails())
}

/// Reads the docs and prints the diagnostics of the pages in `scope`.
/// Returns whether any of them is an error.
pub fn run(docs: &DocsFolder, output: &Output, scope: &Scope) -> Result<bool, String> {
    let (api, mut diagnostics) = model_and_diagnostics(docs);
    if let Scope::Pages(changed) = scope {
        let reached = crate::annotations::affected(&api, changed);
        diagnostics.retain(|d| reached.contains(&d.file));
        crate::note!(
            "{} pages changed, {} with the pages they reach",
            changed.len(),
            reached.len()
        );
    }
    let has_error = diagnostics.iter().any(|d| d.severity() == Severity::Error);
    let mut stdout = std::io::stdout().lock();
    match output.format {
        Format::Json => print_json(&diagnostics)?,
        Format::Sarif => {
            let log =
                crate::annotations::sarif(&diagnostics, &output.prefix, &|file| docs.text_of(file));
            let text = serde_json::to_string_pretty(&log).map_err(|e| e.to_string())?;
            writeln!(stdout, "{text}").map_err(|e| e.to_string())?;
        }
        Format::Github => {
            let text = crate::annotations::github(&diagnostics, &output.prefix);
            write!(stdout, "{text}").map_err(|e| e.to_string())?;
        }
        Format::Human => {
            print_human(docs, &diagnostics, output.color)?;
            crate::note!("{}", summary(docs.pages.len(), &diagnostics));
        }
    }
    Ok(has_error)
}

/// A one-line count of diagnostics by severity.
pub fn summary(pages: usize, diagnostics: &[Diagnostic]) -> String {
    let count = |s| diagnostics.iter().filter(|d| d.severity() == s).count();
    format!(
        "{pages} pages: {} errors, {} warnings, {} notes",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note)
    )
}

fn print_json(diagnostics: &[Diagnostic]) -> Result<(), String> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for d in diagnostics {
        let line = serde_json::to_string(d).map_err(|e| e.to_string())?;
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// `span` clamped to the text of `file` and to its first line (an
/// example's span covers the whole code block; its first line says where).
fn clamp(docs: &DocsFolder, file: &str, span: generator::source::Span) -> std::ops::Range<usize> {
    let text = docs.text_of(file).unwrap_or("");
    let start = span.start.min(text.len());
    let end = span.end.clamp(start, text.len());
    let end = text[start..end].find('\n').map_or(end, |i| start + i);
    start..end
}

/// Renders diagnostics like rustc, with the source line, to stderr.
pub fn print_human(
    docs: &DocsFolder,
    diagnostics: &[Diagnostic],
    color: Color,
) -> Result<(), String> {
    let mut files = SimpleFiles::new();
    let includes = docs.includes.iter().filter_map(|(key, file)| match file {
        generator::IncludeFile::Text(text) => Some((key, text.as_str())),
        _ => None,
    });
    let ids: std::collections::HashMap<&str, usize> = docs
        .pages
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .chain(includes)
        .chain(
            docs.names_text
                .as_deref()
                .map(|text| (generator::names::FILE, text)),
        )
        .map(|(path, text)| (path, files.add(path.to_owned(), text)))
        .collect();
    let id_of = |file: &str| ids.get(file).copied();
    // Buffered, and flushed after each diagnostic: the renderer writes one
    // in hundreds of small pieces, each a write of its own unbuffered.
    let mut out = termcolor::BufferedStandardStream::stderr(color.for_stderr());
    let config = term::Config::default();
    for d in diagnostics {
        let severity = match d.severity() {
            Severity::Error => ReportSeverity::Error,
            Severity::Warning => ReportSeverity::Warning,
            Severity::Note => ReportSeverity::Note,
        };
        let mut report = Report::new(severity)
            .with_code(d.code.as_str())
            .with_message(&d.message);
        let mut labels = Vec::new();
        if let Some(id) = id_of(&d.file) {
            labels.push(Label::primary(id, clamp(docs, &d.file, d.span)));
        }
        for r in &d.related {
            if let Some(id) = id_of(&r.file) {
                labels.push(
                    Label::secondary(id, clamp(docs, &r.file, r.span)).with_message(&r.message),
                );
            }
        }
        let mut notes = vec![format!("help: {}", d.help)];
        // The fix as a suggestion, with the lines it changes (when it
        // can be placed on the text as it is).
        if let Some(fix) = &d.fix {
            let placed = docs
                .text_of(&d.file)
                .and_then(|text| generator::fixes::place(text, fix).map(|p| (text, p)));
            if let Some((text, placed)) = placed {
                let mut note = format!("fix (`cargo xtask lint --fix`): {}", fix.description);
                for edit in placed {
                    note.push_str(&format!(
                        "\n  - {}\n  + {}",
                        &text[edit.range.clone()],
                        edit.replace
                    ));
                }
                notes.push(note);
            }
        }
        report = report.with_labels(labels).with_notes(notes);
        term::emit(&mut out, &config, &files, &report).map_err(|e| e.to_string())?;
        std::io::Write::flush(&mut out).map_err(|e| e.to_string())?;
    }
    Ok(())
}
