//! The client: request builders that follow the URL, under `src/client/`.
//!
//! All paths of all endpoints form a tree. Each node is a builder struct
//! (`UsersItemRequest` for `/users/{id}`) with a method per child segment
//! (`events()`, `item(id)`) and a method per endpoint that ends there
//! (`get()`, `update(&body)`). The root's children hang off `Client`.

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::models::BodyStruct;
use crate::emit::rust::{doc_text, docs, format_file, ident, module_ident, type_ref};
use crate::emit::{Emitted, header};
use crate::model::naming::{Scope, module_name, snake_ident};
use crate::model::{
    Api, ArgValue, Endpoint, Param, PathTemplate, Primitive, RequestBody, Segment, TypeRef,
};
use crate::parse::Method;

/// How a node is reached from its parent.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Literal(String),
    Key,
    Cast(String),
    Function(String, Vec<String>),
    Keyed(String),
    ItemPath(String),
}

/// An endpoint reached at a node, through one of its paths.
struct Op<'a> {
    endpoint: &'a Endpoint,
    path: &'a PathTemplate,
    /// The last segment when it names the operation (`$ref`, `delta`, `assign(...)`).
    tail: Option<&'a Segment>,
    method: String,
}

#[derive(Default)]
struct Node<'a> {
    /// The segment that leads here (a representative, for parameters).
    segment: Option<&'a Segment>,
    children: BTreeMap<Step, Node<'a>>,
    ops: Vec<Op<'a>>,
    type_name: String,
    label: String,
    /// The name of the parent's method that leads here.
    accessor: String,
}

fn step(segment: &Segment) -> Step {
    match segment {
        Segment::Literal { name } => Step::Literal(name.clone()),
        Segment::Key { .. } => Step::Key,
        Segment::Cast { type_name } => Step::Cast(type_name.clone()),
        Segment::Function { name, args } => {
            Step::Function(name.clone(), args.iter().map(|a| a.name.clone()).collect())
        }
        Segment::KeyedLiteral { name, .. } => Step::Keyed(name.clone()),
        Segment::ItemPath { base, .. } => Step::ItemPath(base.clone()),
        Segment::Ref => Step::Literal("$ref".into()),
        Segment::Value => Step::Literal("$value".into()),
        Segment::Count => Step::Literal("$count".into()),
    }
}

fn action(endpoint: &Endpoint) -> &str {
    endpoint
        .name
        .api
        .rsplit('.')
        .next()
        .unwrap_or(&endpoint.name.api)
}

/// Whether the last segment names the operation rather than a resource.
fn is_tail(segment: &Segment, endpoint: &Endpoint, len: usize) -> bool {
    match segment {
        Segment::Ref | Segment::Value | Segment::Count | Segment::Function { .. } => true,
        Segment::Literal { name } => {
            len > 1
                && name.eq_ignore_ascii_case(action(endpoint).trim_end_matches(char::is_numeric))
        }
        _ => false,
    }
}

fn short_type(type_name: &str) -> &str {
    type_name.rsplit('.').next().unwrap_or(type_name)
}

fn step_part(step: &Step) -> String {
    match step {
        Step::Literal(n) => n.trim_start_matches('$').to_upper_camel_case(),
        Step::Key => "Item".into(),
        Step::Cast(t) => format!("As{}", short_type(t).to_upper_camel_case()),
        Step::Function(n, _) => n.to_upper_camel_case(),
        Step::Keyed(n) => format!("{}Item", n.to_upper_camel_case()),
        Step::ItemPath(b) => format!("{}Path", b.to_upper_camel_case()),
    }
}

fn step_method(step: &Step) -> String {
    match step {
        Step::Literal(n) => snake_ident(n.trim_start_matches('$')),
        Step::Key => "item".into(),
        Step::Cast(t) => snake_ident(&format!("as_{}", short_type(t).to_snake_case())),
        Step::Function(n, _) | Step::Keyed(n) => snake_ident(n),
        Step::ItemPath(b) => snake_ident(&format!("{}_path", b.to_snake_case())),
    }
}

/// The path tree, named: the root's children hang off `Client`.
struct Tree<'a> {
    root: Node<'a>,
    /// The builder type `/me` shares with `/users/{id}`, when both exist.
    me: Option<String>,
}

fn build_tree(api: &Api) -> Tree<'_> {
    let mut root = Node {
        type_name: "Client".into(),
        ..Node::default()
    };
    for endpoint in &api.endpoints {
        let mut seen = BTreeSet::new();
        for path in std::iter::once(&endpoint.path).chain(&endpoint.alternate_paths) {
            if !seen.insert(path.shape()) {
                continue;
            }
            let n = path.segments.len();
            let tail = path.segments.last().filter(|s| is_tail(s, endpoint, n));
            let node_segments = &path.segments[..n - usize::from(tail.is_some())];
            let mut node = &mut root;
            for seg in node_segments {
                node = node.children.entry(step(seg)).or_insert_with(|| Node {
                    segment: Some(seg),
                    ..Node::default()
                });
            }
            node.ops.push(Op {
                endpoint,
                path,
                tail,
                method: String::new(),
            });
        }
    }
    let merged_me = merge_me_into_users(&mut root);
    let mut types = Scope::with_reserved(&["Client"]);
    name_nodes(api, &mut root, &mut types, &Naming::default());
    let me = merged_me
        .then(|| users_item(&root).map(|n| n.type_name.clone()))
        .flatten();
    Tree { root, me }
}

/// `/users/{id}`, if the tree has it.
fn users_item<'t, 'a>(root: &'t Node<'a>) -> Option<&'t Node<'a>> {
    root.children
        .get(&Step::Literal("users".into()))?
        .children
        .get(&Step::Key)
}

/// `/me` is `/users/{id}` for the signed-in user, as in the Graph SDKs: its
/// subtree is merged into that of `/users/{id}`, so both share one builder
/// type per resource. Returns whether it was merged.
fn merge_me_into_users(root: &mut Node<'_>) -> bool {
    if users_item(root).is_none() {
        return false;
    }
    let Some(me) = root.children.remove(&Step::Literal("me".into())) else {
        return false;
    };
    let Some(item) = root
        .children
        .get_mut(&Step::Literal("users".into()))
        .and_then(|users| users.children.get_mut(&Step::Key))
    else {
        return false;
    };
    merge_node(item, me);
    true
}

/// Adds `from`'s operations and children to `into`. An operation `into`
/// already has (the same endpoint, reached the same way) is not repeated.
fn merge_node<'a>(into: &mut Node<'a>, from: Node<'a>) {
    for op in from.ops {
        let same = |o: &Op<'_>| {
            o.endpoint.name == op.endpoint.name && o.tail.map(step) == op.tail.map(step)
        };
        if !into.ops.iter().any(same) {
            into.ops.push(op);
        }
    }
    for (step, child) in from.children {
        match into.children.entry(step) {
            std::collections::btree_map::Entry::Occupied(mut slot) => {
                merge_node(slot.get_mut(), child);
            }
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(child);
            }
        }
    }
}

/// What naming a node's children needs to know about the node.
#[derive(Default, Clone)]
struct Naming {
    /// The path-derived name, the fallback on a clash (`DeviceManagementHardwareConfigurations`).
    path_name: String,
    /// What children's names start with (`User` under `/users/{id}`).
    base: String,
    /// The element type of the collection this node is, for its key child.
    element: Option<String>,
    /// The path so far, for docs.
    label: String,
}

/// The model type an endpoint at `node` reads or writes, if one is named:
/// a GET's response, a PATCH or PUT body, a POST body.
fn addressed_type<'a>(api: &'a Api, node: &Node<'_>) -> Option<&'a str> {
    let named = |t: &TypeRef| match t {
        TypeRef::Named(n) => api.type_named(n).map(|d| d.name.rust.as_str()),
        _ => None,
    };
    let untailed = || {
        node.ops
            .iter()
            .filter(|o| o.tail.is_none())
            .map(|o| o.endpoint)
    };
    untailed()
        .filter(|e| e.method == Method::Get)
        .find_map(|e| e.response.body.as_ref().and_then(named))
        .or_else(|| {
            untailed().find_map(|e| match &e.request_body {
                RequestBody::Resource { ty } => named(ty),
                _ => None,
            })
        })
}

/// Whether a node is a collection: it has a key below it, or lists.
fn is_collection(node: &Node<'_>) -> bool {
    node.children.contains_key(&Step::Key)
        || node.ops.iter().any(|o| {
            o.tail.is_none() && o.endpoint.method == Method::Get && o.endpoint.response.collection
        })
}

/// Names every builder after what it addresses (see ARCHITECTURE.md): a key
/// is `{Type}Item`, a collection `{Type}Collection`, anything else its
/// parent's base plus its segment (`UserManager`, `DeviceManagement`). A
/// name already taken falls back to the path-derived name.
fn name_nodes(api: &Api, node: &mut Node<'_>, types: &mut Scope, parent: &Naming) {
    let mut methods = Scope::default();
    for (step, child) in &mut node.children {
        let part = step_part(step);
        let path_name = format!("{}{part}", parent.path_name);
        let own = addressed_type(api, child).map(str::to_owned);
        let (wanted, base, element) = match step {
            Step::Key => {
                let ty = own.or_else(|| parent.element.clone());
                match ty {
                    Some(t) => (format!("{t}Item"), t, None),
                    None => {
                        let name = format!("{}Item", parent.base);
                        (name.clone(), name, None)
                    }
                }
            }
            Step::Literal(_) if is_collection(child) => {
                let key_type = child
                    .children
                    .get(&Step::Key)
                    .and_then(|k| addressed_type(api, k))
                    .map(str::to_owned);
                let element = own.or(key_type);
                let fallback = format!("{}{part}", parent.base);
                let name = element
                    .as_ref()
                    .map_or_else(|| fallback.clone(), |t| format!("{t}Collection"));
                (name, fallback, element)
            }
            _ => {
                let name = format!("{}{part}", parent.base);
                (name.clone(), name, None)
            }
        };
        let type_name = if types.is_taken(&wanted) {
            types.claim(&path_name, path_name.clone()).0
        } else {
            types.claim(&wanted, wanted.clone()).0
        };
        child.type_name = type_name;
        child.label = format!("{}/{}", parent.label, segment_label(child.segment));
        // `range()` and `range(address=...)` on one node need two names.
        let preferred = step_method(step);
        child.accessor = match step {
            Step::Function(name, args) if !args.is_empty() && methods.is_taken(&preferred) => {
                methods
                    .claim(
                        &child.type_name,
                        snake_ident(&format!("{name}_with_{}", args.join("_"))),
                    )
                    .0
            }
            _ => methods.claim(&child.type_name, preferred).0,
        };
        let naming = Naming {
            path_name,
            base,
            element,
            label: child.label.clone(),
        };
        name_nodes(api, child, types, &naming);
    }
    // Preferred names first, the endpoint's own name on a clash.
    for op in &mut node.ops {
        let preferred = preferred_method(op);
        let (name, clash) = methods.claim(&op.endpoint.name.api, preferred.clone());
        op.method = if clash.is_some() {
            methods
                .claim(&op.endpoint.name.api, op.endpoint.name.rust.clone())
                .0
        } else {
            name
        };
    }
}

fn segment_label(segment: Option<&Segment>) -> String {
    let Some(segment) = segment else {
        return String::new();
    };
    match segment {
        Segment::Literal { name } => name.clone(),
        Segment::Key { param } => format!("{{{}}}", param.written.join(" | ")),
        Segment::Cast { type_name } => type_name.clone(),
        Segment::Function { name, args } => {
            format!(
                "{name}({})",
                args.iter()
                    .map(|a| a.name.clone())
                    .collect::<Vec<_>>()
                    .join(",")
            )
        }
        Segment::KeyedLiteral { name, param } => format!("{name}('{{{}}}')", param.name),
        Segment::ItemPath { base, param } => format!("{base}:/{{{}}}:", param.name),
        Segment::Ref => "$ref".into(),
        Segment::Value => "$value".into(),
        Segment::Count => "$count".into(),
    }
}

fn preferred_method(op: &Op<'_>) -> String {
    let e = op.endpoint;
    match op.tail {
        Some(Segment::Ref) => match e.method {
            Method::Post => "add_ref".into(),
            Method::Delete => "delete_ref".into(),
            Method::Put => "set_ref".into(),
            _ => "get_ref".into(),
        },
        Some(Segment::Value) => match e.method {
            Method::Put => "put_content".into(),
            _ => "get_content".into(),
        },
        Some(Segment::Count) => "count".into(),
        Some(Segment::Function { name, .. }) | Some(Segment::Literal { name }) => snake_ident(name),
        _ => match e.method {
            Method::Get if e.response.collection => "list".into(),
            Method::Get => "get".into(),
            Method::Post => "create".into(),
            Method::Patch => "update".into(),
            Method::Put => "replace".into(),
            Method::Delete => "delete".into(),
            Method::Head => "head".into(),
            Method::Options => "options".into(),
        },
    }
}

/// Emits `src/client/mod.rs` and one file per top-level segment.
pub fn emit_client(api: &Api, bodies: &[BodyStruct<'_>], docs_label: &str, out: &mut Emitted) {
    let tree = build_tree(api);
    let root = &tree.root;
    let body_names: BTreeMap<&str, &str> = bodies
        .iter()
        .map(|b| (b.endpoint.name.api.as_str(), b.rust_name.as_str()))
        .collect();
    let ctx = Ctx {
        api,
        body_names,
        docs_label,
        key_types: key_types(api),
    };
    let mut files = Scope::with_reserved(&["mod"]);
    let mut mods = Vec::new();
    for (step, child) in &root.children {
        let (file, _) = files.claim(&child.type_name, module_name(&step_method(step)));
        let mut builders = Vec::new();
        let mut pages = BTreeSet::new();
        collect_builders(&ctx, child, &mut builders, &mut pages);
        let names = builders
            .iter()
            .map(|(name, _)| ident(name))
            .collect::<Vec<_>>();
        let bodies = builders.into_iter().map(|(_, tokens)| tokens);
        let bodies = quote!(#(#bodies)*);
        let imports = imports(&bodies);
        let tokens = quote! {
            #imports
            #bodies
        };
        let header_pages: Vec<String> = pages.iter().map(|p| format!("{docs_label}/{p}")).collect();
        out.insert(
            format!("src/client/{file}.rs"),
            format_file(&header(&header_pages), tokens),
        );
        mods.push((file, names));
    }
    let mod_decls = mods.iter().map(|(file, _)| {
        let m = module_ident(file);
        quote!(mod #m;)
    });
    let uses = mods.iter().map(|(file, names)| {
        let m = module_ident(file);
        quote!(pub use #m::{#(#names),*};)
    });
    let mut accessors: Vec<TokenStream> = root
        .children
        .iter()
        .map(|(step, child)| child_accessor(&ctx, step, child, true))
        .collect();
    if let Some(user) = &tree.me {
        let ty = ident(user);
        let doc = format!(
            " `/me`: the signed-in user. The same requests as `users().item(id)`, through [`{user}`]."
        );
        accessors.push(quote! {
            #[doc = #doc]
            pub fn me(&self) -> #ty {
                #ty::new(self.inner.clone(), "/me".to_owned())
            }
        });
    }
    let root_ops = root.ops.iter().map(|op| emit_op(&ctx, op, true));
    let root_ops: Vec<TokenStream> = root_ops.collect();
    let root_imports = {
        let used = imports(&quote!(#(#root_ops)* #(#accessors)*));
        quote!(use crate::runtime; #used)
    };
    let tokens = quote! {
        //! Request builders that follow the URL: `client.users().item(id).get().await`.
        //!
        //! Every endpoint method returns a [`Request`](crate::runtime::Request): refine it
        //! with query options and headers, then `.await` it.
        #(#mod_decls)*
        #(#uses)*

        #root_imports

        /// A Microsoft Graph client: the connection settings, and a method per
        /// top-level path (`client.users()`). Cloning is cheap and shares the
        /// connection pool.
        #[derive(Debug, Clone)]
        pub struct Client {
            inner: runtime::Client,
        }

        impl Client {
            /// A client for the public cloud that sends `token` as its bearer token.
            pub fn new(token: impl Into<String>) -> Self {
                Self { inner: runtime::Client::new(token) }
            }

            /// Configures a client: base URL, token provider, retry policy, timeout.
            pub fn builder() -> runtime::ClientBuilder<Self> {
                runtime::ClientBuilder::default()
            }

            /// The connection this client sends its requests through.
            pub fn connection(&self) -> &runtime::Client {
                &self.inner
            }

            #(#accessors)*
            #(#root_ops)*
        }

        impl From<runtime::Client> for Client {
            fn from(inner: runtime::Client) -> Self {
                Self { inner }
            }
        }

        impl std::ops::Deref for Client {
            type Target = runtime::Client;

            fn deref(&self) -> &runtime::Client {
                &self.inner
            }
        }
    };
    out.insert(
        "src/client/mod.rs".to_owned(),
        format_file(&header(&[format!("{docs_label}/")]), tokens),
    );
}

/// The `use` items a client file needs: the runtime names and the `models`
/// module that its code names bare. Imports keep signatures short
/// (`Request<Page<models::User>>`), and naming only what is used keeps
/// `unused_imports` quiet.
fn imports(code: &TokenStream) -> TokenStream {
    const RUNTIME: &[&str] = &[
        "Client",
        "Method",
        "Page",
        "Reference",
        "Request",
        "encode_function_arg",
        "encode_path_segment",
    ];
    let text = without_strings(&code.to_string());
    let bare = |name: &str| {
        text.match_indices(name).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + name.len()..].chars().next();
            let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            !word(before) && !word(after) && !text[..at].ends_with(":: ")
        })
    };
    let names: Vec<proc_macro2::Ident> = RUNTIME
        .iter()
        .filter(|n| bare(n))
        .map(|n| ident(n))
        .collect();
    let runtime = match names.as_slice() {
        [] => quote!(),
        [one] => quote!(use crate::runtime::#one;),
        many => quote!(use crate::runtime::{#(#many),*};),
    };
    let models = if text.contains("models ::") {
        quote!(
            use crate::models;
        )
    } else {
        quote!()
    };
    quote!(#models #runtime)
}

/// `code` with the contents of its string literals (docs, formats) removed,
/// so that only code is searched for names.
fn without_strings(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in code.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
                out.push(c);
            }
        } else {
            if c == '"' {
                in_string = true;
            }
            out.push(c);
        }
    }
    out
}

/// How a parameter's type reads in docs: `Int32`, `user collection`.
fn type_label(ty: &TypeRef, collection: bool) -> String {
    let name = match ty {
        TypeRef::Primitive(p) => format!("{p:?}"),
        TypeRef::Named(n) => n.clone(),
        TypeRef::Unresolved(w) => w.clone(),
    };
    let name = doc_text(&name).replace('`', "");
    if collection {
        format!("{name} collection")
    } else {
        name
    }
}

struct Ctx<'a> {
    api: &'a Api,
    body_names: BTreeMap<&'a str, &'a str>,
    docs_label: &'a str,
    /// Path parameters that every `Path parameters` table naming them types
    /// as the same non-string primitive (`Int32`, `Guid`).
    key_types: BTreeMap<&'a str, Primitive>,
}

/// The key parameters whose type is a non-string primitive on every page
/// that documents them; such keys are taken typed (`item(id: i32)`).
fn key_types(api: &Api) -> BTreeMap<&str, Primitive> {
    let mut seen: BTreeMap<&str, Option<Primitive>> = BTreeMap::new();
    for e in &api.endpoints {
        for p in &e.path_parameters {
            let typed = match &p.ty {
                TypeRef::Primitive(
                    prim @ (Primitive::Byte
                    | Primitive::SByte
                    | Primitive::Int16
                    | Primitive::Int32
                    | Primitive::Int64
                    | Primitive::Guid
                    | Primitive::Date),
                ) if !p.collection => Some(*prim),
                _ => None,
            };
            seen.entry(p.name.api.as_str())
                .and_modify(|t| {
                    if *t != typed {
                        *t = None;
                    }
                })
                .or_insert(typed);
        }
    }
    seen.into_iter()
        .filter_map(|(name, t)| t.map(|t| (name, t)))
        .collect()
}

fn collect_builders<'a>(
    ctx: &Ctx<'_>,
    node: &Node<'a>,
    out: &mut Vec<(String, TokenStream)>,
    pages: &mut BTreeSet<String>,
) {
    let name = ident(&node.type_name);
    let label = doc_text(&node.label);
    let accessors = node
        .children
        .iter()
        .map(|(step, child)| child_accessor(ctx, step, child, false));
    let ops: Vec<TokenStream> = node.ops.iter().map(|op| emit_op(ctx, op, false)).collect();
    for op in &node.ops {
        pages.insert(op.endpoint.source.file.clone());
    }
    let doc = format!(" Requests under `{label}`.");
    out.push((
        node.type_name.clone(),
        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone)]
            pub struct #name {
                client: Client,
                path: String,
            }

            impl #name {
                pub(crate) fn new(client: Client, path: String) -> Self {
                    Self { client, path }
                }

                /// The path this builder addresses, relative to the client's base URL.
                pub fn path(&self) -> &str {
                    &self.path
                }

                #(#accessors)*
                #(#ops)*
            }
        },
    ));
    for child in node.children.values() {
        collect_builders(ctx, child, out, pages);
    }
}

/// How a method reaches the client and the path so far: on `Client` itself
/// (the root) or on a builder.
fn receiver(from_root: bool) -> (TokenStream, TokenStream) {
    if from_root {
        (quote!(self.inner.clone()), quote!(""))
    } else {
        (quote!(self.client.clone()), quote!(self.path))
    }
}

fn child_accessor(ctx: &Ctx<'_>, step: &Step, child: &Node<'_>, from_root: bool) -> TokenStream {
    let method = ident(&child.accessor);
    let ty = ident(&child.type_name);
    let label = doc_text(&child.label);
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
            let (params, fmt, encode, values) = function_call(name, args, &[]);
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

fn escape_braces(s: &str) -> String {
    s.replace('{', "{{").replace('}', "}}")
}

/// The parameters, format string and values of a function call segment.
/// Returns the method parameters, the format string, the `let` bindings that
/// encode string arguments, and the values to format.
fn function_call(
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
            ArgValue::Param(param) => {
                let (rust, _) = scope.claim(&param.name, snake_ident(&param.name));
                let p = ident(&rust);
                let ty = declared
                    .iter()
                    .find(|d| {
                        d.name.api.eq_ignore_ascii_case(&arg.name)
                            || d.name.api.eq_ignore_ascii_case(&param.name)
                    })
                    .map(|d| &d.ty);
                match ty {
                    Some(TypeRef::Primitive(
                        Primitive::Int16
                        | Primitive::Int32
                        | Primitive::Int64
                        | Primitive::Byte
                        | Primitive::SByte,
                    )) => {
                        params.push(quote!(#p: i64));
                        values.push(quote!(#p));
                        parts.push(format!("{}={{}}", arg.name));
                    }
                    Some(TypeRef::Primitive(Primitive::Boolean)) => {
                        params.push(quote!(#p: bool));
                        values.push(quote!(#p));
                        parts.push(format!("{}={{}}", arg.name));
                    }
                    _ => {
                        params.push(quote!(#p: impl AsRef<str>));
                        lets.push(quote!(let #p = encode_function_arg(#p.as_ref());));
                        values.push(quote!(#p));
                        parts.push(format!("{}='{{}}'", arg.name));
                    }
                }
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

fn param_description(param: &Param) -> String {
    param.written.join(" or ")
}

fn emit_op(ctx: &Ctx<'_>, op: &Op<'_>, from_root: bool) -> TokenStream {
    let e = op.endpoint;
    let api = ctx.api;
    let method_name = ident(&op.method);
    let models = quote!(models);
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
            let (params, fmt, encode, values) = function_call(name, args, &e.function_parameters);
            lets.extend(encode);
            let fmt = format!("{{}}{fmt}");
            (params, quote!(format!(#fmt, #base, #(#values),*)))
        }
        Some(seg) => {
            let fmt = format!("{{}}/{}", escape_braces(&segment_label(Some(seg))));
            (Vec::new(), quote!(format!(#fmt, #base)))
        }
    };
    let mut build = quote!(Request::new(#client, Method::#http_method, #path_expr));
    let reference =
        matches!(op.tail, Some(Segment::Ref)) && matches!(e.method, Method::Post | Method::Put);
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
            params.push(quote!(body: impl Into<bytes::Bytes>));
            build = quote!(#build.bytes_body(body, "application/octet-stream"));
        }
    }
    // No content: a 204, or a write whose page names no response body. A GET
    // whose body type is unknown still returns its JSON, untyped.
    let no_content =
        e.response.status == Some(204) || (e.response.body.is_none() && e.method != Method::Get);
    let (output, build) = match &e.response.body {
        _ if no_content => (quote!(()), build),
        Some(TypeRef::Primitive(Primitive::Stream)) => {
            (quote!(bytes::Bytes), quote!(#build.bytes_response()))
        }
        Some(ty) => {
            let t = type_ref(api, ty, &models);
            if e.response.collection {
                (quote!(Page<#t>), quote!(#build.json_response()))
            } else if matches!(ty, TypeRef::Primitive(_)) || crate::emit::rust::is_enum(api, ty) {
                // Graph wraps a single primitive or enum result as `{"value": ...}`.
                (quote!(#t), quote!(#build.value_response()))
            } else {
                (quote!(#t), quote!(#build.json_response()))
            }
        }
        None => (quote!(serde_json::Value), quote!(#build.json_response())),
    };
    let doc = docs(&op_docs(ctx, op));
    quote! {
        #doc
        pub fn #method_name(&self, #(#params),*) -> Request<#output> {
            #(#lets)*
            #build
        }
    }
}

fn op_docs(ctx: &Ctx<'_>, op: &Op<'_>) -> Vec<String> {
    let e = op.endpoint;
    let mut lines = Vec::new();
    let title = doc_text(&e.title);
    lines.push(if title.is_empty() {
        format!("`{}`.", e.name.api)
    } else {
        format!("{title}.").replace("..", ".")
    });
    let description = doc_text(&e.description);
    if !description.is_empty() && description != title {
        lines.push(String::new());
        lines.push(description);
    }
    lines.push(String::new());
    lines.push(format!(
        "`{} {}`",
        e.method.as_str(),
        doc_text(&op.path.written)
    ));
    let others: Vec<&PathTemplate> = std::iter::once(&e.path)
        .chain(&e.alternate_paths)
        .filter(|p| p.written != op.path.written)
        .collect();
    if !others.is_empty() {
        lines.push(String::new());
        lines.push(format!(
            "Also reachable as {}.",
            others
                .iter()
                .map(|p| format!("`{} {}`", e.method.as_str(), doc_text(&p.written)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let keys: Vec<String> = op
        .path
        .params()
        .iter()
        .filter(|p| p.written.len() > 1)
        .map(|p| {
            format!(
                "`{}` may be the {}",
                snake_ident(&p.name),
                param_description(p)
            )
        })
        .collect();
    if !keys.is_empty() {
        lines.push(String::new());
        lines.push(format!("Keys: {}.", keys.join("; ")));
    }
    if !e.path_parameters.is_empty() {
        lines.push(String::new());
        lines.push("# Path parameters".into());
        lines.push(String::new());
        for p in &e.path_parameters {
            let description = doc_text(&p.description);
            lines.push(format!(
                "- `{}` ({}){}",
                p.name.api,
                type_label(&p.ty, p.collection),
                if description.is_empty() {
                    String::new()
                } else {
                    format!(": {description}")
                }
            ));
        }
    }
    lines.push(String::new());
    lines.push("# Permissions".into());
    lines.push(String::new());
    lines.push("Least privileged first.".into());
    lines.push(String::new());
    let list = |v: &[String]| {
        if v.is_empty() {
            "not supported.".to_owned()
        } else {
            v.iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    lines.push(format!(
        "- Delegated (work or school account): {}",
        list(&e.permissions.delegated_work)
    ));
    lines.push(format!(
        "- Delegated (personal Microsoft account): {}",
        list(&e.permissions.delegated_personal)
    ));
    lines.push(format!(
        "- Application: {}",
        list(&e.permissions.application)
    ));
    if !e.permissions.scenarios.is_empty() {
        lines.push(String::new());
        lines.push("By scenario, as the page lists them:".into());
        lines.push(String::new());
        for s in &e.permissions.scenarios {
            let name = if s.scenario.is_empty() {
                "In general".to_owned()
            } else {
                doc_text(s.scenario.trim_end_matches(':'))
            };
            lines.push(format!(
                "- {name}: delegated (work or school account) {}; delegated (personal Microsoft account) {}; application {}",
                list(&s.delegated_work).trim_end_matches('.'),
                list(&s.delegated_personal).trim_end_matches('.'),
                list(&s.application),
            ));
        }
    }
    if !e.query_options.is_empty() {
        let opts: Vec<String> = crate::model::QueryOption::ALL
            .iter()
            .filter(|(o, _)| e.query_options.contains(o))
            .map(|(_, s)| format!("`{s}`"))
            .collect();
        lines.push(String::new());
        lines.push(format!("Supports the query options {}.", opts.join(", ")));
    }
    let headers: Vec<String> = e
        .headers
        .iter()
        .filter(|h| {
            !h.name.eq_ignore_ascii_case("authorization")
                && !h.name.eq_ignore_ascii_case("content-type")
        })
        .map(|h| {
            format!(
                "`{}` ({})",
                doc_text(&h.name),
                if h.required { "required" } else { "optional" }
            )
        })
        .collect();
    if !headers.is_empty() {
        lines.push(String::new());
        lines.push(format!(
            "Headers: {}; set them with `.header(name, value)`.",
            headers.join(", ")
        ));
    }
    if e.response.collection {
        lines.push(String::new());
        lines.push("Returns one page; `.into_stream()` and `.collect_all()` follow `@odata.nextLink` across pages.".into());
    }
    lines.push(String::new());
    lines.push(format!(
        "Generated from `{}/{}`.",
        ctx.docs_label, e.source.file
    ));
    lines
}
