//! The names file (`names.yaml` in the docs folder): reviewers pin or
//! override public names of the generated crate, as typify's type patches
//! do for schemas.
//!
//! ```yaml
//! # Builders by path as the docs write it; placeholders may be named anyhow.
//! builders:
//!   /directory/administrativeUnits/{id}/users: AdministrativeUnitUsers
//! # Methods by the endpoint's API name: every method that sends it.
//! methods:
//!   user.list: list_users
//! # Types by API name.
//! types:
//!   user: GraphUser
//! ```
//!
//! It is read here ([`NameOverrides::read`], every problem a diagnostic at
//! its line), checked against the model ([`check`]: an entry that names
//! nothing is stale), and applied where names are given: types when the
//! model is named ([`apply_type_names`]), builders and methods when the
//! client tree is named (`emit::client::tree`), ahead of every derived name.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::base::diagnostics::{Code, Diagnostic};
use crate::base::source::Span;
use crate::model::Api;

/// The file's name in the docs folder.
pub const FILE: &str = "names.yaml";

/// One entry: the name wanted, and the line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The Rust name.
    pub name: String,
    /// The 1-based line of the entry in the file.
    pub line: u32,
    /// The entry's line as a byte span of the file.
    pub span: Span,
}

/// The names file as read: its entries by section, and the problems found
/// while reading it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NameOverrides {
    /// The file's path, relative to the docs folder; empty when there is none.
    pub file: String,
    /// Builder type names, by path with every placeholder as `{}`.
    pub builders: BTreeMap<String, Entry>,
    /// Method names, by endpoint API name.
    pub methods: BTreeMap<String, Entry>,
    /// Type names, by API type name.
    pub types: BTreeMap<String, Entry>,
    /// What could not be used.
    pub problems: Vec<Diagnostic>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    builders: BTreeMap<String, String>,
    #[serde(default)]
    methods: BTreeMap<String, String>,
    #[serde(default)]
    types: BTreeMap<String, String>,
}

/// A path with every `{placeholder}` as `{}`, lowercased (Graph reads paths
/// case-insensitively): the key builders are matched by.
pub fn path_key(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut depth = 0usize;
    for c in path.trim().trim_end_matches('/').chars() {
        match c {
            '{' => {
                if depth == 0 {
                    out.push_str("{}");
                }
                depth += 1;
            }
            '}' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            c => out.push(c.to_ascii_lowercase()),
        }
    }
    if !out.starts_with('/') {
        out.insert(0, '/');
    }
    out
}

impl NameOverrides {
    /// Reads the names file `file` (its path in the docs folder) from `text`.
    pub fn read(file: &str, text: &str) -> NameOverrides {
        let mut out = NameOverrides {
            file: file.to_owned(),
            ..NameOverrides::default()
        };
        let raw: Raw = match serde_yaml::from_str::<Option<Raw>>(text) {
            Ok(raw) => raw.unwrap_or_default(),
            Err(e) => {
                let line = e.location().map_or(1, |l| l.line() as u32);
                out.problems.push(problem(
                    file,
                    line,
                    line_span(text, line),
                    format!("the names file does not read: {e}"),
                    "write `builders:`, `methods:` and `types:` maps of names; nothing in it is used meanwhile"
                        .to_owned(),
                ));
                return out;
            }
        };
        let entry = |key: &str, name: String| {
            let line = line_of(text, key);
            Entry {
                name,
                line,
                span: line_span(text, line),
            }
        };
        for (path, name) in raw.builders {
            let e = entry(&path, name);
            if is_type_ident(&e.name) {
                out.builders.insert(path_key(&path), e);
            } else {
                out.problems
                    .push(invalid(file, &e, "an UpperCamelCase type name"));
            }
        }
        for (endpoint, name) in raw.methods {
            let e = entry(&endpoint, name);
            if is_method_ident(&e.name) {
                out.methods.insert(endpoint, e);
            } else {
                out.problems
                    .push(invalid(file, &e, "a snake_case method name"));
            }
        }
        for (ty, name) in raw.types {
            let e = entry(&ty, name);
            if is_type_ident(&e.name) {
                out.types.insert(ty, e);
            } else {
                out.problems
                    .push(invalid(file, &e, "an UpperCamelCase type name"));
            }
        }
        out
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.builders.is_empty() && self.methods.is_empty() && self.types.is_empty()
    }
}

/// The byte span of 1-based line `line` of `text`, without its line break.
fn line_span(text: &str, line: u32) -> Span {
    let mut start = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line as usize {
            let len = l.trim_end_matches(['\n', '\r']).len();
            return Span {
                start,
                end: start + len,
            };
        }
        start += l.len();
    }
    Span { start: 0, end: 0 }
}

/// The line `key:` is on (1 when it cannot be found).
fn line_of(text: &str, key: &str) -> u32 {
    text.lines()
        .position(|l| {
            let l = l.trim_start().trim_start_matches(['"', '\'']);
            l.starts_with(key)
                && l[key.len()..]
                    .trim_start_matches(['"', '\''])
                    .starts_with(':')
        })
        .map_or(1, |i| i as u32 + 1)
}

fn is_type_ident(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
        && !matches!(name, "Client" | "Self")
}

fn is_method_ident(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && crate::base::ident::snake_ident(name) == name
}

fn invalid(file: &str, entry: &Entry, wanted: &str) -> Diagnostic {
    problem(
        file,
        entry.line,
        entry.span,
        format!("`{}` is not {wanted}", entry.name),
        format!("write {wanted}; the entry is not used"),
    )
}

fn problem(file: &str, line: u32, span: Span, message: String, help: String) -> Diagnostic {
    Diagnostic {
        code: Code::NamesEntryInvalid,
        file: file.to_owned(),
        line,
        column: 1,
        span,
        message,
        help,
        related: Vec::new(),
        fix: None,
    }
}

fn stale(file: &str, entry: &Entry, message: String, help: String) -> Diagnostic {
    Diagnostic {
        code: Code::NamesEntryUnknown,
        ..problem(file, entry.line, entry.span, message, help)
    }
}

/// The names file's problems, and its entries that name nothing in `api`
/// (`builder_paths`: the key of every builder's path, see [`path_key`]).
pub fn check(
    names: &NameOverrides,
    api: &Api,
    builder_paths: &std::collections::BTreeSet<String>,
) -> Vec<Diagnostic> {
    let mut out = names.problems.clone();
    let file = &names.file;
    for (path, entry) in &names.builders {
        if !builder_paths.contains(path) {
            out.push(stale(
                file,
                entry,
                format!("no builder addresses `{path}`"),
                "write a path as a request line of the docs writes it, or remove the entry"
                    .to_owned(),
            ));
        }
    }
    for (endpoint, entry) in &names.methods {
        if !api.endpoints.iter().any(|e| e.name.api == *endpoint) {
            out.push(stale(
                file,
                entry,
                format!("no endpoint is named `{endpoint}`"),
                "use an endpoint's API name as the change report shows it (`user.list`), or remove the entry"
                    .to_owned(),
            ));
        }
    }
    let mut taken: BTreeMap<&str, &str> = BTreeMap::new();
    for (ty, entry) in &names.types {
        if api.type_named(ty).is_none() {
            out.push(stale(
                file,
                entry,
                format!("no type is named `{ty}`"),
                "use a type's API name (`user`), or remove the entry".to_owned(),
            ));
        } else if let Some(other) = taken.insert(&entry.name, ty) {
            out.push(stale(
                file,
                entry,
                format!("`{ty}` and `{other}` are both to be named `{}`", entry.name),
                "give each type a name of its own; this entry is not used".to_owned(),
            ));
        }
    }
    out
}

/// Renames the types the names file names. A name another type already
/// has is not taken (a diagnostic from [`check_type_clashes`] says so).
pub fn apply_type_names(api: &mut Api, names: &NameOverrides) {
    if names.types.is_empty() {
        return;
    }
    let existing: std::collections::BTreeSet<String> =
        api.types.iter().map(|t| t.name.rust.clone()).collect();
    let mut given = std::collections::BTreeSet::new();
    api.types.edit(|types| {
        for ty in types {
            if let Some(entry) = names.types.get(&ty.name.api)
                && !existing.contains(&entry.name)
                && given.insert(entry.name.clone())
            {
                ty.name.rust.clone_from(&entry.name);
            }
        }
    });
}

/// Entries of the names file whose type name another type already has.
pub fn check_type_clashes(api: &Api, names: &NameOverrides) -> Vec<Diagnostic> {
    names
        .types
        .iter()
        .filter_map(|(ty, entry)| {
            let holder = api
                .types
                .iter()
                .find(|t| t.name.rust == entry.name && t.name.api != *ty)?;
            Some(stale(
                &names.file,
                entry,
                format!(
                    "`{}` is the Rust name of `{}` already",
                    entry.name, holder.name.api
                ),
                format!("pick another name for `{ty}`; this entry is not used"),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_whatever_their_placeholders_and_case() {
        assert_eq!(
            path_key("/users/{id | userPrincipalName}/events"),
            "/users/{}/events"
        );
        assert_eq!(path_key("users/{user-id}/Events/"), "/users/{}/events");
        assert_eq!(
            path_key("/drives/{drive-id}/root:/{item-path}:/children"),
            "/drives/{}/root:/{}:/children"
        );
    }

    #[test]
    fn every_problem_is_at_its_line() {
        let text = "builders:\n  /users: users\nmethods:\n  user.list: ListUsers\n  user.get: fetch\nfoo: 1\n";
        let names = NameOverrides::read("names.yaml", text);
        // `foo` is no section: the file does not read, nothing is used.
        assert_eq!(names.problems.len(), 1, "{:?}", names.problems);
        assert!(names.is_empty());
        let text =
            "builders:\n  /users: users\nmethods:\n  user.list: ListUsers\n  user.get: fetch\n";
        let names = NameOverrides::read("names.yaml", text);
        let lines: Vec<u32> = names.problems.iter().map(|d| d.line).collect();
        assert_eq!(lines, [2, 4]);
        assert_eq!(
            &text[names.problems[1].span.start..names.problems[1].span.end],
            "  user.list: ListUsers"
        );
        assert_eq!(names.methods["user.get"].name, "fetch");
        assert_eq!(names.methods["user.get"].line, 5);
    }
}
