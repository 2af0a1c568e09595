//! How Rust code is laid out: parsed by syn, printed by prettyplease, with
//! one blank line between items. A file's signature covers this file's
//! source (see [`super::signature`]): a change here formats every file
//! again.

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

    #[test]
    fn items_get_blank_lines_between_them() {
        let packed = "use a::b;\n/// Doc.\npub struct S {\n    x: u8,\n}\nimpl S {\n    fn f() {}\n    fn g() {\n        h();\n    }\n    /// G.\n    fn i() {}\n}\n";
        let spaced = space_items(packed);
        assert_eq!(
            spaced,
            "use a::b;\n\n/// Doc.\npub struct S {\n    x: u8,\n}\n\nimpl S {\n    fn f() {}\n    fn g() {\n        h();\n    }\n\n    /// G.\n    fn i() {}\n}\n"
        );
    }
}
