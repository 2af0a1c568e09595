//! The change report is never weaker than the API diff of the crate: for
//! seven kinds of docs edit, the public API of the emitted crate before and
//! after is read with `syn` (not from the surface record the report compares)
//! and diffed, and the report calls the edit breaking exactly when something
//! a caller could use is gone or changed.

use crate::support;

use std::collections::{BTreeMap, BTreeSet};

use generator::review::{Report, Surface, compare};
use quote::ToTokens;

const USER: &str = "---\ntitle: \"user resource type\"\ndescription: \"A user.\"\ndoc_type: resourcePageType\n---\n# user resource type\n\nA user account.\n\n## Properties\n\n| Property | Type | Description |\n|:---|:---|:---|\n| id | String | The key. |\n| displayName | String | The name. |\n| jobTitle | String | The job title. |\n| ageGroup | [ageGroup](#agegroup-values) | The age group. |\n\n### ageGroup values\n\n| Member | Description |\n|:---|:---|\n| minor | A minor. |\n| adult | An adult. |\n";

const USER_GET: &str = "---\ntitle: \"Get user\"\ndescription: \"Reads a user.\"\nms.prod: \"users\"\ndoc_type: apiPageType\n---\n# Get user\n\nReads a user.\n\n## HTTP request\n\n```http\nGET /users/{id}\n```\n\n## Response\n\nIf successful, this method returns a `200 OK` response code and a [user](../resources/user.md) object in the response body.\n";

const USER_DELETE: &str = "---\ntitle: \"Delete user\"\ndescription: \"Deletes a user.\"\nms.prod: \"users\"\ndoc_type: apiPageType\n---\n# Delete user\n\nDeletes a user.\n\n## HTTP request\n\n```http\nDELETE /users/{id}\n```\n\n## Response\n\nIf successful, this method returns a `204 No Content` response code.\n";

const UNIT_USERS: &str = "---\ntitle: \"List users of a unit\"\ndescription: \"Lists the users of a unit.\"\nms.prod: \"directory\"\ndoc_type: apiPageType\n---\n# List users of a unit\n\n## HTTP request\n\n```http\nGET /directory/administrativeUnits/{id}/users\n```\n\n## Response\n\nIf successful, this method returns a `200 OK` response code and a collection of [user](../resources/user.md) objects in the response body.\n";

/// The crate made from `pages`, and its surface record.
fn make(pages: &[(&str, String)]) -> (BTreeMap<String, String>, Surface, generator::Api) {
    let generated = support::generate_pages(pages);
    let surface = support::surface_of(&generated.files);
    (generated.files, surface, generated.api)
}

/// A type or signature as text, without spaces.
fn text(tokens: impl ToTokens) -> String {
    tokens.to_token_stream().to_string().replace(' ', "")
}

/// Every public item a caller can name, read from the crate's source:
/// struct fields with their types, enum variants, and methods with their
/// parameter types and return type (parameter names are not API: Rust
/// callers pass arguments by position).
fn public_api(files: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (path, source) in files {
        if !path.starts_with("src/") || !path.ends_with(".rs") || path.starts_with("src/runtime/") {
            continue;
        }
        let file = syn::parse_file(source).unwrap_or_else(|e| panic!("{path}: {e}"));
        for item in support::expanded_items(file) {
            match item {
                syn::Item::Struct(s) if matches!(s.vis, syn::Visibility::Public(_)) => {
                    out.insert(format!("struct {}", s.ident));
                    for f in &s.fields {
                        if let (Some(name), syn::Visibility::Public(_)) = (&f.ident, &f.vis) {
                            out.insert(format!("field {}.{name}: {}", s.ident, text(&f.ty)));
                        }
                    }
                }
                syn::Item::Enum(e) if matches!(e.vis, syn::Visibility::Public(_)) => {
                    for v in &e.variants {
                        out.insert(format!("variant {}::{}", e.ident, v.ident));
                    }
                }
                syn::Item::Impl(imp) if imp.trait_.is_none() => {
                    let owner = text(&imp.self_ty);
                    for member in imp.items {
                        let syn::ImplItem::Fn(f) = member else {
                            continue;
                        };
                        if !matches!(f.vis, syn::Visibility::Public(_)) {
                            continue;
                        }
                        let params: Vec<String> = f
                            .sig
                            .inputs
                            .iter()
                            .map(|arg| match arg {
                                syn::FnArg::Receiver(r) => text(r),
                                syn::FnArg::Typed(t) => text(&t.ty),
                            })
                            .collect();
                        out.insert(format!(
                            "fn {owner}::{}({}) {}",
                            f.sig.ident,
                            params.join(","),
                            text(&f.sig.output)
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// The report of an edit, and what the crate's public API lost by it.
fn edit(before: &[(&str, String)], after: &[(&str, String)]) -> (Report, Vec<String>) {
    let (old_files, old, _) = make(before);
    let (new_files, new, api) = make(after);
    let report = compare(&old, &new, &api);
    let (old_api, new_api) = (public_api(&old_files), public_api(&new_files));
    let lost = old_api.difference(&new_api).cloned().collect();
    (report, lost)
}

/// Pages as (path, text).
type Docs = Vec<(&'static str, String)>;

fn pages(list: &[(&'static str, &str)]) -> Docs {
    list.iter().map(|(p, t)| (*p, (*t).to_owned())).collect()
}

#[test]
fn the_report_is_breaking_exactly_when_the_crate_loses_api() {
    let base = pages(&[
        ("resources/user.md", USER),
        ("api/user-get.md", USER_GET),
        ("api/user-delete.md", USER_DELETE),
    ]);
    let with = |page: &str, text: String| -> Docs {
        base.iter()
            .map(|(p, t)| (*p, if *p == page { text.clone() } else { t.clone() }))
            .collect()
    };
    let cases: Vec<(&str, Docs, bool)> = vec![
        (
            "a property removed",
            with(
                "resources/user.md",
                USER.replace("| jobTitle | String | The job title. |\n", ""),
            ),
            true,
        ),
        (
            "a property's type changed",
            with(
                "resources/user.md",
                USER.replace("| displayName | String |", "| displayName | Int32 |"),
            ),
            true,
        ),
        (
            "an endpoint's page removed",
            base.iter()
                .filter(|(p, _)| *p != "api/user-delete.md")
                .cloned()
                .collect(),
            true,
        ),
        (
            "an enum member removed",
            with(
                "resources/user.md",
                USER.replace("| minor | A minor. |\n", ""),
            ),
            true,
        ),
        (
            "a response made a collection",
            with(
                "api/user-get.md",
                USER_GET.replace(
                    "a [user](../resources/user.md) object",
                    "a collection of [user](../resources/user.md) objects",
                ),
            ),
            true,
        ),
        (
            "a path parameter renamed",
            with(
                "api/user-get.md",
                USER_GET.replace("/users/{id}", "/users/{user-id}"),
            ),
            false,
        ),
        (
            "an unrelated page added",
            base.iter()
                .cloned()
                .chain([(
                    "api/administrativeunit-list-users.md",
                    UNIT_USERS.to_owned(),
                )])
                .collect(),
            false,
        ),
    ];
    assert!(cases.len() >= 6);
    for (what, after, breaking) in cases {
        let (report, lost) = edit(&base, &after);
        assert_eq!(
            !lost.is_empty(),
            breaking,
            "{what}: the crate lost {lost:#?}"
        );
        assert_eq!(
            report.breaking() > 0,
            breaking,
            "{what}: the report says {:#?}, the crate lost {lost:#?}",
            report.changes
        );
        if breaking {
            assert_ne!(report.semver("0.1.0").bump, "patch", "{what}");
        }
    }
}
