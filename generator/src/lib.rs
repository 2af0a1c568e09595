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
pub mod review;
pub mod source;

/// The generator's version, which generated crates record.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

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
    generate_cached(pages, includes, options, &emit::format::FormatCache::new()).0
}

/// [`generate`], formatting only the files `cache` does not hold. Returns
/// the cache of this run and what was formatted; the files are the same as
/// [`generate`]'s. Both record the docs' content hash and the API surface
/// in the crate (see [`review`]).
pub fn generate_cached(
    pages: &[SourcePage<'_>],
    includes: &Includes,
    options: &emit::EmitOptions,
    cache: &emit::format::FormatCache,
) -> (
    Generated,
    emit::format::FormatCache,
    emit::format::FormatStats,
) {
    let (api, diagnostics) = read_model(pages, includes);
    let docs_hash = review::docs_hash(pages, includes);
    let (files, cache, stats) = emit::emit_crate_cached(&api, options, &docs_hash, cache);
    let generated = Generated {
        api,
        files,
        diagnostics,
        pages: pages.len(),
    };
    (generated, cache, stats)
}

/// Reads every page and builds the model: [`parse_pages`] then
/// [`build_model`], with the same result, but each page is lowered as soon
/// as it is read and its parsed form freed, so the pages never all sit in
/// memory at once. Diagnostics come back sorted.
pub fn read_model(pages: &[SourcePage<'_>], includes: &Includes) -> (Api, Vec<Diagnostic>) {
    use rayon::prelude::*;
    let read: Vec<(model::Lowered, Vec<Diagnostic>)> = pages
        .par_iter()
        .map(|page| {
            let (parsed, diags) = parse_page_with(page.path, page.text, includes);
            (model::lower_page(&parsed), diags)
        })
        .collect();
    let mut lowered = Vec::with_capacity(read.len());
    let mut diagnostics = Vec::new();
    for (page, diags) in read {
        lowered.push(page);
        diagnostics.extend(diags);
    }
    let (api, model_diags) = model::assemble(lowered);
    diagnostics.extend(model_diags);
    diagnostics.sort();
    (api, diagnostics)
}

/// Reads many pages, on every thread of the current rayon pool, returning
/// them in input order with all their diagnostics. The result does not
/// depend on the number of threads.
pub fn parse_pages(pages: &[SourcePage<'_>], includes: &Includes) -> (Vec<Page>, Vec<Diagnostic>) {
    use rayon::prelude::*;
    let read: Vec<(Page, Vec<Diagnostic>)> = pages
        .par_iter()
        .map(|page| parse_page_with(page.path, page.text, includes))
        .collect();
    let mut out = Vec::with_capacity(pages.len());
    let mut diagnostics = Vec::new();
    for (parsed, diags) in read {
        out.push(parsed);
        diagnostics.extend(diags);
    }
    (out, diagnostics)
}
