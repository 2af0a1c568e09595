//! The API surface: what users of the generated crate see of the model, in a
//! small, stable JSON record written beside the crate's code
//! (`api-surface/`). The next regen compares the docs' new model with
//! it, so a change report needs no git history; and because regen writes
//! the record, `regen --check` checks it for drift like any other file.
//!
//! The record holds names, shapes and the page each item comes from, never
//! line numbers or descriptions, so edits that do not change the API do not
//! change it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Api, Endpoint, Parameter, RequestBody, TypeDef, TypeKind, TypeRef};

/// The version of the record's format.
pub const FORMAT: u32 = 1;

/// The folder the record is written to, relative to the crate root: its
/// provenance, a file of endpoints per area and a file of types per first
/// letter, so that no file is too large to review and a docs change touches
/// the files of what it changed.
pub const DIR: &str = "api-surface";

/// The file of the record's format and provenance, in [`DIR`].
pub const PROVENANCE: &str = "api-surface/provenance.json";

/// The file of the crate's Cargo features, in [`DIR`].
pub const FEATURES: &str = "api-surface/features.json";

/// The file of what the runtime puts in the crate's API, in [`DIR`].
pub const RUNTIME: &str = "api-surface/runtime.json";

/// The single file earlier generators wrote the record to; still read.
pub const LEGACY_FILE: &str = "api-surface.json";

/// Whether a crate's file (a path relative to its root) is part of the record.
pub fn is_record_file(path: &str) -> bool {
    path == LEGACY_FILE || (path.starts_with("api-surface/") && path.ends_with(".json"))
}

/// Whether a file of the record describes the API (every file of
/// [`Surface::to_files`] but the provenance): what is the same for the same
/// API, whatever docs it was made from.
pub fn is_api_file(path: &str) -> bool {
    path != PROVENANCE && path.starts_with("api-surface/")
}

/// The API surface of a generated crate, and what it was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Surface {
    /// [`FORMAT`].
    pub format: u32,
    /// What the crate was made from.
    pub provenance: Provenance,
    /// Endpoints by API name (`user.get`).
    pub endpoints: BTreeMap<String, EndpointSurface>,
    /// Types by API name (`user`).
    pub types: BTreeMap<String, TypeSurface>,
    /// The crate's Cargo features, but `default`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
    /// What the runtime puts in the crate's API.
    #[serde(default = "RuntimeSurface::before_record")]
    pub runtime: RuntimeSurface,
}

/// What the runtime crate puts in a generated crate's API beside what the
/// docs describe: its version, and the fields it gives every model (through
/// `runtime::model!`) and every page. A change here reaches every
/// application as surely as a change to a documented type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuntimeSurface {
    /// The version of the runtime crate the crate depends on.
    pub version: String,
    /// The fields the runtime declares, by owner and name
    /// (`model.additional_properties`: a field every model has;
    /// `Page.additional_properties`) -> their Rust type.
    pub fields: BTreeMap<String, String>,
}

impl RuntimeSurface {
    /// The runtime at `version`, with `fields` (owner.name, Rust type).
    pub fn new(version: &str, fields: &[(&str, &str)]) -> RuntimeSurface {
        RuntimeSurface {
            version: version.to_owned(),
            fields: fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    /// What the runtime put in the API of every crate whose record has no
    /// [`RUNTIME`] file: version 0.1.0, whose models kept undeclared
    /// properties in a `BTreeMap` of `serde_json::Value`s.
    pub fn before_record() -> RuntimeSurface {
        let map = "std::collections::BTreeMap<String, serde_json::Value>";
        RuntimeSurface::new(
            "0.1.0",
            &[
                ("model.odata_type", "Option<String>"),
                ("model.additional_properties", map),
                ("Page.additional_properties", map),
            ],
        )
    }
}

/// Whether two records, as [`Surface::to_files`] wrote them (path ->
/// text), hold the same endpoints and types, whatever docs they were made
/// from: every file but the provenance is the same. Saves reading both when
/// nothing changed.
pub fn same_api(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> bool {
    let old_api = old.iter().filter(|(p, _)| is_api_file(p));
    let new_api = new.iter().filter(|(p, _)| is_api_file(p));
    old.contains_key(PROVENANCE) && new.contains_key(PROVENANCE) && old_api.eq(new_api)
}

/// What a crate was made from: the docs' content hash and the generator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// `blake3:` and the hash of every page and loaded include file (see
    /// [`docs_hash`](crate::input::docs_hash)).
    pub docs_hash: String,
    /// The generator's version.
    pub generator: String,
}

impl Provenance {
    /// A crate made by this generator from docs whose hash is `docs_hash`.
    pub fn of(docs_hash: &str) -> Provenance {
        Provenance {
            docs_hash: docs_hash.to_owned(),
            generator: crate::base::VERSION.to_owned(),
        }
    }
}

/// An endpoint as users of the crate see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointSurface {
    /// The page that documents it.
    pub page: String,
    /// The Rust method name (of the first of `calls`).
    pub rust: String,
    /// Every builder method that sends it, as `Builder::method`
    /// (`UserCollection::list`, `Client::me`), sorted: the crate's own names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<String>,
    /// The Rust signature of each of `calls`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub signatures: BTreeMap<String, String>,
    /// The HTTP method.
    pub method: String,
    /// The first request line's path, as written.
    pub path: String,
    /// Other paths to it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternate_paths: Vec<String>,
    /// Function parameters: name -> type.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, String>,
    /// The request body: a type, `stream`, or `parameters`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Body parameters of an action: name -> type (`?` after an optional one).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub body_parameters: BTreeMap<String, String>,
    /// The response type (`Collection(user)` for a page of users).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// The area, and so the Cargo feature.
    pub area: String,
}

/// A type as users of the crate see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeSurface {
    /// The page that defines it.
    pub page: String,
    /// The Rust name.
    pub rust: String,
    /// `entity`, `complex` or `enum`.
    pub kind: String,
    /// The base type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// Properties by API name (inherited ones live on the base).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, PropertySurface>,
    /// Enum members, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// The Rust variants of the enum's members, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<String>,
}

/// A property as users of the crate see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertySurface {
    /// The Rust field name.
    pub rust: String,
    /// The type (`Collection(String)` for a collection).
    #[serde(rename = "type")]
    pub ty: String,
    /// Whether the docs say it is read-only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
}

impl Surface {
    /// The surface of `api`, made from docs whose hash is `docs_hash`;
    /// `calls` gives, by endpoint API name, the builder methods that send it
    /// with their Rust signatures.
    pub fn of(
        api: &Api,
        docs_hash: &str,
        calls: &BTreeMap<String, BTreeMap<String, String>>,
        features: Vec<String>,
        runtime: RuntimeSurface,
    ) -> Surface {
        use rayon::prelude::*;
        Surface {
            format: FORMAT,
            provenance: Provenance::of(docs_hash),
            endpoints: api
                .endpoints
                .par_iter()
                .map(|e| {
                    let calls = calls.get(&e.name.api).cloned().unwrap_or_default();
                    (e.name.api.clone(), endpoint(e, calls))
                })
                .collect(),
            types: api
                .types
                .par_iter()
                .map(|t| (t.name.api.clone(), type_surface(t)))
                .collect(),
            features,
            runtime,
        }
    }

    /// The text of [`PROVENANCE`] in the record of a crate made by this
    /// generator from docs whose hash is `docs_hash`: the one file of the
    /// record that depends on the docs' text rather than on the API.
    pub fn provenance_text(docs_hash: &str) -> String {
        head_text(FORMAT, &Provenance::of(docs_hash))
    }

    /// The record as one piece of JSON, pretty, with a final newline.
    pub fn to_json(&self) -> String {
        pretty(self)
    }

    /// Reads a record written as one piece of JSON (the legacy file);
    /// `None` for anything that is not one of this format.
    pub fn from_json(text: &str) -> Option<Surface> {
        serde_json::from_str::<Surface>(text)
            .ok()
            .filter(|s| s.format == FORMAT)
    }

    /// The record as written in the crate, by path relative to its root:
    /// [`PROVENANCE`], `api-surface/endpoints/{area}.json` and
    /// `api-surface/types/{letter}.json`.
    pub fn to_files(&self) -> BTreeMap<String, String> {
        use rayon::prelude::*;
        let mut out = BTreeMap::new();
        out.insert(
            PROVENANCE.to_owned(),
            head_text(self.format, &self.provenance),
        );
        let mut areas: BTreeMap<&str, BTreeMap<&String, &EndpointSurface>> = BTreeMap::new();
        for (name, e) in &self.endpoints {
            areas.entry(&e.area).or_default().insert(name, e);
        }
        out.par_extend(areas.into_par_iter().map(|(area, endpoints)| {
            (
                format!("api-surface/endpoints/{}.json", file_stem(area)),
                pretty(&endpoints),
            )
        }));
        let mut letters: BTreeMap<String, BTreeMap<&String, &TypeSurface>> = BTreeMap::new();
        for (name, t) in &self.types {
            let letter = name
                .chars()
                .next()
                .filter(char::is_ascii_alphabetic)
                .map_or_else(
                    || "other".to_owned(),
                    |c| c.to_ascii_lowercase().to_string(),
                );
            letters.entry(letter).or_default().insert(name, t);
        }
        out.par_extend(
            letters.into_par_iter().map(|(letter, types)| {
                (format!("api-surface/types/{letter}.json"), pretty(&types))
            }),
        );
        out.insert(FEATURES.to_owned(), pretty(&self.features));
        out.insert(RUNTIME.to_owned(), pretty(&self.runtime));
        out
    }

    /// Reads a record from a crate's files (path relative to its root ->
    /// text): the files [`Surface::to_files`] writes, or else the legacy
    /// single file. `None` when there is none of this format.
    pub fn from_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<Surface> {
        let mut head: Option<Head> = None;
        let mut legacy = None;
        let mut endpoints = BTreeMap::new();
        let mut types = BTreeMap::new();
        let mut features = Vec::new();
        let mut runtime = RuntimeSurface::before_record();
        for (path, text) in files {
            if path == RUNTIME {
                runtime = serde_json::from_str(text).ok()?;
            } else if path == FEATURES {
                features = serde_json::from_str(text).ok()?;
            } else if path == PROVENANCE {
                head = serde_json::from_str(text).ok();
            } else if path == LEGACY_FILE {
                legacy = Some(text);
            } else if path.starts_with("api-surface/endpoints/") {
                endpoints
                    .extend(serde_json::from_str::<BTreeMap<String, EndpointSurface>>(text).ok()?);
            } else if path.starts_with("api-surface/types/") {
                types.extend(serde_json::from_str::<BTreeMap<String, TypeSurface>>(text).ok()?);
            }
        }
        match head {
            Some(head) => Some(Surface {
                format: head.format,
                provenance: head.provenance,
                endpoints,
                types,
                features,
                runtime,
            })
            .filter(|s| s.format == FORMAT),
            None => legacy.and_then(Surface::from_json),
        }
    }
}

/// The record's first file: its format and what the crate was made from.
#[derive(Serialize, Deserialize)]
struct Head {
    format: u32,
    provenance: Provenance,
}

/// The text of [`PROVENANCE`]: the record's format and what the crate was
/// made from.
fn head_text(format: u32, provenance: &Provenance) -> String {
    pretty(&Head {
        format,
        provenance: provenance.clone(),
    })
}

/// Pretty JSON with a final newline.
fn pretty(value: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// A file name for an area: lowercase letters, digits and `_`.
fn file_stem(area: &str) -> String {
    let stem: String = area
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if stem.is_empty() {
        "none".to_owned()
    } else {
        stem
    }
}

/// A type reference as the record writes it.
pub fn type_name(ty: &TypeRef, collection: bool) -> String {
    let name = match ty {
        TypeRef::Primitive(p) => p.edm_name().to_owned(),
        TypeRef::Named(n) => n.clone(),
        TypeRef::Unresolved(w) => format!("?{w}"),
    };
    if collection {
        format!("Collection({name})")
    } else {
        name
    }
}

fn parameters(list: &[Parameter]) -> BTreeMap<String, String> {
    list.iter()
        .map(|p| {
            let ty = type_name(&p.ty, p.collection);
            let ty = if p.optional { format!("{ty}?") } else { ty };
            (p.name.api.clone(), ty)
        })
        .collect()
}

fn endpoint(e: &Endpoint, signatures: BTreeMap<String, String>) -> EndpointSurface {
    let calls: Vec<String> = signatures.keys().cloned().collect();
    let (body, body_parameters) = match &e.request_body {
        RequestBody::None => (None, BTreeMap::new()),
        RequestBody::Stream => (Some("stream".to_owned()), BTreeMap::new()),
        RequestBody::Resource { ty } => (Some(type_name(ty, false)), BTreeMap::new()),
        RequestBody::Parameters { parameters: list } => {
            (Some("parameters".to_owned()), parameters(list))
        }
    };
    EndpointSurface {
        page: e.source.file.clone(),
        rust: calls
            .first()
            .and_then(|c| c.rsplit("::").next())
            .map_or_else(|| e.name.rust.clone(), str::to_owned),
        calls,
        signatures,
        method: e.method.as_str().to_owned(),
        path: e.path.to_string(),
        alternate_paths: e.alternate_paths.iter().map(ToString::to_string).collect(),
        parameters: parameters(&e.function_parameters),
        body,
        body_parameters,
        response: e
            .response
            .body
            .as_ref()
            .map(|t| type_name(t, e.response.collection)),
        area: e.area.to_string(),
    }
}

fn type_surface(t: &TypeDef) -> TypeSurface {
    TypeSurface {
        page: t.source.file.clone(),
        rust: t.name.rust.clone(),
        kind: match t.kind {
            TypeKind::Entity => "entity",
            TypeKind::Complex => "complex",
            TypeKind::Enum => "enum",
        }
        .to_owned(),
        base: t.base.clone(),
        properties: t
            .properties
            .iter()
            .map(|p| {
                (
                    p.name.api.clone(),
                    PropertySurface {
                        rust: p.name.rust.clone(),
                        ty: type_name(&p.ty, p.collection),
                        read_only: p.read_only,
                    },
                )
            })
            .collect(),
        members: t.members.iter().map(|m| m.name.api.clone()).collect(),
        // Only an enum has variants (a resource page may list members beside
        // a struct's table).
        variants: if t.kind == TypeKind::Enum {
            t.members.iter().map(|m| m.name.rust.clone()).collect()
        } else {
            Vec::new()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Api;

    /// The record checked in with `generated/`, read from its files.
    fn checked_in() -> (BTreeMap<String, String>, Surface) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated");
        let mut files = BTreeMap::new();
        for sub in ["", "endpoints", "types"] {
            let dir = root.join(DIR).join(sub);
            for entry in std::fs::read_dir(&dir).expect("the record's folder") {
                let path = entry.expect("entry").path();
                if path.extension().is_some_and(|e| e == "json") {
                    let rel = path.strip_prefix(&root).expect("below the crate");
                    let rel = rel.to_string_lossy().replace('\\', "/");
                    files.insert(rel, std::fs::read_to_string(&path).expect("readable"));
                }
            }
        }
        let surface = Surface::from_files(files.iter().map(|(p, t)| (p.as_str(), t.as_str())))
            .expect("the checked-in record reads");
        (files, surface)
    }

    #[test]
    fn the_record_reads_back_as_written() {
        let (files, surface) = checked_in();
        assert_eq!(surface.to_files(), files);
        // The legacy single file reads too.
        let legacy = surface.to_json();
        let read = Surface::from_files([(LEGACY_FILE, legacy.as_str())]).expect("legacy");
        assert_eq!(read, surface);
    }

    #[test]
    fn the_same_api_from_other_docs_is_the_same_and_shows_no_change() {
        let (files, surface) = checked_in();
        let mut other = surface.clone();
        other.provenance.docs_hash = "blake3:0000".to_owned();
        let other_files = other.to_files();
        assert_ne!(files, other_files);
        assert!(same_api(&files, &other_files));
        assert_eq!(
            crate::review::compare(&surface, &other, &Api::default()),
            crate::review::Report::default()
        );
        let mut changed = other.clone();
        changed.endpoints.pop_first();
        assert!(!same_api(&files, &changed.to_files()));
        assert!(!same_api(&BTreeMap::new(), &BTreeMap::new()));
    }
}
