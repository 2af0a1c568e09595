//! The client: request builders that follow the URL, under `src/client/`.
//!
//! All paths of all endpoints form a tree (`tree.rs`). Each node is a builder
//! struct (`UserItem` for `/users/{id}`) with a method per child segment
//! (`events()`, `item(id)`) and a method per endpoint that ends there
//! (`get()`, `update(&body)`), made in `tokens.rs` and documented in
//! `docs.rs`. The root's children hang off the generated `Client`. This module
//! lays the builders out in files and writes their imports.

mod docs;
mod tokens;
mod tree;

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::models::ActionBody;
use crate::emit::rust::{format_file, ident, module_ident};
use crate::emit::{Emitted, header};
use crate::model::Api;
use crate::model::naming::{Scope, module_name};

use tokens::*;
use tree::*;

/// Emits `src/client/mod.rs` and one file per top-level segment.
pub fn emit_client(api: &Api, bodies: &[ActionBody<'_>], docs_label: &str, out: &mut Emitted) {
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
        shared: &tree.shared,
    };
    let mut files = Scope::with_reserved(&["mod"]);
    let mods: Vec<(String, Vec<proc_macro2::Ident>)> = root
        .children
        .iter()
        .map(|(step, child)| {
            let (file, _) = files.claim(&child.type_name, module_name(&step_method(step)));
            let names = emit_area(&ctx, child, &file, out);
            (file, names)
        })
        .collect();
    emit_root(&ctx, &tree, &mods, out);
}

/// Writes `src/client/{file}.rs`: the builders of one top-level segment and
/// everything below it. Returns the builder names, for re-export.
fn emit_area(
    ctx: &Ctx<'_>,
    node: &Node<'_>,
    file: &str,
    out: &mut Emitted,
) -> Vec<proc_macro2::Ident> {
    let mut builders = Vec::new();
    let mut pages = BTreeSet::new();
    let mut borrowed = BTreeSet::new();
    collect_builders(ctx, node, &mut builders, &mut pages, &mut borrowed);
    let names: Vec<proc_macro2::Ident> = builders.iter().map(|(name, _)| ident(name)).collect();
    // Builders shared with another file are reached through the re-exports
    // of `client/mod.rs`.
    for (name, _) in &builders {
        borrowed.remove(name);
    }
    let borrowed: Vec<proc_macro2::Ident> = borrowed.iter().map(|n| ident(n)).collect();
    let bodies = builders.into_iter().map(|(_, tokens)| tokens);
    let bodies = quote!(#(#bodies)*);
    let imports = imports(&bodies);
    let imports = if borrowed.is_empty() {
        imports
    } else {
        quote!(#imports use super::{#(#borrowed),*};)
    };
    let tokens = quote! {
        #imports
        #bodies
    };
    let header_pages: Vec<String> = pages
        .iter()
        .map(|p| format!("{}/{p}", ctx.docs_label))
        .collect();
    out.insert(
        format!("src/client/{file}.rs"),
        format_file(&header(&header_pages), tokens),
    );
    names
}

/// Writes `src/client/mod.rs`: the modules, their re-exports, and the
/// generated `Client` with an accessor per top-level segment.
fn emit_root(
    ctx: &Ctx<'_>,
    tree: &Tree<'_>,
    mods: &[(String, Vec<proc_macro2::Ident>)],
    out: &mut Emitted,
) {
    let root = &tree.root;
    let docs_label = ctx.docs_label;
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
        .map(|(step, child)| child_accessor(ctx, step, child, true))
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
    let root_ops = root.ops.iter().map(|op| emit_op(ctx, op, true));
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
