//! Formatting: emitted code becomes text through syn and prettyplease, on
//! every thread of the current rayon pool, with a cache of earlier results.
//!
//! Emitters produce [`Draft`]s: a Rust file's header lines and its code as
//! token text. [`format_all`] formats them. Formatting is a pure function of
//! the draft, so a result can be looked up by the hash of the draft
//! ([`FormatCache`]): after a small change to the docs, most files are not
//! formatted again. The output is the same with or without the cache and in
//! any thread count.

use std::collections::{BTreeMap, HashMap};

use proc_macro2::TokenStream;
use rayon::prelude::*;

use crate::emit::Emitted;

/// A file of the crate before formatting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Draft {
    /// Final text (`Cargo.toml`, `lib.rs`, runtime copies).
    Text(String),
    /// Rust code, to be formatted under `header` comment lines.
    Rust {
        /// The header lines, without `// `.
        header: Vec<String>,
        /// The code, as token text.
        code: String,
    },
}

impl Draft {
    /// A Rust file: `header` lines on top of `tokens`.
    pub fn rust(header: Vec<String>, tokens: &TokenStream) -> Draft {
        Draft::Rust {
            header,
            code: tokens.to_string(),
        }
    }
}

impl Draft {
    /// The size of the text or code, in bytes.
    pub fn len(&self) -> usize {
        match self {
            Draft::Text(text) => text.len(),
            Draft::Rust { code, .. } => code.len(),
        }
    }

    /// Whether there is no text or code.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The files of a crate before formatting, by path.
pub type Drafts = BTreeMap<String, Draft>;

/// A cache key: what is hashed identifies the draft and the formatter.
pub type CacheKey = [u8; 32];

/// Formatted files from earlier runs, by the hash of their draft. Loaded
/// and saved by the caller (the generator does no IO); see
/// [`to_bytes`](Self::to_bytes).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FormatCache {
    entries: HashMap<CacheKey, String>,
}

/// What [`format_all`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FormatStats {
    /// Files formatted now.
    pub formatted: usize,
    /// Files taken from the cache.
    pub cached: usize,
}

/// The first bytes of a serialised cache, and its format version.
const MAGIC: &[u8; 8] = b"gdcfmt01";

impl FormatCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many files the cache holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The key of a draft. It covers the formatter itself (this file's
    /// source and the generator's version), so a changed formatter never
    /// reuses old results.
    pub fn key(header: &[String], code: &str) -> CacheKey {
        let mut hasher = blake3::Hasher::new();
        hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
        hasher.update(&[0]);
        hasher.update(include_str!("format.rs").as_bytes());
        for line in header {
            hasher.update(&[1]);
            hasher.update(line.as_bytes());
        }
        hasher.update(&[2]);
        hasher.update(code.as_bytes());
        *hasher.finalize().as_bytes()
    }

    /// The cache as bytes: a magic number, then each entry as its key, its
    /// length (u64, little endian) and its text, in key order.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut keys: Vec<&CacheKey> = self.entries.keys().collect();
        keys.sort();
        let size: usize = self.entries.values().map(|v| v.len() + 40).sum();
        let mut out = Vec::with_capacity(MAGIC.len() + size);
        out.extend_from_slice(MAGIC);
        for key in keys {
            let text = &self.entries[key];
            out.extend_from_slice(key);
            out.extend_from_slice(&(text.len() as u64).to_le_bytes());
            out.extend_from_slice(text.as_bytes());
        }
        out
    }

    /// Reads [`to_bytes`](Self::to_bytes)' output; anything else (another
    /// version, a truncated file) gives an empty cache, never an error.
    pub fn from_bytes(bytes: &[u8]) -> FormatCache {
        Self::parse(bytes).unwrap_or_default()
    }

    fn parse(bytes: &[u8]) -> Option<FormatCache> {
        let mut rest = bytes.strip_prefix(MAGIC.as_slice())?;
        let mut entries = HashMap::new();
        while !rest.is_empty() {
            let key: CacheKey = rest.get(..32)?.try_into().ok()?;
            let len = u64::from_le_bytes(rest.get(32..40)?.try_into().ok()?);
            let len = usize::try_from(len).ok()?;
            let end = 40usize.checked_add(len)?;
            let text = std::str::from_utf8(rest.get(40..end)?).ok()?;
            entries.insert(key, text.to_owned());
            rest = &rest[end..];
        }
        Some(FormatCache { entries })
    }
}

/// Formats every draft, taking what it can from `cache`. Returns the files,
/// a cache of exactly this run's results (so stale entries do not pile up),
/// and what was done.
pub fn format_all(drafts: Drafts, cache: &FormatCache) -> (Emitted, FormatCache, FormatStats) {
    /// A file's path and text, and for Rust its key and whether it was cached.
    type Done = (String, String, Option<(CacheKey, bool)>);
    // Largest first, so that one big file (a busy area of the client) does
    // not start last and keep the other threads waiting.
    let mut drafts: Vec<(String, Draft)> = drafts.into_iter().collect();
    drafts.sort_by_key(|(_, d)| std::cmp::Reverse(d.len()));
    let done: Vec<Done> = drafts
        .into_par_iter()
        .with_max_len(1)
        .map(|(path, draft)| match draft {
            Draft::Text(text) => (path, text, None),
            Draft::Rust { header, code } => {
                let key = FormatCache::key(&header, &code);
                match cache.entries.get(&key) {
                    Some(text) => (path, text.clone(), Some((key, true))),
                    None => (path, format_code(&header, &code), Some((key, false))),
                }
            }
        })
        .collect();
    let mut files = Emitted::new();
    let mut used = FormatCache::new();
    let mut stats = FormatStats::default();
    for (path, text, key) in done {
        if let Some((key, hit)) = key {
            if hit {
                stats.cached += 1;
            } else {
                stats.formatted += 1;
            }
            used.entries.insert(key, text.clone());
        }
        files.insert(path, text);
    }
    (files, used, stats)
}

/// Formats code as a file with `header` comment lines on top. Code that
/// does not parse (a bug) is written unformatted rather than lost.
pub fn format_code(header: &[String], code: &str) -> String {
    let mut out = String::new();
    for line in header {
        out.push_str("// ");
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
    match syn::parse_file(code) {
        Ok(file) => out.push_str(&space_items(&prettyplease::unparse(&file))),
        Err(_) => {
            out.push_str(code);
            out.push('\n');
        }
    }
    out
}

/// Puts a blank line between items, which prettyplease packs together:
/// after a closing brace or the last `use`, before the next item's docs,
/// attributes or keyword at the same or a shallower indentation.
fn space_items(text: &str) -> String {
    const STARTS: &[&str] = &[
        "///", "#[", "pub ", "pub(", "impl", "fn ", "mod ", "const ", "struct ", "enum ", "use ",
    ];
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut prev: Option<&str> = None;
    for line in text.lines() {
        if let Some(p) = prev {
            let indent = |l: &str| l.len() - l.trim_start().len();
            let (pt, lt) = (p.trim(), line.trim());
            let closes = pt == "}"
                || (pt.starts_with("use ") && !lt.starts_with("use "))
                || (pt.ends_with(';') && pt.starts_with("mod ") && !lt.starts_with("mod "));
            if closes
                && !lt.is_empty()
                && indent(line) <= indent(p)
                && STARTS.iter().any(|s| lt.starts_with(s))
            {
                out.push('\n');
            }
        }
        out.push_str(line);
        out.push('\n');
        prev = Some(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn items_get_blank_lines_between_them() {
        let packed = "use a::b;\n/// Doc.\npub struct S {\n    x: u8,\n}\nimpl S {\n    fn f() {}\n    fn g() {\n        h();\n    }\n    /// G.\n    fn i() {}\n}\n";
        let spaced = space_items(packed);
        assert_eq!(
            spaced,
            "use a::b;\n\n/// Doc.\npub struct S {\n    x: u8,\n}\n\nimpl S {\n    fn f() {}\n    fn g() {\n        h();\n    }\n\n    /// G.\n    fn i() {}\n}\n"
        );
    }

    fn drafts() -> Drafts {
        let mut drafts = Drafts::new();
        for i in 0..20 {
            let name = quote::format_ident!("S{i}");
            drafts.insert(
                format!("src/s{i}.rs"),
                Draft::rust(
                    vec![format!("file {i}")],
                    &quote!(pub struct #name { x: u8 }),
                ),
            );
        }
        drafts.insert("Cargo.toml".into(), Draft::Text("[package]\n".into()));
        drafts.insert(
            "src/broken.rs".into(),
            Draft::Rust {
                header: vec![],
                code: "fn (".into(),
            },
        );
        drafts
    }

    #[test]
    fn the_cache_changes_nothing_but_the_work() {
        let (cold, cache, stats) = format_all(drafts(), &FormatCache::new());
        assert_eq!(
            stats,
            FormatStats {
                formatted: 21,
                cached: 0
            }
        );
        assert!(cold["src/s3.rs"].contains("pub struct S3 {\n    x: u8,\n}"));
        assert_eq!(cold["src/broken.rs"], "\nfn (\n");
        let (warm, again, stats) = format_all(drafts(), &cache);
        assert_eq!(
            stats,
            FormatStats {
                formatted: 0,
                cached: 21
            }
        );
        assert_eq!(warm, cold);
        assert_eq!(again, cache);
        // One changed file is formatted again; the rest come from the cache.
        let mut changed = drafts();
        changed.insert(
            "src/s3.rs".into(),
            Draft::rust(
                vec!["file 3".into()],
                &quote!(
                    pub struct S3 {
                        y: u16,
                    }
                ),
            ),
        );
        let (files, _, stats) = format_all(changed, &cache);
        assert_eq!(
            stats,
            FormatStats {
                formatted: 1,
                cached: 20
            }
        );
        assert!(files["src/s3.rs"].contains("y: u16"));
    }

    #[test]
    fn the_cache_survives_bytes_and_refuses_garbage() {
        let (_, cache, _) = format_all(drafts(), &FormatCache::new());
        let bytes = cache.to_bytes();
        assert_eq!(FormatCache::from_bytes(&bytes), cache);
        assert!(FormatCache::from_bytes(&bytes[..bytes.len() - 1]).is_empty());
        assert!(FormatCache::from_bytes(b"not a cache").is_empty());
        assert!(FormatCache::from_bytes(b"").is_empty());
    }

    #[test]
    fn thread_count_does_not_change_the_output() {
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool")
                .install(|| format_all(drafts(), &FormatCache::new()).0)
        };
        assert_eq!(run(1), run(3));
    }
}
