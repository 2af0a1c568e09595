//! Reads REST API reference pages written in the Microsoft Graph docs
//! convention and turns them into a Rust SDK crate.
//!
//! The pipeline is `parse` (markdown -> [`parse::Page`]) -> `model`
//! (pages -> API model) -> `emit` (model -> files). Every stage returns its
//! result together with [`Diagnostic`]s and never fails; this crate does no
//! file or network IO.

pub mod base;
pub mod emit;
pub mod input;
pub mod lower;
pub mod model;
pub mod names;
pub mod output;
pub mod parse;
pub mod reuse;
pub mod review;

pub use base::diagnostics::{self, Code, Diagnostic, Severity};
pub use base::{Loc, Method, VERSION, fixes, source};
pub use input::{KnownPage, SourcePage, docs_hash, docs_hash_with, text_hashes};
pub use lower::build_model;
pub use model::Api;
pub use parse::{IncludeFile, Includes};
pub use parse::{Page, parse_page, parse_page_with};

/// What a run of the whole pipeline produces.
#[derive(Debug)]
pub struct Generated {
    /// The API model.
    pub api: Api,
    /// The emitted files of the crate, but those in `unchanged`.
    pub files: emit::Emitted,
    /// The files of the crate that the output folder holds as this run
    /// would write them, and that were left unread: Rust files known by
    /// their signatures alone (see [`Reuse::signed`]). Empty when every
    /// file was read.
    pub unchanged: std::collections::BTreeSet<String>,
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
    let none = emit::Emitted::new();
    let empty = reuse::Cache::empty([0; 32]);
    let reuse = Reuse::new(&none, &empty);
    generate_reusing(pages, includes, options, reuse).0
}

/// What a run may reuse. Both only save work: the files are the same
/// whatever they hold.
#[derive(Debug, Clone, Copy)]
pub struct Reuse<'a> {
    /// The files now in the output folder that the caller read, by path: a
    /// Rust file signed as formatted from the same draft is kept instead of
    /// formatted again (see [`output::signature`]).
    pub existing: &'a emit::Emitted,
    /// The checked signatures of Rust files now in the output folder, by
    /// path ([`output::signature::Signature::verified`]). A file here need
    /// not be in `existing`: the caller vouches that it is unchanged since
    /// its signature was checked (as `xtask regen`'s output index does).
    /// One this run would write as it is goes to
    /// [`Generated::unchanged`], unread.
    pub signed: &'a output::Signed,
    /// The last run's cache: pages it lowered and files it made (see
    /// [`reuse`]).
    pub cache: &'a reuse::Cache,
}

impl<'a> Reuse<'a> {
    /// Reuse of `cache` and of the files `existing` holds as read, with no
    /// signatures known beforehand.
    pub fn new(existing: &'a emit::Emitted, cache: &'a reuse::Cache) -> Reuse<'a> {
        static NONE: output::Signed = output::Signed::new();
        Reuse {
            existing,
            signed: &NONE,
            cache,
        }
    }
}

/// What a run did besides its result: what it reused and formatted, and
/// how long each stage took.
#[derive(Debug, Default, Clone)]
pub struct RunStats {
    /// Pages parsed, and pages taken lowered from the cache.
    pub pages: reuse::PageStats,
    /// Files formatted, kept as the output folder had them, and reused.
    pub format: emit::format::FormatStats,
    /// The Rust files made (not reused), by path.
    pub made: Vec<String>,
    /// Whether the API surface record (but its provenance) was taken as
    /// the output folder held it, rather than made again.
    pub surface_reused: bool,
    /// Whether files were reused by the crate's regen record rather than
    /// by the cache, which held none for this model (see
    /// [`reuse::record`]).
    pub by_record: bool,
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

/// [`generate`], reusing what `reuse` holds (see [`Reuse`]): unchanged
/// pages are not parsed again, files whose inputs did not change are not
/// made again, and files made from an unchanged draft are not formatted
/// again. Returns the cache for the next run too. The files and
/// diagnostics are the same as [`generate`]'s. Both record the docs'
/// content hash and the API surface in the crate (see [`review`]).
pub fn generate_reusing(
    pages: &[SourcePage<'_>],
    includes: &Includes,
    options: &emit::EmitOptions,
    reuse: Reuse<'_>,
) -> (Generated, reuse::Cache, RunStats) {
    model_reusing(pages, includes, options, reuse.cache).emit(options, reuse)
}

/// The first half of [`generate_reusing`]: the pages read and modelled,
/// nothing emitted. The output folder is not needed until
/// [`Modelled::emit`], so a caller may still be reading it meanwhile.
pub fn model_reusing(
    pages: &[SourcePage<'_>],
    includes: &Includes,
    options: &emit::EmitOptions,
    cache: &reuse::Cache,
) -> Modelled {
    let mut stats = RunStats::default();
    let hashes = stats.time("hash the docs", || input::text_hashes(pages));
    let known: Vec<KnownPage<'_>> = pages
        .iter()
        .zip(hashes)
        .map(|(page, hash)| KnownPage {
            path: page.path,
            hash,
            text: Some(page.text),
        })
        .collect();
    match model_known(&known, includes, options, cache, stats) {
        Ok(modelled) => modelled,
        // Every page has its text: none can be lacking.
        Err(_) => unreachable!("a page with its text is never lacking"),
    }
}

/// [`model_reusing`] of pages known by their text hashes, some perhaps left
/// unread: the caller trusts the cache to hold them lowered (see
/// [`KnownPage`]). When it does not hold some, nothing is modelled and
/// their paths come back: read them and call again. `stats` holds the
/// stages timed so far.
pub fn model_known<'a>(
    pages: &[KnownPage<'a>],
    includes: &Includes,
    options: &emit::EmitOptions,
    cache: &reuse::Cache,
    mut stats: RunStats,
) -> Result<Modelled, Vec<&'a str>> {
    let read = stats.time("read and model the pages", || {
        reuse::read_model(pages, includes, cache)
    });
    let (mut api, mut diagnostics, entries, page_stats) = read?;
    let docs_hash = input::docs_hash_of(pages.iter().map(|p| (p.path, p.hash)).collect(), includes);
    // The names file, checked against the model as read, and applied to
    // its types (builders and methods take it when the client is named).
    // The check needs the client's builder names: when the names file
    // renames no type, the model it checks is the one emitted, and it takes
    // them from the emission instead of building the client's tree again.
    let renames = !options.names.types.is_empty();
    if renames {
        stats.time("apply the names file", || {
            diagnostics.extend(names_diagnostics(&api, &options.names));
            names::apply_type_names(&mut api, &options.names);
        });
    }
    stats.pages = page_stats;
    Ok(Modelled {
        api,
        diagnostics,
        entries,
        docs_hash,
        renames,
        pages: pages.len(),
        stats,
    })
}

/// The pages of a run read and modelled by [`model_reusing`], ready to
/// emit.
#[derive(Debug)]
pub struct Modelled {
    api: Api,
    diagnostics: Vec<Diagnostic>,
    entries: reuse::PageEntries,
    docs_hash: String,
    /// Whether the names file renamed types (and was checked already).
    renames: bool,
    pages: usize,
    stats: RunStats,
}

impl Modelled {
    /// What to write of the page log once the run ends with the cache
    /// [`emit`](Self::emit) returns, `cache` being the one the pages were
    /// modelled with: known now, so that it can be written while the crate
    /// is emitted.
    pub fn page_log(&self, cache: &reuse::Cache) -> reuse::PageLog {
        reuse::PageLog::of(cache, self.entries.iter().cloned())
    }

    /// Emits the crate with `options` (whose names file must be the one
    /// the pages were modelled with), reusing what `reuse` holds; `reuse`'s
    /// cache must be the one given to [`model_reusing`] or [`model_known`].
    /// The rest of
    /// [`generate_reusing`].
    pub fn emit(
        self,
        options: &emit::EmitOptions,
        reuse: Reuse<'_>,
    ) -> (Generated, reuse::Cache, RunStats) {
        let Modelled {
            api,
            mut diagnostics,
            entries,
            docs_hash,
            renames,
            pages,
            mut stats,
        } = self;
        let (digests, record) = stats.time("hash the model", || {
            rayon::join(
                || reuse::digest::digests(&api, options, &reuse::record::fingerprint()),
                || reuse::record_when_cold(reuse.cache, reuse.existing),
            )
        });
        let (records, plan) = stats.time("find reusable files", || {
            let records = reuse::file_records(reuse.cache, &digests, reuse.existing, record);
            let plan = reuse::plan(&records, &digests, reuse.existing, reuse.signed);
            (records, plan)
        });
        stats.surface_reused = plan.reuses_surface();
        stats.by_record = matches!(records, std::borrow::Cow::Owned(_));
        let (drafts, builders) = stats.time("emit drafts", || {
            emit::emit_drafts_named(&api, options, Some(&docs_hash), &plan)
        });
        if !renames {
            stats.time("check the names file", || {
                diagnostics.extend(names_diagnostics_of(&api, &options.names, builders));
            });
        }
        diagnostics.sort();
        let emit::format::Formatted {
            mut files,
            unchanged,
            made,
            stats: format,
        } = stats.time("format", || {
            emit::format::format_all(drafts, reuse.existing, reuse.signed)
        });
        stats.format = format;
        stats.made = made.keys().cloned().collect();
        let surface = files
            .iter()
            .filter(|(path, _)| review::is_api_file(path))
            .map(|(path, text)| (path.as_str(), text.as_str()));
        let cache = reuse::next(&records, entries, &digests, made, &plan, surface);
        drop((digests, records));
        files.extend(reuse::record::render(&cache));
        let generated = Generated {
            api,
            files,
            unchanged,
            diagnostics,
            pages,
        };
        (generated, cache, stats)
    }
}

/// What the names file says of `api`: its problems, its entries that name
/// nothing (stale), type names already taken, and a suggestion for every
/// builder named from its whole path because a shorter path has the name it
/// wanted (`names-suggested`). Without a names file, only the suggestions.
pub fn names_diagnostics(api: &Api, overrides: &names::NameOverrides) -> Vec<Diagnostic> {
    names_diagnostics_of(api, overrides, emit::client::builder_names(api, overrides))
}

/// [`names_diagnostics`], with the client's builder names known.
fn names_diagnostics_of(
    api: &Api,
    overrides: &names::NameOverrides,
    (paths, invented): emit::client::BuilderNames,
) -> Vec<Diagnostic> {
    let mut out = names::check(overrides, api, &paths);
    out.extend(names::check_type_clashes(api, overrides));
    let file = if overrides.file.is_empty() {
        names::FILE
    } else {
        overrides.file.as_str()
    };
    for found in invented {
        let (path, name, wanted) = (&found.path, &found.name, &found.wanted);
        out.push(model::resolve::diag_at_source(
            &found.source,
            Code::NamesSuggested,
            format!(
                "the builder of `{path}` is named `{name}` from its path, since a shorter path has `{wanted}`"
            ),
            format!("to choose its name, add to the docs folder's {file}:\n  builders:\n    \"{path}\": {name}"),
        ));
    }
    out
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
            (lower::lower_page(&parsed), diags)
        })
        .collect();
    model::assemble_read(read)
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
