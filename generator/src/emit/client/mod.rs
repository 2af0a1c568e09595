//! The client: request builders that follow the URL, under `src/client/`.
//!
//! All paths of all endpoints form a tree (`tree.rs`). Each node is a builder
//! struct (`UserItem` for `/users/{id}`) with a method per child segment
//! (`events()`, `item(id)`) and a method per endpoint that ends there
//! (`get()`, `update(&body)`), made in `tokens.rs` and documented in
//! `docs.rs`. The root's children hang off the generated `Client`. This module
//! lays the builders out in files and writes their imports.

mod docs;
mod examples;
mod tokens;
mod tree;

pub(crate) use tree::{BuilderNames, builder_names};

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use crate::base::ident::{Scope, module_name};
use crate::emit::features::{Features, Gate};
use crate::emit::format::{Draft, Drafts};
use crate::emit::models::ActionBody;
use crate::emit::rust::{ident, module_ident};
use crate::emit::{Plan, header};
use crate::model::Api;
use crate::output::Owner;

use tokens::*;
use tree::*;

/// Emits `src/client/mod.rs` and the client files, and returns the
/// [`Signatures`] the API surface records (none when `plan` reuses the
/// record) and the names check's [`BuilderNames`].
pub(crate) fn emit_client(
    api: &Api,
    bodies: &[ActionBody<'_>],
    companions: &crate::emit::models::Companions<'_>,
    features: &Features,
    options: &crate::output::EmitOptions,
    plan: &Plan,
    out: &mut Drafts,
) -> (Signatures, BuilderNames) {
    use rayon::prelude::*;
    let docs_label = options.docs_label.as_str();
    let krate = options.crate_name.replace('-', "_");
    let tree = build_tree(api, &options.names);
    let root = &tree.root;
    let body_names: BTreeMap<&str, &str> = bodies
        .iter()
        .map(|b| (b.endpoint.name.api.as_str(), b.rust_name.as_str()))
        .collect();
    let ctx = Ctx {
        api,
        body_names,
        docs_label,
        key_types: api.key_types(),
        shared: &tree.shared,
        features,
        field_enums: &companions.fields,
        dispatch: &companions.dispatch,
    };
    let mut files = Scope::with_reserved(&["mod"]);
    let mut pieces: Vec<Piece<'_, '_>> = Vec::new();
    for (step, child) in &root.children {
        let (file, _) = files.claim(&child.type_name, module_name(&step_method(step)));
        split_file(child, file, &mut files, &mut pieces);
    }
    // Each file's tokens are made and turned into text on one thread; the
    // example tests and the signatures beside them.
    let emit_files = || -> Vec<(ClientFile, Draft)> {
        pieces
            .into_par_iter()
            .map(|Piece { file, top, nodes }| {
                let path = format!("src/client/{file}.rs");
                let child = top;
                let client_file = ClientFile {
                    file,
                    gate: ctx.features.gate(child.areas.iter().copied()),
                    builders: nodes
                        .iter()
                        .map(|n| {
                            let gate = ctx.features.gate(n.areas.iter().copied());
                            (n.type_name.clone(), gate)
                        })
                        .collect(),
                };
                let draft = crate::emit::format::planned(plan, &path, || {
                    emit_area(&ctx, &nodes, &client_file.gate)
                });
                (client_file, draft)
            })
            .collect()
    };
    let emit_examples = || {
        let mut examples = Drafts::new();
        examples::emit_example_tests(&ctx, &tree, &krate, plan, &mut examples);
        examples
    };
    let ((emitted, examples), signatures) = rayon::join(
        || rayon::join(emit_files, emit_examples),
        || {
            if plan.reuses_surface() {
                Signatures::new()
            } else {
                endpoint_signatures(&ctx, &tree)
            }
        },
    );
    let mut mods = Vec::with_capacity(emitted.len());
    for (file, draft) in emitted {
        out.insert(format!("src/client/{}.rs", file.file), draft);
        mods.push(file);
    }
    out.extend(examples);
    emit_root(&ctx, &tree, &mods, plan, out);
    (signatures, builder_names_of(&tree))
}

/// Every builder method that sends each endpoint, by endpoint API name:
/// `Builder::method` and its Rust signature (`fn list(&self) ->
/// Request<Page<models::User>>`), read off the tokens the client is made
/// of, so the API surface records exactly what the crate has.
pub type Signatures = BTreeMap<String, BTreeMap<String, String>>;

/// [`Signatures`] of the named tree, each read on any thread.
fn endpoint_signatures(ctx: &Ctx<'_>, tree: &Tree<'_>) -> Signatures {
    use rayon::prelude::*;
    /// Each operation with its builder, and whether that is the root.
    type Sending<'t, 'a> = (&'t Node<'a>, &'t Op<'a>, bool);
    fn walk<'t, 'a>(node: &'t Node<'a>, root: bool, out: &mut Vec<Sending<'t, 'a>>) {
        for op in node.ops.iter().filter(|o| !o.method.is_empty()) {
            out.push((node, op, root));
        }
        for child in node.children.values().filter(|c| !c.shared) {
            walk(child, false, out);
        }
    }
    let mut sending = Vec::new();
    walk(&tree.root, true, &mut sending);
    let read: Vec<(&str, String, String)> = sending
        .par_iter()
        .map(|(node, op, root)| {
            let signature = syn::parse2::<syn::Signature>(op_signature(ctx, op, *root))
                .map(|sig| signature_text(&sig))
                .unwrap_or_default();
            let call = format!("{}::{}", node.type_name, op.method);
            (op.endpoint.name.api.as_str(), call, signature)
        })
        .collect();
    let mut out = Signatures::new();
    for (endpoint, call, signature) in read {
        out.entry(endpoint.to_owned())
            .or_default()
            .insert(call, signature);
    }
    out
}

/// A signature as text, spaced as Rust is written: `fn get(&self, id:
/// impl AsRef<str>) -> Request<models::User>`.
pub fn signature_text(sig: &syn::Signature) -> String {
    let mut text = quote!(#sig).to_string();
    for (from, to) in [
        (" :: ", "::"),
        (":: ", "::"),
        (" < ", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ,", ","),
        ("( ", "("),
        (" )", ")"),
        ("& ", "&"),
        (" (", "("),
        ("' ", "'"),
        (" : ", ": "),
        (",)", ")"),
    ] {
        while text.contains(from) {
            text = text.replace(from, to);
        }
    }
    text
}

/// At most this many builders go in one client file: a path with more below
/// it is split (see [`split_file`]), so that no file is too large for a
/// diff viewer (about 4 KB a builder).
const BUILDERS_PER_FILE: usize = 48;

/// The builders of one client file, under the node the file is named for.
struct Piece<'n, 'a> {
    file: String,
    top: &'n Node<'a>,
    nodes: Vec<&'n Node<'a>>,
}

/// Lays out the builders of `node` and below in files: one file, or, when
/// there are more than [`BUILDERS_PER_FILE`], a file for each named segment
/// below the node (and below its key, `/users/{id}/events` is
/// `users_events.rs`), split again where still too large, and `file` for
/// what is left. Files follow the path, so a docs change touches the files
/// of the paths it documents.
fn split_file<'n, 'a>(
    node: &'n Node<'a>,
    file: String,
    files: &mut Scope,
    out: &mut Vec<Piece<'n, 'a>>,
) {
    let mut all = Vec::new();
    builder_nodes(node, &mut all);
    if all.len() <= BUILDERS_PER_FILE {
        out.push(Piece {
            file,
            top: node,
            nodes: all,
        });
        return;
    }
    // The node, its key nodes (and theirs), and the named segments below.
    let mut kept = Vec::new();
    let mut cuts: Vec<(&'n Step, &'n Node<'a>)> = Vec::new();
    let mut at = vec![node];
    while let Some(n) = at.pop() {
        kept.push(n);
        for (step, child) in n.children.iter().filter(|(_, c)| !c.shared) {
            if *step == Step::Key {
                at.push(child);
            } else {
                cuts.push((step, child));
            }
        }
    }
    // Kept in the order builders are written in.
    let mut order = Vec::new();
    builder_nodes(node, &mut order);
    let kept: Vec<&Node<'a>> = order
        .into_iter()
        .filter(|n| kept.iter().any(|k| std::ptr::eq(*k, *n)))
        .collect();
    let top_file = file.clone();
    out.push(Piece {
        file,
        top: node,
        nodes: kept,
    });
    for (step, child) in cuts {
        let (name, _) = files.claim(
            &child.label,
            module_name(&format!("{top_file}_{}", step_method(step))),
        );
        split_file(child, name, files, out);
    }
}

/// A client file: its module name, when it is compiled, and its builders.
struct ClientFile {
    file: String,
    gate: Gate,
    builders: Vec<(String, Gate)>,
}

/// Makes `src/client/{file}.rs`: the builders of one top-level segment and
/// everything below it (`nodes`), compiled with `gate`.
fn emit_area(ctx: &Ctx<'_>, nodes: &[&Node<'_>], gate: &Gate) -> Draft {
    use rayon::prelude::*;
    // A busy area has thousands of builders: they are made on every thread
    // as token text, and the file's code is their text in order.
    let made: Vec<(Builder, BTreeSet<String>, Vec<String>)> =
        nodes.par_iter().map(|n| builder(ctx, n)).collect();
    let mut builders = Vec::with_capacity(made.len());
    let mut pages = BTreeSet::new();
    let mut owners = Vec::new();
    for (b, p, endpoints) in made {
        builders.push(b);
        pages.extend(p);
        owners.extend(endpoints.into_iter().map(Owner::Endpoint));
    }
    let gate = gate.clone();
    let mut uses = BTreeMap::new();
    for b in &builders {
        for (name, g) in &b.uses {
            note_use(&mut uses, name, g);
        }
    }
    // Builders shared with another file are reached through the re-exports
    // of `client/mod.rs`; this file's own need no import.
    for b in &builders {
        uses.remove(&b.name);
    }
    let mut code = imports(&uses, &gate).to_string();
    for b in &builders {
        let cfg = b.gate.attr_within(&gate).to_string();
        // The gate goes on each item: the struct, its `request_builder!`
        // call and its `impl`.
        for item in std::iter::once(&b.item).chain(&b.methods) {
            code.push(' ');
            code.push_str(&cfg);
            code.push(' ');
            code.push_str(item);
        }
    }
    let header_pages: Vec<String> = pages
        .iter()
        .map(|p| format!("{}/{p}", ctx.docs_label))
        .collect();
    Draft::Rust {
        header: header(&header_pages),
        code,
        owners,
    }
}

/// Writes `src/client/mod.rs`: the modules, their re-exports, and the
/// generated `Client` with an accessor per top-level segment.
fn emit_root(ctx: &Ctx<'_>, tree: &Tree<'_>, mods: &[ClientFile], plan: &Plan, out: &mut Drafts) {
    let path = "src/client/mod.rs";
    let draft = crate::emit::format::planned(plan, path, || root_draft(ctx, tree, mods));
    out.insert(path.to_owned(), draft);
}

/// The root `Client`'s accessors and operations, and the names their code
/// uses, by gate.
type RootMembers = (Vec<TokenStream>, Vec<TokenStream>, BTreeMap<String, Gate>);

/// Makes `src/client/mod.rs`: the module docs, the area modules and
/// their re-exports, and the root `Client`.
fn root_draft(ctx: &Ctx<'_>, tree: &Tree<'_>, mods: &[ClientFile]) -> Draft {
    let root = &tree.root;
    let docs_label = ctx.docs_label;
    let mod_decls = mods.iter().map(|area| {
        let m = module_ident(&area.file);
        let cfg = area.gate.attr();
        quote!(#cfg mod #m;)
    });
    let uses = area_reexports(mods);
    let (accessors, root_ops, mut uses_in_root) = root_members(ctx, tree);
    // The root's `Client` is the generated one; the runtime's is reached as
    // `runtime::Client`.
    uses_in_root.remove("Client");
    let used = imports(&uses_in_root, &Gate::Always);
    let root_imports = quote!(use crate::runtime; #used);
    let client = root_client(&accessors, &root_ops);
    let tokens = quote! {
        //! Request builders that follow the URL: `client.users().item(id).get().await`.
        //!
        //! Every endpoint method returns a [`Request`](crate::runtime::Request): refine it
        //! with query options and headers, then `.await` it. What each method's docs
        //! say in short:
        //!
        //! - **Permissions** are listed least privileged first, per permission type
        //!   (and per scenario where the page has several tables).
        //! - **Not documented here**: query options the page does not list. The
        //!   request methods for them (`.select`, `.filter`, ...) are there on
        //!   every request, but Graph may reject them for this endpoint.
        //! - **Headers** are the ones the page documents; set one with
        //!   `.header(name, value)`.
        //! - **Advanced queries**: the page requires `ConsistencyLevel: eventual`
        //!   for `$count` and `$search`, so the request sends it when either is set;
        //!   a `ConsistencyLevel` header set with `.header` wins.
        //! - **Returns one page**: a collection comes a page at a time;
        //!   `.into_stream()` and `.collect_all()` follow `@odata.nextLink` across
        //!   pages.
        #(#mod_decls)*
        #(#uses)*

        #root_imports

        #client
    };
    let owners = root
        .ops
        .iter()
        .map(|op| Owner::Endpoint(op.endpoint.name.api.clone()))
        .collect();
    Draft::rust(header(&[format!("{docs_label}/")]), &tokens, owners)
}

/// One `pub use` per area module and gate, in the order of the first name.
fn area_reexports(mods: &[ClientFile]) -> Vec<TokenStream> {
    mods.iter()
        .flat_map(|area| {
            let m = module_ident(&area.file);
            let mut groups: Vec<(&Gate, Vec<proc_macro2::Ident>)> = Vec::new();
            for (name, gate) in &area.builders {
                match groups.iter_mut().find(|(g, _)| *g == gate) {
                    Some((_, names)) => names.push(ident(name)),
                    None => groups.push((gate, vec![ident(name)])),
                }
            }
            groups
                .into_iter()
                .map(move |(gate, names)| {
                    let cfg = gate.attr();
                    quote!(#cfg pub use #m::{#(#names),*};)
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The root `Client`'s accessors (a method per top-level path, and `me`)
/// and operations, with the names their code uses, by gate.
fn root_members(ctx: &Ctx<'_>, tree: &Tree<'_>) -> RootMembers {
    let root = &tree.root;
    let mut uses_in_root = BTreeMap::new();
    let mut accessors: Vec<TokenStream> = root
        .children
        .iter()
        .map(|(step, child)| {
            let gate = ctx.features.gate(child.areas.iter().copied());
            let tokens = child_accessor(ctx, step, child, true);
            for used in used_names(&tokens) {
                note_use(&mut uses_in_root, used, &gate);
            }
            let cfg = gate.attr();
            quote!(#cfg #tokens)
        })
        .collect();
    if let Some(user) = &tree.me {
        let ty = ident(user);
        let doc = format!(
            " `/me`: the signed-in user. The same requests as `users().item(id)`, through [`{user}`]."
        );
        let gate =
            users_item(root).map_or(Gate::Always, |n| ctx.features.gate(n.areas.iter().copied()));
        let cfg = gate.attr();
        accessors.push(quote! {
            #[doc = #doc]
            #cfg
            pub fn me(&self) -> #ty {
                #ty::new(self.inner.clone(), "/me".to_owned())
            }
        });
    }
    let root_ops: Vec<TokenStream> = root
        .ops
        .iter()
        .map(|op| {
            let gate = ctx.features.gate([&op.endpoint.area]);
            let tokens = emit_op(ctx, op, true);
            for used in used_names(&tokens) {
                note_use(&mut uses_in_root, used, &gate);
            }
            let cfg = gate.attr();
            quote!(#cfg #tokens)
        })
        .collect();
    (accessors, root_ops, uses_in_root)
}

/// The root `Client`: the connection, `$batch`, and `accessors` and
/// `root_ops` as its methods.
fn root_client(accessors: &[TokenStream], root_ops: &[TokenStream]) -> TokenStream {
    quote! {
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
                let token = token.into();
                Self::builder()
                    .bearer_token(token.clone())
                    .build()
                    .unwrap_or_else(|_| Self { inner: runtime::Client::new(token) })
            }

            /// Configures a client: base URL or cloud, token provider (such as
            /// [`ClientCredentials`](runtime::ClientCredentials)), retry policy, timeout.
            /// Requests name this crate and its version in the `SdkVersion` header.
            pub fn builder() -> runtime::ClientBuilder<Self> {
                runtime::ClientBuilder::default()
                    .sdk_version(concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")))
            }

            /// The connection this client sends its requests through.
            pub fn connection(&self) -> &runtime::Client {
                &self.inner
            }

            /// An empty `$batch`: add the requests this client builds
            /// (`batch.add(client.users().item(id).get())`), send them
            /// together, and read each answer typed through its handle.
            /// See [`Batch`](runtime::Batch).
            pub fn batch(&self) -> runtime::Batch {
                self.inner.batch()
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
    }
}

/// The `use` items of a client file compiled with `file_gate`: each name
/// the file's code uses, gated as the code that uses it (a name used only by
/// one area's methods is imported with that area only).
fn imports(uses: &BTreeMap<String, Gate>, file_gate: &Gate) -> TokenStream {
    let mut runtime: Vec<(TokenStream, Vec<proc_macro2::Ident>)> = Vec::new();
    let mut models = quote!();
    let mut borrowed: Vec<(TokenStream, Vec<proc_macro2::Ident>)> = Vec::new();
    let group =
        |groups: &mut Vec<(TokenStream, Vec<proc_macro2::Ident>)>, cfg: TokenStream, name: &str| {
            let key = cfg.to_string();
            match groups.iter_mut().find(|(c, _)| c.to_string() == key) {
                Some((_, names)) => names.push(ident(name)),
                None => groups.push((cfg, vec![ident(name)])),
            }
        };
    for (name, gate) in uses {
        let cfg = gate.attr_within(file_gate);
        if name == "models" {
            models = quote!(#cfg use crate::models;);
        } else if IMPORTABLE.contains(&name.as_str()) {
            group(&mut runtime, cfg, name);
        } else {
            group(&mut borrowed, cfg, name);
        }
    }
    let runtime = runtime
        .into_iter()
        .map(|(cfg, names)| match names.as_slice() {
            [one] => quote!(#cfg use crate::runtime::#one;),
            many => quote!(#cfg use crate::runtime::{#(#many),*};),
        });
    let borrowed = borrowed
        .into_iter()
        .map(|(cfg, names)| match names.as_slice() {
            [one] => quote!(#cfg use super::#one;),
            many => quote!(#cfg use super::{#(#many),*};),
        });
    quote!(#models #(#runtime)* #(#borrowed)*)
}
