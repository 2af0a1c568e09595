//! Formatting: emitted code becomes text through syn and prettyplease, on
//! every thread of the current rayon pool.
//!
//! Emitters produce [`Draft`]s: a Rust file's header lines and its code as
//! token text. [`format_all`] formats them and signs each Rust file with the
//! hash of its draft ([`signature`](super::signature)), so a file already in
//! the output folder that was formatted from the same draft is kept instead
//! of formatted again. The output is the same whatever the folder holds, and
//! in any thread count.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use rayon::prelude::*;

use crate::emit::{Emitted, signature};

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

/// What [`format_all`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FormatStats {
    /// Rust files formatted now.
    pub formatted: usize,
    /// Rust files kept as they were in the output folder, because their
    /// signature shows they are what formatting would give
    /// ([`signature`](super::signature)).
    pub kept: usize,
}

/// Formats every draft, except Rust files that `existing` (the output
/// folder's files, by path) already holds formatted from the same draft:
/// those are kept as they are. Returns the files and what was done. The
/// files are the same whatever `existing` holds.
pub fn format_all(drafts: Drafts, existing: &Emitted) -> (Emitted, FormatStats) {
    /// A file's path and text, and for Rust whether it was kept.
    type Done = (String, String, Option<bool>);
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
                let hash = signature::draft_hash(&header, &code);
                match existing.get(&path) {
                    Some(old) if signature::is_formatted_from(old, hash) => {
                        let old = old.clone();
                        (path, old, Some(true))
                    }
                    _ => {
                        let unsigned = format_code(&header, &code);
                        let text = signature::sign(&unsigned, header.len(), hash);
                        (path, text, Some(false))
                    }
                }
            }
        })
        .collect();
    let mut files = Emitted::new();
    let mut stats = FormatStats::default();
    for (path, text, kept) in done {
        match kept {
            Some(true) => stats.kept += 1,
            Some(false) => stats.formatted += 1,
            None => {}
        }
        files.insert(path, text);
    }
    (files, stats)
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
    fn signed_files_are_kept_and_nothing_else_changes() {
        let none = Emitted::new();
        let (cold, stats) = format_all(drafts(), &none);
        assert_eq!(
            stats,
            FormatStats {
                formatted: 21,
                kept: 0
            }
        );
        assert!(cold["src/s3.rs"].contains("pub struct S3 {\n    x: u8,\n}"));
        assert!(cold["src/s3.rs"].starts_with("// file 3\n// Signature: draft "));
        assert!(cold["src/broken.rs"].ends_with("\nfn (\n"));
        let (warm, stats) = format_all(drafts(), &cold);
        assert_eq!(
            stats,
            FormatStats {
                formatted: 0,
                kept: 21
            }
        );
        assert_eq!(warm, cold);
        // A changed draft and a file edited by hand are formatted again; the
        // rest are kept.
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
        let mut on_disk = cold.clone();
        let edited = on_disk["src/s4.rs"].replace("x: u8", "x: u16");
        on_disk.insert("src/s4.rs".into(), edited);
        let (files, stats) = format_all(changed, &on_disk);
        assert_eq!(
            stats,
            FormatStats {
                formatted: 2,
                kept: 19
            }
        );
        assert!(files["src/s3.rs"].contains("y: u16"));
        assert_eq!(files["src/s4.rs"], cold["src/s4.rs"]);
    }

    #[test]
    fn thread_count_does_not_change_the_output() {
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool")
                .install(|| format_all(drafts(), &Emitted::new()).0)
        };
        assert_eq!(run(1), run(3));
    }
}
