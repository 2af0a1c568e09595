//! Areas: which part of the API an endpoint belongs to. Each area becomes a
//! Cargo feature of the generated crate, so that an application compiles only
//! the endpoints (and the types) it uses.
//!
//! The rule: an endpoint's area is the first segment of its first request
//! line (`/deviceManagement/...` is `device_management`). Where that segment
//! says nothing about the service (`/me`, `/users`: mail, calendars, drives
//! and Teams all live below them), the page's `ms.subservice`, else its
//! `ms.prod`, names the area (`outlook`, `planner`); a page with neither is in
//! `users`. A path with no first segment uses the page's product too, else
//! `other`.

use heck::ToSnakeCase;
use serde::Serialize;

use crate::model::{PathTemplate, Segment};

/// First path segments too generic to name an area.
const GENERIC_ROOTS: &[&str] = &["me", "users"];

/// Names a generated crate uses for features of its own.
const RESERVED: &[&str] = &["default", "full"];

/// An area's name: the Cargo feature that enables its endpoints. Lowercase
/// snake case, starting with a letter, never `default` or `full`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Area(String);

impl Area {
    /// The area of an endpoint whose first request line is `path`, on a page
    /// with this `ms.subservice` and `ms.prod`.
    pub fn of(path: &PathTemplate, subservice: Option<&str>, prod: Option<&str>) -> Area {
        let product = subservice
            .into_iter()
            .chain(prod)
            .map(|p| Area::from_text(&p.to_ascii_lowercase()))
            .find(|a| !a.0.is_empty());
        let first = path.segments.first().and_then(|s| match s {
            Segment::Literal { name }
            | Segment::Function { name, .. }
            | Segment::KeyedLiteral { name, .. } => Some(name.as_str()),
            _ => None,
        });
        match first {
            Some(root) if GENERIC_ROOTS.iter().any(|g| root.eq_ignore_ascii_case(g)) => {
                product.unwrap_or_else(|| Area("users".to_owned()))
            }
            Some(root) => {
                let area = Area::from_text(root);
                if area.0.is_empty() {
                    product.unwrap_or_else(|| Area("other".to_owned()))
                } else {
                    area
                }
            }
            None => product.unwrap_or_else(|| Area("other".to_owned())),
        }
    }

    /// Any text as an area name: snake case of its letters and digits
    /// (`microsoft-teams` is `microsoft_teams`), empty when it has none.
    pub fn from_text(text: &str) -> Area {
        let cleaned: String = text
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
            .collect();
        let mut name = cleaned.to_snake_case();
        if name.is_empty() {
            return Area(name);
        }
        if name.starts_with(|c: char| c.is_ascii_digit()) {
            name = format!("area_{name}");
        }
        if RESERVED.contains(&name.as_str()) {
            name.push_str("_api");
        }
        Area(name)
    }

    /// An area read back from the regen cache, as it was made.
    pub(crate) fn from_cached(name: String) -> Area {
        Area(name)
    }

    /// The feature name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Area {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Merges areas whose names differ only where the docs cased a path root
/// differently (`/directoryRoles` and `/directoryroles` give
/// `directory_roles` and `directoryroles`; Graph reads paths
/// case-insensitively): each such endpoint joins the spelling most
/// endpoints use (ties go to the one with more words, then the first by
/// name), with a `path-root-case` warning at its request line.
pub fn merge_case_variants(
    endpoints: &mut [crate::model::Endpoint],
    diags: &mut Vec<crate::base::diagnostics::Diagnostic>,
) {
    use std::collections::BTreeMap;
    let key = |a: &Area| a.0.replace('_', "");
    let mut counts: BTreeMap<String, BTreeMap<&Area, usize>> = BTreeMap::new();
    for e in endpoints.iter() {
        *counts
            .entry(key(&e.area))
            .or_default()
            .entry(&e.area)
            .or_default() += 1;
    }
    let canonical: BTreeMap<Area, (Area, usize)> = counts
        .values()
        .filter(|spellings| spellings.len() > 1)
        .flat_map(|spellings| {
            let (best, best_count) = spellings
                .iter()
                .max_by(|(a, n), (b, m)| {
                    n.cmp(m)
                        .then(a.0.matches('_').count().cmp(&b.0.matches('_').count()))
                        .then(b.0.cmp(&a.0))
                })
                .map(|(a, n)| ((*a).clone(), *n))
                .unwrap_or_else(|| (Area(String::new()), 0));
            spellings
                .keys()
                .filter(|a| ***a != best)
                .map(|a| ((*a).clone(), (best.clone(), best_count)))
                .collect::<Vec<_>>()
        })
        .collect();
    // The spelling of each path root that most endpoints use.
    let mut roots: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for e in endpoints.iter() {
        for p in std::iter::once(&e.path).chain(&e.alternate_paths) {
            if let Some(crate::model::Segment::Literal { name }) = p.segments.first() {
                *roots
                    .entry(name.to_ascii_lowercase())
                    .or_default()
                    .entry(name.clone())
                    .or_default() += 1;
            }
        }
    }
    let root_spelling = |name: &str| -> Option<String> {
        roots
            .get(&name.to_ascii_lowercase())?
            .iter()
            .max_by(|(a, n), (b, m)| n.cmp(m).then(b.cmp(a)))
            .map(|(s, _)| s.clone())
    };
    for e in endpoints.iter_mut() {
        let Some((best, count)) = canonical.get(&e.area) else {
            continue;
        };
        // Its paths are spelt as the others', so the client has one module
        // and one builder for the root, not two that differ in case.
        for p in std::iter::once(&mut e.path).chain(&mut e.alternate_paths) {
            let spelling = match p.segments.first() {
                Some(crate::model::Segment::Literal { name }) => root_spelling(name),
                _ => None,
            };
            if let Some(spelling) = spelling {
                p.respell_root(&spelling);
            }
        }
        diags.push(crate::base::diagnostics::Diagnostic {
            code: crate::base::diagnostics::Code::PathRootCase,
            file: e.source.file.clone(),
            line: e.source.line,
            column: e.source.column,
            span: e.source.span,
            message: format!(
                "the area `{}` of `{}` differs only in case from `{best}`, which {count} endpoint(s) have; it joins `{best}`",
                e.area, e.name.api
            ),
            help: "spell the path's first segment (or the page's `ms.prod`) as the other pages do; Graph reads paths either way, and the client sends the others' spelling"
                .to_owned(),
            related: Vec::new(),
            fix: None,
        });
        e.area = best.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(path: &str, subservice: Option<&str>, prod: Option<&str>) -> String {
        Area::of(&PathTemplate::parse(path), subservice, prod).0
    }

    #[test]
    fn the_first_segment_names_the_area() {
        assert_eq!(
            area(
                "/deviceManagement/hardwareConfigurations/{id}",
                None,
                Some("intune")
            ),
            "device_management"
        );
        assert_eq!(
            area("/groups/{id}/members", None, Some("outlook")),
            "groups"
        );
        assert_eq!(
            area("/workbook/range(address='A1')", None, None),
            "workbook"
        );
    }

    #[test]
    fn generic_roots_take_the_page_product() {
        assert_eq!(area("/me/messages", None, Some("outlook")), "outlook");
        assert_eq!(
            area("/users/{id}/joinedTeams", None, Some("microsoft-teams")),
            "microsoft_teams"
        );
        assert_eq!(
            area(
                "/users/{id}",
                Some("entra-users"),
                Some("microsoft-identity-platform")
            ),
            "entra_users"
        );
        assert_eq!(area("/users", None, None), "users");
        assert_eq!(area("/me/drive", None, Some("SharePoint")), "sharepoint");
        assert_eq!(area("/me", None, Some("  ")), "users");
    }

    #[test]
    fn names_are_valid_feature_names() {
        assert_eq!(Area::from_text("Full").as_str(), "full_api");
        assert_eq!(Area::from_text("default").as_str(), "default_api");
        assert_eq!(Area::from_text("365-apps").as_str(), "area_365_apps");
        assert_eq!(Area::from_text("$batch").as_str(), "batch");
        assert_eq!(Area::from_text("Cloud Printing").as_str(), "cloud_printing");
        assert_eq!(Area::from_text("–").as_str(), "");
        assert_eq!(area("/{id}", None, None), "other");
    }
}
