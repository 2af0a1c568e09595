//! Properties of the whole pipeline over generated pages, a bounded
//! proptest run in the normal test suite: it never panics, every diagnostic
//! is placed and explained, output does not depend on anything but the input,
//! and module declarations always match the files written.

use crate::support;

use proptest::prelude::*;

/// Lines that real pages are made of, with the awkward parts real pages have.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("---".to_owned()),
        Just("title: \"Get thing\"".to_owned()),
        Just("doc_type: apiPageType".to_owned()),
        Just("doc_type: resourcePageType".to_owned()),
        Just("## HTTP request".to_owned()),
        Just("## Properties".to_owned()),
        Just("## Permissions".to_owned()),
        Just("## Example".to_owned()),
        Just("```http".to_owned()),
        Just("```".to_owned()),
        Just("|Property|Type|Description|".to_owned()),
        Just("|:---|:---|:---|".to_owned()),
        Just("<!-- { \"blockType\": \"response\" } -->".to_owned()),
        Just("HTTP/1.1 200 OK".to_owned()),
        Just("[!INCLUDE [x](../includes/x.md)]".to_owned()),
        Just("> [!NOTE]".to_owned()),
        "(GET|PATCH|POST|DELETE) /[a-zA-Z{}$:'()|/ ._-]{0,30}",
        "\\|[a-zA-Z@._ -]{0,12}\\|[a-zA-Z()\\[\\]. ]{0,16}\\|[^|\n]{0,20}\\|",
        "# [a-zA-Z ]{0,20}(resource type)?",
        "[{}\\[\\]\":, 0-9a-z]{0,30}",
        any::<String>().prop_map(|s| s.chars().filter(|c| *c != '\r').take(20).collect()),
    ]
}

fn page() -> impl Strategy<Value = String> {
    prop::collection::vec(line(), 0..40).prop_map(|lines| lines.join("\n"))
}

fn run(pages: &[(String, String)]) -> generator::Generated {
    support::generate_pages(pages)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn any_pages_give_a_consistent_crate(
        api in prop::collection::vec(page(), 1..3),
        resources in prop::collection::vec(page(), 0..3),
    ) {
        let mut pages: Vec<(String, String)> = Vec::new();
        for (i, text) in api.into_iter().enumerate() {
            pages.push((format!("api/a{i}.md"), text));
        }
        for (i, text) in resources.into_iter().enumerate() {
            pages.push((format!("resources/r{i}.md"), text));
        }
        let first = run(&pages);
        for d in &first.diagnostics {
            prop_assert!(d.line >= 1 && d.column >= 1, "{d}");
            prop_assert!(!d.help.is_empty(), "{d}");
            prop_assert!(pages.iter().any(|(p, _)| *p == d.file), "{d}");
        }
        // Deterministic, and independent of page order.
        pages.reverse();
        let again = run(&pages);
        prop_assert_eq!(&first.files, &again.files);
        // Every `mod x;` has its file, and every file its `mod`.
        for dir in ["src/models", "src/client"] {
            let Some(mod_rs) = first.files.get(&format!("{dir}/mod.rs")) else { continue };
            let parsed = syn::parse_file(mod_rs);
            prop_assert!(parsed.is_ok(), "{dir}/mod.rs does not parse");
            let Ok(file) = parsed else { continue };
            let mut declared: Vec<String> = file.items.iter().filter_map(|item| match item {
                syn::Item::Mod(m) => Some(m.ident.to_string()),
                _ => None,
            }).collect();
            declared.sort();
            let files: Vec<String> = first.files.keys()
                .filter_map(|p| p.strip_prefix(&format!("{dir}/")))
                .filter(|f| *f != "mod.rs")
                .map(|f| f.trim_end_matches(".rs").to_owned())
                .collect();
            prop_assert_eq!(declared, files);
        }
        // Every emitted Rust file parses.
        for (path, text) in &first.files {
            if path.ends_with(".rs") {
                prop_assert!(syn::parse_file(text).is_ok(), "{path} does not parse:\n{text}");
            }
        }
    }
}
