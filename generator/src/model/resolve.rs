//! Resolution across pages: merge the drafts of each type, resolve type
//! references, settle kinds and give every name its Rust spelling.

use std::collections::BTreeMap;

use crate::diagnostics::{Code, Diagnostic, Suggester};
use crate::model::api::{
    Api, Endpoint, EnumMember, Name, Parameter, Primitive, Property, RequestBody, Response, Source,
    TypeDef, TypeKind, TypeRef,
};
use crate::model::diag;
use crate::model::lower_endpoints::{DraftEndpoint, DraftParameter, DraftRequestBody};
use crate::model::lower_types::{DraftType, Origin};
use crate::model::naming::{self, Scope};
use crate::model::related;
use crate::model::types::{CellTarget, TypeCell};
use crate::parse::Loc;

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
        .par_iter()
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
    defs.sort_by(|a, b| a.name.api.cmp(&b.name.api));
    settle_kinds(&mut defs);
    name_types(&mut defs, diags);
    let resolved: Vec<(Endpoint, Vec<Diagnostic>)> = endpoints
        .into_par_iter()
        .map(|e| {
            let mut found = Vec::new();
            (resolver.endpoint(e, &mut found), found)
        })
        .collect();
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
    let mut out = merge_endpoints(out, diags);
    name_endpoints(&mut out, diags);
    Api {
        endpoints: out,
        types: defs,
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

    /// The type a cell names, or `Unresolved` with a diagnostic.
    fn cell(
        &self,
        cell: &TypeCell,
        file: &str,
        at: Loc,
        what: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> TypeRef {
        match &cell.target {
            CellTarget::Primitive(p) => TypeRef::Primitive(*p),
            CellTarget::Named { name, link } => match self.registry.find(name, link.as_deref()) {
                Some(found) => TypeRef::Named(found.clone()),
                None => {
                    let known = self.suggestions().get(name).cloned();
                    let suggestion = known.unwrap_or_else(|| {
                        let s = self.names.suggest(name).map(str::to_owned);
                        self.suggestions().insert(name.clone(), s.clone());
                        s
                    });
                    let help = match suggestion {
                        Some(s) => {
                            format!("did you mean `{s}`? an untyped JSON value is used meanwhile")
                        }
                        None => format!(
                            "add a resource page for `{name}`, or fix the name; an untyped JSON value is used meanwhile"
                        ),
                    };
                    diags.push(diag(
                        file,
                        at,
                        Code::TypeUnresolved,
                        format!("{what} has type `{name}`, which no page defines"),
                        help,
                    ));
                    TypeRef::Unresolved(name.clone())
                }
            },
            CellTarget::Invalid => TypeRef::Primitive(Primitive::Json),
        }
    }

    /// A type with its base and property types resolved; Rust names come later.
    fn type_def(&self, t: &DraftType, diags: &mut Vec<Diagnostic>) -> TypeDef {
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
            .iter()
            .map(|p| Property {
                name: Name {
                    api: p.name.clone(),
                    rust: String::new(),
                },
                ty: self.cell(
                    &p.cell,
                    &t.source.file,
                    p.at,
                    &format!("property `{}.{}`", t.name, p.name),
                    diags,
                ),
                collection: p.cell.collection,
                nullable: !p.not_nullable,
                read_only: p.read_only,
                navigation: p.navigation,
                description: p.description.clone(),
                source: Source::at(&t.source.file, p.at),
            })
            .collect();
        let members = t
            .members
            .iter()
            .map(|m| EnumMember {
                name: Name {
                    api: m.name.clone(),
                    rust: String::new(),
                },
                value: m.value,
                description: m.description.clone(),
            })
            .collect();
        TypeDef {
            name: Name {
                api: t.name.clone(),
                rust: String::new(),
            },
            kind: t.kind,
            base,
            description: t.description.clone(),
            properties,
            members,
            key: t.key.clone(),
            open: t.open,
            source: t.source.clone(),
            pages: t.pages.clone(),
            representation: t.representation.clone(),
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
                    ty: self.cell(&p.cell, file, p.at, &format!("{what} `{}`", p.name), diags),
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
                ty: self.cell(cell, &e.file, at, "request body", diags),
            },
            DraftRequestBody::Parameters(list) => RequestBody::Parameters {
                parameters: self.parameters(list, &e.file, "body parameter", diags),
            },
        };
        let body = e
            .response
            .body
            .as_ref()
            .map(|c| self.cell(c, &e.file, at, "response body", diags));
        check_response(&e, body.as_ref(), diags);
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
                collection: e.response.collection,
            },
            examples: e.examples,
            pages: vec![e.file.clone()],
            area: e.area,
        }
    }
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
        && e.method == crate::parse::Method::Get
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
        let existing = &mut merged[i];
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
            match existing.properties.iter().find(|q| q.name == p.name) {
                Some(q) if !same_type(&q.cell, &p.cell) => {
                    let mut d = diag(
                        &draft.source.file,
                        p.at,
                        Code::DefinitionConflict,
                        format!(
                            "property `{}.{}` has type `{}` here but `{}` in {}",
                            existing.name,
                            p.name,
                            p.cell.written,
                            q.cell.written,
                            existing.source.file
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
                            &draft.source.file,
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
    merged
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
fn settle_kinds(defs: &mut [TypeDef]) {
    let by_name: BTreeMap<String, usize> = defs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.name.api.clone(), i))
        .collect();
    let kinds: Vec<TypeKind> = (0..defs.len())
        .map(|i| {
            if defs[i].kind == TypeKind::Enum {
                return TypeKind::Enum;
            }
            let mut seen = 0;
            let mut cur = Some(i);
            while let Some(j) = cur {
                let d = &defs[j];
                let keyed_id = d.properties.iter().any(|p| {
                    p.name.api == "id" && p.description.to_ascii_lowercase().contains("key")
                });
                if d.name.api == "entity"
                    || d.key.is_some()
                    || keyed_id
                    || d.properties.iter().any(|p| p.navigation)
                {
                    return TypeKind::Entity;
                }
                seen += 1;
                if seen > defs.len() {
                    break;
                }
                cur = d.base.as_ref().and_then(|b| by_name.get(b).copied());
            }
            TypeKind::Complex
        })
        .collect();
    for (d, k) in defs.iter_mut().zip(kinds) {
        d.kind = k;
    }
}

/// Rust names for types, their fields (unique across the inherited set) and
/// enum members.
fn name_types(defs: &mut [TypeDef], diags: &mut Vec<Diagnostic>) {
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
    // Fields: bases first, so a derived type's own fields yield to inherited ones.
    let by_name: BTreeMap<String, usize> = defs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.name.api.clone(), i))
        .collect();
    let depth = |i: usize| {
        let mut n = 0;
        let mut cur = defs[i].base.as_ref().and_then(|b| by_name.get(b));
        while let Some(&j) = cur {
            n += 1;
            if n > defs.len() {
                break;
            }
            cur = defs[j].base.as_ref().and_then(|b| by_name.get(b));
        }
        n
    };
    let mut order: Vec<usize> = (0..defs.len()).collect();
    order.sort_by_key(|&i| (depth(i), i));
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
        let mut cur = defs[i].base.as_ref().and_then(|b| by_name.get(b)).copied();
        let mut hops = 0;
        while let Some(j) = cur {
            for p in &defs[j].properties {
                inherited
                    .entry(p.name.api.clone())
                    .or_insert_with(|| p.name.rust.clone());
            }
            hops += 1;
            if hops > defs.len() {
                break;
            }
            cur = defs[j].base.as_ref().and_then(|b| by_name.get(b)).copied();
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

/// One operation documented on several pages (Intune documents
/// `GET /deviceManagement` on sixteen) becomes one endpoint: the first page's,
/// with the other pages' paths added as alternates.
fn merge_endpoints(endpoints: Vec<Endpoint>, diags: &mut Vec<Diagnostic>) -> Vec<Endpoint> {
    let mut index: BTreeMap<(crate::parse::Method, String), usize> = BTreeMap::new();
    let mut out: Vec<Endpoint> = Vec::with_capacity(endpoints.len());
    for e in endpoints {
        let key = (e.method, e.path.shape());
        let Some(&i) = index.get(&key) else {
            index.insert(key, out.len());
            out.push(e);
            continue;
        };
        let first = &mut out[i];
        let mut d = diag_at_source(
            &e.source,
            Code::EndpointMerged,
            format!(
                "`{} {}` is also documented in {}",
                e.method.as_str(),
                e.path,
                first.source.file
            ),
            format!(
                "merged into `{}`; document each operation on one page",
                first.name.api
            ),
        );
        d.related
            .push(related_at(&first.source, "first documented here"));
        diags.push(d);
        first.pages.push(e.source.file.clone());
        first.examples.extend(e.examples);
        for alt in e.alternate_paths {
            let shapes: Vec<String> = std::iter::once(&first.path)
                .chain(&first.alternate_paths)
                .map(|p| p.shape())
                .collect();
            if !shapes.contains(&alt.shape()) {
                first.alternate_paths.push(alt);
            }
        }
    }
    out
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
fn related_at(source: &Source, message: &str) -> crate::diagnostics::Related {
    let at = Loc {
        pos: crate::source::Position {
            line: source.line,
            column: source.column,
        },
        span: source.span,
        read: source.span,
    };
    related(&source.file, at, message)
}

/// A model diagnostic at a recorded source place.
pub(crate) fn diag_at_source(
    source: &Source,
    code: Code,
    message: String,
    help: String,
) -> Diagnostic {
    Diagnostic {
        severity: code.severity(),
        code,
        file: source.file.clone(),
        line: source.line,
        column: source.column,
        span: source.span,
        message,
        help,
        related: Vec::new(),
    }
}
