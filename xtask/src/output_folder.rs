//! The output folder as a regen finds it: the text of the files it read,
//! and the checked signatures of its Rust files (see
//! `generator::output::Signature`), some of them taken on the output
//! index's word without reading them.
//!
//! The output index (`<name>.out`, beside the regen cache) records how each
//! signed Rust file looked when a regen read it, with its signature, by the
//! rule of [`crate::stamp_index`]. A file that still looks the same is
//! known by its signature alone: when its draft is unchanged the generator
//! keeps it ([`generator::Generated::unchanged`]) and the writing leaves it
//! as it is, so a regen after a small change neither reads nor hashes the
//! crate's other files.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use generator::emit::Emitted;
use generator::output::{Signature, Signed};

use crate::stamp_index::{Record, Stamp, StampIndex, put_u64, take_u64};

/// The output index of one output folder.
pub type OutputIndex = StampIndex<Signature>;

impl Record for Signature {
    const MAGIC: &'static [u8; 8] = b"gdout001";

    fn put(&self, out: &mut Vec<u8>) {
        put_u64(out, self.draft);
        put_u64(out, self.text);
    }

    fn take(input: &mut &[u8]) -> Option<Signature> {
        Some(Signature {
            draft: take_u64(input)?,
            text: take_u64(input)?,
        })
    }
}

/// The output folder as [`read`] found it.
#[derive(Debug, Default)]
pub struct OutputFolder {
    /// Where it is.
    root: PathBuf,
    /// Every file below it (but `target/` and the staging folder),
    /// relative, with `/` separators.
    pub files: BTreeSet<String>,
    /// The text of each file read, by path: every file but the Rust files
    /// left unread, and but files that are not UTF-8 text.
    pub read: Emitted,
    /// The checked signature of each signed Rust file, read or not, by
    /// path; empty when read without an index.
    pub signed: Signed,
}

impl OutputFolder {
    /// The text of the file `rel` as it is now: as read, or read now for a
    /// file left unread; none for a missing file.
    pub fn text_of(&self, rel: &str) -> Option<Cow<'_, str>> {
        if let Some(text) = self.read.get(rel) {
            return Some(Cow::Borrowed(text));
        }
        if !self.files.contains(rel) {
            return None;
        }
        fs::read_to_string(self.root.join(rel)).ok().map(Cow::Owned)
    }

    /// How many files were left unread.
    pub fn unread(&self) -> usize {
        self.files.len() - self.read.len()
    }
}

/// Reads the output folder `out`. With an `index`, a Rust file that looks
/// as the index recorded it is known by its signature and left unread, the
/// signature of every other Rust file read is checked, and the index this
/// reading makes comes back too; without one, every file is read and no
/// signature is checked (the generator checks those it needs).
pub fn read(
    out: &Path,
    index: Option<&OutputIndex>,
) -> Result<(OutputFolder, Option<OutputIndex>), String> {
    let started = std::time::SystemTime::now();
    let files = crate::regen::files_below(out)?;
    let mut folder = OutputFolder {
        root: out.to_path_buf(),
        ..OutputFolder::default()
    };
    let mut next = index.map(|_| OutputIndex::empty(&canonical(out)));
    for rel in &files {
        let path = out.join(rel);
        let rust = rel.ends_with(".rs");
        // The look before the read: a write between the two leaves a stamp
        // older than the text, which the next run does not trust.
        let stamp = match (&next, rust) {
            (Some(_), true) => fs::metadata(&path).ok().as_ref().and_then(Stamp::of),
            _ => None,
        };
        if let (Some(index), Some(look)) = (index, &stamp) {
            if let Some(signature) = index.vouches(rel, look) {
                folder.signed.insert(rel.clone(), *signature);
                if let Some(next) = &mut next {
                    next.record(rel, *look, *signature, started);
                }
                continue;
            }
        }
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        if let (Some(next), Some(look)) = (&mut next, stamp) {
            if let Some(signature) = Signature::verified(&text) {
                folder.signed.insert(rel.clone(), signature);
                next.record(rel, look, signature, started);
            }
        }
        folder.read.insert(rel.clone(), text);
    }
    folder.files = files;
    Ok((folder, next))
}

/// The output folder `out`, canonical: the root an index of it records.
pub fn canonical(out: &Path) -> PathBuf {
    fs::canonicalize(out).unwrap_or_else(|_| out.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;
    use generator::output;

    /// A Rust file signed as formatted from a draft.
    fn signed_file(body: &str) -> String {
        let draft = output::draft_hash(&["@generated".into()], body);
        output::sign(&format!("// @generated\n{body}\n"), 1, draft)
    }

    #[test]
    fn a_signed_file_that_looks_as_recorded_is_left_unread() {
        let out = std::env::temp_dir().join(format!("xtask-output-{}", std::process::id()));
        let _ = fs::remove_dir_all(&out);
        fs::create_dir_all(out.join("src")).expect("folder");
        let kept = signed_file("pub struct A;");
        fs::write(out.join("src/a.rs"), &kept).expect("writes");
        fs::write(out.join("src/plain.rs"), "pub struct B;\n").expect("writes");
        fs::write(out.join("Cargo.toml"), "[package]\n").expect("writes");
        // Without an index: every file read, no signature checked.
        let (folder, next) = read(&out, None).expect("reads");
        assert_eq!(folder.read.len(), 3);
        assert!(folder.signed.is_empty() && next.is_none());
        // With one: the signed Rust file's signature is checked; a run that
        // began well after the files were written records it.
        let index = OutputIndex::empty(&canonical(&out));
        let (folder, next) = read(&out, Some(&index)).expect("reads");
        assert_eq!(folder.read.len(), 3);
        let checked = Signature::verified(&kept).expect("signed");
        assert_eq!(folder.signed.get("src/a.rs"), Some(&checked));
        assert_eq!(folder.signed.len(), 1, "the plain file has no signature");
        assert!(
            next.expect("an index").is_empty(),
            "nothing has settled yet"
        );
        let mut settled = OutputIndex::empty(&canonical(&out));
        let look =
            |rel: &str| Stamp::of(&fs::metadata(out.join(rel)).expect("stat")).expect("a look");
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(10);
        settled.record("src/a.rs", look("src/a.rs"), checked, later);
        // The file as recorded: known by its signature, not read, and its
        // text still at hand when asked for.
        let (folder, next) = read(&out, Some(&settled)).expect("reads");
        assert!(!folder.read.contains_key("src/a.rs"));
        assert_eq!(folder.signed.get("src/a.rs"), Some(&checked));
        assert_eq!(folder.unread(), 1);
        assert_eq!(folder.text_of("src/a.rs").as_deref(), Some(kept.as_str()));
        assert_eq!(folder.text_of("src/missing.rs"), None);
        assert_eq!(
            next.expect("an index")
                .vouches("src/a.rs", &look("src/a.rs")),
            None
        );
        // Written again (the same text): it no longer looks as recorded,
        // so it is read.
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(out.join("src/a.rs"), &kept).expect("writes");
        let (folder, _) = read(&out, Some(&settled)).expect("reads");
        assert!(folder.read.contains_key("src/a.rs"));
        let _ = fs::remove_dir_all(&out);
    }
}
