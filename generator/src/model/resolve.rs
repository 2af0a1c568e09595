//! Resolution across pages: merge the drafts of each type, resolve type
//! references, settle kinds and give every name its Rust spelling.

use std::collections::BTreeMap;

use crate::base::diagnostics::diag;
use crate::base::diagnostics::related;
use crate::base::diagnostics::{Code, Diagnostic, Fix, Suggester};
use crate::base::ident::{self as naming, Scope};
use crate::base::{Loc, Method};
use crate::model::api::{
    Api, Endpoint, EnumMember, Name, Parameter, Primitive, Property, RequestBody, Response, Source,
    TypeDef, TypeKind, TypeRef,
};
use crate::model::draft::{DraftEndpoint, DraftParameter, DraftRequestBody};
use crate::model::draft::{DraftProperty, DraftType, Origin};
use crate::model::graph::SortedTypes;
use crate::model::path::{PathTemplate, Segment};
use crate::model::types::{CellTarget, TypeCell};

/// Finds types by name, case-insensitively, or by the page that defines them.
struct Registry {
    exact: BTreeMap<String, String>,
    lower: BTreeMap<String, String>,
    stems: BTreeMap<String, String>,
}

impl Registry {
    fn new(types: &[DraftType]) -> Self {
        let mut r = Registry {
            exact: BTreeMap::new(),
            lower: BTreeMap::new(),
            stems: BTreeMap::new(),
        };
        for t in types {
            r.exact.insert(t.name.clone(), t.name.clone());
            r.lower
                .entry(t.name.to_ascii_lowercase())
                .or_insert_with(|| t.name.clone());
            if !t.page_stem.is_empty() && t.origin == Origin::TypePage {
                r.stems
                    .entry(t.page_stem.clone())
                    .or_insert_with(|| t.name.clone());
            }
        }
        r
    }

    fn find(&self, name: &str, link: Option<&str>) -> Option<&String> {
        self.exact
            .get(name)
            .or_else(|| self.lower.get(&name.to_ascii_lowercase()))
            .or_else(|| link.and_then(|l| self.stems.get(l).or_else(|| self.lower.get(l))))
    }
}

/// Resolves the drafts of all pages into the model.
pub fn resolve(
    types: Vec<DraftType>,
    endpoints: Vec<DraftEndpoint>,
    diags: &mut Vec<Diagnostic>,
) -> Api {
    let merged = merge_types(types, diags);
    let resolver = Resolver {
        registry: Registry::new(&merged),
        names: Suggester::new(merged.iter().map(|t| t.name.as_str())),
        suggested: Default::default(),
    };
    // Types and endpoints resolve on every thread; each keeps its findings,
    // which join in order.
    use rayon::prelude::*;
    let resolved: Vec<(TypeDef, Vec<Diagnostic>)> = merged
        .into_par_iter()
        .map(|t| {
            let mut found = Vec::new();
            (resolver.type_def(t, &mut found), found)
        })
        .collect();
    let mut defs = Vec::with_capacity(resolved.len());
    for (def, found) in resolved {
        defs.push(def);
        diags.extend(found);
    }
    let mut defs = SortedTypes::new(defs);
    // Types are named while endpoints resolve and merge: merging reads only
    // the types' API names and bases, which naming leaves as they are.
    let bases = BaseIndex::of(&defs);
    let mut type_diags = Vec::new();
    let ((), (out, endpoint_diags)) = rayon::join(
        || {
            settle_kinds(&mut defs);
            name_types(&mut defs, &mut type_diags);
        },
        || resolve_endpoints(&resolver, endpoints, &bases),
    );
    diags.extend(type_diags);
    diags.extend(endpoint_diags);
    Api {
        endpoints: out,
        types: defs,
    }
}

/// The endpoints resolved against the types, merged where they share an
/// operation and named, with what was found on the way.
fn resolve_endpoints(
    resolver: &Resolver,
    endpoints: Vec<DraftEndpoint>,
    bases: &BaseIndex,
) -> (Vec<Endpoint>, Vec<Diagnostic>) {
    use rayon::prelude::*;
    let resolved: Vec<(Endpoint, Vec<Diagnostic>)> = endpoints
        .into_par_iter()
        .map(|e| {
            let mut found = Vec::new();
            (resolver.endpoint(e, &mut found), found)
        })
        .collect();
    let mut diags = Vec::new();
    let mut out = Vec::with_capacity(resolved.len());
    for (endpoint, found) in resolved {
        out.push(endpoint);
        diags.extend(found);
    }
    out.sort_by(|a, b| {
        a.name
            .api
            .cmp(&b.name.api)
            .then_with(|| a.source.cmp(&b.source))
    });
    let mut out = merge_endpoints(out, bases, &mut diags);
    name_endpoints(&mut out, &mut diags);
    (out, diags)
}

/// Each type's base by API name, sorted: what merging endpoints reads of
/// the types.
struct BaseIndex(Vec<(String, Option<String>)>);

impl BaseIndex {
    fn of(types: &SortedTypes) -> BaseIndex {
        BaseIndex(
            types
                .iter()
                .map(|d| (d.name.api.clone(), d.base.clone()))
                .collect(),
        )
    }

    /// A type and its bases, nearest first (a cycle stops at its repeat).
    fn lineage<'a>(&'a self, name: &'a str) -> Vec<&'a str> {
        let mut out = vec![name];
        let mut at = name;
        while let Ok(i) = self.0.binary_search_by(|(n, _)| n.as_str().cmp(at)) {
            match self.0[i].1.as_deref() {
                Some(base) if !out.contains(&base) => {
                    out.push(base);
                    at = base;
                }
                _ => break,
            }
        }
        out
    }

    /// The nearest common base of two types, if it is more than `entity`.
    fn common_base<'a>(&'a self, a: &'a str, b: &'a str) -> Option<&'a str> {
        let theirs = self.lineage(b);
        self.lineage(a)
            .into_iter()
            .find(|t| theirs.contains(t))
            .filter(|t| *t != "entity")
    }
}

/// Resolves the references of drafts against the merged types.
struct Resolver {
    registry: Registry,
    /// Every type name, for "did you mean".
    names: Suggester,
    /// Suggestions already made, by the name asked about: the same wrong
    /// name is often written on many pages.
    suggested: std::sync::Mutex<BTreeMap<String, Option<String>>>,
}

impl Resolver {
    /// The suggestions made so far (a lock poisoned by a panic elsewhere
    /// still holds good answers).
    fn suggestions(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Option<String>>> {
        self.suggested
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The type a cell names, or `Unresolved` with a diagnostic (with a fix
    /// where the name is a near miss written in a table row: `in_table`).
    fn cell(
        &self,
        cell: &TypeCell,
        file: &str,
        at: Loc,
        what: impl FnOnce() -> String,
        in_table: bool,
        diags: &mut Vec<Diagnostic>,
    ) -> TypeRef {
        match &cell.target {
            CellTarget::Primitive(p) => TypeRef::Primitive(*p),
            CellTarget::Named { name, link } => match self.registry.find(name, link.as_deref()) {
                Some(found) => TypeRef::Named(found.clone()),
                None => {
                    let known = self.suggestions().get(name).cloned();
                    let suggestion = known.unwrap_or_else(|| {
                        // A cell without a link may be a misspelt primitive.
                        let primitive = link
                            .is_none()
                            .then(|| PRIMITIVES.with(|p| p.suggest(name).map(str::to_owned)))
                            .flatten();
                        let s = primitive.or_else(|| self.names.suggest(name).map(str::to_owned));
                        self.suggestions().insert(name.clone(), s.clone());
                        s
                    });
                    let help = match &suggestion {
                        Some(s) => {
                            format!("did you mean `{s}`? an untyped JSON value is used meanwhile")
                        }
                        None => format!(
                            "add a resource page for `{name}`, or fix the name; an untyped JSON value is used meanwhile"
                        ),
                    };
                    let mut d = diag(
                        file,
                        at,
                        Code::TypeUnresolved,
                        format!("{} has type `{name}`, which no page defines", what()),
                        help,
                    );
                    // The name is replaced in its row where the cell is
                    // plain text (a link's target would need fixing too)
                    // and the suggestion is a near miss.
                    d.fix = suggestion
                        .filter(|s| in_table && link.is_none() && type_near_miss(name, s))
                        .map(|s| Fix::one(format!("write `{s}`"), at.span, name.as_str(), s));
                    diags.push(d);
                    TypeRef::Unresolved(name.clone())
                }
            },
            CellTarget::Invalid => TypeRef::Primitive(Primitive::Json),
        }
    }

    /// A type with its base and property types resolved; Rust names come later.
    fn type_def(&self, t: DraftType, diags: &mut Vec<Diagnostic>) -> TypeDef {
        let base = t.base.as_ref().and_then(|b| {
            match self.registry.find(b, Some(&b.to_ascii_lowercase())) {
                Some(found) if *found != t.name => Some(found.clone()),
                Some(_) => None,
                None => {
                    diags.push(diag(
                        &t.source.file,
                        t.at,
                        Code::BaseTypeUnresolved,
                        format!("base type `{b}` of `{}` is not defined by any page", t.name),
                        format!(
                            "add a resource page for `{b}`; `{}` was modelled without a base",
                            t.name
                        ),
                    ));
                    None
                }
            }
        });
        let properties = t
            .properties
            .into_iter()
            .map(|p| Property {
                ty: self.cell(
                    &p.cell,
                    &t.source.file,
                    p.at,
                    || format!("property `{}.{}`", t.name, p.name),
                    true,
                    diags,
                ),
                name: Name {
                    api: p.name,
                    rust: String::new(),
                },
                collection: p.cell.collection,
                nullable: !p.not_nullable,
                read_only: p.read_only,
                navigation: p.navigation,
                description: p.description,
                source: Source::at(&t.source.file, p.at),
            })
            .collect();
        let members = t
            .members
            .into_iter()
            .map(|m| EnumMember {
                name: Name {
                    api: m.name,
                    rust: String::new(),
                },
                value: m.value,
                description: m.description,
            })
            .collect();
        TypeDef {
            name: Name {
                api: t.name,
                rust: String::new(),
            },
            kind: t.kind,
            base,
            description: t.description,
            properties,
            members,
            key: t.key,
            open: t.open,
            source: t.source,
            pages: t.pages,
            representation: t.representation,
        }
    }

    /// Named, typed parameters (Rust names unique within the list).
    fn parameters(
        &self,
        list: &[DraftParameter],
        file: &str,
        what: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Vec<Parameter> {
        let mut scope = Scope::default();
        list.iter()
            .map(|p| {
                let (rust, _) = scope.claim(&p.name, naming::snake_ident(&p.name));
                Parameter {
                    name: Name {
                        api: p.name.clone(),
                        rust,
                    },
                    ty: self.cell(
                        &p.cell,
                        file,
                        p.at,
                        || format!("{what} `{}`", p.name),
                        true,
                        diags,
                    ),
                    collection: p.cell.collection,
                    optional: p.optional,
                    description: p.description.clone(),
                    source: Source::at(file, p.at),
                }
            })
            .collect()
    }

    /// An endpoint with its name, parameters, body and response resolved.
    fn endpoint(&self, e: DraftEndpoint, diags: &mut Vec<Diagnostic>) -> Endpoint {
        let resource = self
            .registry
            .find(&e.resource_stem, None)
            .cloned()
            .or(e.resource_hint.clone())
            .unwrap_or_else(|| e.resource_stem.clone());
        let at = e.at;
        let function_parameters =
            self.parameters(&e.function_parameters, &e.file, "function parameter", diags);
        let path_parameters = self.parameters(&e.path_parameters, &e.file, "path parameter", diags);
        let request_body = match &e.body {
            DraftRequestBody::None => RequestBody::None,
            DraftRequestBody::Stream => RequestBody::Stream,
            DraftRequestBody::Resource(cell) => RequestBody::Resource {
                ty: self.cell(
                    cell,
                    &e.file,
                    at,
                    || "request body".to_owned(),
                    false,
                    diags,
                ),
            },
            DraftRequestBody::Parameters(list) => RequestBody::Parameters {
                parameters: self.parameters(list, &e.file, "body parameter", diags),
            },
        };
        let body = e
            .response
            .body
            .as_ref()
            .map(|c| self.cell(c, &e.file, at, || "response body".to_owned(), false, diags));
        check_response(&e, body.as_ref(), diags);
        let collection = e.response.collection || answers_a_page(&e, body.as_ref(), diags);
        Endpoint {
            name: Name {
                api: format!("{resource}.{}", e.action),
                rust: String::new(),
            },
            source: Source::at(&e.file, at),
            title: e.title,
            description: e.description,
            method: e.method,
            path: e.path,
            alternate_paths: e.alternate_paths,
            permissions: e.permissions,
            headers: e.headers,
            query_options: e.query_options,
            function_parameters,
            path_parameters,
            request_body,
            response: Response {
                status: e.response.status,
                body,
                collection,
                monitored: e.response.monitored,
                media_type: e.response.media_type,
            },
            examples: e.examples,
            pages: vec![e.file.clone()],
            area: e.area,
        }
    }
}

/// Whether a GET whose page names one object answers a collection page
/// after all: its path ends in a collection (not a key), and an example
/// response is a page (a `value` array, and no `@odata.context` that ends in
/// `/$entity`). Then it is typed as a collection, with a warning; one typed
/// as a single object would decode the page into an empty object.
fn answers_a_page(e: &DraftEndpoint, body: Option<&TypeRef>, diags: &mut Vec<Diagnostic>) -> bool {
    if e.method != Method::Get
        || body.is_none()
        || matches!(body, Some(TypeRef::Primitive(Primitive::Stream)))
        || matches!(
            e.path.segments.last(),
            None | Some(Segment::Key { .. } | Segment::Value | Segment::Count | Segment::Ref)
        )
    {
        return false;
    }
    let page = e.examples.iter().find(|x| {
        x.response_body.as_ref().is_some_and(|b| {
            b.get("value").is_some_and(serde_json::Value::is_array)
                && !b
                    .get("@odata.context")
                    .and_then(serde_json::Value::as_str)
                    .is_some_and(|c| c.ends_with("$entity"))
        })
    });
    let Some(example) = page else {
        return false;
    };
    let at = example.response_source.as_ref().unwrap_or(&example.source);
    let mut d = diag(
        &e.file,
        e.at,
        Code::ResponseShapeFromExample,
        format!(
            "the Response section names one object, but `{} {}` ends in a collection and its example answers a page of them",
            e.method.as_str(),
            e.path
        ),
        "say `a collection of [type](...) objects` in the Response section; it is typed as a collection".to_owned(),
    );
    d.related.push(related_at(at, "the example answers a page"));
    diags.push(d);
    true
}

/// Reports a response whose status, or whose GET body type, is unknown.
fn check_response(e: &DraftEndpoint, body: Option<&TypeRef>, diags: &mut Vec<Diagnostic>) {
    if e.response.status.is_none() {
        diags.push(diag(
            &e.file,
            e.at,
            Code::ResponseStatusUnknown,
            "the page states no success status code".to_owned(),
            "say `returns a `200 OK` response code` in the Response section; 200 is assumed"
                .to_owned(),
        ));
    }
    if body.is_none()
        && e.response.status.is_some_and(|s| s != 204)
        && e.method == crate::base::Method::Get
    {
        diags.push(diag(
            &e.file,
            e.at,
            Code::ResponseTypeUnknown,
            "the response body type could not be determined".to_owned(),
            "link the returned resource in the Response section; an untyped JSON value is used"
                .to_owned(),
        ));
    }
}

/// Merges drafts of one type: the type page is the authority; api pages'
/// tables add what it lacks, and disagreements are reported.
fn merge_types(mut drafts: Vec<DraftType>, diags: &mut Vec<Diagnostic>) -> Vec<DraftType> {
    drafts.sort_by(|a, b| {
        a.origin
            .cmp(&b.origin)
            .then_with(|| a.source.cmp(&b.source))
    });
    let mut merged: Vec<DraftType> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for draft in drafts {
        let key = draft.name.to_ascii_lowercase();
        let Some(&i) = index.get(&key) else {
            index.insert(key, merged.len());
            merged.push(draft);
            continue;
        };
        merge_draft(&mut merged[i], draft, diags);
    }
    merged
}

/// Merges a later draft of a type into the `existing` one: its pages,
/// the properties and members it alone has, and a representation and base
/// the existing one lacks. A second type page is reported.
fn merge_draft(existing: &mut DraftType, draft: DraftType, diags: &mut Vec<Diagnostic>) {
    for page in &draft.pages {
        if !existing.pages.contains(page) {
            existing.pages.push(page.clone());
        }
    }
    if draft.origin == Origin::TypePage {
        let mut d = diag(
            &draft.source.file,
            draft.at,
            Code::TypeDuplicate,
            format!(
                "type `{}` is also defined in {}",
                draft.name, existing.source.file
            ),
            "the first definition is used; properties only this page has were added".to_owned(),
        );
        d.related.push(related(
            &existing.source.file,
            existing.at,
            "first defined here",
        ));
        diags.push(d);
    }
    for p in draft.properties {
        merge_property(existing, &draft.source.file, p, diags);
    }
    for m in draft.members {
        if !existing.members.iter().any(|n| n.name == m.name) {
            existing.members.push(m);
        }
    }
    if existing.representation.is_none() {
        existing.representation = draft.representation;
    }
    if existing.base.is_none() {
        existing.base = draft.base;
    }
}

/// Merges a property of a later draft (from page `file`) into the
/// `existing` type: a conflicting type is reported, and a property it
/// lacks is added (reported when the existing draft is a type page).
fn merge_property(
    existing: &mut DraftType,
    file: &str,
    p: DraftProperty,
    diags: &mut Vec<Diagnostic>,
) {
    match existing.properties.iter().find(|q| q.name == p.name) {
        Some(q) if !same_type(&q.cell, &p.cell) => {
            let mut d = diag(
                file,
                p.at,
                Code::DefinitionConflict,
                format!(
                    "property `{}.{}` has type `{}` here but `{}` in {}",
                    existing.name, p.name, p.cell.written, q.cell.written, existing.source.file
                ),
                format!("make both pages agree; `{}` was used", q.cell.written),
            );
            d.related.push(related(
                &existing.source.file,
                q.at,
                &format!("`{}` here", q.cell.written),
            ));
            diags.push(d);
        }
        Some(_) => {}
        None => {
            if existing.origin == Origin::TypePage {
                let mut d = diag(
                    file,
                    p.at,
                    Code::DefinitionConflict,
                    format!(
                        "property `{}.{}` is listed here but not in {}",
                        existing.name, p.name, existing.source.file
                    ),
                    "add it to the resource page; it was added to the type".to_owned(),
                );
                d.related.push(related(
                    &existing.source.file,
                    existing.at,
                    "the resource page",
                ));
                diags.push(d);
            }
            existing.properties.push(p);
        }
    }
}

fn same_type(a: &TypeCell, b: &TypeCell) -> bool {
    let key = |c: &TypeCell| match &c.target {
        CellTarget::Primitive(p) => format!("{p:?}"),
        CellTarget::Named { name, .. } => name.to_ascii_lowercase(),
        CellTarget::Invalid => String::new(),
    };
    key(a) == key(b) && a.collection == b.collection
}

/// Entity if the type or an ancestor is `entity` or declares a key, or it has
/// relationships; complex otherwise.
fn settle_kinds(types: &mut SortedTypes) {
    let chains = types.graph().ancestry_positions();
    types.edit(|defs| {
        // Whether each type makes an entity of itself and what derives from
        // it: asked once per type, not once per descendant.
        let keyed: Vec<bool> = defs
            .iter()
            .map(|d| {
                let keyed_id = d.properties.iter().any(|p| {
                    p.name.api == "id" && p.description.to_ascii_lowercase().contains("key")
                });
                d.name.api == "entity"
                    || d.key.is_some()
                    || keyed_id
                    || d.properties.iter().any(|p| p.navigation)
            })
            .collect();
        for (d, chain) in defs.iter_mut().zip(&chains) {
            d.kind = match d.kind {
                TypeKind::Enum => TypeKind::Enum,
                _ if chain.iter().any(|&j| keyed[j]) => TypeKind::Entity,
                _ => TypeKind::Complex,
            };
        }
    });
}

/// Rust names for types, their fields (unique across the inherited set) and
/// enum members.
fn name_types(types: &mut SortedTypes, diags: &mut Vec<Diagnostic>) {
    // Fields: bases first, so a derived type's own fields yield to inherited
    // ones; the ancestry is the type graph's.
    let chains = types.graph().ancestry_positions();
    types.edit(|defs| name_types_by(defs, &chains, diags));
}

/// [`name_types`] with each type's ancestry (positions, nearest first).
fn name_types_by(defs: &mut [TypeDef], chains: &[Vec<usize>], diags: &mut Vec<Diagnostic>) {
    // The names each type and property asks for are made on every thread;
    // who gets them is settled in order below.
    use rayon::prelude::*;
    let wanted: Vec<(String, Vec<String>)> = defs
        .par_iter()
        .map(|d| {
            let fields = match d.kind {
                TypeKind::Enum => Vec::new(),
                _ => d
                    .properties
                    .iter()
                    .map(|p| naming::field_ident(&p.name.api))
                    .collect(),
            };
            (naming::type_ident(&d.name.api), fields)
        })
        .collect();
    let mut type_scope = Scope::default();
    for (d, (ident, _)) in defs.iter_mut().zip(&wanted) {
        let (rust, clash) = type_scope.claim(&d.name.api, ident.clone());
        if let Some(holder) = clash {
            diags.push(diag_at_source(
                &d.source,
                Code::NameCollision,
                format!(
                    "type `{}` and type `{holder}` map to one Rust name",
                    d.name.api
                ),
                format!("`{}` is emitted as `{rust}`", d.name.api),
            ));
        }
        d.name.rust = rust;
    }
    let mut order: Vec<usize> = (0..defs.len()).collect();
    order.sort_by_key(|&i| (chains[i].len(), i));
    for i in order {
        if defs[i].kind == TypeKind::Enum {
            let mut scope = Scope::default();
            for m in &mut defs[i].members {
                let (rust, _) = scope.claim(&m.name.api, naming::variant_ident(&m.name.api));
                m.name.rust = rust;
            }
            continue;
        }
        let mut scope = Scope::with_reserved(&["odata_type", "additional_properties"]);
        let mut inherited: BTreeMap<String, String> = BTreeMap::new();
        for &j in &chains[i][1..] {
            for p in &defs[j].properties {
                inherited
                    .entry(p.name.api.clone())
                    .or_insert_with(|| p.name.rust.clone());
            }
        }
        for (api, rust) in &inherited {
            scope.claim(api, rust.clone());
        }
        let type_name = defs[i].name.api.clone();
        let mut own: BTreeMap<String, String> = BTreeMap::new();
        for (p, field) in defs[i].properties.iter_mut().zip(&wanted[i].1) {
            // A redeclared inherited property keeps the base's name, and a row
            // repeated in one table keeps the first row's name.
            if let Some(rust) = inherited.get(&p.name.api).or_else(|| own.get(&p.name.api)) {
                p.name.rust = rust.clone();
                continue;
            }
            if p.name.api == "@odata.type" {
                // Documented as a property, it is the field every model already has.
                p.name.rust = "odata_type".to_owned();
                continue;
            }
            let (rust, clash) = scope.claim(&p.name.api, field.clone());
            if let Some(holder) = clash.filter(|h| !h.is_empty()) {
                diags.push(diag_at_source(
                    &p.source,
                    Code::NameCollision,
                    format!(
                        "properties `{type_name}.{}` and `{holder}` map to one Rust name",
                        p.name.api
                    ),
                    format!("`{}` is emitted as `{rust}`", p.name.api),
                ));
            }
            own.insert(p.name.api.clone(), rust.clone());
            p.name.rust = rust;
        }
    }
}

/// An operation is its method and path shape, `/me` read as `/users/{id}`
/// (the client serves both through one builder). `shape` is the path's
/// shape, lowercased: Graph reads paths case-insensitively.
fn operation_key(method: Method, shape: &str) -> OpKey {
    let shape = if shape == "/me" {
        "/users/{}".to_owned()
    } else if let Some(rest) = shape.strip_prefix("/me/") {
        format!("/users/{{}}/{rest}")
    } else {
        shape.to_owned()
    };
    (method, shape)
}

/// How strongly a page claims an operation it documents; the strongest
/// claim makes a page the operation's primary page (its name, docs,
/// permissions, headers and feature). Fields compare in order.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Claim<'a> {
    /// The path addresses the page's own resource (`user` and `/users/{id}`).
    own_resource: bool,
    /// A GET's response has the shape the path addresses: a collection for a
    /// path that ends in a collection, one object for a key.
    fits_shape: bool,
    /// The page is the resource's own (`user-get.md`), not a product's view
    /// of it (`intune-devices-user-get.md`).
    own_page: bool,
    /// The page's action is the method's own verb (`update` for PATCH, not
    /// `move`; `get` or `list` for GET; `create` or `post…` for POST).
    method_verb: bool,
    /// The path is the page's first request line, not an alternate.
    main: bool,
    /// Fewer paths: a page about this operation rather than one listing many.
    fewer_paths: std::cmp::Reverse<usize>,
    /// Then the page's file, first in sorted order.
    file: std::cmp::Reverse<&'a str>,
}

fn claim<'a>(e: &'a Endpoint, path: &PathTemplate) -> Claim<'a> {
    let resource = e.name.api.split('.').next().unwrap_or_default();
    let resource = resource.to_ascii_lowercase();
    let stem = e
        .source
        .file
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .trim_end_matches(".md")
        .to_ascii_lowercase();
    let ty = match (&e.request_body, &e.response.body) {
        (_, Some(TypeRef::Named(n))) if e.method == Method::Get => n.to_ascii_lowercase(),
        (
            RequestBody::Resource {
                ty: TypeRef::Named(n),
            },
            _,
        ) => n.to_ascii_lowercase(),
        _ => String::new(),
    };
    let ends_in_key = matches!(path.segments.last(), Some(Segment::Key { .. }));
    Claim {
        own_resource: addresses(path, &resource) || (!ty.is_empty() && addresses(path, &ty)),
        fits_shape: e.method != Method::Get
            || e.response.body.is_none()
            || ends_in_key != e.response.collection,
        own_page: stem.starts_with(&format!("{resource}-")),
        method_verb: is_method_verb(e.method, e.name.api.rsplit('.').next().unwrap_or_default()),
        main: std::ptr::eq(path, &e.path),
        fewer_paths: std::cmp::Reverse(1 + e.alternate_paths.len()),
        file: std::cmp::Reverse(e.source.file.as_str()),
    }
}

/// Whether an action is the plain verb of its method.
fn is_method_verb(method: Method, action: &str) -> bool {
    let action = action.to_ascii_lowercase();
    match method {
        Method::Get => action == "get" || action == "list" || action.starts_with("list"),
        Method::Patch => action == "update",
        Method::Post => action == "create" || action == "add" || action.starts_with("post"),
        Method::Put => action == "update" || action == "replace" || action == "upload",
        Method::Delete => action == "delete",
        _ => false,
    }
}

/// Whether a path's last named segment is the resource (`/users/{id}` and
/// `user`, `/me` and `user`, `/me/events` and `event`).
fn addresses(path: &PathTemplate, resource: &str) -> bool {
    let last = path.segments.iter().rev().find_map(|s| match s {
        Segment::Literal { name } if name.eq_ignore_ascii_case("me") => Some("users".to_owned()),
        Segment::Literal { name } => Some(name.to_ascii_lowercase()),
        Segment::Cast { type_name } => Some(
            type_name
                .rsplit('.')
                .next()
                .unwrap_or(type_name)
                .to_ascii_lowercase(),
        ),
        _ => None,
    });
    last.is_some_and(|last| {
        let singular = last
            .strip_suffix("ies")
            .map(|l| format!("{l}y"))
            .or_else(|| last.strip_suffix('s').map(str::to_owned))
            .unwrap_or_else(|| last.clone());
        // `items` of a drive hold `driveItem`s.
        (singular.len() >= 4 && resource.ends_with(&singular))
            || last == resource
            || last.strip_suffix('s') == Some(resource)
            || last.strip_suffix("es") == Some(resource)
            || (last.strip_suffix("ies").map(|l| format!("{l}y")).as_deref() == Some(resource))
    })
}

/// How a page's operation on a path stands to the primary page's.
enum Reconciled {
    /// They agree on body and response.
    Same,
    /// They name types of one hierarchy: the operation takes their nearest
    /// common base (`mobileApp` for `iosLobApp` and `androidLobApp`).
    Widened {
        /// The request body type the primary takes, if it changes.
        body: Option<String>,
        /// The response type the primary takes, if it changes.
        response: Option<String>,
        /// The types, for the report.
        types: Vec<String>,
    },
    /// They disagree; the sentence says how.
    Conflict(String),
}

/// Compares a page's operation with the primary page's on a shared path:
/// their request bodies and their responses.
fn reconcile(other: &Endpoint, primary: &Endpoint, bases: &BaseIndex) -> Reconciled {
    fn body(e: &Endpoint) -> Option<String> {
        match &e.request_body {
            RequestBody::None => None,
            RequestBody::Stream => Some("binary content".to_owned()),
            RequestBody::Resource { ty } => Some(format!("a `{}`", type_text(ty))),
            RequestBody::Parameters { parameters } => Some(format!(
                "the parameters ({})",
                parameters
                    .iter()
                    .map(|p| p.name.api.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
    fn response(e: &Endpoint) -> Option<String> {
        let ty = type_text(e.response.body.as_ref()?);
        Some(if e.response.collection {
            format!("a collection of `{ty}`")
        } else {
            format!("a `{ty}`")
        })
    }
    let named_body = |e: &Endpoint| match &e.request_body {
        RequestBody::Resource {
            ty: TypeRef::Named(n),
        } => Some(n.clone()),
        _ => None,
    };
    let named_response = |e: &Endpoint| match &e.response.body {
        Some(TypeRef::Named(n)) => Some((n.clone(), e.response.collection)),
        _ => None,
    };
    let mut widened_body = None;
    let mut widened_response = None;
    let mut types = Vec::new();
    if let (Some(x), Some(y)) = (body(other), body(primary))
        && x != y
    {
        match (named_body(other), named_body(primary)) {
            (Some(a), Some(b)) if bases.common_base(&a, &b).is_some() => {
                let base = bases.common_base(&a, &b).unwrap_or_default().to_owned();
                types.extend([a, b]);
                widened_body = Some(base);
            }
            _ => return Reconciled::Conflict(format!("one sends {x}, the other {y}")),
        }
    }
    if let (Some(x), Some(y)) = (response(other), response(primary))
        && x != y
    {
        match (named_response(other), named_response(primary)) {
            (Some((a, ca)), Some((b, cb))) if ca == cb && bases.common_base(&a, &b).is_some() => {
                let base = bases.common_base(&a, &b).unwrap_or_default().to_owned();
                types.extend([a, b]);
                widened_response = Some(base);
            }
            _ => return Reconciled::Conflict(format!("one returns {x}, the other {y}")),
        }
    }
    if widened_body.is_none() && widened_response.is_none() {
        return Reconciled::Same;
    }
    types.sort();
    types.dedup();
    Reconciled::Widened {
        body: widened_body.filter(|b| Some(b) != named_body(primary).as_ref()),
        response: widened_response
            .filter(|r| Some(r) != named_response(primary).map(|(n, _)| n).as_ref()),
        types,
    }
}

fn type_text(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Primitive(p) => p.edm_name().to_owned(),
        TypeRef::Named(n) => n.clone(),
        TypeRef::Unresolved(w) => w.clone(),
    }
}

/// One operation documented on several pages (Intune documents
/// `GET /deviceManagement` on sixteen) belongs to one endpoint: each
/// method and path goes to the page with the strongest [`Claim`] on it, and
/// the other pages lose that path. A page that loses every path is merged
/// into the primary page of its first (its pages and examples join it).
/// Each page that loses paths to another is reported once, as
/// `endpoint-merged` when the two agree on body and response, else as
/// `endpoint-conflict`, naming both pages.
fn merge_endpoints(
    mut endpoints: Vec<Endpoint>,
    bases: &BaseIndex,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Endpoint> {
    let ops = Operations::of(&endpoints);
    let winners = claim_winners(&endpoints, &ops);
    let (mut kept, lost_to) = split_paths(&endpoints, &ops, &winners);
    serve_unspelled(&endpoints, &ops, &winners, &mut kept);
    let widen = report_losses(&endpoints, bases, &kept.paths, &lost_to, diags);
    for (w, body, response) in widen {
        let primary = &mut endpoints[w];
        if let Some(base) = body {
            primary.request_body = RequestBody::Resource {
                ty: TypeRef::Named(base),
            };
        }
        if let Some(base) = response {
            primary.response.body = Some(TypeRef::Named(base));
        }
    }
    join_pathless(endpoints, &ops, kept.paths, &winners)
}

/// An operation: its method and its path's shape, as [`operation_key`]
/// makes it.
type OpKey = (Method, String);

/// The paths of every endpoint (its path first, then its alternates), as
/// the steps of [`merge_endpoints`] compare them, made once on every
/// thread.
struct Operations {
    /// Each path's operation, numbered: paths with the same
    /// [`operation_key`] have the same number, below `count`.
    ids: Vec<Vec<usize>>,
    /// Each path's shape, lowercased (`/me/x` and `/users/{id}/x` are one
    /// operation, and two shapes).
    shapes: Vec<Vec<String>>,
    /// How many operations there are.
    count: usize,
}

impl Operations {
    fn of(endpoints: &[Endpoint]) -> Operations {
        use rayon::prelude::*;
        let (keys, shapes): (Vec<Vec<OpKey>>, Vec<Vec<String>>) = endpoints
            .par_iter()
            .map(|e| {
                let shapes: Vec<String> = paths_of(e)
                    .map(|path| path.shape().to_ascii_lowercase())
                    .collect();
                let keys = shapes.iter().map(|s| operation_key(e.method, s)).collect();
                (keys, shapes)
            })
            .unzip();
        // Numbered in key order; only equality matters.
        let mut order: Vec<(&OpKey, usize, usize)> = keys
            .iter()
            .enumerate()
            .flat_map(|(i, ks)| ks.iter().enumerate().map(move |(j, k)| (k, i, j)))
            .collect();
        order.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut ids: Vec<Vec<usize>> = keys.iter().map(|ks| vec![0; ks.len()]).collect();
        let mut count = 0;
        for (n, &(key, i, j)) in order.iter().enumerate() {
            if n > 0 && order[n - 1].0 != key {
                count += 1;
            }
            ids[i][j] = count;
        }
        Operations {
            ids,
            shapes,
            count: if order.is_empty() { 0 } else { count + 1 },
        }
    }
}

/// An endpoint's path, then its alternate paths.
fn paths_of(e: &Endpoint) -> impl Iterator<Item = &PathTemplate> {
    std::iter::once(&e.path).chain(&e.alternate_paths)
}

/// The winner of each operation, by its number in `ops`: the endpoint (its
/// position) with the strongest [`Claim`] on one of its paths; the first
/// such endpoint on a tie.
fn claim_winners(endpoints: &[Endpoint], ops: &Operations) -> Vec<usize> {
    // Every claim on every operation, and its winner.
    let mut winners: Vec<Option<usize>> = vec![None; ops.count];
    for (i, e) in endpoints.iter().enumerate() {
        for (path, &op) in paths_of(e).zip(&ops.ids[i]) {
            let better = match winners[op] {
                None => true,
                Some(w) => {
                    let held = &endpoints[w];
                    let held_path = paths_of(held)
                        .zip(&ops.ids[w])
                        .find(|&(_, &k)| k == op)
                        .map_or(&held.path, |(p, _)| p);
                    claim(e, path) > claim(held, held_path)
                }
            };
            if better {
                winners[op] = Some(i);
            }
        }
    }
    // Every operation is some path's, whose endpoint claimed it first.
    winners.into_iter().map(Option::unwrap_or_default).collect()
}

/// The paths each endpoint keeps, by position, with their lowercased
/// shapes (from [`Operations`]).
struct Kept<'a> {
    paths: Vec<Vec<PathTemplate>>,
    shapes: Vec<Vec<&'a str>>,
}

/// The paths (as written) each endpoint loses, by the winner they go to.
type LostTo = Vec<BTreeMap<usize, Vec<String>>>;

/// What each endpoint keeps of its paths, and to whom it loses the rest.
fn split_paths<'a>(
    endpoints: &[Endpoint],
    ops: &'a Operations,
    winners: &[usize],
) -> (Kept<'a>, LostTo) {
    let mut kept = Kept {
        paths: Vec::with_capacity(endpoints.len()),
        shapes: Vec::with_capacity(endpoints.len()),
    };
    let mut lost_to: LostTo = Vec::with_capacity(endpoints.len());
    for (i, e) in endpoints.iter().enumerate() {
        let mut mine = Vec::new();
        let mut shapes: Vec<&str> = Vec::new();
        let mut lost: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for ((path, &op), shape) in paths_of(e).zip(&ops.ids[i]).zip(&ops.shapes[i]) {
            let winner = winners[op];
            if winner == i {
                // `/me/x` and `/users/{id}/x` share a key; both paths stay.
                if !shapes.contains(&shape.as_str()) {
                    mine.push(path.clone());
                    shapes.push(shape);
                }
            } else {
                lost.entry(winner).or_default().push(path.written.clone());
            }
        }
        kept.paths.push(mine);
        kept.shapes.push(shapes);
        lost_to.push(lost);
    }
    (kept, lost_to)
}

/// A path lost to a page that does not spell it (`/users/{id}/events`
/// beside its `/me/events`) is served by that page too.
fn serve_unspelled<'a>(
    endpoints: &[Endpoint],
    ops: &'a Operations,
    winners: &[usize],
    kept: &mut Kept<'a>,
) {
    for (i, e) in endpoints.iter().enumerate() {
        for ((path, &op), shape) in paths_of(e).zip(&ops.ids[i]).zip(&ops.shapes[i]) {
            let w = winners[op];
            if w == i {
                continue;
            }
            // Shapes compare without case.
            if !kept.shapes[w].contains(&shape.as_str()) {
                kept.paths[w].push(path.clone());
                kept.shapes[w].push(shape);
            }
        }
    }
}

/// A primary endpoint (its position) that takes a common base as its
/// request body type and as its response type, where these change.
type Widening = (usize, Option<String>, Option<String>);

/// Reports each page's lost paths, once per winner; returns how the
/// winners widen to the common base of related types.
fn report_losses(
    endpoints: &[Endpoint],
    bases: &BaseIndex,
    kept: &[Vec<PathTemplate>],
    lost_to: &[BTreeMap<usize, Vec<String>>],
    diags: &mut Vec<Diagnostic>,
) -> Vec<Widening> {
    let mut widen: Vec<Widening> = Vec::new();
    for (i, e) in endpoints.iter().enumerate() {
        for (&w, paths) in &lost_to[i] {
            let primary = &endpoints[w];
            let reconciled = reconcile(e, primary, bases);
            if let Reconciled::Widened { body, response, .. } = &reconciled {
                widen.push((w, body.clone(), response.clone()));
            }
            diags.push(loss_diagnostic(
                e,
                primary,
                paths,
                &reconciled,
                kept[i].is_empty(),
            ));
        }
    }
    widen
}

/// The report of `paths` of `e` lost to `primary`: `endpoint-merged` or
/// `endpoint-conflict` as `reconciled` says, and whether `e` is merged
/// into `primary` (`merged`: it keeps no path).
fn loss_diagnostic(
    e: &Endpoint,
    primary: &Endpoint,
    paths: &[String],
    reconciled: &Reconciled,
    merged: bool,
) -> Diagnostic {
    let shown = paths
        .iter()
        .map(|p| format!("`{} {p}`", e.method.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let also = format!(
        "{shown} {} the operation {} documents",
        if paths.len() == 1 { "is" } else { "are" },
        primary.source.file
    );
    let (code, message) = match reconciled {
        Reconciled::Same => (Code::EndpointMerged, also),
        Reconciled::Widened {
            body,
            response,
            types,
        } => {
            let base = body.as_ref().or(response.as_ref());
            let message = match base {
                Some(base) => format!(
                    "{also}; the two name related types ({}), so the operation takes their common base `{base}`",
                    types.join(", ")
                ),
                None => format!(
                    "{also}, which names the common base of {}",
                    types.join(", ")
                ),
            };
            (Code::EndpointMerged, message)
        }
        Reconciled::Conflict(why) => (
            Code::EndpointConflict,
            format!(
                "{also} as `{}`, and the two disagree: {why}",
                primary.name.api
            ),
        ),
    };
    let help = if merged {
        format!(
            "`{}` is the operation's own page, so this page is merged into `{}`; document each operation on one page",
            primary.source.file, primary.name.api
        )
    } else {
        format!(
            "`{}` is the operation's own page and keeps {}; this page keeps its other paths",
            primary.source.file,
            if paths.len() == 1 { "it" } else { "them" }
        )
    };
    let mut d = diag_at_source(&e.source, code, message, help);
    d.related
        .push(related_at(&primary.source, "the operation's own page"));
    d
}

/// Endpoints that keep no path join the primary page of their first (its
/// pages and examples); the rest take the paths they keep.
fn join_pathless(
    endpoints: Vec<Endpoint>,
    ops: &Operations,
    kept: Vec<Vec<PathTemplate>>,
    winners: &[usize],
) -> Vec<Endpoint> {
    let mut joins: Vec<(usize, usize)> = Vec::new();
    for (i, path_ops) in ops.ids.iter().enumerate() {
        if kept[i].is_empty() {
            // The winner of a path keeps it, so it is never merged itself.
            joins.push((i, winners[path_ops[0]]));
        }
    }
    let mut slots: Vec<Option<Endpoint>> = endpoints.into_iter().map(Some).collect();
    for (i, w) in joins {
        if i == w {
            continue;
        }
        let Some(e) = slots[i].take() else { continue };
        if let Some(primary) = slots[w].as_mut() {
            primary.pages.push(e.source.file.clone());
            primary.pages.extend(e.pages.into_iter().skip(1));
            primary.examples.extend(e.examples);
        }
    }
    slots
        .into_iter()
        .zip(kept)
        .filter_map(|(slot, mut paths)| {
            let mut e = slot?;
            if paths.is_empty() {
                return None;
            }
            e.path = paths.remove(0);
            e.alternate_paths = paths;
            Some(e)
        })
        .collect()
}

/// Rust method names for endpoints; duplicates of one API name are reported.
fn name_endpoints(endpoints: &mut [Endpoint], diags: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<String, (usize, Source)> = BTreeMap::new();
    for e in endpoints.iter_mut() {
        let (count, first) = seen
            .entry(e.name.api.clone())
            .or_insert_with(|| (0, e.source.clone()));
        *count += 1;
        if *count > 1 {
            let renamed = format!("{}{}", e.name.api, count);
            let mut d = diag_at_source(
                &e.source,
                Code::EndpointDuplicate,
                format!("endpoint name `{}` is already used", e.name.api),
                format!("this one is named `{renamed}`"),
            );
            d.related
                .push(related_at(first, "the name is first used here"));
            diags.push(d);
            e.name.api = renamed;
        }
        let action = e
            .name
            .api
            .rsplit('.')
            .next()
            .unwrap_or(&e.name.api)
            .to_owned();
        e.name.rust = naming::snake_ident(&action);
    }
}

/// A related place at a model node's source.
fn related_at(source: &Source, message: &str) -> crate::base::diagnostics::Related {
    let at = Loc {
        pos: crate::base::source::Position {
            line: source.line,
            column: source.column,
        },
        span: source.span,
        read: source.span,
    };
    related(&source.file, at, message)
}

/// The primitive types' names as the docs write them, for "did you mean".
const PRIMITIVE_NAMES: &[&str] = &[
    "Binary",
    "Boolean",
    "Byte",
    "Date",
    "DateTimeOffset",
    "Decimal",
    "Double",
    "Duration",
    "Guid",
    "Int16",
    "Int32",
    "Int64",
    "SByte",
    "Single",
    "Stream",
    "String",
    "TimeOfDay",
];

thread_local! {
    static PRIMITIVES: Suggester = Suggester::new(PRIMITIVE_NAMES.iter().copied());
}

/// Whether `written` is a typo of `meant` that a fix may replace without
/// asking: the same but for case where `written` lost the API's camelCase
/// (see [`case_lost`]), or, both of five letters or more, one edit apart (a
/// letter added, dropped, changed or two swapped) other than at either end
/// of one of them (`teamsAppId` is no typo of `teamsApp`).
pub(crate) fn near_miss(written: &str, meant: &str) -> bool {
    if written.eq_ignore_ascii_case(meant) {
        return written != meant && case_lost(written, meant);
    }
    let (w, m) = (written.to_lowercase(), meant.to_lowercase());
    let long = w.chars().count() >= 5 && m.chars().count() >= 5;
    let extends = w.starts_with(&m) || m.starts_with(&w) || w.ends_with(&m) || m.ends_with(&w);
    long && !extends && strsim::damerau_levenshtein(&w, &m) == 1
}

/// Whether `written` differs from `meant` in case the way a slip does: it
/// starts with a capital where the API name does not (`ConferenceId` for
/// `conferenceId`; Graph's names are camelCase). Any other difference in
/// case may be the table's slip as well (a table's `subUnit` where the
/// API and the example say `subunit`, `timeslots` where they say
/// `timeSlots`), and no fix is offered.
fn case_lost(written: &str, meant: &str) -> bool {
    written.starts_with(char::is_uppercase) && meant.starts_with(char::is_lowercase)
}

/// [`near_miss`] for a type cell: a primitive's name may be misspelt; a
/// named type's only in case (`chart` is no typo of `chat`: the docs name
/// many types that no page defines), where the type's own page says how
/// its name is written.
fn type_near_miss(written: &str, meant: &str) -> bool {
    if PRIMITIVE_NAMES.contains(&meant) {
        near_miss(written, meant)
    } else {
        written.eq_ignore_ascii_case(meant) && written != meant
    }
}

/// A model diagnostic at a recorded source place.
pub(crate) fn diag_at_source(
    source: &Source,
    code: Code,
    message: String,
    help: String,
) -> Diagnostic {
    Diagnostic {
        code,
        file: source.file.clone(),
        line: source.line,
        column: source.column,
        span: source.span,
        message,
        help,
        related: Vec::new(),
        fix: None,
    }
}

#[cfg(test)]
mod tests {
    use super::{near_miss, type_near_miss};

    #[test]
    fn a_fix_renames_only_what_is_plainly_a_slip() {
        // A letter dropped, changed or swapped in a long name.
        assert!(near_miss("displayNme", "displayName"));
        assert!(near_miss("Strng", "String"));
        // A longer or shorter name is another name.
        assert!(!near_miss("teamsAppId", "teamsApp"));
        assert!(!near_miss("chart", "chat"));
        // Case: a capital first is a slip...
        assert!(near_miss("ConferenceId", "conferenceId"));
        assert!(near_miss("Type", "type"));
        // ...other differences may be the table's slip as well.
        assert!(!near_miss("timeSlots", "timeslots"));
        assert!(!near_miss("printerId", "printerID"));
        assert!(!near_miss("subunit", "subUnit"));
        // A named type only in case; a primitive also by a typo.
        assert!(type_near_miss("assignedlicense", "assignedLicense"));
        assert!(!type_near_miss("chart", "chat"));
        assert!(type_near_miss("Boolen", "Boolean"));
    }
}
