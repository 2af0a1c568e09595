//! Formatting: emitted code becomes text through syn and prettyplease, on
//! every thread of the current rayon pool.
//!
//! Emitters produce [`Draft`]s: a Rust file's header lines and its code as
//! token text. [`format_all`] formats them and signs each Rust file with the
//! hash of its draft ([`crate::output::signature`]), so a file already in
//! the output folder that was formatted from the same draft is kept instead
//! of formatted again. The output is the same whatever the folder holds, and
//! in any thread count.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use rayon::prelude::*;

use crate::emit::pretty::format_code;
use crate::output::Emitted;
use crate::output::signature;
use crate::output::{Kept, Made, Owner, Plan, Signed};

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
        /// The model items whose text the file was made from; the rest of
        /// what it reads is the model's shape (see [`crate::reuse`]).
        owners: Vec<Owner>,
    },
    /// A file this run did not make: its text as the output folder holds
    /// it, made by the last run from the same inputs (see [`crate::reuse`]).
    Reused(String),
    /// A file this run did not make, which the output folder holds as the
    /// last run made it from the same inputs, left unread (see
    /// [`crate::Reuse::signed`]).
    Unchanged,
}

impl Draft {
    /// A Rust file: `header` lines on top of `tokens`, made from the text
    /// of `owners`.
    pub fn rust(header: Vec<String>, tokens: &TokenStream, owners: Vec<Owner>) -> Draft {
        Draft::Rust {
            header,
            code: tokens.to_string(),
            owners,
        }
    }
}

impl Draft {
    /// The size of the text or code, in bytes.
    pub fn len(&self) -> usize {
        match self {
            Draft::Text(text) => text.len(),
            Draft::Rust { code, .. } => code.len(),
            Draft::Reused(_) | Draft::Unchanged => 0,
        }
    }

    /// Whether there is no text or code.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The files of a crate before formatting, by path.
pub type Drafts = BTreeMap<String, Draft>;

/// What [`format_all`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FormatStats {
    /// Rust files formatted now.
    pub formatted: usize,
    /// Rust files kept as they were in the output folder, because their
    /// signature shows they are what formatting would give
    /// ([`crate::output::signature`]).
    pub kept: usize,
    /// Files not made at all, taken from the output folder because their
    /// inputs did not change ([`crate::reuse`]).
    pub reused: usize,
}

/// What [`format_all`] gives.
#[derive(Debug, Default)]
pub struct Formatted {
    /// The files, by path, but those in `unchanged`.
    pub files: Emitted,
    /// The files the output folder holds as they would be written, which
    /// were left unread (see [`crate::Reuse::signed`]), by path.
    pub unchanged: BTreeSet<String>,
    /// The Rust files made (not reused), by path.
    pub made: BTreeMap<String, Made>,
    /// What was done.
    pub stats: FormatStats,
}

/// Formats every draft, except Rust files that the output folder already
/// holds formatted from the same draft: those are kept as they are.
/// `existing` holds the text of its files as read, `signed` the checked
/// signatures of its Rust files, read or not (see [`crate::Reuse`]). The
/// files and the unchanged ones together are the same whatever the folder
/// holds.
pub fn format_all(drafts: Drafts, existing: &Emitted, signed: &Signed) -> Formatted {
    /// How a file came about.
    enum How {
        Text,
        Reused,
        Made(Made, bool),
    }
    // Largest first, so that one big file (a busy area of the client) does
    // not start last and keep the other threads waiting.
    let mut drafts: Vec<(String, Draft)> = drafts.into_iter().collect();
    drafts.sort_by_key(|(_, d)| std::cmp::Reverse(d.len()));
    let done: Vec<(String, Option<String>, How)> = drafts
        .into_par_iter()
        .with_max_len(1)
        .map(|(path, draft)| match draft {
            Draft::Text(text) => (path, Some(text), How::Text),
            Draft::Reused(text) => (path, Some(text), How::Reused),
            Draft::Unchanged => (path, None, How::Reused),
            Draft::Rust {
                header,
                code,
                owners,
            } => {
                let draft = signature::draft_hash(&header, &code);
                let made = Made { draft, owners };
                let old = existing.get(&path);
                let kept = match signed.get(&path) {
                    Some(checked) => checked.draft == draft,
                    None => old.is_some_and(|old| signature::is_formatted_from(old, draft)),
                };
                if kept {
                    (path, old.cloned(), How::Made(made, true))
                } else {
                    let unsigned = format_code(&header, &code);
                    let text = signature::sign(&unsigned, header.len(), draft);
                    (path, Some(text), How::Made(made, false))
                }
            }
        })
        .collect();
    let mut out = Formatted::default();
    for (path, text, how) in done {
        match how {
            How::Text => {}
            How::Reused => out.stats.reused += 1,
            How::Made(m, kept) => {
                if kept {
                    out.stats.kept += 1;
                } else {
                    out.stats.formatted += 1;
                }
                out.made.insert(path.clone(), m);
            }
        }
        match text {
            Some(text) => {
                out.files.insert(path, text);
            }
            None => {
                out.unchanged.insert(path);
            }
        }
    }
    out
}

/// The draft of the file at `path`: taken as it is when `plan` reuses it,
/// else made by `make`.
pub fn planned(plan: &Plan, path: &str, make: impl FnOnce() -> Draft) -> Draft {
    match plan.reused(path) {
        Some(Kept::Text(text)) => Draft::Reused(text.to_owned()),
        Some(Kept::Unread) => Draft::Unchanged,
        None => make(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn drafts() -> Drafts {
        let mut drafts = Drafts::new();
        for i in 0..20 {
            let name = quote::format_ident!("S{i}");
            drafts.insert(
                format!("src/s{i}.rs"),
                Draft::rust(
                    vec![format!("file {i}")],
                    &quote!(pub struct #name { x: u8 }),
                    Vec::new(),
                ),
            );
        }
        drafts.insert("Cargo.toml".into(), Draft::Text("[package]\n".into()));
        drafts.insert(
            "src/broken.rs".into(),
            Draft::Rust {
                header: vec![],
                code: "fn (".into(),
                owners: Vec::new(),
            },
        );
        drafts
    }

    /// [`drafts`] with `src/s3.rs` made from another draft.
    fn drafts_with_s3_changed() -> Drafts {
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
                Vec::new(),
            ),
        );
        changed
    }

    #[test]
    fn signed_files_are_kept_and_nothing_else_changes() {
        let none = Emitted::new();
        let no_signatures = Signed::new();
        let Formatted {
            files: cold, stats, ..
        } = format_all(drafts(), &none, &no_signatures);
        assert_eq!(
            stats,
            FormatStats {
                formatted: 21,
                kept: 0,
                reused: 0
            }
        );
        assert!(cold["src/s3.rs"].contains("pub struct S3 {\n    x: u8,\n}"));
        assert!(cold["src/s3.rs"].starts_with("// file 3\n// Signature: draft "));
        assert!(cold["src/broken.rs"].ends_with("\nfn (\n"));
        let Formatted {
            files: warm, stats, ..
        } = format_all(drafts(), &cold, &no_signatures);
        assert_eq!(
            stats,
            FormatStats {
                formatted: 0,
                kept: 21,
                reused: 0
            }
        );
        assert_eq!(warm, cold);
        // A changed draft and a file edited by hand are formatted again; the
        // rest are kept.
        let changed = drafts_with_s3_changed();
        let mut on_disk = cold.clone();
        let edited = on_disk["src/s4.rs"].replace("x: u8", "x: u16");
        on_disk.insert("src/s4.rs".into(), edited);
        let Formatted { files, stats, .. } = format_all(changed, &on_disk, &no_signatures);
        assert_eq!(
            stats,
            FormatStats {
                formatted: 2,
                kept: 19,
                reused: 0
            }
        );
        assert!(files["src/s3.rs"].contains("y: u16"));
        assert_eq!(files["src/s4.rs"], cold["src/s4.rs"]);
    }

    #[test]
    fn an_unread_file_signed_from_the_same_draft_is_left_unchanged() {
        let none = Emitted::new();
        let cold = format_all(drafts(), &none, &Signed::new()).files;
        // The folder's Rust files, known by their checked signatures alone.
        let signed: Signed = cold
            .iter()
            .filter_map(|(path, text)| Some((path.clone(), signature::Signature::verified(text)?)))
            .collect();
        assert_eq!(signed.len(), 21);
        let changed = drafts_with_s3_changed();
        let out = format_all(changed, &none, &signed);
        assert_eq!(
            out.stats,
            FormatStats {
                formatted: 1,
                kept: 20,
                reused: 0
            }
        );
        assert!(out.files["src/s3.rs"].contains("y: u16"));
        assert_eq!(out.files["Cargo.toml"], cold["Cargo.toml"]);
        assert_eq!(out.files.len(), 2);
        assert!(!out.unchanged.contains("src/s3.rs"));
        // Every file once: made, or left as the folder holds it.
        let all: BTreeSet<&String> = out.files.keys().chain(&out.unchanged).collect();
        assert_eq!(all.len(), out.files.len() + out.unchanged.len());
        assert_eq!(all, cold.keys().collect());
        // A file left unchanged is still a Rust file made from its draft.
        assert_eq!(out.made.len(), 21);
    }

    #[test]
    fn thread_count_does_not_change_the_output() {
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool")
                .install(|| format_all(drafts(), &Emitted::new(), &Signed::new()).files)
        };
        assert_eq!(run(1), run(3));
    }
}
