//! Loading a docs folder: every page below it, in a stable order, and every
//! include file those pages reach.
//!
//! Files under a folder named `includes`, and files that pages reach through
//! `[!INCLUDE]`, are include files, never pages. Includes resolve anywhere
//! under the include root: by default the nearest ancestor of the docs folder
//! holding `.git`, else the docs folder itself. A target outside the root is
//! recorded as refused and never read.

use std::fs;
use std::path::{Component, Path, PathBuf};

use generator::parse::{find_includes, include_body, resolve_target};
use generator::{IncludeFile, Includes};

use crate::docs_index::{DocsIndex, Page};
use crate::stamp_index::Stamp;

/// The pages of a docs folder and the include files they reach, in memory.
pub struct DocsFolder {
    /// The folder, canonical.
    pub root: PathBuf,
    /// (path relative to the docs folder with `/` separators, text), sorted
    /// by path: the pages read.
    pub pages: Vec<(String, String)>,
    /// The blake3 hash of each page's text, in the order of `pages`.
    pub page_hashes: Vec<blake3::Hash>,
    /// Pages left unread because the docs index vouched for them (see
    /// [`DocsFolder::read_indexed`]): path and text hash, sorted by path.
    pub vouched: Vec<(String, blake3::Hash)>,
    /// Every include target the pages reach, keyed as the generator resolves them.
    pub includes: Includes,
    /// The folder includes must stay under.
    pub include_root: PathBuf,
    /// Files that could not be read as pages (unreadable, or not UTF-8),
    /// each reported by name; the rest of the folder still counts.
    pub problems: Vec<generator::Diagnostic>,
    /// The names file (`names.yaml` at the top of the folder), as read;
    /// empty when there is none.
    pub names: generator::names::NameOverrides,
    /// Its text, for showing its lines in diagnostics.
    pub names_text: Option<String>,
}

impl DocsFolder {
    /// Reads a docs folder with the default include root.
    pub fn read(root: &Path) -> Result<DocsFolder, String> {
        Self::read_with(root, None)
    }

    /// Reads every `.md` page below `root` (skipping `README.md` at the top
    /// and include files) and loads the include files they reach, which must
    /// lie under `include_root` (by default the nearest ancestor of `root`
    /// holding `.git`, else `root`).
    pub fn read_with(root: &Path, include_root: Option<&Path>) -> Result<DocsFolder, String> {
        Self::read_indexed(root, include_root, None).map(|(folder, _)| folder)
    }

    /// [`read_with`](Self::read_with), leaving unread each page whose file
    /// looks as `index` recorded it (see [`crate::docs_index`]): such a
    /// page is in [`vouched`](Self::vouched), with the text hash the index
    /// holds, and not in [`pages`](Self::pages). Returns the index of this
    /// reading too, for the next.
    pub fn read_indexed(
        root: &Path,
        include_root: Option<&Path>,
        index: Option<&DocsIndex>,
    ) -> Result<(DocsFolder, DocsIndex), String> {
        let started = std::time::SystemTime::now();
        Self::read_indexed_at(root, include_root, index, started)
    }

    /// [`read_indexed`](Self::read_indexed) as if the reading began at
    /// `started`: the index it returns records the files that last changed
    /// well before then.
    pub fn read_indexed_at(
        root: &Path,
        include_root: Option<&Path>,
        index: Option<&DocsIndex>,
        started: std::time::SystemTime,
    ) -> Result<(DocsFolder, DocsIndex), String> {
        if !root.is_dir() {
            return Err(format!(
                "docs folder `{}` does not exist or is not a folder",
                root.display()
            ));
        }
        let docs = fs::canonicalize(root).map_err(|e| io_error(root, e))?;
        let include_root = match include_root {
            Some(dir) => fs::canonicalize(dir)
                .map_err(|e| format!("include root `{}`: {e}", dir.display()))?,
            None => default_include_root(&docs),
        };
        let index = index.filter(|index| !index.is_empty());
        let mut files = Vec::new();
        collect(&docs, &docs, &mut files).map_err(|e| io_error(root, e))?;
        files.sort();
        // Read on every thread, each page hashed and looked through for the
        // includes it reaches while its text is at hand (or taken on the
        // index's word); the results keep the sorted order.
        use rayon::prelude::*;
        let read: Vec<(String, Result<Got, String>)> = files
            .into_par_iter()
            .map(|rel| {
                let got = get_page(&docs.join(&rel), &rel, index);
                (rel, got)
            })
            .collect();
        let mut pages = Vec::with_capacity(read.len());
        let mut page_hashes = Vec::with_capacity(read.len());
        let mut vouched = Vec::new();
        let mut problems = Vec::new();
        let mut next = DocsIndex::empty(&docs);
        let mut reached = Vec::with_capacity(read.len());
        for (rel, got) in read {
            let Got {
                text,
                stamp,
                hash,
                targets,
            } = match got {
                Ok(got) => got,
                Err(why) => {
                    problems.push(unreadable(rel, why));
                    continue;
                }
            };
            reached.push(targets.clone());
            match text {
                Some(text) => {
                    page_hashes.push(hash);
                    pages.push((rel.clone(), text));
                }
                None => vouched.push((rel.clone(), hash)),
            }
            if let Some(stamp) = stamp {
                next.record(&rel, stamp, Page { hash, targets }, started);
            }
        }
        let includes = load_reached(&docs, &include_root, reached);
        // A page that another page includes is an include file, not a page.
        (pages, page_hashes) = pages
            .into_iter()
            .zip(page_hashes)
            .filter(|((rel, _), _)| !includes.contains(rel))
            .unzip();
        vouched.retain(|(rel, _)| !includes.contains(rel));
        let (names, names_text) = read_names(&docs, &mut problems);
        let folder = DocsFolder {
            root: docs,
            pages,
            page_hashes,
            vouched,
            includes,
            include_root,
            problems,
            names,
            names_text,
        };
        Ok((folder, next))
    }

    /// The same folder with some pages' texts replaced (by path), and the
    /// includes the new texts reach loaded again: what the folder would be
    /// once they are written.
    pub fn with_pages(&self, replaced: &std::collections::BTreeMap<String, String>) -> DocsFolder {
        let pages: Vec<(String, String)> = self
            .pages
            .iter()
            .map(|(path, text)| {
                let text = replaced.get(path).unwrap_or(text);
                (path.clone(), text.clone())
            })
            .collect();
        DocsFolder {
            root: self.root.clone(),
            includes: load_includes(&self.root, &self.include_root, &pages),
            page_hashes: pages
                .iter()
                .map(|(_, t)| blake3::hash(t.as_bytes()))
                .collect(),
            vouched: self.vouched.clone(),
            pages,
            include_root: self.include_root.clone(),
            problems: self.problems.clone(),
            names: self.names.clone(),
            names_text: self.names_text.clone(),
        }
    }

    /// Every page, read or vouched for, as a reusing run takes them, in path
    /// order; `late` holds pages read after the folder was (by path: text
    /// and hash), which stand for their vouched entries.
    pub fn known<'a>(&'a self, late: &'a LatePages) -> Vec<generator::KnownPage<'a>> {
        let read = self
            .pages
            .iter()
            .zip(&self.page_hashes)
            .map(|((path, text), hash)| (path, Some(text.as_str()), *hash));
        let vouched = self
            .vouched
            .iter()
            .map(|(path, hash)| match late.get(path) {
                Some((text, hash)) => (path, Some(text.as_str()), *hash),
                None => (path, None, *hash),
            });
        let mut known: Vec<generator::KnownPage<'a>> = read
            .chain(vouched)
            .map(|(path, text, hash)| generator::KnownPage { path, hash, text })
            .collect();
        known.sort_by(|a, b| a.path.cmp(b.path));
        known
    }

    /// How many pages it has, read or vouched for.
    pub fn page_count(&self) -> usize {
        self.pages.len() + self.vouched.len()
    }

    /// The pages read, as the generator takes them.
    pub fn sources(&self) -> Vec<generator::SourcePage<'_>> {
        self.pages
            .iter()
            .map(|(path, text)| generator::SourcePage { path, text })
            .collect()
    }

    /// Total size of the pages in bytes.
    pub fn bytes(&self) -> usize {
        self.pages.iter().map(|(_, t)| t.len()).sum()
    }

    /// The text of a page or loaded include file, by the path diagnostics name.
    pub fn text_of(&self, file: &str) -> Option<&str> {
        self.pages
            .binary_search_by(|(p, _)| p.as_str().cmp(file))
            .ok()
            .map(|i| self.pages[i].1.as_str())
            .or_else(|| {
                (file == generator::names::FILE)
                    .then_some(self.names_text.as_deref())
                    .flatten()
            })
            .or_else(|| match self.includes.get(file) {
                Some(IncludeFile::Text(text)) => Some(text.as_str()),
                _ => None,
            })
    }
}

/// The names file at the top of the docs folder `docs`, and its text; a
/// file that is not UTF-8 is a problem, and no file is no overrides.
fn read_names(
    docs: &Path,
    problems: &mut Vec<generator::Diagnostic>,
) -> (generator::names::NameOverrides, Option<String>) {
    let names_file = generator::names::FILE;
    let names_text = match fs::read(docs.join(names_file)) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(e) => {
                problems.push(unreadable(
                    names_file.to_owned(),
                    format!("it is not UTF-8 text ({})", e.utf8_error()),
                ));
                None
            }
        },
        Err(_) => None,
    };
    let names = names_text
        .as_deref()
        .map(|text| generator::names::NameOverrides::read(names_file, text))
        .unwrap_or_default();
    (names, names_text)
}

/// Pages read after their folder, in place of their vouched entries: by
/// path, text and hash.
pub type LatePages = std::collections::BTreeMap<String, (String, blake3::Hash)>;

/// A page file as [`DocsFolder::read_indexed`] got it: its text (none
/// when taken on the index's word), its look (none where the system gives
/// none), the hash of its text and the include targets it names.
struct Got {
    text: Option<String>,
    stamp: Option<Stamp>,
    hash: blake3::Hash,
    targets: Vec<String>,
}

/// Gets the page file `path` (`rel` in the folder): on `index`'s word when
/// it vouches for the file's look, else read. The look is taken before the
/// read, so a write between the two leaves a stamp older than the text,
/// which the next run does not trust.
fn get_page(path: &Path, rel: &str, index: Option<&DocsIndex>) -> Result<Got, String> {
    let stamp = fs::metadata(path).ok().as_ref().and_then(Stamp::of);
    if let (Some(index), Some(look)) = (index, &stamp) {
        if let Some(entry) = index.vouches(rel, look) {
            return Ok(Got {
                text: None,
                stamp,
                hash: entry.hash,
                targets: entry.targets.clone(),
            });
        }
    }
    let bytes = fs::read(path).map_err(|e| format!("it could not be read ({e})"))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| format!("it is not UTF-8 text ({})", e.utf8_error()))?;
    Ok(Got {
        hash: blake3::hash(text.as_bytes()),
        targets: targets_in(rel, &text),
        text: Some(text),
        stamp,
    })
}

/// The diagnostic for a page file that was skipped.
fn unreadable(file: String, why: String) -> generator::Diagnostic {
    let code = generator::Code::PageUnreadable;
    generator::Diagnostic {
        code,
        file,
        line: 1,
        column: 1,
        span: generator::source::Span::default(),
        message: format!("page skipped: {why}"),
        help: "save the page as UTF-8 text; the other pages were read".to_owned(),
        related: Vec::new(),
        fix: None,
    }
}

/// The nearest ancestor of `docs` (itself included) holding `.git`, else `docs`.
fn default_include_root(docs: &Path) -> PathBuf {
    docs.ancestors()
        .find(|dir| dir.join(".git").exists())
        .unwrap_or(docs)
        .to_path_buf()
}

/// Loads every include reachable from `pages`, following nested includes.
/// Each target is looked up once, so cycles end; the generator reports them.
fn load_includes(docs: &Path, root: &Path, pages: &[(String, String)]) -> Includes {
    // The pages are looked through on every thread, in order.
    use rayon::prelude::*;
    let reached = pages
        .par_iter()
        .map(|(path, text)| targets_in(path, text))
        .collect();
    load_reached(docs, root, reached)
}

/// The include targets the page at `path` reaches, as keys.
fn targets_in(path: &str, text: &str) -> Vec<String> {
    find_includes(text)
        .into_iter()
        .filter_map(|d| resolve_target(path, &d.target).ok())
        .collect()
}

/// Loads the include files that pages reach (`reached`: each page's
/// targets, in page order) and, in turn, those the include files reach.
fn load_reached(docs: &Path, root: &Path, reached: Vec<Vec<String>>) -> Includes {
    let mut includes = Includes::new();
    let mut queue: Vec<String> = reached.into_iter().flatten().collect();
    while let Some(key) = queue.pop() {
        if includes.contains(&key) {
            continue;
        }
        let file = load_one(docs, root, &key);
        if let IncludeFile::Text(text) = &file {
            queue.extend(targets_in(&key, include_body(text).1));
        }
        includes.insert(key, file);
    }
    includes
}

/// Looks at one include target, which must stay under `root`. Paths in
/// diagnostics are relative to the docs folder, as page paths are.
fn load_one(docs: &Path, root: &Path, key: &str) -> IncludeFile {
    let path = normalize(&docs.join(key));
    // A link inside the root may still point outside it.
    let outside = !path.starts_with(root)
        || fs::canonicalize(&path).is_ok_and(|real| !real.starts_with(root));
    if outside {
        return IncludeFile::Refused {
            tried: key.to_owned(),
            root: relative_to(docs, root),
        };
    }
    match fs::read(&path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => IncludeFile::Text(text),
            Err(e) => IncludeFile::Unreadable {
                tried: key.to_owned(),
                error: format!("not UTF-8: {}", e.utf8_error()),
            },
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => IncludeFile::Missing {
            tried: key.to_owned(),
            case_differs: in_any_case(&path)
                .filter(|found| found.starts_with(root))
                .map(|found| relative_to(docs, &found)),
        },
        Err(e) => IncludeFile::Unreadable {
            tried: key.to_owned(),
            error: e.to_string(),
        },
    }
}

/// The one existing path that equals `path` ignoring ASCII case, where
/// `path` itself does not exist: each missing component is looked up in its
/// folder, and must match one entry only.
fn in_any_case(path: &Path) -> Option<PathBuf> {
    let mut found = PathBuf::new();
    for part in path.components() {
        let next = found.join(part);
        if next.exists() {
            found = next;
            continue;
        }
        let wanted = part.as_os_str().to_str()?;
        let mut matches = fs::read_dir(&found).ok()?.flatten().filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(wanted))
        });
        let one = matches.next()?;
        if matches.next().is_some() {
            return None;
        }
        found.push(one.file_name());
    }
    (found != path).then_some(found)
}

/// `to` as a path relative to `from` (both absolute and normalised), with
/// `/` separators: `../..` for an ancestor two levels up, `.` for itself.
fn relative_to(from: &Path, to: &Path) -> String {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

/// `path` with `.` and `..` resolved lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn slashes(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether `rel` lies in a folder named `includes`.
fn in_includes_folder(rel: &Path) -> bool {
    rel.parent().is_some_and(|dir| {
        dir.components()
            .any(|c| c.as_os_str().eq_ignore_ascii_case("includes"))
    })
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            collect(root, &path, out)?;
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "md") {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            if in_includes_folder(rel) {
                continue;
            }
            let rel = slashes(rel);
            if rel.eq_ignore_ascii_case("readme.md") {
                continue;
            }
            out.push(rel);
        }
    }
    Ok(())
}

/// An IO error that names the path it concerns.
fn io_error(path: &Path, e: std::io::Error) -> String {
    format!("{}: {e}", path.display())
}
