//! Tokens for builders: structs, accessors that follow the URL, and one
//! method per endpoint.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use crate::base::Method;
use crate::base::ident::{Scope, snake_ident};
use crate::emit::features::{Features, Gate};
use crate::emit::rust::{code_text, docs, ident, type_ref};
use crate::model::{Api, ArgKind, ArgValue, Endpoint, Primitive, RequestBody, Segment, TypeRef};

use super::docs::*;
use super::tree::*;

pub(super) struct Ctx<'a> {
    pub(super) api: &'a Api,
    pub(super) body_names: BTreeMap<&'a str, &'a str>,
    pub(super) docs_label: &'a str,
    /// Path parameters that every `Path parameters` table naming them types
    /// as the same non-string primitive (`Int32`, `Guid`).
    pub(super) key_types: BTreeMap<&'a str, Primitive>,
    /// The other paths each shared builder type serves.
    pub(super) shared: &'a BTreeMap<String, Vec<String>>,
    /// The crate's features, and what each compiles.
    pub(super) features: &'a Features,
    /// The dispatch enums of base types, by API name.
    pub(super) dispatch: &'a BTreeMap<&'a str, String>,
    /// The field enums of entity types, by API name.
    pub(super) field_enums: &'a BTreeMap<&'a str, crate::emit::models::FieldEnums>,
}

/// A builder: its tokens, when it is compiled, and what its code names.
pub(super) struct Builder {
    /// The type name.
    pub(super) name: String,
    /// When the builder is compiled: with any area below it.
    pub(super) gate: Gate,
    /// The struct, as token text.
    pub(super) item: String,
    /// Its `request_builder!` call and its `impl` (if it has methods), each
    /// an item as token text.
    pub(super) methods: Vec<String>,
    /// The names its code uses (runtime items, `models`, builders it
    /// shares with other nodes), each with when the code using it is compiled.
    pub(super) uses: BTreeMap<String, Gate>,
}

/// Records that code compiled with `gate` uses `name`.
pub(super) fn note_use(uses: &mut BTreeMap<String, Gate>, name: &str, gate: &Gate) {
    uses.entry(name.to_owned())
        .and_modify(|g| *g = g.union(gate))
        .or_insert_with(|| gate.clone());
}

/// `node` and the nodes below it that get a builder, in the order their
/// builders are written. Nodes that repeat an earlier subtree are left out:
/// their accessors name the earlier node's builders.
pub(super) fn builder_nodes<'n, 'a>(node: &'n Node<'a>, out: &mut Vec<&'n Node<'a>>) {
    out.push(node);
    for child in node.children.values().filter(|c| !c.shared) {
        builder_nodes(child, out);
    }
}

/// The builder of one node, and the pages and endpoints its requests come
/// from.
pub(super) fn builder(ctx: &Ctx<'_>, node: &Node<'_>) -> (Builder, BTreeSet<String>, Vec<String>) {
    let mut pages = BTreeSet::new();
    let name = ident(&node.type_name);
    let label = code_text(&node.label);
    let gate = ctx.features.gate(node.areas.iter().copied());
    let mut uses = BTreeMap::new();
    note_use(&mut uses, "Client", &gate);
    let accessors: Vec<TokenStream> = node
        .children
        .iter()
        .map(|(step, child)| {
            let child_gate = ctx.features.gate(child.areas.iter().copied());
            let tokens = child_accessor(ctx, step, child, false);
            for used in used_names(&tokens) {
                note_use(&mut uses, used, &child_gate);
            }
            // The child's builder may live in another file (a shared one, or
            // one split off); a file imports none of its own.
            note_use(&mut uses, &child.type_name, &child_gate);
            let cfg = child_gate.attr_within(&gate);
            quote!(#cfg #tokens)
        })
        .collect();
    let ops: Vec<TokenStream> = node
        .ops
        .iter()
        .map(|op| {
            let op_gate = ctx.features.gate([&op.endpoint.area]);
            let tokens = emit_op(ctx, op, false);
            for used in used_names(&tokens) {
                note_use(&mut uses, used, &op_gate);
            }
            let cfg = op_gate.attr_within(&gate);
            quote!(#cfg #tokens)
        })
        .collect();
    let mut endpoints = Vec::with_capacity(node.ops.len());
    for op in &node.ops {
        pages.insert(op.endpoint.source.file.clone());
        endpoints.push(op.endpoint.name.api.clone());
    }
    let doc = match ctx.shared.get(&node.type_name) {
        Some(others) => format!(
            " Requests under `{label}`, and the same requests under {}.",
            others
                .iter()
                .map(|p| format!("`{}`", code_text(p)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => format!(" Requests under `{label}`."),
    };
    let builder = Builder {
        name: node.type_name.clone(),
        item: quote! {
            #[doc = #doc]
            #[derive(Debug, Clone)]
            pub struct #name {
                client: Client,
                path: String,
            }
        }
        .to_string(),
        methods: {
            let mut items = vec![quote!(crate::runtime::request_builder!(#name);).to_string()];
            if !accessors.is_empty() || !ops.is_empty() {
                items.push(
                    quote! {
                        impl #name {
                            #(#accessors)*
                            #(#ops)*
                        }
                    }
                    .to_string(),
                );
            }
            items
        },
        gate,
        uses,
    };
    (builder, pages, endpoints)
}

/// The runtime items and modules that client code can name bare; files
/// import those they use.
pub(super) const IMPORTABLE: &[&str] = &[
    "Client",
    "Content",
    "Download",
    "Method",
    "Page",
    "Reference",
    "Request",
    "encode_function_arg",
    "encode_path_segment",
    "models",
];

/// The [`IMPORTABLE`] names `code` uses: identifiers not preceded by `::`
/// (a path such as `crate::runtime::Client` needs no import). Imports keep
/// signatures short (`Request<Page<models::User>>`), and naming only what is
/// used keeps `unused_imports` quiet. String literals (docs, formats) are
/// single tokens, so their words are never taken for names.
pub(super) fn used_names(code: &TokenStream) -> Vec<&'static str> {
    fn walk(code: &TokenStream, found: &mut [bool]) {
        let mut colons = 0;
        for tree in code.clone() {
            match &tree {
                proc_macro2::TokenTree::Ident(id) if colons < 2 => {
                    if let Some(i) = IMPORTABLE.iter().position(|n| id == n) {
                        found[i] = true;
                    }
                }
                proc_macro2::TokenTree::Group(g) => walk(&g.stream(), found),
                _ => {}
            }
            colons = match &tree {
                proc_macro2::TokenTree::Punct(p) if p.as_char() == ':' => colons + 1,
                _ => 0,
            };
        }
    }
    let mut found = vec![false; IMPORTABLE.len()];
    walk(code, &mut found);
    IMPORTABLE
        .iter()
        .zip(found)
        .filter_map(|(name, used)| used.then_some(*name))
        .collect()
}

/// How a method reaches the client and the path so far: on `Client` itself
/// (the root) or on a builder.
pub(super) fn receiver(from_root: bool) -> (TokenStream, TokenStream) {
    if from_root {
        (quote!(self.inner.clone()), quote!(""))
    } else {
        (quote!(self.client.clone()), quote!(self.path))
    }
}

pub(super) fn child_accessor(
    ctx: &Ctx<'_>,
    step: &Step,
    child: &Node<'_>,
    from_root: bool,
) -> TokenStream {
    let method = ident(&child.accessor);
    let ty = ident(&child.type_name);
    let label = code_text(&child.label);
    let (client, base) = receiver(from_root);
    let mut lets: Vec<TokenStream> = Vec::new();
    let (params, path) = match (step, child.segment) {
        (Step::Literal(name), _) if from_root => {
            let path = format!("/{name}");
            (quote!(), quote!(#path.to_owned()))
        }
        (Step::Literal(name), _) => {
            let fmt = format!("{{}}/{}", escape_braces(name));
            (quote!(), quote!(format!(#fmt, #base)))
        }
        (Step::Key, Some(Segment::Key { param })) => {
            let p = ident(&snake_ident(&param.name));
            match ctx.key_types.get(param.name.as_str()) {
                Some(prim) => {
                    let ty = crate::emit::rust::primitive_type(*prim);
                    lets.push(quote!(let #p = encode_path_segment(&#p.to_string());));
                    (quote!(#p: #ty), quote!(format!("{}/{}", #base, #p)))
                }
                None => {
                    lets.push(quote!(let #p = encode_path_segment(#p.as_ref());));
                    (
                        quote!(#p: impl AsRef<str>),
                        quote!(format!("{}/{}", #base, #p)),
                    )
                }
            }
        }
        (Step::Cast(t), _) => {
            let fmt = format!("{{}}/{}", escape_braces(t));
            (quote!(), quote!(format!(#fmt, #base)))
        }
        (Step::Keyed(name), Some(Segment::KeyedLiteral { param, .. })) => {
            let p = ident(&snake_ident(&param.name));
            let fmt = format!("{{}}/{}('{{}}')", escape_braces(name));
            lets.push(quote!(let #p = encode_function_arg(#p.as_ref());));
            (
                quote!(#p: impl AsRef<str>),
                quote!(format!(#fmt, #base, #p)),
            )
        }
        // `items/{parent-id}:/{filename}:`: the item the path starts from is
        // a key the caller gives too.
        (Step::ItemPath(b), Some(Segment::ItemPath { param, .. }))
            if crate::model::path::braced(b).is_some() =>
        {
            let key_name = crate::model::path::braced(b).unwrap_or(b);
            let k = ident(&snake_ident(key_name));
            let p = ident(&snake_ident(&param.name));
            lets.push(quote!(let #k = encode_path_segment(#k.as_ref());));
            lets.push(quote!(let #p = #p.as_ref().split('/').map(encode_path_segment).collect::<Vec<_>>().join("/");));
            (
                quote!(#k: impl AsRef<str>, #p: impl AsRef<str>),
                quote!(format!("{}/{}:/{}:", #base, #k, #p)),
            )
        }
        (Step::ItemPath(b), Some(Segment::ItemPath { param, .. })) => {
            let p = ident(&snake_ident(&param.name));
            let fmt = format!("{{}}/{}:/{{}}:", escape_braces(b));
            // Each part of the item path is encoded; the slashes between them stay.
            lets.push(quote!(let #p = #p.as_ref().split('/').map(encode_path_segment).collect::<Vec<_>>().join("/");));
            (
                quote!(#p: impl AsRef<str>),
                quote!(format!(#fmt, #base, #p)),
            )
        }
        (Step::Function(..), Some(Segment::Function { name, args })) => {
            let (params, fmt, encode, values) = function_call(ctx.api, name, args, &[]);
            lets.extend(encode);
            let fmt = format!("{{}}{fmt}");
            (
                quote!(#(#params),*),
                quote!(format!(#fmt, #base, #(#values),*)),
            )
        }
        _ => (quote!(), quote!(#base.to_owned())),
    };
    let doc = format!(" `{label}`.");
    quote! {
        #[doc = #doc]
        pub fn #method(&self, #params) -> #ty {
            #(#lets)*
            #ty::new(#client, #path)
        }
    }
}

pub(super) fn escape_braces(s: &str) -> String {
    s.replace('{', "{{").replace('}', "}}")
}

/// The parameters, format string and values of a function call segment.
/// Returns the method parameters, the format string, the `let` bindings that
/// encode string arguments, and the values to format.
pub(super) fn function_call(
    api: &Api,
    name: &str,
    args: &[crate::model::FunctionArg],
    declared: &[crate::model::Parameter],
) -> (Vec<TokenStream>, String, Vec<TokenStream>, Vec<TokenStream>) {
    let mut params = Vec::new();
    let mut values = Vec::new();
    let mut lets = Vec::new();
    let mut parts = Vec::new();
    let mut scope = Scope::with_reserved(&["body"]);
    for arg in args {
        match &arg.value {
            ArgValue::Literal(v) => {
                let v = escape_braces(v);
                parts.push(if arg.quoted {
                    format!("{}='{v}'", arg.name)
                } else {
                    format!("{}={v}", arg.name)
                });
            }
            ArgValue::Placeholder(param) => {
                let (rust, _) = scope.claim(&param.name, snake_ident(&param.name));
                let p = ident(&rust);
                let kind = crate::model::argument_kind(api, declared, &arg.name, &param.name);
                // Text and enum members are OData string literals, in quotes.
                let quoted = matches!(kind, ArgKind::Enum(_) | ArgKind::Text);
                match kind {
                    ArgKind::Int => params.push(quote!(#p: i64)),
                    ArgKind::Bool => params.push(quote!(#p: bool)),
                    ArgKind::Guid => params.push(quote!(#p: uuid::Uuid)),
                    ArgKind::Date => params.push(quote!(#p: chrono::NaiveDate)),
                    ArgKind::DateTime => {
                        // An offset's `+` must be encoded in a URL.
                        params.push(quote!(#p: chrono::DateTime<chrono::FixedOffset>));
                        lets.push(quote!(let #p = encode_path_segment(&#p.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));));
                    }
                    ArgKind::Enum(name) => {
                        let t = type_ref(api, &TypeRef::Named(name), &quote!(models));
                        params.push(quote!(#p: #t));
                        lets.push(quote!(let #p = encode_function_arg(#p.as_str());));
                    }
                    ArgKind::Text => {
                        params.push(quote!(#p: impl AsRef<str>));
                        lets.push(quote!(let #p = encode_function_arg(#p.as_ref());));
                    }
                }
                values.push(quote!(#p));
                parts.push(if quoted {
                    format!("{}='{{}}'", arg.name)
                } else {
                    format!("{}={{}}", arg.name)
                });
            }
        }
    }
    (
        params,
        format!("/{}({})", escape_braces(name), parts.join(",")),
        lets,
        values,
    )
}

/// The method of `op`: its docs, parameters, path, body and response.
pub(super) fn emit_op(ctx: &Ctx<'_>, op: &Op<'_>, from_root: bool) -> TokenStream {
    let OpCode { signature, body } = op_code(ctx, op, from_root);
    let doc = docs(&op_docs(ctx, op));
    quote! {
        #doc
        pub #signature #body
    }
}

/// The signature of `op`'s method (`fn get(&self) -> Request<models::User>`),
/// as [`emit_op`] writes it, without the docs and the body the API surface
/// does not record.
pub(super) fn op_signature(ctx: &Ctx<'_>, op: &Op<'_>, from_root: bool) -> TokenStream {
    op_code(ctx, op, from_root).signature
}

/// The code of an operation's method: its signature and its body.
struct OpCode {
    signature: TokenStream,
    body: TokenStream,
}

/// [`OpCode`] of `op`.
fn op_code(ctx: &Ctx<'_>, op: &Op<'_>, from_root: bool) -> OpCode {
    let e = op.endpoint;
    let api = ctx.api;
    let method_name = ident(&op.method);
    let (client, base) = receiver(from_root);
    let http_method = ident(e.method.as_str());
    let mut lets: Vec<TokenStream> = Vec::new();

    let (mut params, path_expr) = match op.tail {
        None => (
            Vec::new(),
            if from_root {
                quote!(String::new())
            } else {
                quote!(self.path.clone())
            },
        ),
        Some(Segment::Function { name, args }) => {
            let (params, fmt, encode, values) =
                function_call(api, name, args, &e.function_parameters);
            lets.extend(encode);
            let fmt = format!("{{}}{fmt}");
            (params, quote!(format!(#fmt, #base, #(#values),*)))
        }
        Some(seg) => {
            let fmt = format!("{{}}/{}", escape_braces(&segment_label(Some(seg))));
            (Vec::new(), quote!(format!(#fmt, #base)))
        }
    };
    let template = &op.path.written;
    let mut build =
        quote!(Request::new(#client, Method::#http_method, #path_expr).template(#template));
    if advanced_queries(e) {
        build = quote!(#build.advanced_queries());
    }
    build = request_body(ctx, op, &mut params, build);
    let (output, build) = response(ctx, e, build);
    OpCode {
        signature: quote!(fn #method_name(&self, #(#params),*) -> Request<#output>),
        body: quote!({
            #(#lets)*
            #build
        }),
    }
}

/// The request body of `op`: its parameter, pushed to `params`, and
/// `build` with the call that sends it.
fn request_body(
    ctx: &Ctx<'_>,
    op: &Op<'_>,
    params: &mut Vec<TokenStream>,
    mut build: TokenStream,
) -> TokenStream {
    let e = op.endpoint;
    let api = ctx.api;
    let models = quote!(models);
    let reference = e.sends_reference(op.path);
    match &e.request_body {
        // `POST .../$ref` takes `{"@odata.id": url}`, whatever type the page links.
        _ if reference => {
            params.push(quote!(body: &Reference));
            build = quote!(#build.json_body(body));
        }
        RequestBody::None => {}
        RequestBody::Resource { ty } => {
            let t = type_ref(api, ty, &models);
            params.push(quote!(body: &#t));
            build = quote!(#build.json_body(body));
        }
        RequestBody::Parameters { .. } => {
            let name = ident(
                ctx.body_names
                    .get(e.name.api.as_str())
                    .copied()
                    .unwrap_or("serde_json::Value"),
            );
            params.push(quote!(body: &#models::#name));
            build = quote!(#build.json_body(body));
        }
        RequestBody::Stream => {
            params.push(quote!(body: impl Into<Content>));
            let content_type = documented_content_type(e).unwrap_or("application/octet-stream");
            build = quote!(#build.content_body(body, #content_type));
        }
    }
    build
}

/// The output type of `e`'s request and `build` with the call that reads
/// its response.
fn response(ctx: &Ctx<'_>, e: &Endpoint, build: TokenStream) -> (TokenStream, TokenStream) {
    let api = ctx.api;
    let models = quote!(models);
    match response_kind(api, e) {
        ResponseKind::Unit => (quote!(()), build),
        ResponseKind::Bytes => (quote!(Download), quote!(#build.download_response())),
        ResponseKind::Untyped => (quote!(serde_json::Value), quote!(#build.json_response())),
        ResponseKind::Page(ty) => {
            // Items of a base type may be of any type derived from it.
            let t = match ty {
                TypeRef::Named(n) if ctx.dispatch.contains_key(n.as_str()) => {
                    let any = ident(&ctx.dispatch[n.as_str()]);
                    quote!(#models::#any)
                }
                _ => type_ref(api, ty, &models),
            };
            (quote!(Page<#t>), quote!(#build.json_response()))
        }
        ResponseKind::Wrapped(ty) => {
            let t = type_ref(api, ty, &models);
            (quote!(#t), quote!(#build.value_response()))
        }
        // One object: a collection page in its place is an error, unless
        // the type itself has a `value` collection.
        ResponseKind::Object(ty) if !has_value_collection(api, ty) => {
            let t = type_ref(api, ty, &models);
            (quote!(#t), quote!(#build.object_response()))
        }
        ResponseKind::Object(ty) => {
            let t = type_ref(api, ty, &models);
            (quote!(#t), quote!(#build.json_response()))
        }
        ResponseKind::Optional(ty) if !has_value_collection(api, ty) => {
            let t = type_ref(api, ty, &models);
            (
                quote!(Option<#t>),
                quote!(#build.optional_object_response()),
            )
        }
        ResponseKind::Optional(ty) => {
            let t = type_ref(api, ty, &models);
            (quote!(Option<#t>), quote!(#build.optional_json_response()))
        }
    }
}

/// Whether a model type (or one of its bases) has a `value` property that
/// is a collection, which a page's `value` would look like.
fn has_value_collection(api: &Api, ty: &TypeRef) -> bool {
    let TypeRef::Named(name) = ty else {
        return false;
    };
    api.type_named(name).is_some_and(|def| {
        api.ancestry(def).into_iter().any(|t| {
            t.properties
                .iter()
                .any(|p| p.name.api == "value" && p.collection)
        })
    })
}

/// The content type the page's `Content-Type` header row names for binary
/// content (`image/jpeg`), if any.
fn documented_content_type(e: &Endpoint) -> Option<&str> {
    let header = e
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-type"))?;
    // `The media type of the file, for example text/plain`: an example,
    // not the type; the caller sets it (`Content::content_type`).
    let lower = header.description.to_ascii_lowercase();
    if lower.contains("for example") || lower.contains("e.g.") || lower.contains("such as") {
        return None;
    }
    crate::base::media::content_type_in(&header.description)
}

/// What an endpoint method returns.
pub(super) enum ResponseKind<'a> {
    /// No content: a 204, or a write whose page names no response body.
    Unit,
    /// Binary content.
    Bytes,
    /// A GET whose body type is unknown: its JSON, untyped.
    Untyped,
    /// A page of a collection.
    Page(&'a TypeRef),
    /// A primitive or enum, which Graph wraps as `{"value": ...}`.
    Wrapped(&'a TypeRef),
    /// The object a GET reads.
    Object(&'a TypeRef),
    /// The object a write returns; a write may answer `204 No Content`
    /// where the docs show the object, which is a success without a body.
    Optional(&'a TypeRef),
}

/// What `e`'s method returns.
pub(super) fn response_kind<'a>(api: &Api, e: &'a Endpoint) -> ResponseKind<'a> {
    match &e.response.body {
        _ if e.returns_no_content() => ResponseKind::Unit,
        Some(TypeRef::Primitive(Primitive::Stream)) => ResponseKind::Bytes,
        Some(ty) if e.response.collection => ResponseKind::Page(ty),
        Some(ty) if matches!(ty, TypeRef::Primitive(_)) || crate::emit::rust::is_enum(api, ty) => {
            ResponseKind::Wrapped(ty)
        }
        Some(ty) if e.method == Method::Get => ResponseKind::Object(ty),
        Some(ty) => ResponseKind::Optional(ty),
        None => ResponseKind::Untyped,
    }
}
