//! `cargo xtask regen`: generate the crate from a docs folder, write it
//! atomically, or (`--check`) compare it with what is on disk.

use std::collections::{BTreeMap, BTreeSet};

use generator::output::CRATE_VERSION;
use std::fs;
use std::path::{Component, Path, PathBuf};

use generator::Severity;
use generator::emit::{EmitOptions, Emitted, RuntimeSource};

use crate::docs::{DocsFolder, LatePages};
use crate::docs_index::DocsIndex;
use crate::output_folder::{OutputFolder, OutputIndex};

/// Suffix of files staged next to their final place before the swap.
/// The folder inside the output where new files are written before they
/// are moved into place; never part of the crate.
const STAGING_DIR: &str = ".regen-staging";

/// A short summary: pages, endpoints, types, diagnostics by severity.
pub fn summary(g: &generator::Generated) -> String {
    let count = |s| g.diagnostics.iter().filter(|d| d.severity() == s).count();
    format!(
        "{} pages -> {} endpoints, {} types, {} files; diagnostics: {} errors, {} warnings, {} notes",
        g.pages,
        g.api.endpoints.len(),
        g.api.types.len(),
        g.files.len() + g.unchanged.len(),
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note)
    )
}

/// The emit options for generating `out` from `docs_dir`: the docs label in
/// headers is the docs folder relative to the workspace, and a crate written
/// outside the workspace's members is a workspace of its own.
pub fn options(root: &Path, docs_dir: &Path, out: &Path, crate_name: String) -> EmitOptions {
    let docs_label = docs_dir
        .canonicalize()
        .ok()
        .and_then(|d| {
            Some(
                d.strip_prefix(root.canonicalize().ok()?)
                    .ok()?
                    .to_string_lossy()
                    .replace('\\', "/"),
            )
        })
        .unwrap_or_else(|| {
            docs_dir
                .file_name()
                .map_or_else(|| "docs".to_owned(), |n| n.to_string_lossy().into_owned())
        });
    let member = is_workspace_member(root, out);
    let (version, publish) = crate_manifest(out);
    EmitOptions {
        version: version.unwrap_or_else(|| CRATE_VERSION.to_owned()),
        publish: publish.unwrap_or(false),
        // The docs folder's names file, when the caller has read it.
        names: generator::names::NameOverrides::default(),
        crate_name,
        docs_label,
        standalone: !member,
        runtime: if member {
            // A member depends on the runtime crate of this workspace.
            RuntimeSource::Crate {
                path: runtime_path(root, out),
            }
        } else {
            RuntimeSource::Copy
        },
    }
}

/// The path from `out` (a workspace member) to `generator/runtime`.
fn runtime_path(root: &Path, out: &Path) -> String {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let out = out.canonicalize().unwrap_or_else(|_| out.to_path_buf());
    let depth = out
        .strip_prefix(&root)
        .map(|rel| rel.components().count())
        .unwrap_or(1);
    let mut path = "../".repeat(depth);
    path.push_str("generator/runtime");
    path
}

/// Whether `out` is one of the workspace's members (then the emitted crate
/// must not declare a workspace of its own).
pub fn is_workspace_member(root: &Path, out: &Path) -> bool {
    let (Ok(root), Ok(out)) = (
        root.canonicalize(),
        out.canonicalize()
            .or_else(|_| Ok::<_, ()>(out.to_path_buf())),
    ) else {
        return false;
    };
    let Ok(rel) = out.strip_prefix(&root) else {
        return false;
    };
    let rel = rel.to_string_lossy().replace('\\', "/");
    let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap_or_default();
    manifest.contains(&format!("\"{rel}\""))
}

/// A relative path that stays inside the output folder, or `None`.
fn safe_relative(path: &str) -> Option<PathBuf> {
    let p = Path::new(path);
    let ok = !path.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_)));
    ok.then(|| p.to_path_buf())
}

/// Files currently below `out` (but `target/` and the staging folder),
/// relative, with `/` separators.
pub(crate) fn files_below(out: &Path) -> Result<BTreeSet<String>, String> {
    /// Adds the files below `dir`, whose path relative to the root is
    /// `prefix` (empty, or ending in `/`).
    fn walk(dir: &Path, prefix: &str, acc: &mut BTreeSet<String>) -> Result<(), String> {
        let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
            let name = entry.file_name();
            let kind = entry
                .file_type()
                .map_err(|e| format!("{}: {e}", entry.path().display()))?;
            let rel = format!("{prefix}{}", name.to_string_lossy());
            if kind.is_dir() {
                if name == "target" || name == STAGING_DIR {
                    continue;
                }
                walk(&entry.path(), &format!("{rel}/"), acc)?;
            } else {
                acc.insert(rel);
            }
        }
        Ok(())
    }
    let mut acc = BTreeSet::new();
    if out.is_dir() {
        walk(out, "", &mut acc)?;
    }
    Ok(acc)
}

/// Refuses an output folder that regen did not make: writing removes every
/// file it does not produce, so pointing `--out` at the wrong folder (`.`,
/// `src`) must not wipe it. A folder is regen's when it is missing, empty, or
/// has a `Cargo.toml` with the `@generated` header.
fn check_ownership(out: &Path) -> Result<(), String> {
    let is_empty = fs::read_dir(out)
        .map(|mut d| d.next().is_none())
        .unwrap_or(true);
    let marked = fs::read_to_string(out.join("Cargo.toml"))
        .is_ok_and(|t| t.contains(generator::emit::GENERATED_MARKER));
    if is_empty || marked {
        Ok(())
    } else {
        Err(format!(
            "refusing to write into `{}`: it is not empty and its Cargo.toml does not say it was made by `cargo xtask regen`, \
             and writing would remove its other files; give a new or empty folder",
            out.display()
        ))
    }
}

/// Writes `files` into `out`, so that a failure or an interruption leaves
/// `out` as it was:
///
/// 1. every path is checked first: plain, relative, and with no file where a
///    folder is needed;
/// 2. every changed file is written to the staging folder `.regen-staging`
///    inside `out`, never over an existing file; a failure removes it, and a
///    run interrupted here leaves every file of `out` as it was (the next run
///    removes the leftover staging folder);
/// 3. only then are the staged files renamed into place (a rename per file,
///    on one file system) and stale files removed.
///
/// Nothing is written outside `out`.
pub fn write(out: &Path, files: &Emitted) -> Result<WriteReport, String> {
    let (existing, _) = crate::output_folder::read(out, None)?;
    write_over(out, files, &BTreeSet::new(), &existing)
}

/// [`write()`], where `existing` is the output folder as read: a file whose
/// text is there unchanged is not written again, and the files of
/// `unchanged`, which the run left as the folder holds them (see
/// `generator::Generated::unchanged`), are kept.
pub fn write_over(
    out: &Path,
    files: &Emitted,
    unchanged: &BTreeSet<String>,
    existing: &OutputFolder,
) -> Result<WriteReport, String> {
    if out.exists() && !out.is_dir() {
        return Err(format!(
            "output `{}` is a file, not a folder; nothing was changed",
            out.display()
        ));
    }
    let mut plan = Vec::with_capacity(files.len());
    for (rel, text) in files {
        let rel_path = safe_relative(rel)
            .ok_or_else(|| format!("refusing to write `{rel}`: not a plain relative path"))?;
        plan.push((rel_path, text));
    }
    check_ownership(out)?;
    let before = files_below(out)?;
    if let Some(gone) = unchanged.iter().find(|rel| !before.contains(*rel)) {
        return Err(format!(
            "`{gone}` was removed from {} during the run; nothing was changed; run regen again",
            out.display()
        ));
    }
    let changed: Vec<&(PathBuf, &String)> = files
        .iter()
        .zip(&plan)
        .filter(|((rel, text), _)| existing.text_of(rel).as_deref() != Some(text.as_str()))
        .map(|(_, planned)| planned)
        .collect();
    for (rel, _) in &changed {
        blocked(out, rel).map_or(Ok(()), |why| Err(format!("{why}; nothing was changed")))?;
    }
    let staging = staging_dir(out);
    let _ = fs::remove_dir_all(&staging);
    let stage = || -> Result<(), String> {
        for (rel, text) in &changed {
            let path = staging.join(rel);
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(())
    };
    if let Err(e) = stage() {
        let _ = fs::remove_dir_all(&staging);
        return Err(format!("{e}; nothing was changed"));
    }
    let mut report = WriteReport::default();
    for (rel, _) in &changed {
        let dest = out.join(rel);
        if let Some(dir) = dest.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        fs::rename(staging.join(rel), &dest).map_err(|e| format!("{}: {e}", dest.display()))?;
        report.written += 1;
    }
    let _ = fs::remove_dir_all(&staging);
    let stale = before
        .iter()
        .filter(|f| !files.contains_key(*f) && !unchanged.contains(*f));
    for stale in stale {
        let path = out.join(stale);
        fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        report.removed += 1;
        remove_empty_parents(out, &path);
    }
    report.unchanged = files.len() - report.written + unchanged.len();
    Ok(report)
}

/// Why `rel` cannot be written below `out`: a file where a folder is
/// needed, or a folder where the file goes.
fn blocked(out: &Path, rel: &Path) -> Option<String> {
    let mut at = out.to_path_buf();
    let parts: Vec<_> = rel.components().collect();
    for (i, part) in parts.iter().enumerate() {
        at.push(part);
        let last = i + 1 == parts.len();
        if !last && at.is_file() {
            return Some(format!(
                "{} is a file where a folder is needed",
                at.display()
            ));
        }
        if last && at.is_dir() {
            return Some(format!("{} is a folder where a file goes", at.display()));
        }
    }
    None
}

/// The staging folder inside `out`.
fn staging_dir(out: &Path) -> PathBuf {
    out.join(STAGING_DIR)
}

fn remove_empty_parents(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// What a regen reads before it generates: the docs, the output folder as
/// it is (its signed files need no formatting when their drafts are
/// unchanged, and only changed files are written) and the regen cache with
/// its docs index.
pub struct Inputs {
    /// The docs folder: with a cache, the pages whose files look as the docs
    /// index recorded them are left unread (see [`crate::docs_index`]).
    pub docs: crate::docs::DocsFolder,
    /// The output folder as it is, read on a thread of its own while the
    /// docs are read and modelled: its Rust files that look as the output
    /// index recorded them are left unread (see [`crate::output_folder`]).
    /// With the output index read and the one this reading makes; none
    /// when reusing nothing.
    existing: Background<ReadOutput>,
    /// The last run's cache; empty when reusing nothing.
    pub previous: generator::reuse::Cache,
    /// The docs index read, and the one this reading makes; none when
    /// reusing nothing.
    index: Option<(DocsIndex, DocsIndex)>,
    /// How many of the pages left unread the last generation had to read
    /// after all, the cache lacking them.
    late: std::sync::atomic::AtomicUsize,
    reuse: bool,
    /// The page log, once a generation wrote it (see [`Self::generate`]):
    /// whether that worked.
    log_saved: std::sync::OnceLock<Result<(), String>>,
}

impl Inputs {
    /// Reads the three: the docs and the cache side by side, then the
    /// output folder in the background (nothing needs it before the model
    /// is built). Without a `cache_file`, the run will reuse nothing
    /// (`--no-cache`) and reads every page.
    pub fn read(
        docs_dir: &Path,
        include_root: Option<&Path>,
        out: &Path,
        cache_file: Option<&Path>,
    ) -> Result<Inputs, crate::Failure> {
        let index = cache_file.map(|file| {
            let root = std::fs::canonicalize(docs_dir).unwrap_or_default();
            DocsIndex::load(&crate::cache::docs_index_for(file), &root)
        });
        let (docs, previous) = rayon::join(
            || {
                let read = DocsFolder::read_indexed(docs_dir, include_root, index.as_ref());
                let (docs, next) = read.map_err(crate::Failure::Docs)?;
                crate::no_pages(&docs, docs_dir)?;
                Ok::<_, crate::Failure>((docs, next))
            },
            || match cache_file {
                Some(file) => crate::cache::load(file, crate::cache::build()),
                None => generator::reuse::Cache::empty([0; 32]),
            },
        );
        let (docs, next_index) = docs?;
        // After the docs, so as not to slow their reading: the model's
        // single-threaded stretches leave a core free for it.
        let folder = out.to_path_buf();
        let output_index = cache_file.map(crate::cache::output_index_for);
        let existing = Background::spawn(move || {
            let index = output_index
                .as_ref()
                .map(|file| OutputIndex::load(file, &crate::output_folder::canonical(&folder)));
            let (read, made) = crate::output_folder::read(&folder, index.as_ref())?;
            Ok((read, index.zip(made)))
        });
        Ok(Inputs {
            docs,
            existing,
            previous,
            index: index.map(|index| (index, next_index)),
            late: std::sync::atomic::AtomicUsize::new(0),
            reuse: cache_file.is_some(),
            log_saved: std::sync::OnceLock::new(),
        })
    }

    /// The output folder as it is, once read.
    pub fn existing(&self) -> Result<&OutputFolder, crate::Failure> {
        self.existing
            .get()
            .as_ref()
            .map(|(folder, _)| folder)
            .map_err(|e| crate::Failure::Output(e.clone()))
    }

    /// Generates the crate, reusing what was read. Returns the run, the
    /// next cache and what was done. A page left unread that the cache
    /// does not hold lowered (a cache of another build, say) is read now.
    ///
    /// With `save_log`, the regen cache file, the next cache's page log is
    /// written beside it on a thread of its own while the crate is emitted
    /// (once: a later generation leaves it be), and [`Self::save_cache`]
    /// then writes the records only. The log is known once the pages are
    /// lowered, and it is most of the cache: writing it at the end kept
    /// one core busy alone after a cold run.
    pub fn generate(
        &self,
        options: &EmitOptions,
        save_log: Option<&Path>,
    ) -> Result<
        (
            generator::Generated,
            generator::reuse::Cache,
            generator::RunStats,
        ),
        crate::Failure,
    > {
        let mut late = LatePages::new();
        let modelled = loop {
            let known = self.docs.known(&late);
            let stats = generator::RunStats::default();
            let lacking = match generator::model_known(
                &known,
                &self.docs.includes,
                options,
                &self.previous,
                stats,
            ) {
                Ok(modelled) => break modelled,
                Err(lacking) => lacking
                    .into_iter()
                    .map(str::to_owned)
                    .filter(|path| !late.contains_key(path))
                    .collect::<Vec<String>>(),
            };
            if lacking.is_empty() {
                // Cannot happen: every page the generator asked for has
                // its text now. An error rather than an endless loop.
                return Err(crate::Failure::Other(
                    "the pages read late could not be modelled".to_owned(),
                ));
            }
            late.extend(self.read_late(lacking)?);
        };
        self.late
            .store(late.len(), std::sync::atomic::Ordering::Relaxed);
        let none = Emitted::new();
        let no_signatures = generator::output::Signed::new();
        let existing = self.existing()?;
        let reuse = generator::Reuse {
            existing: if self.reuse { &existing.read } else { &none },
            signed: if self.reuse {
                &existing.signed
            } else {
                &no_signatures
            },
            cache: &self.previous,
        };
        let log = save_log
            .filter(|_| self.log_saved.get().is_none())
            .map(|file| (file, modelled.page_log(&self.previous)));
        let (mut run, next, stats) = std::thread::scope(|scope| {
            if let Some((file, log)) = log {
                scope.spawn(move || {
                    let saved = crate::cache::save_log(file, &log);
                    // Dropped here, off the emitting threads.
                    drop(log);
                    let _ = self.log_saved.set(saved);
                });
            }
            modelled.emit(options, reuse)
        });
        run.diagnostics.extend(self.docs.problems.iter().cloned());
        Ok((run, next, stats))
    }

    /// How many pages the last generation took without reading them from
    /// disk: their files looked as the docs index recorded them, and the
    /// cache held them lowered.
    pub fn pages_not_read(&self) -> usize {
        let late = self.late.load(std::sync::atomic::Ordering::Relaxed);
        self.docs.vouched.len().saturating_sub(late)
    }

    /// Reads the pages `paths` of the docs folder, on every thread.
    fn read_late(&self, paths: Vec<String>) -> Result<LatePages, crate::Failure> {
        use rayon::prelude::*;
        paths
            .into_par_iter()
            .map(|path| {
                let file = self.docs.root.join(&path);
                let text = std::fs::read_to_string(&file)
                    .map_err(|e| crate::Failure::Docs(format!("{}: {e}", file.display())))?;
                let hash = blake3::hash(text.as_bytes());
                Ok((path, (text, hash)))
            })
            .collect()
    }

    /// Saves `next` to `file`, unless the run changed nothing, and the docs
    /// and output indexes beside it, unless they are the ones read. Returns
    /// whether it wrote any.
    pub fn save_cache(&self, file: &Path, next: &generator::reuse::Cache) -> Result<bool, String> {
        let mut wrote = false;
        if *next != self.previous {
            match self.log_saved.get() {
                Some(saved) => {
                    saved.clone()?;
                    crate::cache::save_records(file, next)?;
                }
                None => crate::cache::save(file, next, &self.previous)?,
            }
            wrote = true;
        }
        if let Some((read, made)) = &self.index {
            if read != made {
                made.save(&crate::cache::docs_index_for(file))?;
                wrote = true;
            }
        }
        if let Ok((_, Some((read, made)))) = self.existing.get() {
            if read != made {
                made.save(&crate::cache::output_index_for(file))?;
                wrote = true;
            }
        }
        Ok(wrote)
    }
}

/// The output folder as read, with the output index read and the one the
/// reading made (when reusing).
type ReadOutput = Result<(OutputFolder, Option<(OutputIndex, OutputIndex)>), String>;

/// A value made on a thread of its own, waited for when first asked for.
struct Background<T> {
    thread: std::sync::Mutex<Option<std::thread::JoinHandle<T>>>,
    value: std::sync::OnceLock<T>,
}

impl<T: Send + 'static> Background<T> {
    /// Starts making the value.
    fn spawn(make: impl FnOnce() -> T + Send + 'static) -> Self {
        Background {
            thread: std::sync::Mutex::new(Some(std::thread::spawn(make))),
            value: std::sync::OnceLock::new(),
        }
    }

    /// The value, after waiting for it the first time; a panic on its
    /// thread goes on here.
    fn get(&self) -> &T {
        self.value.get_or_init(|| {
            let thread = self
                .thread
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take()
                .expect("the value is made once: `get_or_init` runs this once");
            thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    }
}

/// The files of the API surface record in the crate at `out` (its
/// `api-surface/` folder, or the legacy `api-surface.json`), by path
/// relative to `out`; missing ones are left out.
pub fn recorded_surface(out: &Path) -> BTreeMap<String, String> {
    use generator::review::{LEGACY_SURFACE_FILE as LEGACY_FILE, SURFACE_DIR as DIR};
    let mut files = BTreeMap::new();
    if let Ok(text) = fs::read_to_string(out.join(LEGACY_FILE)) {
        files.insert(LEGACY_FILE.to_owned(), text);
    }
    let mut dirs = vec![out.join(DIR)];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if let (Ok(rel), Ok(text)) = (path.strip_prefix(out), fs::read_to_string(&path))
            {
                let rel = rel.to_string_lossy().replace('\\', "/");
                if generator::review::is_record_file(&rel) {
                    files.insert(rel, text);
                }
            }
        }
    }
    files
}

/// What the API surface recorded in the crate on disk (`api-surface/`)
/// says of the one just generated.
#[derive(Debug)]
pub enum Review {
    /// The same API.
    Same,
    /// What changed.
    Changed(generator::review::Report),
    /// The crate on disk has no record to compare with.
    NoRecord,
}

/// Compares the surface recorded in the crate on disk (`existing`: the
/// output folder's files, as read before generating) with `run`'s.
pub fn review(existing: &Emitted, run: &generator::Generated) -> Review {
    use generator::review::{Surface, compare, is_record_file};
    if generator::review::same_api(existing, &run.files) {
        return Review::Same;
    }
    let read = |files: &Emitted| {
        Surface::from_files(
            files
                .iter()
                .filter(|(p, _)| is_record_file(p))
                .map(|(p, t)| (p.as_str(), t.as_str())),
        )
    };
    match (read(existing), read(&run.files)) {
        (Some(old), Some(new)) => {
            let report = compare(&old, &new, &run.api);
            if report.changes.is_empty() {
                Review::Same
            } else {
                Review::Changed(report)
            }
        }
        _ => Review::NoRecord,
    }
}

/// The change report as printed, for a crate now at `version`.
pub fn render(review: &Review, version: &str, markdown: bool, out: &Path) -> String {
    let none = generator::review::Report::default();
    let report = match review {
        Review::Same => &none,
        Review::Changed(report) => report,
        Review::NoRecord => {
            return format!(
                "API changes: {} has no API surface record (api-surface/) yet to compare with; this regen writes one.\n",
                out.display()
            );
        }
    };
    if markdown {
        report.markdown(version)
    } else {
        report.human(version)
    }
}

/// The API change report: the surface recorded in the crate on disk at
/// `out` (`api-surface/`; `existing` holds the folder's files as read)
/// against the one just generated.
pub fn change_report(
    out: &Path,
    existing: &Emitted,
    run: &generator::Generated,
    markdown: bool,
) -> String {
    let version = crate_manifest(out)
        .0
        .unwrap_or_else(|| CRATE_VERSION.to_owned());
    render(&review(existing, run), &version, markdown, out)
}

/// The crate's changelog, relative to its root.
pub const CHANGELOG: &str = "CHANGELOG.md";

const CHANGELOG_HEAD: &str = "# Changelog\n\n\
The API changes of each regeneration of this crate, newest first, as \
`cargo xtask regen` reported them.\n";

/// Keeps the crate's `CHANGELOG.md` among the files a regen writes, with an
/// entry for `review`'s changes on top when the API changed: under the
/// version the crate moved to (`regen --bump`), else `Unreleased`.
pub fn add_changelog(
    out: &Path,
    files: &mut Emitted,
    review: &Review,
    released: &str,
    version: &str,
) {
    let existing = fs::read_to_string(out.join(CHANGELOG)).ok();
    let Review::Changed(report) = review else {
        if let Some(text) = existing {
            files.insert(CHANGELOG.to_owned(), text);
        }
        return;
    };
    let heading = if version == released {
        "Unreleased".to_owned()
    } else {
        version.to_owned()
    };
    let body = report.markdown(released);
    let body = body.strip_prefix("### API changes\n\n").unwrap_or(&body);
    let entry = format!("## {heading}\n\n{body}");
    let rest = existing
        .as_deref()
        .and_then(|t| t.strip_prefix(CHANGELOG_HEAD))
        .map(str::to_owned)
        .or(existing.clone())
        .unwrap_or_default();
    let rest = rest.trim_start_matches('\n');
    let text = if rest.is_empty() {
        format!("{CHANGELOG_HEAD}\n{entry}")
    } else {
        format!("{CHANGELOG_HEAD}\n{entry}\n{rest}")
    };
    files.insert(CHANGELOG.to_owned(), text);
}

/// The version and the `publish` setting of the crate at `out`, as its
/// `Cargo.toml` says (none where there is no crate yet).
pub fn crate_manifest(out: &Path) -> (Option<String>, Option<bool>) {
    let Ok(text) = fs::read_to_string(out.join("Cargo.toml")) else {
        return (None, None);
    };
    let package = text
        .split("\n[")
        .find(|section| section.starts_with("package]") || section.starts_with("[package]"))
        .unwrap_or_default();
    let value = |key: &str| {
        package.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key).then(|| v.trim().trim_matches('"').to_owned())
        })
    };
    (value("version"), value("publish").map(|p| p == "true"))
}

/// Says whether the crate in `out` was made from `docs` (by the content hash
/// its API surface record holds, and the generator version), and prints
/// why. An unreadable record is an error.
pub fn provenance(docs: &crate::docs::DocsFolder, out: &Path) -> Result<bool, String> {
    use generator::docs_hash;
    use generator::review::{PROVENANCE, Surface};
    let files = recorded_surface(out);
    let surface = Surface::from_files(files.iter().map(|(p, t)| (p.as_str(), t.as_str())))
        .ok_or_else(|| {
            format!(
                "{}: no API surface record (`{PROVENANCE}` and the files beside it)",
                out.display()
            )
        })?;
    let hash = docs_hash(&docs.sources(), &docs.includes);
    let recorded = &surface.provenance;
    let generator = generator::VERSION;
    if recorded.docs_hash != hash {
        crate::say!(
            "{} was made from other docs: it records {}, the docs are {hash}; run `cargo xtask regen`",
            out.display(),
            recorded.docs_hash
        );
        return Ok(false);
    }
    if recorded.generator != generator {
        crate::say!(
            "{} was made from these docs by generator {}, not {generator}; run `cargo xtask regen`",
            out.display(),
            recorded.generator
        );
        return Ok(false);
    }
    crate::say!(
        "{} was made from these docs ({hash}) by generator {generator}",
        out.display()
    );
    Ok(true)
}

/// What a write did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Files created or changed.
    pub written: usize,
    /// Files already up to date.
    pub unchanged: usize,
    /// Stale files removed.
    pub removed: usize,
}

/// Compares `files` with `out`. Returns `None` when they match, or a unified
/// diff covering changed, missing and extra files.
pub fn check(out: &Path, files: &Emitted) -> Result<Option<String>, String> {
    let (existing, _) = crate::output_folder::read(out, None)?;
    check_over(out, files, &BTreeSet::new(), &existing)
}

/// [`check`], where `existing` is the output folder as read, and the files
/// of `unchanged` are known to be as the folder holds them (see
/// [`write_over`]).
pub fn check_over(
    out: &Path,
    files: &Emitted,
    unchanged: &BTreeSet<String>,
    existing: &OutputFolder,
) -> Result<Option<String>, String> {
    let on_disk = files_below(out)?;
    let mut report = String::new();
    for rel in unchanged.iter().filter(|rel| !on_disk.contains(*rel)) {
        report.push_str(&format!("missing file: {rel}\n"));
    }
    for (rel, text) in files {
        let old = existing.text_of(rel).unwrap_or_default();
        if !on_disk.contains(rel) {
            report.push_str(&format!("missing file: {rel}\n"));
        }
        if old != *text {
            let diff = similar::TextDiff::from_lines(old.as_ref(), text);
            report.push_str(
                &diff
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{rel}"), &format!("b/{rel}"))
                    .to_string(),
            );
        }
    }
    let extra = on_disk
        .iter()
        .filter(|f| !files.contains_key(*f) && !unchanged.contains(*f));
    for extra in extra {
        report.push_str(&format!("extra file (no longer generated): {extra}\n"));
    }
    Ok((!report.is_empty()).then_some(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-regen-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("scratch dir");
        dir
    }

    /// A folder as a previous regen left it.
    fn made_by_regen(name: &str) -> PathBuf {
        let dir = scratch(name);
        fs::write(
            dir.join("Cargo.toml"),
            format!("# {}\n", generator::emit::GENERATED_MARKER),
        )
        .expect("manifest");
        dir
    }

    #[test]
    fn the_files_below_a_folder_are_named_from_it_without_build_or_staging_output() {
        let dir = scratch("files-below");
        for file in [
            "Cargo.toml",
            "src/lib.rs",
            "src/models/user.rs",
            "target/debug/x",
            ".regen-staging/a",
        ] {
            let path = dir.join(file);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, "").unwrap();
        }
        fs::create_dir_all(dir.join("empty")).unwrap();
        let files: Vec<String> = files_below(&dir).unwrap().into_iter().collect();
        assert_eq!(files, ["Cargo.toml", "src/lib.rs", "src/models/user.rs"]);
        assert!(files_below(&dir.join("missing")).unwrap().is_empty());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn refuses_a_folder_it_did_not_make() {
        let out = scratch("foreign");
        fs::write(out.join("precious.txt"), "keep me").expect("file");
        let mut files = Emitted::new();
        files.insert("Cargo.toml".into(), "[package]\n".into());
        let err = write(&out, &files).expect_err("foreign folder");
        assert!(err.contains("refusing to write"), "{err}");
        assert_eq!(
            fs::read_to_string(out.join("precious.txt")).expect("kept"),
            "keep me"
        );
        assert!(!out.join("Cargo.toml").exists());
        let _ = fs::remove_dir_all(&out);
    }

    #[test]
    fn writes_removes_stale_and_checks_clean() {
        let out = made_by_regen("write");
        fs::create_dir_all(out.join("src/old")).expect("dir");
        fs::write(out.join("src/old/gone.rs"), "x").expect("file");
        let mut files = Emitted::new();
        files.insert(
            "Cargo.toml".into(),
            format!("# {}\n[package]\n", generator::emit::GENERATED_MARKER),
        );
        files.insert("src/lib.rs".into(), "//! lib\n".into());
        let report = write(&out, &files).expect("write");
        assert_eq!(
            report,
            WriteReport {
                written: 2,
                unchanged: 0,
                removed: 1
            }
        );
        assert!(
            !out.join("src/old").exists(),
            "empty folders of stale files go too"
        );
        assert_eq!(check(&out, &files).expect("check"), None);
        let again = write(&out, &files).expect("rewrite");
        assert_eq!(
            again,
            WriteReport {
                written: 0,
                unchanged: 2,
                removed: 0
            }
        );
        let _ = fs::remove_dir_all(&out);
    }

    #[test]
    fn check_reports_changed_missing_and_extra_files() {
        let out = scratch("check");
        fs::create_dir_all(out.join("src")).expect("dir");
        fs::write(out.join("src/lib.rs"), "a\nb\n").expect("file");
        fs::write(out.join("src/extra.rs"), "x").expect("file");
        let mut files = Emitted::new();
        files.insert("src/lib.rs".into(), "a\nc\n".into());
        files.insert("src/new.rs".into(), "n\n".into());
        let diff = check(&out, &files).expect("check").expect("differs");
        assert!(diff.contains("-b\n+c"), "{diff}");
        assert!(diff.contains("missing file: src/new.rs"), "{diff}");
        assert!(
            diff.contains("extra file (no longer generated): src/extra.rs"),
            "{diff}"
        );
        let _ = fs::remove_dir_all(&out);
    }

    #[test]
    fn never_writes_outside_the_output_folder() {
        let out = scratch("escape");
        for bad in ["../evil.rs", "/etc/evil.rs", "src/../../evil.rs", ""] {
            let mut files = Emitted::new();
            files.insert("src/lib.rs".into(), "ok".into());
            files.insert(bad.into(), "evil".into());
            let err = write(&out, &files).expect_err(bad);
            assert!(err.contains("refusing"), "{err}");
            assert!(
                !out.join("src/lib.rs").exists(),
                "nothing is written when any path is bad"
            );
        }
        let _ = fs::remove_dir_all(&out);
    }

    #[test]
    fn a_failed_write_leaves_the_folder_as_it_was() {
        let out = made_by_regen("fail");
        fs::write(out.join("keep.rs"), "old").expect("file");
        // A file where a folder is needed makes staging fail halfway.
        fs::write(out.join("blocker"), "not a folder").expect("file");
        let mut files = Emitted::new();
        files.insert("a.rs".into(), "new a".into());
        files.insert("blocker/b.rs".into(), "new b".into());
        files.insert("keep.rs".into(), "new".into());
        assert!(write(&out, &files).is_err());
        assert_eq!(
            fs::read_to_string(out.join("keep.rs")).expect("kept"),
            "old"
        );
        assert!(!out.join("a.rs").exists(), "nothing was added");
        assert!(!staging_dir(&out).exists(), "the staging folder is removed");
        let _ = fs::remove_dir_all(&out);
    }

    /// A write that fails halfway through staging, as an interrupted run
    /// would stop, leaves the folder byte for byte as it was; the next run
    /// clears the leftover staging folder and writes everything.
    #[test]
    fn an_interrupted_write_leaves_the_folder_as_it_was() {
        let out = made_by_regen("interrupted");
        fs::write(out.join("keep.rs"), "old").expect("file");
        let snapshot = |dir: &Path| -> Vec<(String, String)> {
            let mut files: Vec<(String, String)> = files_below(dir)
                .expect("listing")
                .into_iter()
                .map(|f| {
                    let text = fs::read_to_string(dir.join(&f)).expect("text");
                    (f, text)
                })
                .collect();
            files.sort();
            files
        };
        let before = snapshot(&out);
        // A run stopped while staging left its staging folder behind.
        let staging = staging_dir(&out);
        let _ = fs::remove_dir_all(&staging);
        let mut files = Emitted::new();
        files.insert("a.rs".into(), "new a".into());
        files.insert("keep.rs".into(), "new".into());
        files.insert("z/b.rs".into(), "new b".into());
        fs::create_dir_all(&staging).expect("staging");
        fs::write(staging.join("leftover.rs"), "from a stopped run").expect("leftover");
        // What the stopped run left is not part of the output: every file
        // of the crate is as it was.
        assert_eq!(snapshot(&out), before);
        // The leftover is cleared, and this time staging succeeds.
        write(&out, &files).expect("written");
        assert!(!staging.exists());
        assert_eq!(fs::read_to_string(out.join("keep.rs")).unwrap(), "new");
        assert_eq!(fs::read_to_string(out.join("z/b.rs")).unwrap(), "new b");
        // A staging failure halfway: a file stands where the staging folder
        // goes, so staging stops before anything reaches the folder.
        let blocked_out = made_by_regen("interrupted-2");
        fs::write(blocked_out.join("keep.rs"), "old").expect("file");
        let staging = staging_dir(&blocked_out);
        let _ = fs::remove_dir_all(&staging);
        let mut files = Emitted::new();
        files.insert("keep.rs".into(), "new".into());
        files.insert("a.rs".into(), "new a".into());
        // `remove_dir_all` on a file fails silently, then `create_dir_all`
        // below it fails: staging stops before anything reaches the folder.
        fs::write(&staging, "not a folder").expect("blocker");
        let before_blocked = snapshot(&blocked_out);
        assert!(write(&blocked_out, &files).is_err());
        assert_eq!(snapshot(&blocked_out), before_blocked);
        let _ = fs::remove_file(&staging);
        let _ = fs::remove_dir_all(&out);
        let _ = fs::remove_dir_all(&blocked_out);
    }
}
