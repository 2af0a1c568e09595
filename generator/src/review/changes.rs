//! API changes between two surfaces, each marked breaking or compatible for
//! users of the generated crate, with the page and line that caused it and
//! a semver hint.
//!
//! What counts as breaking is what makes code that compiled against the old
//! crate fail to compile, or behave differently, against the new one:
//! anything removed or renamed, a changed type, method, path shape, body or
//! response, a new required parameter, a type moving to another feature.
//! Additions are compatible: new endpoints, types, properties, optional
//! body parameters and enum members (enums are `#[non_exhaustive]`; struct
//! literals are written with `..Default::default()`, as the crate's docs
//! show). A renamed path parameter (`{id}` to `{user-id}`) is compatible:
//! Rust callers pass it by position.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::model::{Api, PathTemplate};
use crate::review::surface::{
    EndpointSurface, PropertySurface, RuntimeSurface, Surface, TypeSurface,
};

/// Whether a change breaks code written against the old crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Impact {
    /// Code that compiled may no longer compile, or may behave differently.
    Breaking,
    /// Existing code keeps working.
    Compatible,
}

impl Impact {
    /// `breaking` or `compatible`.
    pub fn as_str(self) -> &'static str {
        match self {
            Impact::Breaking => "breaking",
            Impact::Compatible => "compatible",
        }
    }
}

/// Where a change comes from: a page, and a line where the new docs have one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    /// The page.
    pub file: String,
    /// The line in the current page, when the item (or its parent) is still there.
    pub line: Option<u32>,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file),
            None => f.write_str(&self.file),
        }
    }
}

/// One change to the API.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// Breaking or compatible.
    pub impact: Impact,
    /// What changed, e.g. `property removed`.
    pub what: &'static str,
    /// The item, by API name: `user.jobTitle`, `user.get`.
    pub subject: String,
    /// The details: Rust names, old and new types.
    pub detail: String,
    /// The page (and line) that caused it.
    pub at: Place,
}

/// Every change between two surfaces, breaking ones first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The changes.
    pub changes: Vec<Change>,
}

/// One key of two maps compared: only before, in both but different, or
/// only after. Keys in both with equal values are left out.
enum Diff<'m, V> {
    Removed(&'m str, &'m V),
    Changed(&'m str, &'m V, &'m V),
    Added(&'m str, &'m V),
}

/// How two maps differ, in key order: removals and changes, then additions.
fn diff<'m, V: PartialEq>(
    before: &'m BTreeMap<String, V>,
    after: &'m BTreeMap<String, V>,
) -> impl Iterator<Item = Diff<'m, V>> {
    let gone_or_changed = before.iter().filter_map(move |(k, b)| match after.get(k) {
        None => Some(Diff::Removed(k, b)),
        Some(a) if a != b => Some(Diff::Changed(k, b, a)),
        Some(_) => None,
    });
    let added = after
        .iter()
        .filter(move |(k, _)| !before.contains_key(*k))
        .map(|(k, a)| Diff::Added(k, a));
    gone_or_changed.chain(added)
}

/// Compares the surface of the checked-in crate with that of the new model;
/// `api` (the new model) gives the lines.
pub fn compare(old: &Surface, new: &Surface, api: &Api) -> Report {
    let mut out = Changes {
        api,
        changes: Vec::new(),
    };
    let endpoint_line =
        |e: &EndpointSurface| format!("`{} {}`, method `{}()`", e.method, e.path, e.rust);
    for d in diff(&old.endpoints, &new.endpoints) {
        match d {
            Diff::Removed(name, before) => out.push(
                Impact::Breaking,
                "endpoint removed",
                name,
                endpoint_line(before),
                Place {
                    file: before.page.clone(),
                    line: None,
                },
            ),
            Diff::Changed(name, before, after) => out.endpoint(name, before, after),
            Diff::Added(name, after) => {
                let at = out.endpoint_place(name, &after.page);
                out.push(
                    Impact::Compatible,
                    "endpoint added",
                    name,
                    endpoint_line(after),
                    at,
                );
            }
        }
    }
    for d in diff(&old.types, &new.types) {
        match d {
            Diff::Removed(name, before) => out.push(
                Impact::Breaking,
                "type removed",
                name,
                format!("`models::{}`", before.rust),
                Place {
                    file: before.page.clone(),
                    line: None,
                },
            ),
            Diff::Changed(name, before, after) => out.type_changes(name, before, after),
            Diff::Added(name, after) => {
                let at = out.type_place(name, &after.page);
                out.push(
                    Impact::Compatible,
                    "type added",
                    name,
                    format!("`models::{}` ({})", after.rust, after.kind),
                    at,
                );
            }
        }
    }
    // A Cargo feature an application enables that is gone breaks its build;
    // records without features (older ones) are not compared.
    if !old.features.is_empty() {
        let place = Place {
            file: "Cargo.toml".to_owned(),
            line: None,
        };
        for f in old.features.iter().filter(|f| !new.features.contains(f)) {
            out.push(
                Impact::Breaking,
                "feature removed",
                f,
                format!("`{f}` is no longer a feature of the crate"),
                place.clone(),
            );
        }
        for f in new.features.iter().filter(|f| !old.features.contains(f)) {
            out.push(
                Impact::Compatible,
                "feature added",
                f,
                format!("`{f}` is a new feature"),
                place.clone(),
            );
        }
    }
    out.runtime_changes(&old.runtime, &new.runtime);
    let mut changes = out.changes;
    changes.sort();
    Report { changes }
}

/// Whether moving the runtime from `before` to `after` is a semver-breaking
/// upgrade, as Cargo reads versions: another major number, or before 1.0
/// another minor one.
fn incompatible(before: &str, after: &str) -> bool {
    let key = |v: &str| {
        let mut parts = v.split('.');
        match (parts.next(), parts.next()) {
            (Some("0"), minor) => ("0".to_owned(), minor.unwrap_or("").to_owned()),
            (major, _) => (major.unwrap_or("").to_owned(), String::new()),
        }
    };
    key(before) != key(after)
}

struct Changes<'a> {
    api: &'a Api,
    changes: Vec<Change>,
}

impl Changes<'_> {
    /// Changes to what the runtime puts in the crate's API: its version (a
    /// semver-incompatible one breaks code that names its types) and the
    /// fields it gives every model and page.
    fn runtime_changes(&mut self, before: &RuntimeSurface, after: &RuntimeSurface) {
        let place = Place {
            file: "Cargo.toml".to_owned(),
            line: None,
        };
        if before.version != after.version {
            let breaking = incompatible(&before.version, &after.version);
            self.push(
                if breaking {
                    Impact::Breaking
                } else {
                    Impact::Compatible
                },
                "runtime version changed",
                "graph-sdk-runtime",
                format!(
                    "`{}` is now `{}`{}",
                    before.version,
                    after.version,
                    if breaking {
                        ", a semver-incompatible version"
                    } else {
                        ""
                    }
                ),
                place.clone(),
            );
        }
        let owner = |field: &str| match field.split_once('.') {
            Some(("model", name)) => format!("every model's `{name}`"),
            Some((ty, name)) => format!("`{ty}::{name}`"),
            None => format!("`{field}`"),
        };
        for d in diff(&before.fields, &after.fields) {
            match d {
                Diff::Removed(field, ty) => self.push(
                    Impact::Breaking,
                    "runtime field removed",
                    field,
                    format!("{} (`{ty}`) is gone", owner(field)),
                    place.clone(),
                ),
                Diff::Changed(field, old, new) => self.push(
                    Impact::Breaking,
                    "runtime field changed",
                    field,
                    format!("{}: `{old}` is now `{new}`", owner(field)),
                    place.clone(),
                ),
                Diff::Added(field, ty) => self.push(
                    Impact::Compatible,
                    "runtime field added",
                    field,
                    format!("{} (`{ty}`) is new", owner(field)),
                    place.clone(),
                ),
            }
        }
    }

    fn push(
        &mut self,
        impact: Impact,
        what: &'static str,
        subject: &str,
        detail: String,
        at: Place,
    ) {
        self.changes.push(Change {
            impact,
            what,
            subject: subject.to_owned(),
            detail,
            at,
        });
    }

    /// Reports changes to one item, `subject`, all at `at`.
    fn reporter<'s>(
        &'s mut self,
        subject: &'s str,
        at: Place,
    ) -> impl FnMut(Impact, &'static str, String) + 's {
        move |impact, what, detail| {
            self.changes.push(Change {
                impact,
                what,
                subject: subject.to_owned(),
                detail,
                at: at.clone(),
            });
        }
    }

    fn endpoint_place(&self, name: &str, page: &str) -> Place {
        let found = self.api.endpoints.iter().find(|e| e.name.api == name);
        Place {
            file: found.map_or(page, |e| e.source.file.as_str()).to_owned(),
            line: found.map(|e| e.source.line),
        }
    }

    fn type_place(&self, name: &str, page: &str) -> Place {
        let found = self.api.type_named(name);
        Place {
            file: found.map_or(page, |t| t.source.file.as_str()).to_owned(),
            line: found.map(|t| t.source.line),
        }
    }

    fn property_place(&self, ty: &str, property: &str, page: &str) -> Place {
        let owner = self.api.type_named(ty);
        match owner.and_then(|t| t.properties.iter().find(|p| p.name.api == property)) {
            Some(p) => Place {
                file: p.source.file.clone(),
                line: Some(p.source.line),
            },
            None => self.type_place(ty, page),
        }
    }

    /// Reports how endpoint `name`, in both surfaces, changed.
    fn endpoint(&mut self, name: &str, before: &EndpointSurface, after: &EndpointSurface) {
        let at = self.endpoint_place(name, &after.page);
        let mut change = self.reporter(name, at);
        call_changes(before, after, &mut change);
        // The same method with another Rust signature (parameters, return
        // type) breaks its callers.
        for (call, sig) in &before.signatures {
            if let Some(now) = after.signatures.get(call)
                && now != sig
            {
                change(
                    Impact::Breaking,
                    "method signature changed",
                    format!("`{call}`: `{sig}` is now `{now}`"),
                );
            }
        }
        if before.method != after.method {
            change(
                Impact::Breaking,
                "HTTP method changed",
                format!("`{}` is now `{}`", before.method, after.method),
            );
        }
        path_changes(before, after, &mut change);
        typed_list_changes(
            &PARAMETERS,
            &before.parameters,
            &after.parameters,
            &mut change,
        );
        if before.body != after.body {
            change(
                Impact::Breaking,
                "request body changed",
                format!(
                    "`{}` is now `{}`",
                    before.body.as_deref().unwrap_or("none"),
                    after.body.as_deref().unwrap_or("none")
                ),
            );
        } else {
            typed_list_changes(
                &BODY_PARAMETERS,
                &before.body_parameters,
                &after.body_parameters,
                &mut change,
            );
        }
        if before.response != after.response {
            change(
                Impact::Breaking,
                "response changed",
                format!(
                    "`{}` is now `{}`",
                    before.response.as_deref().unwrap_or("none"),
                    after.response.as_deref().unwrap_or("none")
                ),
            );
        }
        if before.area != after.area {
            change(
                Impact::Breaking,
                "feature changed",
                format!(
                    "compiled with feature `{}`, was `{}`",
                    after.area, before.area
                ),
            );
        }
    }

    /// Reports how type `name`, in both surfaces, changed.
    fn type_changes(&mut self, name: &str, before: &TypeSurface, after: &TypeSurface) {
        let at = self.type_place(name, &after.page);
        let mut change = self.reporter(name, at);
        if before.rust != after.rust {
            change(
                Impact::Breaking,
                "type renamed",
                format!("`models::{}` is now `models::{}`", before.rust, after.rust),
            );
        }
        if before.kind != after.kind {
            let enum_involved = before.kind == "enum" || after.kind == "enum";
            change(
                if enum_involved {
                    Impact::Breaking
                } else {
                    Impact::Compatible
                },
                "kind changed",
                format!("{} is now {}", before.kind, after.kind),
            );
        }
        if before.base != after.base {
            change(
                Impact::Breaking,
                "base type changed",
                format!(
                    "`{}` is now `{}`; inherited fields change",
                    before.base.as_deref().unwrap_or("none"),
                    after.base.as_deref().unwrap_or("none")
                ),
            );
        }
        member_changes(before, after, &mut change);
        drop(change); // it borrows `self`
        self.property_changes(name, before, after);
    }

    /// Reports the properties of type `name` that are gone (breaking), new
    /// (compatible) or changed (see [`Changes::property`]).
    fn property_changes(&mut self, name: &str, before: &TypeSurface, after: &TypeSurface) {
        for d in diff(&before.properties, &after.properties) {
            let (impact, what, prop, owner, p) = match d {
                Diff::Removed(prop, old) => (
                    Impact::Breaking,
                    "property removed",
                    prop,
                    &before.rust,
                    old,
                ),
                Diff::Changed(prop, old, new) => {
                    self.property(name, prop, &after.rust, old, new, &after.page);
                    continue;
                }
                Diff::Added(prop, new) => {
                    (Impact::Compatible, "property added", prop, &after.rust, new)
                }
            };
            let at = self.property_place(name, prop, &after.page);
            self.push(
                impact,
                what,
                &format!("{name}.{prop}"),
                format!("`{owner}::{}` (`{}`)", p.rust, p.ty),
                at,
            );
        }
    }

    fn property(
        &mut self,
        ty: &str,
        prop: &str,
        rust_type: &str,
        old: &PropertySurface,
        new: &PropertySurface,
        page: &str,
    ) {
        let subject = format!("{ty}.{prop}");
        let at = self.property_place(ty, prop, page);
        if old.rust != new.rust {
            self.push(
                Impact::Breaking,
                "property renamed",
                &subject,
                format!(
                    "`{rust_type}::{}` is now `{rust_type}::{}`",
                    old.rust, new.rust
                ),
                at.clone(),
            );
        }
        if old.ty != new.ty {
            self.push(
                Impact::Breaking,
                "property type changed",
                &subject,
                format!(
                    "`{rust_type}::{}`: `{}` is now `{}`",
                    new.rust, old.ty, new.ty
                ),
                at.clone(),
            );
        }
        if old.read_only != new.read_only {
            let now = if new.read_only {
                "read-only: `changes_from` no longer sends it"
            } else {
                "writable: `changes_from` now sends it"
            };
            self.push(
                Impact::Compatible,
                "property access changed",
                &subject,
                format!("`{rust_type}::{}` is now {now}", new.rust),
                at,
            );
        }
    }
}

/// Reports one change to the item being compared: its impact, what changed,
/// and the details.
type Note<'n> = &'n mut dyn FnMut(Impact, &'static str, String);

/// Reports the builder methods that send an endpoint: renamed or gone
/// (breaking), or one more (compatible).
fn call_changes(before: &EndpointSurface, after: &EndpointSurface, change: Note<'_>) {
    // Where the crate sends it: a builder type or method renamed or gone
    // breaks callers (and code that names the builder), one more is new.
    let gone: Vec<&String> = before
        .calls
        .iter()
        .filter(|c| !after.calls.contains(c))
        .collect();
    let new: Vec<&String> = after
        .calls
        .iter()
        .filter(|c| !before.calls.contains(c))
        .collect();
    if !before.calls.is_empty() && !gone.is_empty() {
        let now = if new.is_empty() {
            String::new()
        } else {
            format!("; now {}", call_list(&new))
        };
        change(
            Impact::Breaking,
            "method renamed or removed",
            format!(
                "{} no longer {}{now}",
                call_list(&gone),
                if gone.len() == 1 { "exists" } else { "exist" }
            ),
        );
    } else if before.calls.is_empty() && before.rust != after.rust {
        change(
            Impact::Breaking,
            "method renamed",
            format!("`{}()` is now `{}()`", before.rust, after.rust),
        );
    }
    if !before.calls.is_empty() && gone.is_empty() && !new.is_empty() {
        change(
            Impact::Compatible,
            "method added",
            format!("also sent by {}", call_list(&new)),
        );
    }
}

/// Builder calls as a list for a detail: `` `a()`, `b()` ``.
fn call_list(calls: &[&String]) -> String {
    calls
        .iter()
        .map(|c| format!("`{c}()`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reports an endpoint's paths: its own moved (breaking) or with a
/// parameter renamed (compatible), and other paths gone or new.
fn path_changes(before: &EndpointSurface, after: &EndpointSurface, change: Note<'_>) {
    let shape = |p: &str| PathTemplate::parse(p).shape();
    if shape(&before.path) != shape(&after.path) {
        change(
            Impact::Breaking,
            "path changed",
            format!("`{}` is now `{}`", before.path, after.path),
        );
    } else if before.path != after.path {
        change(
            Impact::Compatible,
            "path parameter renamed",
            format!(
                "`{}` is now `{}`; callers pass it by position",
                before.path, after.path
            ),
        );
    }
    let shapes = |paths: &[String]| -> BTreeMap<String, String> {
        paths.iter().map(|p| (shape(p), p.clone())).collect()
    };
    let (old_alt, new_alt) = (
        shapes(&before.alternate_paths),
        shapes(&after.alternate_paths),
    );
    for (s, p) in &old_alt {
        if !new_alt.contains_key(s) && shape(&after.path) != *s {
            change(
                Impact::Breaking,
                "path removed",
                format!("no longer reachable as `{p}`"),
            );
        }
    }
    for (s, p) in &new_alt {
        if !old_alt.contains_key(s) && shape(&before.path) != *s {
            change(
                Impact::Compatible,
                "path added",
                format!("also reachable as `{p}`"),
            );
        }
    }
}

/// How the changes to one keyed list of typed names (`name` -> type) are
/// reported: a row of the table [`PARAMETERS`], [`BODY_PARAMETERS`].
struct TypedList {
    /// What a name only before is reported as (always breaking).
    removed: &'static str,
    /// What a name whose type changed is reported as (always breaking).
    changed: &'static str,
    /// What a name only after is reported as.
    added: &'static str,
    /// What adding a name of this type means for callers.
    added_impact: fn(&str) -> Impact,
    /// Said after an added name and its type.
    added_note: &'static str,
}

/// An endpoint's parameters: callers pass each one, so a new one breaks them.
const PARAMETERS: TypedList = TypedList {
    removed: "parameter removed",
    changed: "parameter type changed",
    added: "parameter added",
    added_impact: |_| Impact::Breaking,
    added_note: ": callers must pass it",
};

/// An endpoint's body parameters: an optional one (`ty?`) is an `Option`
/// field, left out by default, so only a required one breaks callers.
const BODY_PARAMETERS: TypedList = TypedList {
    removed: "body parameter removed",
    changed: "body parameter type changed",
    added: "body parameter added",
    added_impact: |ty| {
        if ty.ends_with('?') {
            Impact::Compatible
        } else {
            Impact::Breaking
        }
    },
    added_note: "",
};

/// Reports each name of a keyed list that was removed, changed type or was
/// added, labelled as `list` says.
fn typed_list_changes(
    list: &TypedList,
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
    change: Note<'_>,
) {
    for d in diff(before, after) {
        match d {
            Diff::Removed(name, ty) => {
                change(Impact::Breaking, list.removed, format!("`{name}` (`{ty}`)"));
            }
            Diff::Changed(name, ty, now) => change(
                Impact::Breaking,
                list.changed,
                format!("`{name}`: `{ty}` is now `{now}`"),
            ),
            Diff::Added(name, ty) => change(
                (list.added_impact)(ty),
                list.added,
                format!("`{name}` (`{ty}`){}", list.added_note),
            ),
        }
    }
}

/// Reports an enum's members: one under another Rust variant or gone
/// (breaking), or new (compatible).
fn member_changes(before: &TypeSurface, after: &TypeSurface, change: Note<'_>) {
    // A member that stays under another Rust variant breaks its callers.
    for (member, variant) in before.members.iter().zip(&before.variants) {
        let now = after
            .members
            .iter()
            .position(|m| m == member)
            .and_then(|i| after.variants.get(i));
        if let Some(now) = now.filter(|now| *now != variant) {
            change(
                Impact::Breaking,
                "enum variant renamed",
                format!("`models::{}::{variant}` is now `{now}`", before.rust),
            );
        }
    }
    for member in &before.members {
        if !after.members.contains(member) {
            change(
                Impact::Breaking,
                "enum member removed",
                format!("`{member}` of `models::{}`", before.rust),
            );
        }
    }
    for member in &after.members {
        if !before.members.contains(member) {
            change(
                Impact::Compatible,
                "enum member added",
                format!("`{member}` of `models::{}`", after.rust),
            );
        }
    }
}

/// What a set of changes means for the crate's version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SemverHint {
    /// `major` (breaking; `minor` before 1.0), `minor` (additions; `patch`
    /// before 1.0), or `none`.
    pub bump: &'static str,
    /// The version to release next, from `current`.
    pub next: String,
}

impl Report {
    /// How many changes are breaking.
    pub fn breaking(&self) -> usize {
        self.changes
            .iter()
            .filter(|c| c.impact == Impact::Breaking)
            .count()
    }

    /// The version bump these changes call for, from the crate's `current`
    /// version (`major.minor.patch`; before 1.0 a breaking change bumps the
    /// minor number, as Cargo reads versions).
    pub fn semver(&self, current: &str) -> SemverHint {
        let mut parts = current
            .split('.')
            .map(|p| p.parse::<u64>().unwrap_or(0))
            .chain(std::iter::repeat(0));
        let (major, minor, patch) = (
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
        );
        let (bump, next) = match (self.breaking() > 0, self.changes.is_empty(), major) {
            (_, true, _) => ("none", format!("{major}.{minor}.{patch}")),
            (true, _, 0) => ("minor", format!("0.{}.0", minor + 1)),
            (true, _, _) => ("major", format!("{}.0.0", major + 1)),
            (false, _, 0) => ("patch", format!("0.{minor}.{}", patch + 1)),
            (false, _, _) => ("minor", format!("{major}.{}.0", minor + 1)),
        };
        SemverHint { bump, next }
    }

    /// The first line: counts and the semver hint.
    fn headline(&self, current: &str) -> String {
        if self.changes.is_empty() {
            return "API changes: none.".to_owned();
        }
        let breaking = self.breaking();
        let hint = self.semver(current);
        format!(
            "API changes: {breaking} breaking, {} compatible; semver: a {} release, {current} -> {}.",
            self.changes.len() - breaking,
            hint.bump,
            hint.next
        )
    }

    /// The report for a terminal: a headline and one line per change.
    pub fn human(&self, current: &str) -> String {
        let mut out = self.headline(current);
        out.push('\n');
        for c in &self.changes {
            let _ = writeln!(
                out,
                "  {:<10} {:<26} {} {}\n             at {}",
                c.impact.as_str(),
                c.what,
                c.subject,
                c.detail.replace('`', ""),
                c.at
            );
        }
        out
    }

    /// The report as markdown, ready to paste into a pull request.
    pub fn markdown(&self, current: &str) -> String {
        let mut out = format!("### API changes\n\n{}\n", self.headline(current));
        if self.changes.is_empty() {
            return out;
        }
        out.push_str("\n| impact | change | item | detail | docs |\n|---|---|---|---|---|\n");
        for c in &self.changes {
            let impact = match c.impact {
                Impact::Breaking => "**breaking**",
                Impact::Compatible => "compatible",
            };
            let _ = writeln!(
                out,
                "| {impact} | {} | `{}` | {} | `{}` |",
                c.what,
                c.subject,
                c.detail.replace('|', "\\|"),
                c.at
            );
        }
        out
    }
}
