//! How Rust code is laid out: parsed by syn, printed by prettyplease, with
//! one blank line between items. A file's signature covers this file's
//! source (see [`crate::output::signature`]): a change here formats every file
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
        Ok(file) => out.push_str(&wrap_models(&space_items(&prettyplease::unparse(&file)))),
        Err(_) => {
            out.push_str(code);
            out.push('\n');
        }
    }
    out
}

/// The attribute that marks a struct for `runtime::model!`: the emitter puts
/// it on the struct, and `wrap_models` turns the formatted item into the
/// macro call, laid out as the struct itself.
pub const MODEL_MARKER: &str = "#[model_item]";

/// Each struct marked with [`MODEL_MARKER`] (a top-level item ending at the
/// first unindented line that ends with `}`) as the body of `crate::runtime::model!`,
/// indented one level. prettyplease would print the call's tokens as a
/// paragraph; this keeps a field per line, so a field's change is a line's.
fn wrap_models(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut inside = false;
    for line in text.lines() {
        if !inside && line == MODEL_MARKER {
            inside = true;
            out.push_str("crate::runtime::model! {\n");
            continue;
        }
        if inside {
            if !line.is_empty() {
                out.push_str("    ");
            }
            out.push_str(line);
            out.push('\n');
            // The item ends at its closing brace: a line of its own, or the
            // end of `pub struct S {}`.
            if line == "}" || (!line.starts_with([' ', '#', '/']) && line.ends_with('}')) {
                out.push_str("}\n");
                inside = false;
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Puts a blank line between items, which prettyplease packs together:
/// after a closing brace or the last `use`, before the next item's docs,
/// attributes or keyword at the same or a shallower indentation.
fn space_items(text: &str) -> String {
    const STARTS: &[&str] = &[
        "///", "#[", "pub ", "pub(", "impl", "fn ", "mod ", "const ", "struct ", "enum ", "use ",
        "crate::",
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
    fn a_marked_struct_is_laid_out_inside_the_model_call() {
        let code = format!(
            "use a::B;\n{MODEL_MARKER}\n/// A thing.\n#[derive(Debug)]\npub struct S {{ /// The x.\n#[wire = \"x\"] pub x: Nullable<String>, }}\nimpl T for S {{}}"
        );
        assert_eq!(
            format_code(&[], &code),
            "\nuse a::B;\n\ncrate::runtime::model! {\n    /// A thing.\n    #[derive(Debug)]\n    pub struct S {\n        /// The x.\n        #[wire = \"x\"]\n        pub x: Nullable<String>,\n    }\n}\n\nimpl T for S {}\n"
        );
    }

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
