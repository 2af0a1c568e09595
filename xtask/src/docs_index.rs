//! The docs index: how each page's file looked when a regen last read it,
//! with the hash of its text and the include targets it names (see
//! [`crate::stamp_index`]). The next regen takes a page whose file still
//! looks the same on the index's word, without reading it; the regen cache
//! then gives the page lowered. It lives beside the regen cache
//! (`<name>.docs`).

use crate::stamp_index::{Record, StampIndex, put_str, put_u64, take, take_str, take_u64};

/// The index of one docs folder.
pub type DocsIndex = StampIndex<Page>;

/// What the docs index knows of a page besides its look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The blake3 hash of its text.
    pub hash: blake3::Hash,
    /// The include targets it names (see `docs::targets_in`).
    pub targets: Vec<String>,
}

impl Record for Page {
    const MAGIC: &'static [u8; 8] = b"gddocs01";

    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.hash.as_bytes());
        put_u64(out, self.targets.len() as u64);
        for target in &self.targets {
            put_str(out, target);
        }
    }

    fn take(input: &mut &[u8]) -> Option<Page> {
        let hash: [u8; 32] = take(input, 32)?.try_into().ok()?;
        let targets = (0..take_u64(input)?)
            .map(|_| take_str(input))
            .collect::<Option<Vec<String>>>()?;
        Some(Page {
            hash: blake3::Hash::from_bytes(hash),
            targets,
        })
    }
}
