//! Reviewing a docs change: the API surface a generated crate records
//! (`surface.rs`), the changes between two surfaces (`changes.rs`), and the
//! content hash that says what a crate was made from.

pub mod changes;
pub mod surface;

pub use changes::{Change, Impact, Place, Report, SemverHint, compare};
pub use surface::{Provenance, Surface};

use crate::{Includes, SourcePage};

/// The content hash of a docs set: blake3 over every page and every loaded
/// include file, each as its path (with `/` separators), its length and its
/// bytes, in path order. The order pages are given in, and where the folder
/// lies, do not matter. Written `blake3:<hex>`.
pub fn docs_hash(pages: &[SourcePage<'_>], includes: &Includes) -> String {
    let mut files: Vec<(&str, &str)> = pages.iter().map(|p| (p.path, p.text)).collect();
    files.extend(includes.iter().filter_map(|(path, file)| match file {
        crate::IncludeFile::Text(text) => Some((path, text.as_str())),
        _ => None,
    }));
    files.sort();
    let mut hasher = blake3::Hasher::new();
    for (path, text) in files {
        hasher.update(&(path.len() as u64).to_le_bytes());
        hasher.update(path.as_bytes());
        hasher.update(&(text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    }
    format!("blake3:{}", hasher.finalize().to_hex())
}
