//! Helpers for emitting Rust: identifiers, doc comments, the Edm type
//! mapping, and formatting. Nothing here can fail.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use crate::model::{Api, Primitive, TypeKind, TypeRef};

/// An identifier token; `r#type` becomes a raw identifier. The model only
/// hands out valid identifiers, but a bad one is sanitised rather than
/// panicking, because emission cannot fail.
pub fn ident(name: &str) -> Ident {
    if plain_ident(name) {
        return Ident::new(name, Span::call_site());
    }
    if let Some(raw) = name.strip_prefix("r#") {
        if syn::parse_str::<Ident>(name).is_ok() {
            return Ident::new_raw(raw, Span::call_site());
        }
    }
    if syn::parse_str::<Ident>(name).is_ok() {
        return Ident::new(name, Span::call_site());
    }
    let valid = crate::base::ident::valid_ident(name);
    match valid.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(&valid, Span::call_site()),
    }
}

/// Whether `name` is an identifier that no keyword can be, checked without
/// parsing it: ASCII letters, digits and `_`, not starting with a digit,
/// with some character other than `a`-`z` (every keyword is lower-case
/// letters only, but `Self` and `_`, which are left out too). The names the
/// model hands out mostly are: `displayName`, `display_name`, `User`.
fn plain_ident(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        && bytes.iter().any(|b| !b.is_ascii_lowercase())
        && name != "Self"
        && name != "_"
}

/// The identifier of a module named by [`module_name`](crate::base::ident::module_name).
/// Such a name is never a keyword, so the module and its file agree (tests
/// check this for every keyword and case variant); emission never panics.
pub fn module_ident(module: &str) -> Ident {
    ident(module)
}

/// The wire name serde's `rename_all = "camelCase"` gives a field, as serde
/// computes it: the raw prefix dropped, each `_` removed and the letter after
/// it upper-cased, the first letter lower-cased.
pub fn serde_camel_case(field: &str) -> String {
    let field = field.strip_prefix("r#").unwrap_or(field);
    let mut pascal = String::with_capacity(field.len());
    let mut capitalize = true;
    for ch in field.chars() {
        if ch == '_' {
            capitalize = true;
        } else if capitalize {
            pascal.push(ch.to_ascii_uppercase());
            capitalize = false;
        } else {
            pascal.push(ch);
        }
    }
    let mut chars = pascal.chars();
    chars
        .next()
        .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// `rename = "wire"` for a field of a `rename_all = "camelCase"` container,
/// when camel case does not already give the wire name; else nothing.
pub fn rename_if_needed(field: &str, wire: &str) -> Option<TokenStream> {
    (serde_camel_case(field) != wire).then(|| quote!(rename = #wire,))
}

/// Makes docs text safe for rustdoc with `-D warnings`: brackets would be
/// read as intra-doc links, angle brackets as HTML, bare URLs are linted.
pub fn doc_text(text: &str) -> String {
    // Code spans are kept verbatim (rustdoc reads nothing in them), when
    // every one of them closes.
    let balanced = text.matches('`').count() % 2 == 0;
    let mut in_code = false;
    let mut out = String::with_capacity(text.len());
    for word in text.split_inclusive(' ') {
        let trimmed = word.trim_end();
        if !in_code
            && !trimmed.contains('`')
            && (trimmed.starts_with("http://") || trimmed.starts_with("https://"))
        {
            let url = trimmed.trim_end_matches(['.', ',', ')', ';']);
            let rest = &trimmed[url.len()..];
            out.push('<');
            out.push_str(&url.replace(['<', '>'], ""));
            out.push('>');
            out.push_str(rest);
            out.push_str(&word[trimmed.len()..]);
            continue;
        }
        for c in word.chars() {
            if c == '`' && balanced {
                in_code = !in_code;
                out.push(c);
                continue;
            }
            match c {
                '\r' => {}
                _ if in_code => out.push(c),
                '[' => out.push_str("\\["),
                ']' => out.push_str("\\]"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                _ => out.push(c),
            }
        }
    }
    // An odd number of backticks would open a code span that never closes.
    if !balanced {
        out = out.replace('`', "'");
    }
    out.trim().to_owned()
}

/// Text for inside a code span (a path, a request line): verbatim, since
/// rustdoc reads neither links nor HTML there; a backtick, which would end
/// the span, becomes a quote.
pub fn code_text(text: &str) -> String {
    text.replace('\r', "").replace('`', "'")
}

/// `#[doc = "..."]` attributes, one per line of `text`.
pub fn docs(lines: &[String]) -> TokenStream {
    let mut tokens = TokenStream::new();
    for line in lines {
        let line = doc_literal(line);
        tokens.extend(quote! { #[doc = #line] });
    }
    tokens
}

/// The string literal of a doc line, after the space `///` puts before
/// it (see [`str_lit`]).
fn doc_literal(line: &str) -> Literal {
    if line.is_empty() {
        return Literal::string("");
    }
    str_lit(&format!(" {line}"))
}

/// The string literal of `text`, written as [`Literal::string`] (and so
/// `quote!`'s `#text`) writes it. Most text needs no escape (printable
/// ASCII without a quote or a backslash): its literal is the text in
/// quotes, made without escaping it character by character: most of the
/// cost of emitting docs. (Short strings, such as wire names, gain nothing
/// from it: lexing the literal costs about what escaping it does.)
fn str_lit(text: &str) -> Literal {
    let plain = text
        .bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\');
    if plain {
        if let Ok(literal) = format!("\"{text}\"").parse::<Literal>() {
            return literal;
        }
    }
    Literal::string(text)
}

/// The Rust type of a primitive (see ARCHITECTURE.md for the mapping).
pub fn primitive_type(p: Primitive) -> TokenStream {
    match p {
        Primitive::String | Primitive::Duration | Primitive::Binary | Primitive::Stream => {
            quote!(String)
        }
        Primitive::Boolean => quote!(bool),
        Primitive::Byte => quote!(u8),
        Primitive::SByte => quote!(i8),
        Primitive::Int16 => quote!(i16),
        Primitive::Int32 => quote!(i32),
        Primitive::Int64 => quote!(i64),
        Primitive::Single => quote!(f32),
        Primitive::Double | Primitive::Decimal => quote!(f64),
        Primitive::DateTimeOffset => quote!(chrono::DateTime<chrono::FixedOffset>),
        Primitive::Date => quote!(chrono::NaiveDate),
        Primitive::TimeOfDay => quote!(chrono::NaiveTime),
        Primitive::Guid => quote!(uuid::Uuid),
        Primitive::Json => quote!(serde_json::Value),
    }
}

/// A note for docs on how a primitive is represented, where it is not obvious.
pub fn primitive_note(p: Primitive) -> Option<&'static str> {
    match p {
        Primitive::Duration => Some("An ISO 8601 duration such as `PT1H30M`."),
        Primitive::Binary => Some("Base64-encoded binary data."),
        Primitive::Stream => {
            Some("A stream property; its content is read through its own endpoint.")
        }
        Primitive::Decimal => Some("A decimal number, read as `f64`."),
        _ => None,
    }
}

/// The Rust type of a reference, as seen from a module where model types are
/// reachable through `models` (e.g. `super` or `crate::models`).
pub fn type_ref(api: &Api, ty: &TypeRef, models: &TokenStream) -> TokenStream {
    match ty {
        TypeRef::Primitive(p) => primitive_type(*p),
        TypeRef::Named(name) => match api.type_named(name) {
            Some(def) => {
                let id = ident(&def.name.rust);
                quote!(#models::#id)
            }
            None => quote!(serde_json::Value),
        },
        TypeRef::Unresolved(_) => quote!(serde_json::Value),
    }
}

/// Whether a reference names a structured (non-enum) model type.
pub fn is_struct(api: &Api, ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::Named(n) if api.type_named(n).is_some_and(|d| d.kind != TypeKind::Enum))
}

/// Whether a reference names an enum type.
pub fn is_enum(api: &Api, ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::Named(n) if api.type_named(n).is_some_and(|d| d.kind == TypeKind::Enum))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `ident` made before its fast path, which it must still make.
    fn parsed_ident(name: &str) -> Option<String> {
        syn::parse_str::<Ident>(name).ok().map(|i| i.to_string())
    }

    #[test]
    fn the_fast_identifier_path_takes_only_what_syn_takes_as_is() {
        let keywords = [
            "_", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
            "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen",
            "if", "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override",
            "priv", "pub", "ref", "return", "Self", "self", "static", "struct", "super", "trait",
            "true", "try", "type", "typeof", "union", "unsafe", "unsized", "use", "virtual",
            "where", "while", "yield",
        ];
        let others = [
            "displayName",
            "display_name",
            "User",
            "id",
            "__",
            "_x",
            "x1",
            "1x",
            "a-b",
            "",
            "r#type",
            "Type",
            "TYPE",
            "Self_",
            "é",
            "odata_type",
        ];
        for name in keywords.iter().chain(&others) {
            if plain_ident(name) {
                assert_eq!(parsed_ident(name).as_deref(), Some(*name), "{name}");
            }
            // Either way, the identifier is the one made before.
            if let Some(before) = parsed_ident(name) {
                assert_eq!(ident(name).to_string(), before, "{name}");
            }
        }
    }

    #[test]
    fn doc_literals_are_written_as_literal_string_writes_them() {
        let lines = [
            "",
            "plain text",
            "a \"quoted\" word",
            "a back\\slash",
            "it's",
            "tab\there",
            "caf\u{e9} \u{200b} \u{0}",
            "~ and {} and #",
        ];
        for line in lines {
            let expected = if line.is_empty() {
                Literal::string("")
            } else {
                Literal::string(&format!(" {line}"))
            };
            assert_eq!(
                doc_literal(line).to_string(),
                expected.to_string(),
                "{line:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn doc_literals_are_written_as_literal_string_writes_them_for_any_line(
            line in "[a \"'\\\t{}~\u{7f}\u{e9}\u{0}]{1,16}"
        ) {
            let expected = Literal::string(&format!(" {line}"));
            proptest::prop_assert_eq!(doc_literal(&line).to_string(), expected.to_string());
        }

        #[test]
        fn string_literals_are_written_as_literal_string_writes_them_for_any_text(
            text in "[a \"'\\\\\t{}~\u{7f}\u{e9}\u{0}]{0,16}"
        ) {
            proptest::prop_assert_eq!(str_lit(&text).to_string(), Literal::string(&text).to_string());
        }

        #[test]
        fn the_fast_identifier_path_agrees_with_syn_on_any_name(name in "[a-zA-Z_0-9]{1,8}") {
            if plain_ident(&name) {
                proptest::prop_assert_eq!(parsed_ident(&name), Some(name.clone()));
            }
        }
    }

    #[test]
    fn doc_text_is_rustdoc_safe() {
        assert_eq!(
            doc_text("See [user](user.md) <token>"),
            "See \\[user\\](user.md) &lt;token&gt;"
        );
        assert_eq!(
            doc_text("Go to https://example.com/a."),
            "Go to <https://example.com/a>."
        );
        assert_eq!(doc_text("one ` tick"), "one ' tick");
        assert_eq!(doc_text("`code` ok"), "`code` ok");
        // Code spans are verbatim: rustdoc reads neither links nor HTML there.
        assert_eq!(
            doc_text(r#"Set `["East Wing", "Block A"]` or `<IMG src="x">` [here]"#),
            r#"Set `["East Wing", "Block A"]` or `<IMG src="x">` \[here\]"#
        );
        assert_eq!(
            doc_text("`https://example.com` and https://example.com"),
            "`https://example.com` and <https://example.com>"
        );
    }

    #[test]
    fn identifiers_never_panic() {
        assert_eq!(ident("r#type").to_string(), "r#type");
        assert_eq!(ident("user_id").to_string(), "user_id");
        // One rule with the model's names (`base::ident`): `3d` is `n3d`.
        assert_eq!(ident("3d").to_string(), "n3d");
        assert_eq!(
            ident("3d").to_string(),
            crate::base::ident::snake_ident("3d")
        );
        assert_eq!(ident("a-b").to_string(), "a_b");
        assert_eq!(ident("self").to_string(), "self_");
    }

    /// The rule serde applies for `rename_all = "camelCase"`, so a `rename`
    /// is written exactly where the wire name differs.
    #[test]
    fn camel_case_matches_serde() {
        for (field, wire) in [
            ("user_run_states", "userRunStates"),
            ("r#type", "type"),
            ("self_", "self"),
            ("n3d_model", "n3dModel"),
            ("display_name_2", "displayName2"),
            ("upn", "upn"),
        ] {
            assert_eq!(serde_camel_case(field), wire);
        }
        assert!(rename_if_needed("user_email", "userEmail").is_none());
        assert!(rename_if_needed("n3d_model", "3dModel").is_some());
        assert!(rename_if_needed("display_name_2", "DisplayName").is_some());
    }
}
