//! The crate's frame: `Cargo.toml` and `src/lib.rs`.

use crate::emit::features::{FULL, Features};
use crate::emit::format::{Draft, Drafts};
use crate::emit::{EmitOptions, RuntimeSource, header, runtime};
use crate::model::{Api, Primitive, TypeKind, TypeRef};

/// Dependencies the models use.
const MODEL_DEPENDENCIES: &[&str] = &[
    r#"bytes = "1""#,
    r#"chrono = { version = "0.4", default-features = false, features = ["serde", "std"] }"#,
    r#"serde = { version = "1", features = ["derive"] }"#,
    r#"serde_json = "1""#,
    r#"uuid = { version = "1", features = ["serde"] }"#,
];

/// What the example tests (`tests/examples/`) need beyond the dependencies.
const EXAMPLE_TEST_DEPENDENCIES: &[&str] = &[
    r#"percent-encoding = "2""#,
    r#"tokio = { version = "1", features = ["macros", "rt-multi-thread"] }"#,
    r#"wiremock = "0.6""#,
];

/// The `[dependencies]` and `[dev-dependencies]` tables: the example tests'
/// needs, and for a runtime copy its tests' too.
fn dependencies(runtime: &RuntimeSource, example_tests: bool) -> String {
    let mut deps: Vec<String> = MODEL_DEPENDENCIES.iter().map(|d| (*d).to_owned()).collect();
    match runtime {
        RuntimeSource::Copy => {
            // The runtime crate's own, read from its manifest, less those
            // the models already name.
            let named = |d: &str| d.split(' ').next().unwrap_or("").to_owned();
            let model: Vec<String> = deps.iter().map(|d| named(d)).collect();
            deps.extend(
                runtime::manifest_table("dependencies")
                    .filter(|d| !model.contains(&named(d)))
                    .map(str::to_owned),
            );
        }
        RuntimeSource::Crate { path } => {
            deps.push(format!(
                "{} = {{ version = \"{RUNTIME_VERSION}\", path = \"{path}\" }}",
                runtime::CRATE.0
            ));
        }
    }
    deps.sort();
    let mut out = format!("[dependencies]\n{}\n", deps.join("\n"));
    if *runtime == RuntimeSource::Copy {
        // The runtime copy's own needs cover the example tests'.
        let dev: Vec<&str> = runtime::manifest_table("dev-dependencies").collect();
        out.push_str(&format!("\n[dev-dependencies]\n{}\n", dev.join("\n")));
    } else if example_tests {
        out.push_str(&format!(
            "\n[dev-dependencies]\n{}\n",
            EXAMPLE_TEST_DEPENDENCIES.join("\n")
        ));
    }
    out
}

/// The crate docs' "Safe updates" section, shown on the first entity type
/// (by API name; else complex type) with a writable text property; nothing
/// if there is none.
fn safe_update_docs(api: &Api, krate: &str) -> String {
    let entities = api.types.iter().filter(|t| t.kind == TypeKind::Entity);
    let complex = api.types.iter().filter(|t| t.kind == TypeKind::Complex);
    let found = entities.chain(complex).find_map(|t| {
        t.properties
            .iter()
            .find(|p| {
                !p.read_only
                    && !p.collection
                    && p.ty == TypeRef::Primitive(Primitive::String)
                    && p.name.rust != "odata_type"
            })
            .map(|p| (t, p))
    });
    let Some((ty, prop)) = found else {
        return String::new();
    };
    format!(
        r#"//!
//! # Safe updates
//!
//! Update a value read from Graph with only what changed: read-only
//! properties and `@odata.*` annotations are left out.
//!
//! ```no_run
//! # fn example(original: {krate}::models::{ty}) {{
//! let mut edited = original.clone();
//! edited.{field} = "new value".into();
//! let body = edited.changes_from(&original); // the body of the update call
//! # let _ = body;
//! # }}
//! ```
"#,
        ty = ty.name.rust,
        field = prop.name.rust,
    )
}

/// The `[features]` table: one feature per area, `full` for all of them,
/// and `full` as the default.
fn feature_table(features: &Features, runtime: &RuntimeSource) -> String {
    let names: Vec<String> = features.areas.iter().map(|a| format!("\"{a}\"")).collect();
    let mut out = format!(
        "\n[features]\n# Everything the docs describe. Opt out with `default-features = false`\n# and pick areas.\ndefault = [\"{FULL}\"]\n{FULL} = [{}]\n",
        names.join(", ")
    );
    for area in &features.areas {
        let (endpoints, types) = features.counts.get(area).copied().unwrap_or_default();
        let s = |n: usize| if n == 1 { "" } else { "s" };
        out.push_str(&format!(
            "# {endpoints} endpoint{} and the {types} type{} they need.\n{area} = []\n",
            s(endpoints),
            s(types)
        ));
    }
    out.push_str(&runtime_features(runtime));
    out
}

/// The runtime's own features (`azure-identity`), opt-in: the copy's as
/// the runtime's manifest writes them, else forwarded to the runtime crate.
fn runtime_features(runtime: &RuntimeSource) -> String {
    let mut out = String::new();
    let lines = runtime::manifest_table("features");
    for (name, line) in runtime::feature_names().zip(lines) {
        out.push_str("# Off by default: a feature of the runtime.\n");
        match runtime {
            RuntimeSource::Copy => out.push_str(&format!("{line}\n")),
            RuntimeSource::Crate { .. } => {
                out.push_str(&format!("{name} = [\"{}/{name}\"]\n", runtime::CRATE.0))
            }
        }
    }
    out
}

/// The crate docs' "Features" section.
fn feature_docs(features: &Features, crate_name: &str) -> String {
    let example = features
        .areas
        .iter()
        .find(|a| a.as_str() == "users")
        .or_else(|| features.areas.iter().next())
        .map_or_else(String::new, |a| a.to_string());
    format!(
        r#"//!
//! # Features
//!
//! Each area of the API is a Cargo feature: the first segment of its paths
//! (`device_management`), or for `/me` and `/users` the product its pages
//! belong to. An area compiles its endpoints and the types they need;
//! `{FULL}`, the default, compiles all {count} areas. To compile less:
//!
//! ```toml
//! {crate_name} = {{ version = "0.1", default-features = false, features = ["{example}"] }}
//! ```
//!
//! A relationship to a type that no enabled area needs is left out, and its
//! value is kept in `additional_properties`.
"#,
        count = features.areas.len()
    )
}

/// The crate's `README.md`, which crates.io shows: what it is, how to use
/// it, its features and where it came from.
fn readme(api: &Api, features: &Features, options: &EmitOptions) -> String {
    let name = &options.crate_name;
    let krate = name.replace('-', "_");
    let areas: Vec<String> = features.areas.iter().map(|a| format!("`{a}`")).collect();
    format!(
        "<!-- @generated by `cargo xtask regen` from {docs}/. Do not edit by hand. -->\n\n\
         # {name}\n\n\
         A Microsoft Graph client generated from the API reference pages: {endpoints} endpoints \
         and {types} types, with typed models, request builders that follow the URL, \
         paging, retries, `$batch` and typed errors.\n\n\
         ```rust,no_run\n\
         # async fn example() -> Result<(), {krate}::Error> {{\n\
         let client = {krate}::Client::new(\"access token\");\n\
         // client.users().item(id).get().await?, and so on.\n\
         # Ok(())\n\
         # }}\n\
         ```\n\n\
         ## Features\n\n\
         Each area of the API is a Cargo feature; `full`, the default, enables all of them: \
         {areas}.\n\n\
         ## Versions\n\n\
         `CHANGELOG.md` lists the API changes of each regeneration, as breaking or compatible, \
         and the version they call for.\n\n\
         Licensed under MIT or Apache-2.0, at your option.\n",
        docs = options.docs_label,
        endpoints = api.endpoints.len(),
        types = api.types.len(),
        areas = areas.join(", "),
    )
}

pub use crate::output::CRATE_VERSION;

/// The version of the runtime crate (`generator/runtime/Cargo.toml`), which
/// a generated crate in this workspace depends on by path and version, so
/// that it can be packaged.
pub const RUNTIME_VERSION: &str = "0.2.0";

/// The `lib.rs` items that say what the crate was made from, laid out as
/// rustfmt lays them out (a blake3 hash makes the line too long for one).
fn provenance_items(docs_hash: Option<&str>) -> String {
    let Some(hash) = docs_hash else {
        return String::new();
    };
    format!(
        r#"
/// The content hash of the docs pages (and the include files they use) this
/// crate was made from. `cargo xtask provenance` compares it with a docs
/// folder without regenerating.
pub const DOCS_HASH: &str =
    "{hash}";

/// The version of the generator that made this crate.
pub const GENERATOR_VERSION: &str = "{version}";
"#,
        version = crate::base::VERSION
    )
}

/// Writes `Cargo.toml` and `src/lib.rs`.
pub fn emit_manifest(
    api: &Api,
    features: &Features,
    options: &EmitOptions,
    docs_hash: Option<&str>,
    out: &mut Drafts,
) {
    let lines = header(&[format!("{}/", options.docs_label)]);
    let mut cargo: String = lines.iter().map(|l| format!("# {l}\n")).collect();
    cargo.push_str(&format!(
        "\n[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2024\"\nrust-version = \"1.85\"\npublish = {publish}\ndescription = \"Microsoft Graph client generated from the API reference pages\"\nlicense = \"MIT OR Apache-2.0\"\nreadme = \"README.md\"\ndocumentation = \"https://docs.rs/{name}\"\nkeywords = [\"microsoft-graph\", \"graph\", \"api\", \"client\", \"sdk\"]\ncategories = [\"api-bindings\"]\n# What the crate was made from, for regen; not part of the package.\nexclude = [\"{record}/\"]\n\n[package.metadata.docs.rs]\nall-features = true\n\n",
        name = options.crate_name,
        version = options.version,
        publish = options.publish,
        record = crate::output::RECORD_DIR,
    ));
    let example_tests = api
        .endpoints
        .iter()
        .any(|e| e.examples.iter().any(|x| x.call.is_some()));
    cargo.push_str(&dependencies(&options.runtime, example_tests));
    cargo.push_str(&feature_table(features, &options.runtime));
    if options.standalone {
        // Outside the workspace, the crate is its own workspace root.
        cargo.push_str("\n[workspace]\n");
    }
    out.insert("Cargo.toml".to_owned(), Draft::Text(cargo));
    out.insert(
        "README.md".to_owned(),
        Draft::Text(readme(api, features, options)),
    );

    out.insert(
        "src/lib.rs".to_owned(),
        Draft::Text(lib_rs(api, features, options, docs_hash, &lines)),
    );
}

/// The generated crate's `src/lib.rs`: its docs, modules and re-exports.
///
/// Written as text, already in rustfmt's style, because `cargo fmt` formats
/// workspace members. The generated module trees are marked `rustfmt::skip`
/// so they stay exactly as the emitter formats them.
fn lib_rs(
    api: &Api,
    features: &Features,
    options: &EmitOptions,
    docs_hash: Option<&str>,
    lines: &[String],
) -> String {
    let krate = options.crate_name.replace('-', "_");
    let mut lib: String = lines.iter().map(|l| format!("// {l}\n")).collect();
    lib.push_str(&format!(
        r#"
//! A Microsoft Graph client generated from the API reference pages.
//!
//! - [`Client`] holds the connection settings: base URL, token provider and
//!   retry policy. Builders hang off it and follow the URL, e.g.
//!   `client.users().item(id).get()`.
//! - Endpoint methods return a [`Request`]: add query options such as
//!   `.select(["id"])` or `.top(10)`, then `.await` it.
//! - [`models`] holds one type per file. Fields are [`Nullable`], so a PATCH
//!   body sends only what was set, and can clear a value with `null`.
//! - Collections come as a [`Page`]; `.into_stream()` and `.collect_all()`
//!   follow `@odata.nextLink`.
//! - `client.batch()` sends many of these requests as `$batch`es of up to 20
//!   and gives each answer back typed ([`Batch`]).
//! - File content is not JSON: a content endpoint answers a [`Download`]
//!   (`.bytes()`, `.stream()`, `.save(path)`), an upload takes [`Content`]
//!   (bytes, a file or a stream), a large file goes through an upload session
//!   with [`LargeFileUpload`], and a `202 Accepted` operation is waited for
//!   with [`Operation`].
//! - [`ClientCredentials`] signs an app in, and keeps its token fresh;
//!   [`Cloud`] points the sign-in and the requests at a national cloud.
//!
//! ```no_run
//! # async fn example() -> Result<(), {krate}::Error> {{
//! let client = {krate}::Client::new("access token");
//! let _same_settings = client.clone();
//! # Ok(())
//! # }}
//! ```
//!
//! The [`runtime`] docs show raw requests for endpoints no page describes,
//! delta queries, polymorphic results (`cast`) and response metadata.
{safe_update}{features}//!
//! This crate has {endpoints} endpoints and {types} types.

#![forbid(unsafe_code)]

#[rustfmt::skip]
pub mod client;
#[rustfmt::skip]
pub mod models;
{runtime}

pub use client::Client;
/// The Azure SDK's credentials (managed identity, workload identity, the
/// developer tools' sign-in) as a token provider.
#[cfg(feature = "azure-identity")]
pub use runtime::AzureCredential;
pub use runtime::{{
    Answers, ApiError, AuthChallenge, Batch, Bytes, ClientBuilder, ClientCredentials, Cloud,
    Content, Delta, Download, Error, ErrorDetail, FieldName, FnTokenProvider, Handle, HeaderMap,
    InnerError, ItemId, LargeFileUpload, Method, Nullable, ODataType, Operation, OperationState,
    OperationStatus, Page, QueryOptions, Reference, Removed, Request, Response, RetryPolicy,
    StatusCode, TokenProvider, UploadProgress, UploadStatus, cast,
}};
{provenance}"#,
        provenance = provenance_items(docs_hash),
        endpoints = api.endpoints.len(),
        types = api.types.len(),
        safe_update = safe_update_docs(api, &krate),
        features = feature_docs(features, &options.crate_name),
        runtime = match options.runtime {
            RuntimeSource::Copy => "pub mod runtime;".to_owned(),
            RuntimeSource::Crate { .. } => format!(
                "/// The runtime: client, auth, retries, errors, paging and `Nullable`.\npub use {} as runtime;",
                runtime::CRATE.1
            ),
        }
    ));
    lib
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_runtime_version_is_the_runtime_crates() {
        let manifest = include_str!("../../runtime/Cargo.toml");
        let version = manifest
            .lines()
            .find_map(|l| l.strip_prefix("version = "))
            .map(|v| v.trim_matches('"'));
        assert_eq!(version, Some(super::RUNTIME_VERSION));
    }
}
