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
    generate_reusing(pages, includes, options, &emit::Emitted::new()).0
}

/// What a run did besides its result: how many files it formatted and
/// kept, and how long each stage took.
#[derive(Debug, Default, Clone)]
pub struct RunStats {
    /// Files formatted, and files kept as the output folder had them.
    pub format: emit::format::FormatStats,
    /// Each stage's name and wall time, in order.
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

impl RunStats {
    /// Runs `f` as the stage `name`, recording its wall time.
    pub fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let start = std::time::Instant::now();
        let out = f();
        self.timings.push((name, start.elapsed()));
        out
    }
}

/// [`generate`], keeping the Rust files of `existing` (the files now in the
/// output folder, by path) whose signature shows they are formatted from
/// the same draft (see [`emit::signature`]), instead of formatting them
/// again. The files are the same as [`generate`]'s. Both record the docs'
/// content hash and the API surface in the crate (see [`review`]).
pub fn generate_reusing(
    pages: &[SourcePage<'_>],
    includes: &Includes,
    options: &emit::EmitOptions,
    existing: &emit::Emitted,
) -> (Generated, RunStats) {
    let mut stats = RunStats::default();
    let (api, diagnostics) = stats.time("read and model the pages", || read_model(pages, includes));
    let docs_hash = stats.time("hash the docs", || review::docs_hash(pages, includes));
    let drafts = stats.time("emit drafts", || {
        emit::emit_drafts(&api, options, Some(&docs_hash))
    });
    let (files, format) = stats.time("format", || emit::format::format_all(drafts, existing));
    stats.format = format;
    let generated = Generated {
        api,
        files,
        diagnostics,
        pages: pages.len(),
    };
    (generated, stats)
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
