//! The docs' examples as tests of the generated client, under
//! `tests/examples/`: each request/response pair the model gave a call (see
//! `model::example_calls`) is sent through the fluent client to a mock
//! server, which checks method, path, query and body; the example response
//! is decoded into the method's return type and written back with nothing
//! lost. One file per area, compiled with its feature.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use crate::base::ident::{Scope, module_name, snake_ident};
use crate::emit::format::{Draft, Drafts};
use crate::emit::rust::{ident, module_ident, type_ref};
use crate::emit::{Plan, header};
use crate::model::example_calls::split_top_level;
use crate::model::{
    Area, ArgKind, ArgValue, Endpoint, ExampleCall, ExamplePair, PathTemplate, RequestBody, Segment,
};
use crate::output::Owner;

use super::tokens::{Ctx, ResponseKind, response_kind};
use super::tree::{Node, Tree, is_tail, step, users_item};

/// The support module's source; `__CRATE__` is the crate's name.
const SUPPORT: &str = include_str!("../../../templates/example_support.rs");

/// About the most bytes of example tests one file holds (a test is about
/// 1.5 KB and three times its example's JSON), so no file is too large to
/// review.
const BYTES_PER_FILE: usize = 200_000;

/// The estimated size of each endpoint's example tests, by the endpoint's
/// address: measured once, though a busy area is measured whole, then by
/// second path segment, then by resource.
struct TestSizes(BTreeMap<usize, usize>);

impl TestSizes {
    fn of(endpoints: &[Endpoint]) -> TestSizes {
        use rayon::prelude::*;
        TestSizes(
            endpoints
                .par_iter()
                .map(|e| (std::ptr::from_ref(e).addr(), Self::measure(e)))
                .collect(),
        )
    }

    fn measure(endpoint: &Endpoint) -> usize {
        let json = |v: &Option<serde_json::Value>| v.as_ref().map_or(0, json_len);
        endpoint
            .examples
            .iter()
            .filter(|x| x.call.is_some())
            .map(|x| 1_500 + 3 * (json(&x.request_body) + json(&x.response_body)))
            .sum()
    }

    /// The estimated size of the tests of `endpoints`' examples.
    fn of_all(&self, endpoints: &[&Endpoint]) -> usize {
        endpoints
            .iter()
            .map(|e| {
                let address = std::ptr::from_ref(*e).addr();
                self.0
                    .get(&address)
                    .copied()
                    .unwrap_or_else(|| Self::measure(e))
            })
            .sum()
    }
}

/// The length of `value` written as compact JSON, counted without writing
/// it anywhere.
fn json_len(value: &serde_json::Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    match serde_json::to_writer(&mut count, value) {
        Ok(()) => count.0,
        Err(_) => 0,
    }
}

/// Emits `tests/examples/main.rs`, its support module and one file per area
/// that has an example with a call (a busy area's split by its second path
/// segment). A file is made from the text of its endpoints alone (their
/// examples), so an edit to one area's examples makes no other file again.
pub(super) fn emit_example_tests(
    ctx: &Ctx<'_>,
    tree: &Tree<'_>,
    krate: &str,
    plan: &Plan,
    out: &mut Drafts,
) {
    use rayon::prelude::*;
    let areas = tested_areas(&ctx.api.endpoints);
    if areas.is_empty() {
        return;
    }
    // A busy area's tests go in a file per second path segment
    // (`device_management_hardware_configurations.rs`), so no file is too
    // large to review.
    let sizes = TestSizes::of(&ctx.api.endpoints);
    let mut shards: Vec<Shard<'_>> = Vec::new();
    for (area, endpoints) in areas {
        area_shards(area, endpoints, &sizes, &mut shards);
    }
    // Each file's tests are made and turned into a draft on one thread.
    let files: Vec<(&Area, String, Draft)> = shards
        .into_par_iter()
        .map(|(area, file, endpoints)| {
            let path = format!("tests/examples/{file}.rs");
            let draft = crate::emit::format::planned(plan, &path, || {
                area_tests(ctx, tree, krate, &endpoints)
            });
            (area, file, draft)
        })
        .collect();
    insert_main(ctx, files, out);
    let path = "tests/examples/support.rs";
    let draft = crate::emit::format::planned(plan, path, || Draft::Rust {
        header: header(&["generator/templates/example_support.rs".to_owned()]),
        code: SUPPORT.replace("__CRATE__", krate),
        owners: Vec::new(),
    });
    out.insert(path.to_owned(), draft);
}

/// The areas that have an example with a call, in order, each with its
/// endpoints.
fn tested_areas(endpoints: &[Endpoint]) -> Vec<(&Area, Vec<&Endpoint>)> {
    let mut by_area: BTreeMap<&Area, Vec<&Endpoint>> = BTreeMap::new();
    for e in endpoints {
        by_area.entry(&e.area).or_default().push(e);
    }
    by_area
        .into_iter()
        .filter(|(_, endpoints)| {
            endpoints
                .iter()
                .any(|e| e.examples.iter().any(|x| x.call.is_some()))
        })
        .collect()
}

/// A file of example tests: its area, its name and what it tests.
type Shard<'a> = (&'a Area, String, Vec<Tested<'a>>);

/// Every example of `endpoints`, whatever its page.
fn all(endpoints: Vec<&Endpoint>) -> Vec<Tested<'_>> {
    endpoints.into_iter().map(|e| (e, None)).collect()
}

/// Adds the files of one area's tests to `shards`: one for the area, or,
/// when that is too large, one per second path segment, then per resource,
/// then per page.
fn area_shards<'a>(
    area: &'a Area,
    endpoints: Vec<&'a Endpoint>,
    sizes: &TestSizes,
    shards: &mut Vec<Shard<'a>>,
) {
    let file = module_name(&snake_ident(area.as_str()));
    let tests = sizes.of_all(&endpoints);
    if tests <= BYTES_PER_FILE {
        shards.push((area, file, all(endpoints)));
        return;
    }
    for (shard, endpoints) in by_second_segment(&file, endpoints) {
        let tests = sizes.of_all(&endpoints);
        if tests <= BYTES_PER_FILE {
            shards.push((area, shard, all(endpoints)));
            continue;
        }
        // Still too many (Intune documents one path for each derived
        // type): a file per resource.
        for (file, endpoints) in by_resource(&shard, endpoints) {
            let tests = sizes.of_all(&endpoints);
            if tests <= BYTES_PER_FILE {
                shards.push((area, file, all(endpoints)));
                continue;
            }
            // One operation documented on many pages: a file per page.
            shards.extend(
                by_page(&shard, endpoints)
                    .into_iter()
                    .map(|(file, tested)| (area, file, tested)),
            );
        }
    }
}

/// Endpoints by the file of their second path segment (`file`'s own for
/// those without one).
fn by_second_segment<'a>(
    file: &str,
    endpoints: Vec<&'a Endpoint>,
) -> BTreeMap<String, Vec<&'a Endpoint>> {
    let mut by_segment: BTreeMap<String, Vec<&Endpoint>> = BTreeMap::new();
    for e in endpoints {
        let second = e.path.segments.iter().skip(1).find_map(|s| match s {
            Segment::Literal { name } => Some(name.as_str()),
            _ => None,
        });
        let shard = match second {
            Some(name) => module_name(&format!("{file}_{}", snake_ident(name))),
            None => file.to_owned(),
        };
        by_segment.entry(shard).or_default().push(e);
    }
    by_segment
}

/// Endpoints by the file of their resource (their API name's first part).
fn by_resource<'a>(
    shard: &str,
    endpoints: Vec<&'a Endpoint>,
) -> BTreeMap<String, Vec<&'a Endpoint>> {
    let mut by_resource: BTreeMap<String, Vec<&Endpoint>> = BTreeMap::new();
    for e in endpoints {
        let resource = e.name.api.split('.').next().unwrap_or_default();
        by_resource
            .entry(module_name(&format!("{shard}_{}", snake_ident(resource))))
            .or_default()
            .push(e);
    }
    by_resource
}

/// Endpoints by the file of each page that documents an example with a
/// call of theirs.
fn by_page<'a>(shard: &str, endpoints: Vec<&'a Endpoint>) -> BTreeMap<String, Vec<Tested<'a>>> {
    let mut by_page: BTreeMap<String, Vec<Tested<'_>>> = BTreeMap::new();
    for e in endpoints {
        let pages: std::collections::BTreeSet<&str> = e
            .examples
            .iter()
            .filter(|x| x.call.is_some())
            .map(|x| x.source.file.as_str())
            .collect();
        for page in pages {
            let stem = page
                .rsplit('/')
                .next()
                .unwrap_or(page)
                .trim_end_matches(".md");
            by_page
                .entry(module_name(&format!("{shard}_{}", snake_ident(stem))))
                .or_default()
                .push((e, Some(page)));
        }
    }
    by_page
}

/// Inserts the area files and `main.rs`, which declares their modules,
/// each under its area's feature.
fn insert_main(ctx: &Ctx<'_>, files: Vec<(&Area, String, Draft)>, out: &mut Drafts) {
    // `main.rs` is written as text in rustfmt's style, since `cargo fmt`
    // formats test targets; its modules are skipped by rustfmt, as the
    // emitter formats them.
    let mut main: String = header(&[format!("{}/", ctx.docs_label)])
        .iter()
        .map(|l| format!("// {l}\n"))
        .collect();
    main.push_str(
        "\n//! The docs' request/response examples as tests: each is sent through\n\
         //! the client to a mock server, which checks the request, and its\n\
         //! response is decoded and written back with nothing lost.\n",
    );
    main.push_str("\n#[rustfmt::skip]\nmod support;\n");
    for (area, file, draft) in files {
        let m = module_ident(&file);
        let cfg = ctx.features.gate([area]).attr_text();
        main.push_str(&format!("{cfg}#[rustfmt::skip]\nmod {m};\n"));
        out.insert(format!("tests/examples/{file}.rs"), draft);
    }
    out.insert("tests/examples/main.rs".to_owned(), Draft::Text(main));
}

/// An endpoint whose example tests go in a file: all of them, or those of
/// one page.
type Tested<'a> = (&'a Endpoint, Option<&'a str>);

/// Makes the test file of one area's endpoints: a test per example with a
/// call, and in its docs the examples the client offers no call for.
fn area_tests(ctx: &Ctx<'_>, tree: &Tree<'_>, krate: &str, tested: &[Tested<'_>]) -> Draft {
    let krate_ident = ident(krate);
    let mut scope = Scope::with_reserved(&["support"]);
    let mut tests = Vec::new();
    let mut skipped = Vec::new();
    let mut pages = std::collections::BTreeSet::new();
    for &(e, page) in tested {
        for x in &e.examples {
            let Some(call) = &x.call else { continue };
            if page.is_some_and(|p| p != x.source.file) {
                continue;
            }
            match example_test(ctx, tree, &krate_ident, e, x, call, &mut scope) {
                Ok(test) => tests.push(test),
                Err(reason) => skipped.push(format!(
                    " - `{}` ({}/{} line {}): {reason}.",
                    x.name.as_deref().unwrap_or("unnamed"),
                    ctx.docs_label,
                    x.source.file,
                    x.source.line
                )),
            }
            pages.insert(format!("{}/{}", ctx.docs_label, x.source.file));
        }
    }
    let skipped_docs = (!skipped.is_empty()).then(|| {
        let lines = skipped.iter();
        quote! {
            #![doc = ""]
            #![doc = " Examples the client offers no call for:"]
            #![doc = ""]
            #(#![doc = #lines])*
        }
    });
    let uses_models = tests
        .iter()
        .any(|t| super::tokens::used_names(t).contains(&"models"));
    let models = uses_models.then(|| quote!(use #krate_ident::models;));
    let support = (!tests.is_empty()).then(|| {
        quote!(
            use super::support;
        )
    });
    let tokens = quote! {
        //! The examples of this area's pages, replayed against a mock server.
        #skipped_docs
        #models

        #support

        #(#tests)*
    };
    let sources: Vec<String> = pages.into_iter().collect();
    let mut owners: Vec<Owner> = tested
        .iter()
        .map(|(e, _)| Owner::Endpoint(e.name.api.clone()))
        .collect();
    owners.dedup();
    Draft::rust(header(&sources), &tokens, owners)
}

/// One test, or why the client tree offers no call for it (which the
/// model's checks rule out in practice).
fn example_test(
    ctx: &Ctx<'_>,
    tree: &Tree<'_>,
    krate: &proc_macro2::Ident,
    e: &Endpoint,
    x: &ExamplePair,
    call: &ExampleCall,
    scope: &mut Scope,
) -> Result<TokenStream, String> {
    let template = std::iter::once(&e.path)
        .chain(&e.alternate_paths)
        .nth(call.path)
        .ok_or("the example names a path the endpoint does not have")?;
    let (chain, method, mut args) = call_chain(ctx, tree, e, template, &call.arguments)?;
    let name = test_name(e, x, scope);
    let doc = format!(
        " `{} {}`: example `{}`, from `{}/{}` line {}.",
        e.method.as_str(),
        template.written,
        x.name.as_deref().unwrap_or("unnamed"),
        ctx.docs_label,
        x.source.file,
        x.source.line
    );
    let (body_let, sent_body) = request_body(ctx, krate, e, x, template, &mut args)?;
    let query_calls = call.query.iter().map(|(k, v)| query_call(ctx, e, k, v));
    let query_pairs = call.query.iter().map(|(k, v)| quote!((#k, #v)));
    let (status, response_let, serve_body) = served_response(x);
    let (binding, check) = response_check(ctx, e, x.response_body.is_some())?;
    let http = e.method.as_str();
    let path = &call.sent_path;
    Ok(quote! {
        #[doc = #doc]
        #[tokio::test]
        async fn #name() {
            #response_let
            let server = support::serve(#status, #serve_body).await;
            let client = support::client(&server);
            #body_let
            #binding = client #chain .#method(#(#args),*) #(#query_calls)*
                .send()
                .await
                .expect("the example request succeeds");
            support::Sent {
                method: #http,
                path: #path,
                query: &[#(#query_pairs),*],
                body: #sent_body,
            }
            .check(&server)
            .await;
            #check
        }
    })
}

/// The test's function name, from the example's name or the endpoint's,
/// unique in the file.
fn test_name(e: &Endpoint, x: &ExamplePair, scope: &mut Scope) -> proc_macro2::Ident {
    let base = x
        .name
        .as_deref()
        .map(snake_ident)
        .unwrap_or_else(|| snake_ident(&format!("{}_example", e.name.api.replace('.', "_"))));
    let (name, _) = scope.claim(&base, base.clone());
    ident(&name)
}

/// The statements that make the example's request body (pushing the
/// body's argument onto `args`), and the body the server is to receive.
fn request_body(
    ctx: &Ctx<'_>,
    krate: &proc_macro2::Ident,
    e: &Endpoint,
    x: &ExamplePair,
    template: &PathTemplate,
    args: &mut Vec<TokenStream>,
) -> Result<(TokenStream, TokenStream), String> {
    let api = ctx.api;
    let models = quote!(models);
    let reference = e.sends_reference(template);
    Ok(match (&e.request_body, &x.request_body) {
        (RequestBody::None | RequestBody::Stream, _) if !reference => (quote!(), quote!(None)),
        (_, None) => (quote!(), quote!(None)),
        (body, Some(json)) => {
            let ty = match body {
                _ if reference => quote!(#krate::Reference),
                RequestBody::Resource { ty } => type_ref(api, ty, &models),
                RequestBody::Parameters { .. } => {
                    let name = ctx
                        .body_names
                        .get(e.name.api.as_str())
                        .ok_or("the action has no body struct")?;
                    let name = ident(name);
                    quote!(models::#name)
                }
                _ => return Err("the request body is not JSON".to_owned()),
            };
            let json = json_text(json);
            args.push(quote!(&body));
            (
                quote! {
                    let request = support::json(#json);
                    let body: #ty = support::body(request.clone());
                },
                quote!(Some(request)),
            )
        }
    })
}

/// What the mock server answers: the status, the statement that makes the
/// example response, and the body it serves.
fn served_response(x: &ExamplePair) -> (proc_macro2::Literal, TokenStream, TokenStream) {
    let status = x
        .response_status
        .unwrap_or(if x.response_body.is_some() { 200 } else { 204 });
    let status = proc_macro2::Literal::u16_unsuffixed(status);
    let (response_let, serve_body) = match &x.response_body {
        Some(json) => {
            let json = json_text(json);
            (
                quote!(let example = support::json(#json);),
                quote!(Some(example.clone())),
            )
        }
        None => (quote!(), quote!(None)),
    };
    (status, response_let, serve_body)
}

/// How the test binds the call's response, and how it checks it against
/// the example's (`has_body`: the example shows a response body).
fn response_check(
    ctx: &Ctx<'_>,
    e: &Endpoint,
    has_body: bool,
) -> Result<(TokenStream, TokenStream), String> {
    let kind = response_kind(ctx.api, e);
    let check = match kind {
        ResponseKind::Unit => quote!(),
        ResponseKind::Bytes => return Err("the response is binary".to_owned()),
        ResponseKind::Optional(_) if !has_body => {
            quote!(assert!(response.is_none(), "no body was sent");)
        }
        ResponseKind::Optional(_) => quote! {
            support::round_trip(&response.expect("the response has a body"), &example);
        },
        ResponseKind::Wrapped(_) if has_body => quote! {
            support::round_trip(&response, &example["value"]);
        },
        _ if has_body => quote!(support::round_trip(&response, &example);),
        _ => return Err("the response has no JSON body".to_owned()),
    };
    let binding = match kind {
        ResponseKind::Unit => quote!(let ()),
        _ => quote!(let response),
    };
    Ok((binding, check))
}

/// The accessor calls from the client to the node of the example's path,
/// the method there and its arguments (without the body).
fn call_chain(
    ctx: &Ctx<'_>,
    tree: &Tree<'_>,
    e: &Endpoint,
    template: &PathTemplate,
    arguments: &[String],
) -> Result<(TokenStream, proc_macro2::Ident, Vec<TokenStream>), String> {
    let missing = || format!("the client has no method for `{}`", template.written);
    let n = template.segments.len();
    let tail = template.segments.last().filter(|s| is_tail(s, e, n));
    let segments = &template.segments[..n - usize::from(tail.is_some())];
    let mut values = arguments.iter();
    let mut tokens = quote!();
    let mut node: &Node<'_> = &tree.root;
    let mut rest = segments;
    if tree.me.is_some() {
        if let Some((Segment::Literal { name }, after)) = segments.split_first() {
            if name == "me" {
                node = users_item(&tree.root).ok_or_else(missing)?;
                tokens = quote!(.me());
                rest = after;
            }
        }
    }
    for segment in rest {
        let child = node.children.get(&step(segment)).ok_or_else(missing)?;
        if child.accessor.is_empty() {
            return Err(missing());
        }
        let method = ident(&child.accessor);
        let representative = child.segment.unwrap_or(segment);
        let args = segment_args(ctx, segment, representative, &mut values, &[])?;
        tokens = quote!(#tokens.#method(#(#args),*));
        // A node that repeats another's subtree uses that node's builder
        // type, so the calls go on by the methods of that node's subtree
        // (the same steps and endpoints, by the shared signature).
        node = if child.shared {
            owner(&tree.root, &child.type_name).ok_or_else(missing)?
        } else {
            child
        };
    }
    let found = |n: &'_ Node<'_>, tail: Option<&Segment>| {
        n.ops
            .iter()
            .find(|o| o.endpoint.name == e.name && o.tail.map(step) == tail.map(step))
            .map(|o| o.method.clone())
    };
    let method = match found(node, tail) {
        Some(method) => method,
        // A last segment that leads to a node of its own names that node's
        // operation (`.range_with_address(a).get()`).
        None => {
            let segment = tail.ok_or_else(missing)?;
            let child = node.children.get(&step(segment)).ok_or_else(missing)?;
            let accessor = ident(&child.accessor);
            let args = segment_args(
                ctx,
                segment,
                child.segment.unwrap_or(segment),
                &mut values,
                &e.function_parameters,
            )?;
            tokens = quote!(#tokens.#accessor(#(#args),*));
            let child = if child.shared {
                owner(&tree.root, &child.type_name).ok_or_else(missing)?
            } else {
                child
            };
            let method = found(child, None).ok_or_else(missing)?;
            if method.is_empty() {
                return Err(missing());
            }
            return Ok((tokens, ident(&method), Vec::new()));
        }
    };
    if method.is_empty() {
        return Err(missing());
    }
    let args = match tail {
        Some(segment @ Segment::Function { .. }) => {
            segment_args(ctx, segment, segment, &mut values, &e.function_parameters)?
        }
        _ => Vec::new(),
    };
    Ok((tokens, ident(&method), args))
}

/// The node whose builder type `type_name` is (the one that is not shared).
fn owner<'t, 'a>(node: &'t Node<'a>, type_name: &str) -> Option<&'t Node<'a>> {
    node.children.values().find_map(|child| {
        if child.shared {
            None
        } else if child.type_name == type_name {
            Some(child)
        } else {
            owner(child, type_name)
        }
    })
}

/// The arguments of the method that adds `segment`, from `values`, typed as
/// the client types them (by the `representative` segment of the node).
fn segment_args(
    ctx: &Ctx<'_>,
    segment: &Segment,
    representative: &Segment,
    values: &mut std::slice::Iter<'_, String>,
    declared: &[crate::model::Parameter],
) -> Result<Vec<TokenStream>, String> {
    let mut next = || values.next().ok_or("the example has too few path values");
    let string = |v: &str| quote!(#v);
    match (segment, representative) {
        (Segment::Key { .. }, Segment::Key { param }) => {
            let value = next()?;
            let kind = ctx
                .key_types
                .get(param.name.as_str())
                .map_or(ArgKind::Text, |p| ArgKind::of_primitive(*p));
            Ok(vec![typed(ctx, &kind, value)?])
        }
        (Segment::KeyedLiteral { .. }, Segment::KeyedLiteral { .. })
        | (Segment::ItemPath { .. }, Segment::ItemPath { .. }) => Ok(vec![string(next()?)]),
        (Segment::Function { args, .. }, Segment::Function { args: rep, .. }) => {
            let placeholders = |a: &[crate::model::FunctionArg]| {
                a.iter()
                    .filter(|a| matches!(a.value, ArgValue::Placeholder(_)))
                    .count()
            };
            if placeholders(args) != placeholders(rep) {
                return Err("the function's arguments differ between its paths".to_owned());
            }
            let mut out = Vec::new();
            for arg in rep {
                let ArgValue::Placeholder(p) = &arg.value else {
                    continue;
                };
                let value = next()?;
                let kind = crate::model::argument_kind(ctx.api, declared, &arg.name, &p.name);
                out.push(typed(ctx, &kind, value)?);
            }
            Ok(out)
        }
        (Segment::Key { .. } | Segment::KeyedLiteral { .. } | Segment::ItemPath { .. }, _)
        | (Segment::Function { .. }, _) => {
            Err("the path's segment differs from the client's".to_owned())
        }
        _ => Ok(Vec::new()),
    }
}

/// A value of a typed argument, as the test passes it.
fn typed(ctx: &Ctx<'_>, kind: &ArgKind, value: &str) -> Result<TokenStream, String> {
    let wrong = || format!("`{value}` is no value of its type");
    Ok(match kind {
        ArgKind::Int => {
            let n: i64 = value.parse().map_err(|_| wrong())?;
            let lit = proc_macro2::Literal::i64_unsuffixed(n);
            quote!(#lit)
        }
        ArgKind::Bool => {
            let b: bool = value.parse().map_err(|_| wrong())?;
            quote!(#b)
        }
        ArgKind::Guid => quote!(#value.parse::<uuid::Uuid>().expect("a GUID")),
        ArgKind::Date => quote!(#value.parse::<chrono::NaiveDate>().expect("a date")),
        ArgKind::DateTime => {
            quote!(chrono::DateTime::parse_from_rfc3339(#value).expect("a date and time"))
        }
        ArgKind::Enum(name) => {
            let t = type_ref(
                ctx.api,
                &crate::model::TypeRef::Named(name.clone()),
                &quote!(models),
            );
            quote!(support::body::<#t>(serde_json::Value::String(#value.to_owned())))
        }
        ArgKind::Text => quote!(#value),
    })
}

/// The request method that sets a query option. `$select`, `$orderby` and
/// `$expand` name the response type's field enums where every item is one
/// of its properties, as an application would.
fn query_call(ctx: &Ctx<'_>, e: &Endpoint, key: &str, value: &str) -> TokenStream {
    let response = match &e.response.body {
        Some(crate::model::TypeRef::Named(n)) => ctx
            .field_enums
            .get(n.as_str())
            .and_then(|names| Some((ctx.api.type_named(n)?, names))),
        _ => None,
    };
    let items = split_top_level(value, ',');
    let typed = |navigation: bool, descending_allowed: bool| -> Option<Vec<TokenStream>> {
        let (ty, names) = response?;
        let enum_name = ident(if navigation {
            names.nav.as_ref()?
        } else {
            &names.field
        });
        let variants = crate::emit::models::entity_field_variants(ctx.api, ty, navigation);
        let mut out = Vec::new();
        let mut descending = false;
        for item in &items {
            let (name, desc) = match item.trim().split_once(' ') {
                Some((n, dir)) if descending_allowed && dir.trim() == "desc" => (n, true),
                Some((n, dir)) if descending_allowed && dir.trim() == "asc" => (n, false),
                Some(_) => return None,
                None => (item.trim(), false),
            };
            let (variant, _) = variants.iter().find(|(_, wire)| *wire == name)?;
            let variant = ident(variant);
            descending |= desc;
            out.push((quote!(models::#enum_name::#variant), desc));
        }
        Some(
            out.into_iter()
                .map(|(path, desc)| match (desc, descending) {
                    (true, _) => quote!(#path.desc()),
                    (false, true) => quote!(#path.asc()),
                    (false, false) => path,
                })
                .collect(),
        )
    };
    let list = |method: &str, typed: Option<Vec<TokenStream>>| {
        let m = ident(method);
        match typed {
            Some(items) => quote!(.#m([#(#items),*])),
            None => quote!(.#m([#(#items),*])),
        }
    };
    match key {
        "$select" => list("select", typed(false, false)),
        "$expand" => list("expand", typed(true, false)),
        "$orderby" => list("order_by", typed(false, true)),
        "$filter" => quote!(.filter(#value)),
        "$search" => quote!(.search(#value)),
        "$top" | "$skip" if value.parse::<u32>().is_ok() => {
            let m = ident(&key[1..]);
            let n = proc_macro2::Literal::u32_unsuffixed(value.parse().unwrap_or_default());
            quote!(.#m(#n))
        }
        "$count" if value == "true" || value == "false" => {
            let b = value == "true";
            quote!(.count(#b))
        }
        _ => quote!(.query(#key, #value)),
    }
}

/// JSON as a raw string literal, pretty-printed, so the test reads like
/// the example.
fn json_text(json: &serde_json::Value) -> TokenStream {
    let text = serde_json::to_string_pretty(json).unwrap_or_default();
    let mut hashes = "#".to_owned();
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
        .parse()
        .unwrap_or_else(|_| quote!(#text))
}
