//! Cargo features: one per [`Area`], and `full` for all of them. This module
//! decides which features compile each item; the emitters write the
//! `#[cfg(...)]` attributes.
//!
//! The rule (ARCHITECTURE.md explains it):
//! - An endpoint, and its builder method, is compiled with its area.
//! - A builder is compiled with any area of the endpoints below it.
//! - A type is compiled with every area that needs it: the areas whose
//!   endpoints name it (response, body, parameters), and, following
//!   properties, the areas of the types that contain it. Relationships
//!   (navigation properties, or properties typed as an entity) are not
//!   followed: such a property is itself gated on its target's features, and
//!   with the target's features off its value lands in
//!   `additional_properties`.
//! - A type no endpoint reaches is compiled with `full` only.
//! - An item every area needs is always compiled.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::models::{ActionBody, fields};
use crate::model::{Api, Area, Endpoint, RequestBody, TypeKind, TypeRef};

/// The feature that enables every area.
pub const FULL: &str = "full";

/// When an item is compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// Always.
    Always,
    /// With any of these features (never empty).
    Any(BTreeSet<String>),
}

impl Gate {
    /// Whether every build that compiles `self` compiles `other` too.
    pub fn implies(&self, other: &Gate) -> bool {
        match (self, other) {
            (_, Gate::Always) => true,
            (Gate::Always, Gate::Any(_)) => false,
            // `full` enables every area, so it implies any gate.
            (Gate::Any(mine), Gate::Any(theirs)) => {
                mine.iter().all(|f| f == FULL || theirs.contains(f))
            }
        }
    }

    /// Compiled when either is.
    pub fn union(&self, other: &Gate) -> Gate {
        match (self, other) {
            (Gate::Any(a), Gate::Any(b)) => Gate::Any(a.union(b).cloned().collect()),
            _ => Gate::Always,
        }
    }

    /// The `#[cfg(...)]` attribute, or nothing when always compiled.
    pub fn attr(&self) -> TokenStream {
        match self {
            Gate::Always => quote!(),
            Gate::Any(features) if features.len() == 1 => {
                let f = features.iter().next();
                quote!(#[cfg(feature = #f)])
            }
            Gate::Any(features) => {
                let f = features.iter();
                quote!(#[cfg(any(#(feature = #f),*))])
            }
        }
    }

    /// [`attr`](Self::attr) as text in rustfmt's style, with a newline;
    /// empty for [`Gate::Always`].
    pub fn attr_text(&self) -> String {
        let features: Vec<String> = match self {
            Gate::Always => return String::new(),
            Gate::Any(features) => features
                .iter()
                .map(|f| format!("feature = \"{f}\""))
                .collect(),
        };
        match features.as_slice() {
            [one] => format!("#[cfg({one})]\n"),
            many => format!("#[cfg(any({}))]\n", many.join(", ")),
        }
    }

    /// The attribute for an item inside one compiled with `outer`: nothing
    /// when `outer` already implies this gate.
    pub fn attr_within(&self, outer: &Gate) -> TokenStream {
        if outer.implies(self) {
            quote!()
        } else {
            self.attr()
        }
    }
}

/// The features of a crate, and the gate of every type and body struct.
#[derive(Debug, Default)]
pub struct Features {
    /// Every area, sorted.
    pub areas: BTreeSet<Area>,
    /// Gates of the model types, by API name.
    types: BTreeMap<String, Gate>,
    /// How many endpoints and types each area compiles, for the manifest.
    pub counts: BTreeMap<Area, (usize, usize)>,
}

impl Features {
    /// Plans the features of `api`.
    pub fn plan(api: &Api) -> Features {
        let areas: BTreeSet<Area> = api.endpoints.iter().map(|e| e.area.clone()).collect();
        let mut reached: BTreeMap<&str, BTreeSet<&Area>> = BTreeMap::new();
        for e in &api.endpoints {
            let mut stack: Vec<&str> = roots(e).collect();
            while let Some(name) = stack.pop() {
                let Some(ty) = api.type_named(name) else {
                    continue;
                };
                if !reached
                    .entry(ty.name.api.as_str())
                    .or_default()
                    .insert(&e.area)
                {
                    continue;
                }
                for f in fields(api, ty) {
                    if let TypeRef::Named(n) = &f.prop.ty {
                        if !is_relationship(api, f.prop.navigation, n) {
                            stack.push(n);
                        }
                    }
                }
            }
        }
        let mut counts: BTreeMap<Area, (usize, usize)> =
            areas.iter().map(|a| (a.clone(), (0, 0))).collect();
        for e in &api.endpoints {
            if let Some(c) = counts.get_mut(&e.area) {
                c.0 += 1;
            }
        }
        for found in reached.values() {
            for a in found {
                if let Some(c) = counts.get_mut(*a) {
                    c.1 += 1;
                }
            }
        }
        let mut features = Features {
            areas,
            types: BTreeMap::new(),
            counts,
        };
        let types = api
            .types
            .iter()
            .map(|t| {
                let gate = match reached.get(t.name.api.as_str()) {
                    Some(found) => features.gate(found.iter().copied()),
                    None => Gate::Any([FULL.to_owned()].into()),
                };
                (t.name.api.clone(), gate)
            })
            .collect();
        features.types = types;
        features
    }

    /// The gate for items needed by these areas: always, when they are all
    /// the crate's areas.
    pub fn gate<'a>(&self, areas: impl IntoIterator<Item = &'a Area>) -> Gate {
        let set: BTreeSet<&Area> = areas.into_iter().collect();
        if set.is_empty()
            || set.len() == self.areas.len() && set.iter().all(|a| self.areas.contains(*a))
        {
            Gate::Always
        } else {
            Gate::Any(set.into_iter().map(|a| a.as_str().to_owned()).collect())
        }
    }

    /// The gate of a model type, by API name (always, for a name no type has).
    pub fn of_type(&self, api_name: &str) -> Gate {
        self.types.get(api_name).cloned().unwrap_or(Gate::Always)
    }

    /// The gate of an action's body struct: its endpoint's area.
    pub fn of_body(&self, body: &ActionBody<'_>) -> Gate {
        self.gate([&body.endpoint.area])
    }

    /// The gate of a property of type `target` inside a type gated `owner`:
    /// relationships carry their target's gate, other properties need none
    /// (the owner's features compile their types).
    pub fn of_property(&self, api: &Api, navigation: bool, target: &TypeRef) -> Option<Gate> {
        match target {
            TypeRef::Named(n) if is_relationship(api, navigation, n) => Some(self.of_type(n)),
            _ => None,
        }
    }
}

/// Whether a property typed `target` is a relationship, which the closure
/// of an area does not follow.
fn is_relationship(api: &Api, navigation: bool, target: &str) -> bool {
    api.type_named(target)
        .is_some_and(|t| navigation && t.kind != TypeKind::Enum || t.kind == TypeKind::Entity)
}

/// The types an endpoint names: its response, its body and its parameters.
fn roots(e: &Endpoint) -> impl Iterator<Item = &str> {
    let body: Vec<&TypeRef> = match &e.request_body {
        RequestBody::Resource { ty } => vec![ty],
        RequestBody::Parameters { parameters } => parameters.iter().map(|p| &p.ty).collect(),
        RequestBody::None | RequestBody::Stream => Vec::new(),
    };
    e.response
        .body
        .iter()
        .chain(body)
        .chain(e.function_parameters.iter().map(|p| &p.ty))
        .chain(e.path_parameters.iter().map(|p| &p.ty))
        .filter_map(|t| match t {
            TypeRef::Named(n) => Some(n.as_str()),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any(features: &[&str]) -> Gate {
        Gate::Any(features.iter().map(|f| (*f).to_owned()).collect())
    }

    #[test]
    fn gates_imply_union_and_print() {
        assert!(any(&["users"]).implies(&any(&["users", "groups"])));
        assert!(!any(&["users", "groups"]).implies(&any(&["users"])));
        assert!(any(&[FULL]).implies(&any(&["users"])));
        assert!(!any(&["users"]).implies(&any(&[FULL])));
        assert!(!Gate::Always.implies(&any(&["users"])));
        assert!(any(&["users"]).implies(&Gate::Always));
        assert_eq!(any(&["a"]).union(&any(&["b"])), any(&["a", "b"]));
        assert_eq!(any(&["a"]).union(&Gate::Always), Gate::Always);
        assert_eq!(any(&["a"]).attr().to_string(), "# [cfg (feature = \"a\")]");
        assert_eq!(
            any(&["a", "b"]).attr().to_string(),
            "# [cfg (any (feature = \"a\" , feature = \"b\"))]"
        );
        // Inside an item compiled with `a`, an item for `a` or `b` needs no
        // attribute; inside one for `a` or `b`, an item for `a` does.
        assert!(any(&["a", "b"]).attr_within(&any(&["a"])).is_empty());
        assert!(!any(&["a"]).attr_within(&any(&["a", "b"])).is_empty());
    }

    fn api() -> Api {
        let resource = |name: &str, rows: &str| {
            format!(
                "---\ntitle: \"{name} resource type\"\ndoc_type: resourcePageType\n---\n# {name} resource type\n\n## Properties\n|Property|Type|Description|\n|:---|:---|:---|\n{rows}"
            )
        };
        let get = |title: &str, path: &str, ty: &str| {
            format!(
                "---\ntitle: \"{title}\"\ndoc_type: apiPageType\n---\n# {title}\n\n## HTTP request\n```http\nGET {path}\n```\n\n## Response\nIf successful, this method returns a `200 OK` response code and a [{ty}](../resources/{ty}.md) object in the response body.\n"
            )
        };
        let pages = [
            (
                "resources/user.md",
                resource(
                    "user",
                    "|id|String|Key.|\n|address|[address](address.md)|Where.|\n|device|[device](device.md)|A relationship.|\n",
                ),
            ),
            (
                "resources/address.md",
                resource("address", "|city|String|City.|\n"),
            ),
            (
                "resources/device.md",
                format!(
                    "{}\n## Relationships\n|Relationship|Type|Description|\n|:---|:---|:---|\n",
                    resource("device", "|id|String|Key.|\n")
                ),
            ),
            (
                "resources/orphan.md",
                resource("orphan", "|id|String|Key.|\n"),
            ),
            ("api/user-get.md", get("Get user", "/users/{id}", "user")),
            (
                "api/device-get.md",
                get("Get device", "/devices/{id}", "device"),
            ),
        ];
        let sources: Vec<crate::input::SourcePage<'_>> = pages
            .iter()
            .map(|(path, text)| crate::input::SourcePage { path, text })
            .collect();
        let (read, _) = crate::parse_pages(&sources, &crate::Includes::new());
        crate::build_model(&read).0
    }

    #[test]
    fn an_area_takes_its_types_but_not_its_relationships() {
        let api = api();
        let features = Features::plan(&api);
        let names: Vec<&str> = features.areas.iter().map(Area::as_str).collect();
        assert_eq!(names, ["devices", "users"]);
        assert_eq!(features.of_type("user"), any(&["users"]));
        // A complex property's type comes with the area.
        assert_eq!(features.of_type("address"), any(&["users"]));
        // A relationship does not drag its target in: `device` is the
        // devices area's, and the field is gated on it.
        assert_eq!(features.of_type("device"), any(&["devices"]));
        let user = api.type_named("user").expect("user");
        let device = user
            .properties
            .iter()
            .find(|p| p.name.api == "device")
            .expect("the relationship");
        assert_eq!(
            features.of_property(&api, device.navigation, &device.ty),
            Some(any(&["devices"]))
        );
        // No endpoint reaches `orphan`: only `full` compiles it.
        assert_eq!(features.of_type("orphan"), any(&[FULL]));
        assert_eq!(features.counts[&Area::from_text("users")], (1, 2));
    }
}
