//! Model files: one serde struct or enum per type, plus the body structs of
//! actions, under `src/models/`.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use crate::base::ident::{Scope, module_name};
use crate::emit::features::{Features, Gate};
use crate::emit::format::{Draft, Drafts};
use crate::emit::rust::{
    doc_text, docs, ident, is_struct, module_ident, primitive_note, rename_if_needed, type_ref,
};
use crate::emit::{Plan, header};
use crate::model::{Api, Endpoint, Parameter, Property, RequestBody, TypeDef, TypeKind, TypeRef};
use crate::output::Owner;

/// A property as it appears in a struct, with inheritance flattened.
pub(crate) use crate::model::Field;

/// The fields of `ty`, by the type graph's one rule: its bases' first
/// (base-most first), then its own; a property declared again lower down
/// is the base's, at its place.
pub(crate) fn fields<'a>(api: &'a Api, ty: &'a TypeDef) -> Vec<Field<'a>> {
    api.graph().fields(ty)
}

/// How types relate: which contain which without a collection in between
/// (a field that closes such a cycle is boxed to give the struct a size),
/// (derived types come from the type graph, [`crate::model::graph`]).
struct Containment<'a> {
    api: &'a Api,
    /// The struct types each type holds directly, by API name.
    edges: BTreeMap<&'a str, BTreeSet<&'a str>>,
}

impl<'a> Containment<'a> {
    fn new(api: &'a Api) -> Self {
        let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for ty in api.types.iter().filter(|t| t.kind != TypeKind::Enum) {
            let entry = edges.entry(ty.name.api.as_str()).or_default();
            for f in fields(api, ty) {
                if let TypeRef::Named(n) = &f.prop.ty {
                    if !f.prop.collection && is_struct(api, &f.prop.ty) {
                        entry.insert(n.as_str());
                    }
                }
            }
        }
        Containment { api, edges }
    }

    /// Whether a field of type `to` inside `from` closes a cycle.
    fn needs_box(&self, from: &str, to: &TypeRef, collection: bool) -> bool {
        let TypeRef::Named(to) = to else { return false };
        if collection || !is_struct(self.api, &TypeRef::Named(to.clone())) {
            return false;
        }
        let mut stack = vec![to.as_str()];
        let mut seen = BTreeSet::new();
        while let Some(n) = stack.pop() {
            if n == from {
                return true;
            }
            if seen.insert(n) {
                if let Some(next) = self.edges.get(n) {
                    stack.extend(next.iter().copied());
                }
            }
        }
        false
    }
}

/// Emits every model file and `models/mod.rs`.
pub fn emit_models(
    api: &Api,
    body_structs: &[ActionBody<'_>],
    companions: &Companions<'_>,
    features: &Features,
    docs_label: &str,
    plan: &Plan,
    out: &mut Drafts,
) {
    use rayon::prelude::*;
    // Only a struct that is made needs the graph.
    let graph = std::sync::OnceLock::new();
    let graph = || graph.get_or_init(|| Containment::new(api));
    // Module and file names come from one function, and a scope keeps names
    // that differ only in case (`User`, `USER`) apart.
    let mut modules = Scope::with_reserved(&["mod"]);
    let (enums, dispatch) = (&companions.fields, &companions.dispatch);
    let mut index: Vec<(String, String, Gate)> = Vec::new();
    let mut companions: Vec<(String, String, Gate)> = Vec::new();
    for ty in &api.types {
        let (file, _) = modules.claim(&ty.name.rust, module_name(&ty.name.rust));
        let gate = features.of_type(&ty.name.api);
        if let Some(names) = enums.get(ty.name.api.as_str()) {
            for name in std::iter::once(&names.field).chain(&names.nav) {
                companions.push((file.clone(), name.clone(), gate.clone()));
            }
        }
        index.push((file, ty.name.rust.clone(), gate));
    }
    for body in body_structs {
        let (file, _) = modules.claim(&body.rust_name, module_name(&body.rust_name));
        index.push((file, body.rust_name.clone(), features.of_body(body)));
    }
    // Each file's tokens are made and turned into text on one thread.
    let types = api.types.par_iter().zip(&index[..api.types.len()]);
    let drafts: Vec<(String, Draft)> = types
        .map(|(ty, (file, _, gate))| {
            let path = format!("src/models/{file}.rs");
            let draft = crate::emit::format::planned(plan, &path, || {
                let tokens = match ty.kind {
                    TypeKind::Enum => emit_enum(ty),
                    _ => {
                        let item = emit_struct(api, ty, graph(), features, gate, dispatch);
                        let companions = enums
                            .get(ty.name.api.as_str())
                            .map(|names| emit_field_enums(api, ty, names));
                        quote!(#item #companions)
                    }
                };
                let pages: Vec<String> = ty
                    .pages
                    .iter()
                    .map(|p| format!("{docs_label}/{p}"))
                    .collect();
                // Inherited fields carry their declaring type's text.
                let owners = api
                    .ancestry(ty)
                    .into_iter()
                    .map(|t| Owner::Type(t.name.api.clone()))
                    .collect();
                Draft::rust(header(&pages), &tokens, owners)
            });
            (path, draft)
        })
        .collect();
    out.extend(drafts);
    let bodies = &index[api.types.len()..];
    out.extend(body_drafts(api, body_structs, bodies, docs_label, plan));
    for (base, name) in dispatch {
        let Some(ty) = api.type_named(base) else {
            continue;
        };
        let (file, _) = modules.claim(name, module_name(name));
        let (path, draft) = dispatch_draft(api, ty, name, &file, features, docs_label, plan);
        out.insert(path, draft);
        index.push((file, name.clone(), features.of_type(base)));
    }
    let path = "src/models/mod.rs";
    let draft =
        crate::emit::format::planned(plan, path, || models_mod(&index, companions, docs_label));
    out.insert(path.to_owned(), draft);
}

/// The drafts of the action body structs, with their files (`index`).
fn body_drafts(
    api: &Api,
    body_structs: &[ActionBody<'_>],
    index: &[(String, String, Gate)],
    docs_label: &str,
    plan: &Plan,
) -> Vec<(String, Draft)> {
    use rayon::prelude::*;
    body_structs
        .par_iter()
        .zip(index)
        .map(|(body, (file, _, _))| {
            let path = format!("src/models/{file}.rs");
            let draft = crate::emit::format::planned(plan, &path, || {
                let tokens = emit_body_struct(api, body);
                let pages = vec![format!("{docs_label}/{}", body.endpoint.source.file)];
                let owners = vec![Owner::Endpoint(body.endpoint.name.api.clone())];
                Draft::rust(header(&pages), &tokens, owners)
            });
            (path, draft)
        })
        .collect()
}

/// The path and draft of the dispatch enum `name` of `ty`, in `file`.
fn dispatch_draft(
    api: &Api,
    ty: &TypeDef,
    name: &str,
    file: &str,
    features: &Features,
    docs_label: &str,
    plan: &Plan,
) -> (String, Draft) {
    let gate = features.of_type(&ty.name.api);
    let path = format!("src/models/{file}.rs");
    let draft = crate::emit::format::planned(plan, &path, || {
        let tokens = crate::emit::dispatch::emit_dispatch(api, ty, name, features, &gate);
        let pages: Vec<String> = ty
            .pages
            .iter()
            .map(|p| format!("{docs_label}/{p}"))
            .collect();
        Draft::rust(
            header(&pages),
            &tokens,
            vec![Owner::Type(ty.name.api.clone())],
        )
    });
    (path, draft)
}

/// Makes `models/mod.rs`: a module per file of `index` (file, type, gate),
/// and a `pub use` of every type and companion enum.
fn models_mod(
    index: &[(String, String, Gate)],
    companions: Vec<(String, String, Gate)>,
    docs_label: &str,
) -> Draft {
    let mut index = index.to_vec();
    let mods: Vec<TokenStream> = {
        let mut sorted = index.clone();
        sorted.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        sorted
            .iter()
            .map(|(file, _, gate)| {
                let m = module_ident(file);
                let cfg = gate.attr();
                quote!(#cfg mod #m;)
            })
            .collect()
    };
    index.extend(companions);
    index.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));

    // One `pub use` per gate, in the order of its first name: a type's
    // features are said once per gate, not once per type.
    let mut groups: Vec<(&Gate, Vec<TokenStream>)> = Vec::new();
    for (file, name, gate) in &index {
        let m = module_ident(file);
        let n = ident(name);
        match groups.iter_mut().find(|(g, _)| *g == gate) {
            Some((_, names)) => names.push(quote!(#m::#n)),
            None => groups.push((gate, vec![quote!(#m::#n)])),
        }
    }
    let uses = groups.into_iter().map(|(gate, names)| {
        let cfg = gate.attr();
        match names.as_slice() {
            [one] => quote!(#cfg pub use #one;),
            many => quote!(#cfg pub use self::{#(#many),*};),
        }
    });
    let tokens = quote! {
        //! The API's types: one file per entity, complex or enum type, and per action body.
        #(#mods)*
        #(#uses)*
    };
    Draft::rust(header(&[format!("{docs_label}/")]), &tokens, Vec::new())
}

fn type_docs(ty: &TypeDef) -> Vec<String> {
    let mut lines = Vec::new();
    let description = doc_text(&ty.description);
    lines.push(if description.is_empty() {
        format!("The `{}` type.", ty.name.api)
    } else {
        description
    });
    lines.push(String::new());
    let kind = match ty.kind {
        TypeKind::Entity => "entity type",
        TypeKind::Complex => "complex type",
        TypeKind::Enum => "enum type",
    };
    let mut facts = format!("`microsoft.graph.{}` ({kind})", ty.name.api);
    if let Some(base) = &ty.base {
        facts.push_str(&format!(
            ", derived from `{base}`; it carries its base types' properties"
        ));
    }
    if ty.open {
        facts.push_str("; an open type: undeclared properties are kept in `additional_properties`");
    }
    lines.push(format!("{facts}."));
    lines.push(String::new());
    lines.push(format!("Generated from `{}`.", ty.pages.join("`, `")));
    lines
}

/// The struct of `ty` (through `runtime::model!`, which adds its JSON
/// impls, `new` and `changes_from`) and its `ODataType` impl.
fn emit_struct(
    api: &Api,
    ty: &TypeDef,
    graph: &Containment<'_>,
    features: &Features,
    gate: &Gate,
    dispatch: &BTreeMap<&str, String>,
) -> TokenStream {
    let name = ident(&ty.name.rust);
    let type_docs = docs(&type_docs(ty));
    let fields: Vec<Field<'_>> = fields(api, ty);
    let odata_consts = odata_consts(api, ty, &fields);
    // A relationship to a type of other areas is compiled with that type.
    let field_gate = |f: &Field<'_>| {
        features
            .of_property(api, f.prop.navigation, &f.prop.ty)
            .map(|g| g.attr_within(gate))
            .filter(|attr| !attr.is_empty())
    };
    let runtime_use = if fields.iter().all(|f| field_gate(f).is_some()) {
        quote!(
            use crate::runtime::ODataType;
        )
    } else {
        quote!(
            use crate::runtime::{Nullable, ODataType};
        )
    };
    let declarations: Vec<TokenStream> = fields
        .iter()
        .map(|f| field_declaration(api, ty, f, field_gate(f), graph, dispatch))
        .collect();
    // The struct goes into `runtime::model!`, which adds `odata_type`,
    // `additional_properties`, the JSON impls, `new` and `changes_from`;
    // `pretty.rs` lays the marked item out inside the call.
    let marker = crate::emit::pretty::MODEL_MARKER;
    let marker: TokenStream = marker.parse().unwrap_or_default();
    quote! {
        #runtime_use

        #marker
        #type_docs
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct #name {
            #(#declarations)*
        }

        impl ODataType for #name {
            #odata_consts
        }
    }
}

/// The `ODataType` constants of `ty`: its name on the wire, the types
/// derived from it (so `cast` accepts them) and its read-only properties.
fn odata_consts(api: &Api, ty: &TypeDef, fields: &[Field<'_>]) -> TokenStream {
    let read_only: Vec<&str> = fields
        .iter()
        .filter(|f| f.prop.read_only)
        .map(|f| f.prop.name.api.as_str())
        .collect();
    let read_only = if read_only.is_empty() {
        quote!()
    } else {
        quote!(const READ_ONLY: &'static [&'static str] = &[#(#read_only),*];)
    };
    let odata = format!("#microsoft.graph.{}", ty.name.api);
    let derived: Vec<String> = api
        .graph()
        .derived(ty)
        .iter()
        .map(|t| format!("#microsoft.graph.{}", t.name.api))
        .collect();
    let derived = if derived.is_empty() {
        quote!()
    } else {
        quote!(const DERIVED: &'static [&'static str] = &[#(#derived),*];)
    };
    quote! {
        const ODATA_TYPE: &'static str = #odata;
        #derived
        #read_only
    }
}

/// The declaration of one field of `ty`, with its wire name for
/// `runtime::model!`; `cfg` is the attribute it is compiled under, if any.
fn field_declaration(
    api: &Api,
    ty: &TypeDef,
    f: &Field<'_>,
    cfg: Option<TokenStream>,
    graph: &Containment<'_>,
    dispatch: &BTreeMap<&str, String>,
) -> TokenStream {
    let models = quote!(super);
    let field = ident(&f.prop.name.rust);
    let wire = &f.prop.name.api;
    let any = match &f.prop.ty {
        TypeRef::Named(n) if f.prop.navigation => dispatch.get(n.as_str()),
        _ => None,
    };
    let inner = match any {
        // Its variants are boxed, so it never needs a box of its own.
        Some(any) => {
            let any = ident(any);
            quote!(#models::#any)
        }
        None if graph.needs_box(&ty.name.api, &f.prop.ty, f.prop.collection) => {
            let inner = type_ref(api, &f.prop.ty, &models);
            quote!(Box<#inner>)
        }
        None => type_ref(api, &f.prop.ty, &models),
    };
    let full = if f.prop.collection {
        quote!(Vec<#inner>)
    } else {
        inner
    };
    let field_docs = docs(&field_docs(ty, f, cfg.is_some()));
    // Without an unconditional field, `Nullable` may be unused: gated
    // fields name it by path.
    match cfg {
        Some(cfg) => quote! {
            #field_docs
            #cfg
            #[wire = #wire]
            pub #field: crate::runtime::Nullable<#full>,
        },
        None => quote! {
            #field_docs
            #[wire = #wire]
            pub #field: Nullable<#full>,
        },
    }
}

/// The doc lines of a field: its description, notes on its type, where it
/// is inherited from, and whether it is compiled only with some features.
fn field_docs(ty: &TypeDef, f: &Field<'_>, gated: bool) -> Vec<String> {
    let wire = &f.prop.name.api;
    let mut lines = vec![{
        let d = doc_text(&f.prop.description);
        if d.is_empty() {
            format!("The `{wire}` property.")
        } else {
            d
        }
    }];
    if let TypeRef::Primitive(p) = &f.prop.ty {
        if let Some(note) = primitive_note(*p) {
            lines.push(String::new());
            lines.push(note.to_owned());
        }
    }
    if let TypeRef::Unresolved(w) = &f.prop.ty {
        lines.push(String::new());
        lines.push(format!(
            "The docs name the type `{}`, which no page defines, so the value is untyped JSON.",
            doc_text(w)
        ));
    }
    if f.owner.name != ty.name {
        lines.push(String::new());
        lines.push(format!("Inherited from `{}`.", f.owner.name.api));
    }
    if gated {
        lines.push(String::new());
        lines.push(
            "Compiled with the features that need its type; without them the value \
             is kept in `additional_properties`."
                .to_owned(),
        );
    }
    lines
}

fn emit_enum(ty: &TypeDef) -> TokenStream {
    let name = ident(&ty.name.rust);
    let type_docs = docs(&type_docs(ty));
    let taken: BTreeSet<&str> = ty.members.iter().map(|m| m.name.rust.as_str()).collect();
    let fallback_name = ["Unrecognized", "UnrecognizedValue"]
        .iter()
        .map(|s| (*s).to_owned())
        .chain((2..).map(|n| format!("UnrecognizedValue{n}")))
        .find(|n| !taken.contains(n.as_str()))
        .unwrap_or_default();
    let fallback = ident(&fallback_name);
    let variants = ty.members.iter().map(|m| {
        let v = ident(&m.name.rust);
        let mut lines = vec![{
            let d = doc_text(&m.description);
            if d.is_empty() {
                format!("`{}`.", m.name.api)
            } else {
                d
            }
        }];
        if let Some(value) = m.value {
            lines.push(String::new());
            lines.push(format!("Numeric value {value}."));
        }
        let d = docs(&lines);
        quote!(#d #v,)
    });
    let to_str = ty.members.iter().map(|m| {
        let v = ident(&m.name.rust);
        let wire = &m.name.api;
        quote!(Self::#v => #wire,)
    });
    let from_str = ty.members.iter().map(|m| {
        let v = ident(&m.name.rust);
        let wire = &m.name.api;
        quote!(#wire => Self::#v,)
    });
    quote! {
        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        #type_docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this version of the crate does not know, such as a member
            /// added to the API later (after `unknownFutureValue`). It is kept as
            /// written and sent back unchanged.
            #fallback(String),
        }

        impl #name {
            /// The value as it is written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_str)*
                    Self::#fallback(other) => other,
                }
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_str)*
                    other => Self::#fallback(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for #name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = String::deserialize(deserializer)?;
                Ok(Self::from(value.as_str()))
            }
        }
    }
}

/// The body of an action with a parameter table, emitted as its own struct.
pub struct ActionBody<'a> {
    /// The endpoint.
    pub endpoint: &'a Endpoint,
    /// The struct's Rust name.
    pub rust_name: String,
    /// Its parameters.
    pub parameters: &'a [Parameter],
}

/// Names a body struct for every action with a parameter table.
pub fn body_structs(api: &Api) -> Vec<ActionBody<'_>> {
    let mut scope = crate::base::ident::Scope::default();
    for ty in &api.types {
        scope.claim(&ty.name.api, ty.name.rust.clone());
    }
    api.endpoints
        .iter()
        .filter_map(|e| match &e.request_body {
            RequestBody::Parameters { parameters } => {
                let wanted = crate::base::ident::type_ident(&format!(
                    "{}_body",
                    e.name.api.replace('.', "_")
                ));
                let (rust_name, _) = scope.claim(&e.name.api, wanted);
                Some(ActionBody {
                    endpoint: e,
                    rust_name,
                    parameters,
                })
            }
            _ => None,
        })
        .collect()
}

/// The names of an entity type's field enums: every property for
/// `$select` and `$orderby`, and the navigation properties for `$expand`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldEnums {
    /// `UserField`.
    pub field: String,
    /// `UserNav`, when the type has navigation properties.
    pub nav: Option<String>,
}

/// The names of the enums that go with model types: field enums and
/// dispatch enums, by their type's API name. Planned once per crate; the
/// models and the client both read them.
#[derive(Debug, Default)]
pub struct Companions<'a> {
    /// Field enums, by entity type.
    pub fields: BTreeMap<&'a str, FieldEnums>,
    /// Dispatch enums (`AnyDirectoryObject`), by base type.
    pub dispatch: BTreeMap<&'a str, String>,
}

impl<'a> Companions<'a> {
    /// Names the companions of `api`'s types.
    pub fn plan(api: &'a Api, bodies: &[ActionBody<'_>]) -> Self {
        let fields = field_enums(api, bodies);
        let dispatch = crate::emit::dispatch::dispatch_enums(api, bodies, &fields);
        Companions { fields, dispatch }
    }
}

/// Field enum names for every entity type that a GET endpoint returns (the
/// types whose properties `$select`, `$orderby` and `$expand` name), by API
/// name, clear of every type and body struct name. Other entity types get
/// none: at Graph's size every enum costs compile time.
pub fn field_enums<'a>(api: &'a Api, bodies: &[ActionBody<'_>]) -> BTreeMap<&'a str, FieldEnums> {
    let read: BTreeSet<&str> = api
        .endpoints
        .iter()
        .filter(|e| e.method == crate::base::Method::Get)
        .filter_map(|e| match &e.response.body {
            Some(TypeRef::Named(n)) => Some(n.as_str()),
            _ => None,
        })
        .collect();
    let mut scope = crate::base::ident::Scope::default();
    for ty in &api.types {
        scope.claim(&ty.name.api, ty.name.rust.clone());
    }
    for body in bodies {
        scope.claim(&body.endpoint.name.api, body.rust_name.clone());
    }
    let mut out = BTreeMap::new();
    let entities = api.types.iter().filter(|t| t.kind == TypeKind::Entity);
    for ty in entities.filter(|t| read.contains(t.name.api.as_str())) {
        let fields = fields(api, ty);
        if !fields.iter().any(|f| !f.prop.name.api.starts_with('@')) {
            continue;
        }
        let (field, _) = scope.claim(
            &format!("{}#field", ty.name.api),
            format!("{}Field", ty.name.rust),
        );
        let nav = fields
            .iter()
            .any(|f| f.prop.navigation && !f.prop.name.api.starts_with('@'))
            .then(|| {
                scope
                    .claim(
                        &format!("{}#nav", ty.name.api),
                        format!("{}Nav", ty.name.rust),
                    )
                    .0
            });
        out.insert(ty.name.api.as_str(), FieldEnums { field, nav });
    }
    out
}

/// The variants of a field enum over `props`: each property's name in
/// upper camel case (unique within the enum), with its wire name.
pub(crate) fn field_variants<'p>(props: &[&'p Property]) -> Vec<(String, &'p str)> {
    use heck::ToUpperCamelCase;
    let mut scope = crate::base::ident::Scope::with_reserved(&["Self"]);
    props
        .iter()
        .map(|p| {
            let wanted = crate::base::ident::type_ident(&p.name.api.to_upper_camel_case());
            (scope.claim(&p.name.api, wanted).0, p.name.api.as_str())
        })
        .collect()
}

/// The field enum variants of entity type `ty`: (`UserField` or `UserNav`
/// variant, wire name), for every property or only the navigation ones.
pub(crate) fn entity_field_variants<'a>(
    api: &'a Api,
    ty: &'a TypeDef,
    navigation: bool,
) -> Vec<(String, &'a str)> {
    let props: Vec<&Property> = fields(api, ty)
        .into_iter()
        .map(|f| f.prop)
        .filter(|p| !p.name.api.starts_with('@') && (!navigation || p.navigation))
        .collect();
    field_variants(&props)
}

/// `UserField` and `UserNav`: property names as enums, so that a misspelt
/// `$select` is a compile error.
fn emit_field_enums(api: &Api, ty: &TypeDef, names: &FieldEnums) -> TokenStream {
    let all = fields(api, ty);
    let one = |name: &str, doc: String, props: Vec<&Property>| {
        let enum_name = ident(name);
        let variants: Vec<(proc_macro2::Ident, &str)> = field_variants(&props)
            .into_iter()
            .map(|(v, wire)| (ident(&v), wire))
            .collect();
        let decls = variants.iter().map(|(v, wire)| {
            let d = format!(" `{wire}`.");
            quote!(#[doc = #d] #v,)
        });
        let count = variants.len();
        let wires = variants.iter().map(|(_, wire)| wire);
        let doc = docs(&[doc]);
        // The names are an array indexed by the discriminant, and `Debug`
        // prints the name: a `match` per enum would cost compile time at
        // Graph's size.
        quote! {
            #doc
            #[derive(Clone, Copy, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum #enum_name {
                #(#decls)*
            }

            impl #enum_name {
                /// The property's name on the wire.
                pub const fn as_str(self) -> &'static str {
                    const NAMES: [&str; #count] = [#(#wires),*];
                    NAMES[self as usize]
                }

            }

            crate::runtime::field_names!(#enum_name);
        }
    };
    let field = one(
        &names.field,
        format!(
            "The properties of [`{}`], for `.select([...])` and `.order_by([...])`: a misspelt name is a compile error. A string still works for anything else.",
            ty.name.rust
        ),
        all.iter()
            .map(|f| f.prop)
            .filter(|p| !p.name.api.starts_with('@'))
            .collect(),
    );
    let nav = names.nav.as_ref().map(|nav| {
        one(
            nav,
            format!(
                "The navigation properties of [`{}`], for `.expand([...])`.",
                ty.name.rust
            ),
            all.iter()
                .filter(|f| f.prop.navigation && !f.prop.name.api.starts_with('@'))
                .map(|f| f.prop)
                .collect(),
        )
    });
    quote!(#field #nav)
}

fn emit_body_struct(api: &Api, body: &ActionBody<'_>) -> TokenStream {
    let name = ident(&body.rust_name);
    let models = quote!(super);
    let doc = docs(&[
        format!(
            "The body of `{}`: {}",
            body.endpoint.name.api,
            doc_text(&body.endpoint.title)
        ),
        String::new(),
        format!("Generated from `{}`.", body.endpoint.source.file),
    ]);
    let fields = body.parameters.iter().map(|p| {
        let field = ident(&p.name.rust);
        let wire = &p.name.api;
        let inner = type_ref(api, &p.ty, &models);
        let full = if p.collection {
            quote!(Vec<#inner>)
        } else {
            inner
        };
        let d = doc_text(&p.description);
        let d = docs(&[if d.is_empty() {
            format!("The `{wire}` parameter.")
        } else {
            d
        }]);
        let rename = rename_if_needed(&p.name.rust, wire);
        if p.optional {
            quote! {
                #d
                #[serde(#rename default, skip_serializing_if = "Option::is_none")]
                pub #field: Option<#full>,
            }
        } else {
            let attr = rename.map(|r| quote!(#[serde(#r)]));
            quote! {
                #d
                #attr
                pub #field: #full,
            }
        }
    });
    // Required enum fields have no default value.
    let defaultable = body
        .parameters
        .iter()
        .all(|p| p.optional || p.collection || !matches!(&p.ty, TypeRef::Named(n) if api.type_named(n).is_some_and(|t| t.kind == TypeKind::Enum)));
    let derives = if defaultable {
        quote!(#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)])
    } else {
        quote!(#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)])
    };
    quote! {
        use serde::{Deserialize, Serialize};

        #doc
        #derives
        #[serde(rename_all = "camelCase")]
        pub struct #name {
            #(#fields)*
        }
    }
}
