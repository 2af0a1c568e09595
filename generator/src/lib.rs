//! Reads REST API reference pages written in the Microsoft Graph docs
//! convention and turns them into a Rust SDK crate.
//!
//! The pipeline is `parse` (markdown -> [`parse::Page`]) -> `model`
//! (pages -> API model) -> `emit` (model -> files). Every stage returns its
//! result together with [`Diagnostic`]s and never fails; this crate does no
//! file or network IO.

pub mod diagnostics;
pub mod emit;
pub mod model;
pub mod parse;
pub mod source;

pub use diagnostics::{Code, Diagnostic, Severity};
pub use model::{Api, build_model};
pub use parse::include::{IncludeFile, Includes};
pub use parse::{Method, Page, parse_page, parse_page_with};

/// A page given to the generator: its path (used in diagnostics) and its text.
#[derive(Debug, Clone, Copy)]
pub struct SourcePage<'a> {
    /// Path relative to the docs folder, with `/` separators.
    pub path: &'a str,
    /// The markdown text.
    pub text: &'a str,
}

/// What a run of the whole pipeline produces.
#[derive(Debug)]
pub struct Generated {
    /// The API model.
    pub api: Api,
    /// The emitted files of the crate.
    pub files: emit::Emitted,
    /// Every diagnostic, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// How many pages were read.
    pub pages: usize,
}

/// Runs the pipeline: read every page (splicing in its includes), build the
/// model, emit the crate.
pub fn generate(
    pages: &[SourcePage<'_>],
    includes: &Includes,
    options: &emit::EmitOptions,
) -> Generated {
    let (read, mut diagnostics) = parse_pages(pages, includes);
    let (api, model_diags) = build_model(&read);
    diagnostics.extend(model_diags);
    diagnostics.sort();
    let files = emit::emit_crate(&api, options);
    Generated {
        api,
        files,
        diagnostics,
        pages: pages.len(),
    }
}

/// Reads many pages, returning them in input order with all their diagnostics.
pub fn parse_pages(pages: &[SourcePage<'_>], includes: &Includes) -> (Vec<Page>, Vec<Diagnostic>) {
    let mut out = Vec::with_capacity(pages.len());
    let mut diagnostics = Vec::new();
    for page in pages {
        let (parsed, diags) = parse_page_with(page.path, page.text, includes);
        out.push(parsed);
        diagnostics.extend(diags);
    }
    (out, diagnostics)
}
