//! The signature line of a formatted Rust file.
//!
//! Formatting (syn and prettyplease) is the most expensive step of a regen,
//! and its result is a pure function of the draft it formats. So every
//! formatted file records, under its header, the hash of the draft it was
//! formatted from and the hash of its own text:
//!
//! ```text
//! // Signature: draft 3f9a1c2b7d4e5f60, text 8b7c6d5e4f3a2b1c
//! ```
//!
//! A later run that makes the same draft, and finds the file on disk with
//! that draft hash and a text hash that still matches the text, keeps the
//! file as it is instead of formatting it again: after a fresh clone, only
//! what the docs change is formatted. A file edited by hand fails the text
//! hash and is formatted and written again. The line changes only when the
//! draft does, so it adds no churn to a reviewed diff.

/// The start of a signature line.
const PREFIX: &str = "// Signature: draft ";

/// What formatting depends on besides the draft: the versions of the parser
/// and printer. A test checks them against `Cargo.lock`.
pub const FORMATTER: &str = "syn 3.0.10, prettyplease 0.3.0";

/// The hash of a draft: its header lines and code, the formatter versions
/// and the source of the layout code (`pretty.rs`), so that a change to any
/// of them formats every file again.
pub fn draft_hash(header: &[String], code: &str) -> u64 {
    let mut hasher = blake3::Hasher::new();
    hasher.update(FORMATTER.as_bytes());
    hasher.update(&[0]);
    hasher.update(include_str!("../emit/pretty.rs").as_bytes());
    for line in header {
        hasher.update(&[1]);
        hasher.update(line.as_bytes());
    }
    hasher.update(&[2]);
    hasher.update(code.as_bytes());
    short(hasher.finalize())
}

/// Inserts the signature line into `unsigned`, a formatted file whose
/// header comment has `header_lines` lines, formatted from a draft with
/// hash `draft`.
pub fn sign(unsigned: &str, header_lines: usize, draft: u64) -> String {
    let text = short(blake3::hash(unsigned.as_bytes()));
    let at = unsigned
        .match_indices('\n')
        .nth(header_lines.wrapping_sub(1))
        .map_or(0, |(i, _)| i + 1);
    let at = if header_lines == 0 { 0 } else { at };
    let mut out = String::with_capacity(unsigned.len() + 64);
    out.push_str(&unsigned[..at]);
    out.push_str(&format!("{PREFIX}{draft:016x}, text {text:016x}\n"));
    out.push_str(&unsigned[at..]);
    out
}

/// What a formatted file's signature line records, once checked against
/// its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    /// The hash of the draft it was formatted from.
    pub draft: u64,
    /// The hash of its text without the signature line.
    pub text: u64,
}

impl Signature {
    /// The signature of `file`, when it has one and its text (without the
    /// signature line) still has the hash the line records; none for a
    /// file edited by hand or never signed.
    pub fn verified(file: &str) -> Option<Signature> {
        let (start, end, draft, text) = find(file)?;
        let mut hasher = blake3::Hasher::new();
        hasher.update(&file.as_bytes()[..start]);
        hasher.update(&file.as_bytes()[end..]);
        (short(hasher.finalize()) == text).then_some(Signature { draft, text })
    }
}

/// Whether `file` is what formatting a draft with hash `draft` gives: it is
/// signed with that draft hash, and its text (without the signature line)
/// still has the hash the signature records.
pub fn is_formatted_from(file: &str, draft: u64) -> bool {
    // The draft first: it is in the line, and the text's hash reads all of
    // the file.
    find(file).is_some_and(|(_, _, signed, _)| signed == draft)
        && Signature::verified(file).is_some()
}

/// The signature line of `file`, among its leading comment lines: where it
/// starts and ends (with its newline), and the two hashes.
fn find(file: &str) -> Option<(usize, usize, u64, u64)> {
    let mut start = 0;
    for line in file.split_inclusive('\n') {
        if !line.starts_with("//") {
            return None;
        }
        if let Some(rest) = line.strip_prefix(PREFIX) {
            let (draft, text) = rest.trim_end().split_once(", text ")?;
            let (draft, text) = (short_from_hex(draft)?, short_from_hex(text)?);
            return Some((start, start + line.len(), draft, text));
        }
        start += line.len();
    }
    None
}

/// A short hash written as 16 hex digits, as the signature line (and the
/// regen record) write it.
pub(crate) fn short_from_hex(text: &str) -> Option<u64> {
    (text.len() == 16)
        .then(|| u64::from_str_radix(text, 16).ok())
        .flatten()
}

fn short(hash: blake3::Hash) -> u64 {
    let bytes: [u8; 8] = hash.as_bytes()[..8].try_into().expect("8 bytes");
    u64::from_le_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNSIGNED: &str = "// @generated\n// Source: a.md\n\npub struct A;\n";

    #[test]
    fn a_signed_file_is_recognised_and_an_edit_is_not() {
        let draft = draft_hash(&["@generated".into()], "pub struct A ;");
        let signed = sign(UNSIGNED, 2, draft);
        let lines: Vec<&str> = signed.lines().collect();
        assert_eq!(lines[0], "// @generated");
        assert_eq!(lines[1], "// Source: a.md");
        assert!(lines[2].starts_with("// Signature: draft "), "{signed}");
        assert_eq!(lines[3], "");
        assert!(is_formatted_from(&signed, draft));
        // Another draft, an edited body, an edited signature: not kept.
        assert!(!is_formatted_from(&signed, draft ^ 1));
        let edited = signed.replace("struct A", "struct B");
        assert!(!is_formatted_from(&edited, draft));
        let line = lines[2];
        let last = line.chars().last().expect("a hash");
        let other = if last == '0' { '1' } else { '0' };
        let forged = signed.replacen(line, &format!("{}{other}", &line[..line.len() - 1]), 1);
        assert!(!is_formatted_from(&forged, draft));
        let longer = signed.replacen("text ", "text 0", 1);
        assert!(!is_formatted_from(&longer, draft));
        assert!(!is_formatted_from(UNSIGNED, draft));
        assert!(!is_formatted_from("", draft));
        // The signature, checked, is the one made.
        let checked = Signature::verified(&signed).expect("verified");
        assert_eq!(checked.draft, draft);
        assert_eq!(checked.text, short(blake3::hash(UNSIGNED.as_bytes())));
        assert_eq!(Signature::verified(&edited), None);
        assert_eq!(Signature::verified(&forged), None);
        assert_eq!(Signature::verified(UNSIGNED), None);
    }

    #[test]
    fn the_draft_hash_covers_header_and_code() {
        let a = draft_hash(&["x".into()], "fn f () {}");
        assert_ne!(a, draft_hash(&["y".into()], "fn f () {}"));
        assert_ne!(a, draft_hash(&["x".into()], "fn g () {}"));
        assert_ne!(a, draft_hash(&["x".into(), String::new()], "fn f () {}"));
    }

    #[test]
    fn the_formatter_versions_are_those_in_the_lock_file() {
        let lock = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock");
        let lock = std::fs::read_to_string(&lock).expect("the workspace's Cargo.lock");
        let version = |name: &str, major: &str| {
            lock.split("[[package]]")
                .filter(|p| p.contains(&format!("name = \"{name}\"\n")))
                .find_map(|p| {
                    let v = p.split("version = \"").nth(1)?.split('"').next()?;
                    v.starts_with(major).then(|| v.to_owned())
                })
                .unwrap_or_default()
        };
        let locked = format!(
            "syn {}, prettyplease {}",
            version("syn", "3."),
            version("prettyplease", "0.3.")
        );
        assert_eq!(
            FORMATTER, locked,
            "update FORMATTER: a new formatter may format differently"
        );
    }
}
