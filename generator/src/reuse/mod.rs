//! What a regen reuses from the one before: each page as it was lowered,
//! and each Rust file whose inputs did not change. Reuse only saves work:
//! the files are byte for byte those a run without it makes
//! (`generator/tests/determinism.rs`, `generator/tests/reuse.rs`).
//!
//! **Pages.** A page's lowered form depends on its path, its text, the
//! include files and the generator's build. The [`Cache`] keeps it, in the
//! compact form of `codec.rs`, under the hash of all four, so an unchanged
//! page is read back instead of parsed.
//!
//! **Files.** What an emitter reads splits in two:
//! - the model's *shape*: every field of every type and endpoint except
//!   their free text. `digest.rs` hashes it whole, with the emit options and
//!   the build. A change to it (a new property, a renamed type, an added
//!   endpoint) makes every file again.
//! - the *text* (descriptions, titles, permissions, headers, examples, the
//!   places of endpoints and examples) of a few items only: each file names
//!   its [`Owner`]s, the items whose text it is made from. A type's file
//!   owns the type and its bases (it carries their properties); a client
//!   file owns the endpoints of its requests; an area's example tests own
//!   the area's endpoints; a body struct owns its endpoint.
//!
//! What no emitter reads (where types, properties and parameters are, a
//! type's JSON representation) counts as neither, so moving it makes
//! nothing again.
//!
//! **The API surface record.** Its files but the provenance read the
//! model's shape and the page of each endpoint and type, nothing else. The
//! cache keeps their text hashes under the hash of exactly that
//! (`digest::Digests::surface`); while it holds and the output folder has
//! each file as made, the record (and the method signatures it lists) is
//! taken as it is.
//!
//! A file is reused when the shape is the one the cache was made with, its
//! owners' text hashes as it did, and the output folder holds it signed
//! with the draft hash the cache recorded, its text intact (see
//! [`crate::output::signature`]). Everything else is made again.
//!
//! **The regen record.** A run whose cache knows no files for this shape
//! (a fresh clone has no cache) takes the file and surface records from
//! the crate's regen record instead ([`record`]): the same records, kept in
//! the crate and keyed by the generator's source fingerprint rather than
//! by the executable.

pub(crate) mod codec;
pub(crate) mod digest;
pub mod record;

pub use record::DIR as RECORD_DIR;

#[cfg(test)]
#[path = "../../build/fingerprint.rs"]
mod build_fingerprint;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::base::diagnostics::Diagnostic;
use crate::input::KnownPage;
use crate::model;
use crate::output::Emitted;
use crate::output::{Kept, Made, Owner, Signed};
use codec::{Codec, Out};

/// What the cache knows of a file it saw made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileRecord {
    /// The items whose text it was made from.
    owners: Vec<Owner>,
    /// The hash of their text then.
    text: u64,
    /// The draft hash of its signature.
    draft: u64,
}

/// What the cache knows of the API surface record it saw made: its files
/// but the provenance, which stay the same while their inputs do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SurfaceRecord {
    /// What they were made from (see [`digest::Digests::surface`]).
    key: [u8; 32],
    /// Each file's path and the hash of its text.
    files: BTreeMap<String, u64>,
}

/// The hash of a page's inputs: its path and text, the include files, the
/// build.
type PageKey = [u8; 32];

/// The regen cache: lowered pages by the hash of their inputs, the shape
/// of the model it saw, and the files made from it. Loaded and saved by the
/// caller (the generator does no IO) with
/// [`records_to_bytes`](Self::records_to_bytes) (its records),
/// [`page_log_after`](Self::page_log_after) (its page log, or what to
/// append to it) and [`from_bytes`](Self::from_bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    build: [u8; 32],
    shape: [u8; 32],
    /// Shared, so that the next cache keeps a page without copying it.
    pages: BTreeMap<PageKey, PageBytes>,
    files: BTreeMap<String, FileRecord>,
    surface: Option<SurfaceRecord>,
}

/// The first bytes of a saved cache's records, with its format's version.
const MAGIC: &[u8; 8] = b"gdreuse3";

impl Cache {
    /// An empty cache for the generator build `build`: a fingerprint of the
    /// running generator (the caller hashes its executable), so that a
    /// cache made by another build is never trusted.
    pub fn empty(build: [u8; 32]) -> Cache {
        Cache {
            build,
            shape: [0; 32],
            pages: BTreeMap::new(),
            files: BTreeMap::new(),
            surface: None,
        }
    }

    /// The generator build it is for.
    pub fn build(&self) -> [u8; 32] {
        self.build
    }

    /// How many lowered pages it holds.
    pub fn pages(&self) -> usize {
        self.pages.len()
    }

    /// How many files it knows.
    pub fn files(&self) -> usize {
        self.files.len()
    }

    /// The cache is saved as two runs of bytes, so that a small change
    /// writes little. This is the first: its records (a magic number, the
    /// build, the shape, the file records in path order, and the record of
    /// the API surface's files).
    pub fn records_to_bytes(&self) -> Vec<u8> {
        let mut out = Out::default();
        codec::put_bytes(&mut out, MAGIC);
        codec::put_bytes(&mut out, &self.build);
        codec::put_bytes(&mut out, &self.shape);
        self.files.encode(&mut out);
        match &self.surface {
            None => 0u8.encode(&mut out),
            Some(record) => {
                1u8.encode(&mut out);
                codec::put_bytes(&mut out, &record.key);
                record.files.encode(&mut out);
            }
        }
        out.into_bytes()
    }

    /// What to write of the page log after a run that loaded `previous`
    /// and ends with this cache: see [`PageLog`].
    pub fn page_log_after(&self, previous: &Cache) -> PageLog {
        PageLog::of(
            previous,
            self.pages.iter().map(|(key, bytes)| (*key, bytes.clone())),
        )
    }

    /// Reads [`records_to_bytes`](Self::records_to_bytes)' output and the
    /// page log [`PageLog::write_to`] wrote (with anything appended since) for the build `build`. Records of another
    /// build or format, or damaged, give an empty cache, never an error; a
    /// log cut short (an append interrupted) keeps its whole entries. The
    /// pages stay in `log`, which the cache keeps, rather than copied out.
    pub fn from_bytes(records: &[u8], log: Vec<u8>, build: [u8; 32]) -> Cache {
        let Some((shape, files, surface)) = Self::parse_records(records, build) else {
            return Cache::empty(build);
        };
        let log = Arc::new(log);
        let mut pages = BTreeMap::new();
        let mut input = log.as_slice();
        while !input.is_empty() {
            let entry = codec::take_bytes(&mut input).and_then(|key| {
                let key: PageKey = key.try_into().ok()?;
                Some((key, codec::take_bytes(&mut input)?))
            });
            match entry {
                Some((key, bytes)) => {
                    // The page's bytes end where the rest of the log begins.
                    let end = log.len() - input.len();
                    let bytes = PageBytes::within(&log, end - bytes.len()..end);
                    pages.insert(key, bytes)
                }
                None => break,
            };
        }
        Cache {
            build,
            shape,
            pages,
            files,
            surface,
        }
    }

    fn parse_records(mut bytes: &[u8], build: [u8; 32]) -> Option<Records> {
        let input = &mut bytes;
        if codec::take_bytes(input)? != MAGIC || codec::take_bytes(input)? != build {
            return None;
        }
        let shape = codec::take_bytes(input)?.try_into().ok()?;
        let files = BTreeMap::decode(input)?;
        let surface = match u8::decode(input)? {
            0 => None,
            1 => Some(SurfaceRecord {
                key: codec::take_bytes(input)?.try_into().ok()?,
                files: BTreeMap::decode(input)?,
            }),
            _ => return None,
        };
        input.is_empty().then_some((shape, files, surface))
    }

    /// The files of the API surface record (but its provenance) as
    /// `existing` holds them, when their inputs are those the cache saw
    /// them made from and the output folder holds each as it was made.
    fn reusable_surface<'e>(
        &self,
        digests: &digest::Digests<'_>,
        existing: &'e Emitted,
    ) -> Option<BTreeMap<String, Kept<'e>>> {
        let record = self.surface.as_ref()?;
        if record.key != digests.surface || record.files.is_empty() {
            return None;
        }
        record
            .files
            .iter()
            .map(|(path, hash)| {
                let text = existing.get(path)?;
                (digest::text_hash(text) == *hash).then(|| (path.clone(), Kept::Text(text)))
            })
            .collect()
    }

    /// The files this run can take as the output folder holds them, by
    /// path: see the module docs. `existing` holds the text of its files
    /// as read, `signed` the checked signatures of its Rust files (see
    /// [`crate::Reuse`]).
    fn reusable<'e>(
        &self,
        digests: &digest::Digests<'_>,
        existing: &'e Emitted,
        signed: &Signed,
    ) -> BTreeMap<String, Kept<'e>> {
        use rayon::prelude::*;
        if self.shape != digests.shape || self.files.is_empty() {
            return BTreeMap::new();
        }
        self.files
            .par_iter()
            .filter_map(|(path, record)| {
                if digests.text_of(&record.owners) != Some(record.text) {
                    return None;
                }
                let text = existing.get(path);
                let formatted = match signed.get(path) {
                    Some(checked) => checked.draft == record.draft,
                    None => text.is_some_and(|text| {
                        crate::output::signature::is_formatted_from(text, record.draft)
                    }),
                };
                let kept = text.map_or(Kept::Unread, |text| Kept::Text(text));
                formatted.then(|| (path.clone(), kept))
            })
            .collect()
    }
}

/// What a cache's records hold: the shape, the file records and the
/// surface record.
pub(crate) type Records = (
    [u8; 32],
    BTreeMap<String, FileRecord>,
    Option<SurfaceRecord>,
);

/// The pages a run read, as the next cache keeps them: by key, lowered.
pub(crate) type PageEntries = Vec<(PageKey, PageBytes)>;

/// What a run writes of the page log: the whole log again, or the entries
/// to append to the one its cache was loaded from. Known as soon as the
/// pages are lowered, so the caller can write it while the crate is
/// emitted; it shares the pages' bytes rather than copying them.
#[derive(Debug, Clone)]
pub struct PageLog {
    rewrite: bool,
    /// In key order.
    entries: Vec<(PageKey, PageBytes)>,
}

impl PageLog {
    /// The log update after a run that loaded `previous` and keeps
    /// `pages`: the whole log when `previous` held no page or more than
    /// twice as many as are kept (so a log never grows past twice what is
    /// in use), else the pages `previous` does not hold. A log read back
    /// keeps the last entry of a key, and all keys are content hashes, so
    /// appending never changes what an older entry means.
    pub(crate) fn of(
        previous: &Cache,
        pages: impl Iterator<Item = (PageKey, PageBytes)>,
    ) -> PageLog {
        // Keys are unique: each hashes its page's path.
        let mut entries: Vec<(PageKey, PageBytes)> = pages.collect();
        entries.sort_by_key(|(key, _)| *key);
        let rewrite = previous.pages.is_empty() || previous.pages.len() > 2 * entries.len();
        if !rewrite {
            entries.retain(|(key, _)| !previous.pages.contains_key(key));
        }
        PageLog { rewrite, entries }
    }

    /// Whether the log is written whole (else appended to).
    pub fn rewrites(&self) -> bool {
        self.rewrite
    }

    /// Whether there is nothing to write: an append of no entries.
    pub fn is_empty(&self) -> bool {
        !self.rewrite && self.entries.is_empty()
    }

    /// Writes the entries to `out`, each as its key and bytes (what
    /// [`Cache::from_bytes`] reads), without gathering them in one buffer
    /// first.
    pub fn write_to(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        for (key, bytes) in &self.entries {
            let mut head = Out::default();
            codec::put_bytes(&mut head, key);
            codec::put_len(&mut head, bytes.bytes().len());
            out.write_all(&head.into_bytes())?;
            out.write_all(bytes.bytes())?;
        }
        Ok(())
    }
}

/// A page's lowered bytes: a range of a buffer shared with the page log
/// they were read from (or a buffer of their own, when lowered now), so
/// that neither loading the log nor keeping a page in the next cache copies
/// it.
#[derive(Debug, Clone)]
pub(crate) struct PageBytes {
    buffer: Arc<Vec<u8>>,
    range: std::ops::Range<usize>,
}

impl PageBytes {
    /// Bytes of their own.
    fn own(bytes: Vec<u8>) -> PageBytes {
        let range = 0..bytes.len();
        PageBytes {
            buffer: Arc::new(bytes),
            range,
        }
    }

    /// `range` of `buffer`.
    fn within(buffer: &Arc<Vec<u8>>, range: std::ops::Range<usize>) -> PageBytes {
        PageBytes {
            buffer: Arc::clone(buffer),
            range,
        }
    }

    fn bytes(&self) -> &[u8] {
        &self.buffer[self.range.clone()]
    }
}

impl PartialEq for PageBytes {
    /// The same bytes; a page kept from the cache it came from is the same
    /// range of the same buffer, found so without comparing its bytes.
    fn eq(&self, other: &Self) -> bool {
        (Arc::ptr_eq(&self.buffer, &other.buffer) && self.range == other.range)
            || self.bytes() == other.bytes()
    }
}

impl Eq for PageBytes {}

/// What [`crate::model_known`] reused.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PageStats {
    /// Pages parsed and lowered now.
    pub read: usize,
    /// Pages taken lowered from the cache.
    pub reused: usize,
}

/// Where a page's lowered form comes from: the cache's bytes, or its text.
enum Source<'a> {
    Cached(&'a PageBytes),
    Text(&'a str),
}

/// [`crate::read_model`], taking each page whose inputs `cache` has seen
/// lowered from it. Returns the model, the diagnostics (sorted), every
/// page lowered (for the next cache), and what was reused; or, when some
/// pages were left unread and the cache does not hold them, their paths,
/// having done nothing.
pub(crate) fn read_model<'a>(
    pages: &[KnownPage<'a>],
    includes: &crate::parse::Includes,
    cache: &Cache,
) -> Result<(model::Api, Vec<Diagnostic>, PageEntries, PageStats), Vec<&'a str>> {
    use rayon::prelude::*;
    let includes_hash = includes_hash(includes);
    let mut lacking = Vec::new();
    let sources: Vec<(PageKey, Source<'_>)> = pages
        .iter()
        .filter_map(|page| {
            let key = page_key(&cache.build, &includes_hash, page.path, &page.hash);
            let source = match (cache.pages.get(&key), page.text) {
                (Some(bytes), _) => Source::Cached(bytes),
                (None, Some(text)) => Source::Text(text),
                (None, None) => {
                    lacking.push(page.path);
                    return None;
                }
            };
            Some((key, source))
        })
        .collect();
    if !lacking.is_empty() {
        return Err(lacking);
    }
    /// A page lowered, with its reading diagnostics, key and bytes, and
    /// whether it came from the cache.
    type Read = ((model::Lowered, Vec<Diagnostic>), PageKey, PageBytes, bool);
    let read: Vec<Read> = sources
        .into_par_iter()
        .zip(pages)
        .map(|((key, source), page)| {
            if let Source::Cached(bytes) = source {
                // A page the cache cannot decode (damaged) is read again
                // when its text is at hand.
                if let Some(lowered) = codec::from_bytes(bytes.bytes()) {
                    return Ok((lowered, key, bytes.clone(), true));
                }
            }
            let text = match source {
                Source::Text(text) => text,
                Source::Cached(_) => page.text.ok_or(page.path)?,
            };
            let (parsed, diags) = crate::parse::parse_page_with(page.path, text, includes);
            let lowered = (crate::lower::lower_page(&parsed), diags);
            let bytes = codec::to_bytes(&lowered);
            Ok((lowered, key, PageBytes::own(bytes), false))
        })
        .collect::<Result<_, &'a str>>()
        .map_err(|path| vec![path])?;
    let mut pages = Vec::with_capacity(read.len());
    let mut entries = Vec::with_capacity(read.len());
    let mut stats = PageStats::default();
    for (page, key, bytes, reused) in read {
        pages.push(page);
        entries.push((key, bytes));
        if reused {
            stats.reused += 1;
        } else {
            stats.read += 1;
        }
    }
    let (api, diagnostics) = model::assemble_read(pages);
    Ok((api, diagnostics, entries, stats))
}

/// The hash of every include file, by path.
fn includes_hash(includes: &crate::parse::Includes) -> [u8; 32] {
    let mut hasher = blake3::Hasher::new();
    let mut files: Vec<_> = includes.iter().collect();
    files.sort_by(|a, b| a.0.cmp(b.0));
    for (path, file) in files {
        hasher.update(&(path.len() as u64).to_le_bytes());
        hasher.update(path.as_bytes());
        match file {
            crate::parse::IncludeFile::Text(text) => {
                hasher.update(&[1]);
                hasher.update(&(text.len() as u64).to_le_bytes());
                hasher.update(text.as_bytes());
            }
            other => {
                hasher.update(&[2]);
                hasher.update(format!("{other:?}").as_bytes());
            }
        }
    }
    *hasher.finalize().as_bytes()
}

fn page_key(build: &[u8; 32], includes: &[u8; 32], path: &str, text: &blake3::Hash) -> PageKey {
    let mut hasher = blake3::Hasher::new();
    hasher.update(build);
    hasher.update(includes);
    hasher.update(&(path.len() as u64).to_le_bytes());
    hasher.update(path.as_bytes());
    hasher.update(text.as_bytes());
    *hasher.finalize().as_bytes()
}

/// The regen record of the output folder (`existing`), read early (beside
/// the model's hashing) when `cache` knows no files: a run without a cache
/// then wants it (see [`file_records`]).
pub(crate) fn record_when_cold(cache: &Cache, existing: &Emitted) -> Option<Records> {
    if cache.files.is_empty() {
        record::parse(existing)
    } else {
        None
    }
}

/// What this run reuses files by: `cache`'s records when it saw the
/// model's shape; else the regen record of the output folder (`existing`),
/// when made by this generator from the same shape (a run without a cache,
/// as after a fresh clone; see [`record`]); else `cache`, which then
/// reuses nothing. `early` is [`record_when_cold`]'s answer.
pub(crate) fn file_records<'c>(
    cache: &'c Cache,
    digests: &digest::Digests<'_>,
    existing: &Emitted,
    early: Option<Records>,
) -> Cow<'c, Cache> {
    if cache.shape == digests.shape && !cache.files.is_empty() {
        return Cow::Borrowed(cache);
    }
    let record = if cache.files.is_empty() {
        early
    } else {
        record::parse(existing)
    };
    match record {
        Some((shape, files, surface)) if shape == digests.shape => Cow::Owned(Cache {
            build: cache.build,
            shape,
            pages: BTreeMap::new(),
            files,
            surface,
        }),
        _ => Cow::Borrowed(cache),
    }
}

/// The files a run takes as the output folder holds them: see the module
/// docs.
pub(crate) fn plan<'e>(
    cache: &Cache,
    digests: &digest::Digests<'_>,
    existing: &'e Emitted,
    signed: &Signed,
) -> crate::output::Plan<'e> {
    let mut reused = cache.reusable(digests, existing, signed);
    let surface = cache.reusable_surface(digests, existing);
    let reuses_surface = surface.is_some();
    reused.extend(surface.into_iter().flatten());
    crate::output::Plan::reusing(reused, reuses_surface)
}

/// The cache after a run: the pages it read, the shape it saw, a record of
/// each Rust file it made, the records of the files it reused, and a
/// record of `surface`, the files of the API surface record but its
/// provenance (path and text), unless `plan` took the record as it was.
pub(crate) fn next<'a>(
    cache: &Cache,
    pages: PageEntries,
    digests: &digest::Digests<'_>,
    made: BTreeMap<String, Made>,
    plan: &crate::output::Plan,
    surface: impl Iterator<Item = (&'a str, &'a str)>,
) -> Cache {
    // A record taken as it is keeps the cache's record of it: its files
    // hash as recorded (that is why they were taken).
    let surface = if plan.reuses_surface() {
        cache.surface.clone()
    } else {
        let files: BTreeMap<String, u64> = surface
            .map(|(path, text)| (path.to_owned(), digest::text_hash(text)))
            .collect();
        (!files.is_empty()).then_some(SurfaceRecord {
            key: digests.surface,
            files,
        })
    };
    let mut files: BTreeMap<String, FileRecord> = cache
        .files
        .iter()
        .filter(|(path, _)| !plan.makes(path))
        .map(|(path, record)| (path.clone(), record.clone()))
        .collect();
    for (path, made) in made {
        if let Some(text) = digests.text_of(&made.owners) {
            let record = FileRecord {
                owners: made.owners,
                text,
                draft: made.draft,
            };
            files.insert(path, record);
        }
    }
    Cache {
        build: cache.build,
        shape: digests.shape,
        pages: pages.into_iter().collect(),
        files,
        surface,
    }
}

impl Codec for Owner {
    fn encode(&self, out: &mut Out) {
        match self {
            Owner::Type(name) => {
                0u8.encode(out);
                name.encode(out);
            }
            Owner::Endpoint(name) => {
                1u8.encode(out);
                name.encode(out);
            }
        }
    }
    fn decode(input: &mut &[u8]) -> Option<Self> {
        match u8::decode(input)? {
            0 => Some(Owner::Type(String::decode(input)?)),
            1 => Some(Owner::Endpoint(String::decode(input)?)),
            _ => None,
        }
    }
}

impl Codec for FileRecord {
    fn encode(&self, out: &mut Out) {
        self.owners.encode(out);
        self.text.encode(out);
        self.draft.encode(out);
    }
    fn decode(input: &mut &[u8]) -> Option<Self> {
        Some(FileRecord {
            owners: Codec::decode(input)?,
            text: Codec::decode(input)?,
            draft: Codec::decode(input)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Includes;

    const PATH: &str = "resources/user.md";
    const PAGE: &str = "---\ntitle: user resource type\ndoc_type: resourcePageType\n---\n\n# user resource type\n\n## Properties\n\n| Property | Type | Description |\n|:---|:---|:---|\n| id | String | The id. |\n";

    fn page(text: Option<&str>) -> [KnownPage<'_>; 1] {
        [KnownPage {
            path: PATH,
            hash: blake3::hash(PAGE.as_bytes()),
            text,
        }]
    }

    fn holding(pages: impl IntoIterator<Item = (PageKey, PageBytes)>) -> Cache {
        Cache {
            pages: pages.into_iter().collect(),
            ..Cache::empty([1; 32])
        }
    }

    #[test]
    fn a_page_without_its_text_comes_from_the_cache_or_back_to_the_caller() {
        let includes = Includes::new();
        let empty = Cache::empty([1; 32]);
        // Neither its text nor in the cache: nothing is modelled, and the
        // page comes back to be read.
        let lacking = read_model(&page(None), &includes, &empty).err();
        assert_eq!(lacking, Some(vec![PATH]));
        // Read once; then the cache answers for it.
        let (_, _, entries, stats) = read_model(&page(Some(PAGE)), &includes, &empty).unwrap();
        assert_eq!((stats.read, stats.reused), (1, 0));
        let cache = holding(entries);
        let (api, _, _, stats) = read_model(&page(None), &includes, &cache).unwrap();
        assert_eq!((stats.read, stats.reused), (0, 1));
        assert!(api.type_named("user").is_some());
        // Damaged in the cache: back to the caller without its text, read
        // again with it.
        let damaged = holding(
            cache
                .pages
                .keys()
                .map(|key| (*key, PageBytes::own(vec![9, 9, 9]))),
        );
        let lacking = read_model(&page(None), &includes, &damaged).err();
        assert_eq!(lacking, Some(vec![PATH]));
        let (_, _, _, stats) = read_model(&page(Some(PAGE)), &includes, &damaged).unwrap();
        assert_eq!((stats.read, stats.reused), (1, 0));
    }

    #[test]
    fn a_loaded_page_log_is_shared_not_copied() {
        let includes = Includes::new();
        let empty = Cache::empty([1; 32]);
        let (_, _, entries, _) = read_model(&page(Some(PAGE)), &includes, &empty).unwrap();
        let mut cache = holding(entries);
        cache.shape = [2; 32];
        let records = cache.records_to_bytes();
        let mut log = Vec::new();
        cache
            .page_log_after(&Cache::empty([1; 32]))
            .write_to(&mut log)
            .unwrap();
        let loaded = Cache::from_bytes(&records, log.clone(), [1; 32]);
        assert_eq!(loaded, cache);
        let (key, bytes) = loaded.pages.iter().next().unwrap();
        assert!(bytes.bytes().len() < log.len());
        assert_eq!(bytes.bytes(), cache.pages[key].bytes());
        // The next cache keeps the same range of the same buffer.
        let (_, _, entries, _) = read_model(&page(None), &includes, &loaded).unwrap();
        assert!(Arc::ptr_eq(&entries[0].1.buffer, &bytes.buffer));
    }
}
