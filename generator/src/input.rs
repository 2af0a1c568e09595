//! What a run reads: the pages, as text with their paths, and the content
//! hash that says what a crate was made from.

use crate::parse::{IncludeFile, Includes};

/// A page given to the generator: its path (used in diagnostics) and its text.
#[derive(Debug, Clone, Copy)]
pub struct SourcePage<'a> {
    /// Path relative to the docs folder, with `/` separators.
    pub path: &'a str,
    /// The markdown text.
    pub text: &'a str,
}

/// A page as a reusing run knows it: its path, the hash of its text, and
/// the text itself unless the caller left it unread, trusting that the
/// regen cache holds the page lowered (see [`crate::model_known`]).
#[derive(Debug, Clone, Copy)]
pub struct KnownPage<'a> {
    /// Path relative to the docs folder, with `/` separators.
    pub path: &'a str,
    /// The blake3 hash of its text (see [`text_hashes`]).
    pub hash: blake3::Hash,
    /// The markdown text, when read.
    pub text: Option<&'a str>,
}

/// The content hash of a docs set: blake3 over every page and every loaded
/// include file, each as its path (with `/` separators) and the blake3 hash
/// of its text, in path order. The order pages are given in, and where the
/// folder lies, do not matter. Written `blake3:<hex>`.
pub fn docs_hash(pages: &[SourcePage<'_>], includes: &Includes) -> String {
    docs_hash_with(pages, &text_hashes(pages), includes)
}

/// The blake3 hash of each page's text, in order, on every thread.
pub fn text_hashes(pages: &[SourcePage<'_>]) -> Vec<blake3::Hash> {
    use rayon::prelude::*;
    pages
        .par_iter()
        .map(|p| blake3::hash(p.text.as_bytes()))
        .collect()
}

/// [`docs_hash`], given the pages' [`text_hashes`].
pub fn docs_hash_with(
    pages: &[SourcePage<'_>],
    text_hashes: &[blake3::Hash],
    includes: &Includes,
) -> String {
    let pages = pages.iter().zip(text_hashes).map(|(p, h)| (p.path, *h));
    docs_hash_of(pages.collect(), includes)
}

/// [`docs_hash`] of pages known by their paths and text hashes.
pub(crate) fn docs_hash_of<'a>(
    mut files: Vec<(&'a str, blake3::Hash)>,
    includes: &'a Includes,
) -> String {
    files.extend(includes.iter().filter_map(|(path, file)| match file {
        IncludeFile::Text(text) => Some((path, blake3::hash(text.as_bytes()))),
        _ => None,
    }));
    files.sort_by(|a, b| a.0.cmp(b.0));
    let mut hasher = blake3::Hasher::new();
    for (path, hash) in files {
        hasher.update(&(path.len() as u64).to_le_bytes());
        hasher.update(path.as_bytes());
        hasher.update(hash.as_bytes());
    }
    format!("blake3:{}", hasher.finalize().to_hex())
}
