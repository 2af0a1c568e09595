//! A public name depends only on what it names: taking any one page out of
//! `docs-input/` (or putting it back) changes no name of what the other
//! pages own: the builder methods that send their endpoints
//! (`UserCollection::list`), their types' Rust names and their fields.
//! Exhaustive over the api and resource pages of `docs-input/`.

use crate::support;

use std::collections::BTreeMap;

use generator::review::Surface;
use generator::{IncludeFile, Includes, SourcePage};

fn includes(dir: &std::path::Path) -> Includes {
    let mut set = Includes::new();
    let root = dir.join("includes");
    for (rel, text) in support::read_md_tree(&root) {
        set.insert(format!("includes/{rel}"), IncludeFile::Text(text));
    }
    set
}

fn surface(pages: &[(String, String)], includes: &Includes) -> Surface {
    let sources: Vec<SourcePage<'_>> = pages
        .iter()
        .map(|(p, t)| SourcePage { path: p, text: t })
        .collect();
    let generated =
        generator::generate(&sources, includes, &generator::emit::EmitOptions::default());
    support::surface_of(&generated.files)
}

/// Every public name of what the pages other than `page` own, by what it
/// names. A resource page owns its types, and the builders named after
/// them (`GroupItem`, `GroupCollection`): `types` are their Rust names.
fn names_not_of(surface: &Surface, page: &str, types: &[String]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (name, e) in &surface.endpoints {
        let named_after_page = e.calls.iter().any(|c| {
            types.iter().any(|t| {
                c.starts_with(&format!("{t}Item::")) || c.starts_with(&format!("{t}Collection::"))
            })
        });
        if e.page != page && !named_after_page {
            out.insert(format!("endpoint {name}"), e.calls.join(", "));
        }
    }
    for (name, t) in &surface.types {
        if t.page != page {
            out.insert(format!("type {name}"), t.rust.clone());
            for (p, prop) in &t.properties {
                out.insert(format!("field {name}.{p}"), prop.rust.clone());
            }
        }
    }
    out
}

#[test]
fn no_page_moves_the_names_of_another() {
    let dir = support::workspace().join("docs-input");
    let all: Vec<(String, String)> = support::read_md_tree(&dir)
        .into_iter()
        .filter(|(p, _)| !p.starts_with("includes/") && p != "README.md")
        .collect();
    let includes = includes(&dir);
    let full = surface(&all, &includes);
    let mut moved = Vec::new();
    let mut checked = 0;
    for (i, (page, _)) in all.iter().enumerate() {
        if !(page.starts_with("api/") || page.starts_with("resources/")) {
            continue;
        }
        let without: Vec<(String, String)> = all
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, p)| p.clone())
            .collect();
        let less = surface(&without, &includes);
        let types: Vec<String> = full
            .types
            .values()
            .filter(|t| t.page == *page)
            .map(|t| t.rust.clone())
            .collect();
        let before = names_not_of(&full, page, &types);
        let after = names_not_of(&less, page, &types);
        for (what, name) in &after {
            // What only the page's absence leaves behind (a type named
            // only by the page falls back to untyped) is not compared.
            if let Some(old) = before.get(what)
                && old != name
            {
                moved.push(format!("without {page}: {what} `{old}` -> `{name}`"));
            }
        }
        checked += 1;
    }
    assert!(checked >= 50, "{checked} pages");
    assert!(moved.is_empty(), "names moved: {moved:#?}");
}
