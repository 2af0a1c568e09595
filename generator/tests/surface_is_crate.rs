//! The API surface a crate records (`api-surface/`) is the crate: every
//! builder method it names for an endpoint is a public method of that
//! builder in the emitted code, and every public method that sends a request
//! is named by some endpoint; every type, field and enum variant it names is
//! in the models, and its features are the crate's. The crate is read back with `syn` from the
//! emitted files, not from the plan that made them. Checked on
//! `generated/` and the golden crate as checked in, and on the crate made
//! from the v1.0 corpus, whose files must each be at most 250 KB.

use crate::support;

use std::collections::{BTreeMap, BTreeSet};

/// The public methods of the client's builders, as `Type::method`, and
/// those of them that return a `Request` (the ones that send one).
fn public_methods(
    files: &BTreeMap<String, String>,
) -> (BTreeSet<String>, BTreeSet<String>, BTreeMap<String, String>) {
    let mut all = BTreeSet::new();
    let mut sending = BTreeSet::new();
    let mut signatures = BTreeMap::new();
    for (path, text) in files {
        if !path.starts_with("src/client/") || !path.ends_with(".rs") {
            continue;
        }
        let file = syn::parse_file(text).unwrap_or_else(|e| panic!("{path}: {e}"));
        for item in support::expanded_items(file) {
            let syn::Item::Impl(imp) = item else { continue };
            if imp.trait_.is_some() {
                continue;
            }
            let syn::Type::Path(ty) = &*imp.self_ty else {
                continue;
            };
            let Some(ty) = ty.path.segments.last().map(|s| s.ident.to_string()) else {
                continue;
            };
            for member in imp.items {
                let syn::ImplItem::Fn(f) = member else {
                    continue;
                };
                if !matches!(f.vis, syn::Visibility::Public(_)) {
                    continue;
                }
                let name = format!("{ty}::{}", f.sig.ident.to_string().trim_start_matches("r#"));
                signatures.insert(
                    name.clone(),
                    generator::emit::client::signature_text(&f.sig),
                );
                if let syn::ReturnType::Type(_, ret) = &f.sig.output
                    && let syn::Type::Path(p) = &**ret
                    && p.path.segments.last().is_some_and(|s| s.ident == "Request")
                {
                    sending.insert(name.clone());
                }
                all.insert(name);
            }
        }
    }
    (all, sending, signatures)
}

/// The public structs with their public fields, and the public enums with
/// their variants, of the crate's models.
fn models(files: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for (path, text) in files {
        if !path.starts_with("src/models/") || !path.ends_with(".rs") {
            continue;
        }
        let file = syn::parse_file(text).unwrap_or_else(|e| panic!("{path}: {e}"));
        for item in support::expanded_items(file) {
            match item {
                syn::Item::Struct(st) if matches!(st.vis, syn::Visibility::Public(_)) => {
                    let fields = st
                        .fields
                        .iter()
                        .filter(|f| matches!(f.vis, syn::Visibility::Public(_)))
                        .filter_map(|f| f.ident.as_ref())
                        .map(|i| i.to_string().trim_start_matches("r#").to_owned())
                        .collect();
                    out.insert(st.ident.to_string(), fields);
                }
                syn::Item::Enum(en) if matches!(en.vis, syn::Visibility::Public(_)) => {
                    let variants = en.variants.iter().map(|v| v.ident.to_string()).collect();
                    out.insert(en.ident.to_string(), variants);
                }
                _ => {}
            }
        }
    }
    out
}

/// The crate's features, but `default`, from its `Cargo.toml`.
fn features(manifest: &str) -> BTreeSet<String> {
    manifest
        .split("[features]")
        .nth(1)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(" = [").map(|(name, _)| name.trim().to_owned()))
        .filter(|name| name != "default")
        .collect()
}

fn assert_surface_is_crate(label: &str, files: &BTreeMap<String, String>) {
    let surface = support::surface_of(files);
    let (all, sending, signatures) = public_methods(files);
    let mut recorded = BTreeSet::new();
    let mut missing = Vec::new();
    for (name, e) in &surface.endpoints {
        assert!(!e.calls.is_empty(), "{label}: {name} records no call");
        let method = e.calls[0].rsplit("::").next().unwrap_or_default();
        assert_eq!(e.rust, method, "{label}: {name}");
        for call in &e.calls {
            let plain = call.replace("r#", "");
            if !all.contains(&plain) {
                missing.push(format!("{name}: {plain}"));
            }
            // The signature the record gives is the one in the code.
            let recorded_sig = e.signatures.get(call).map(String::as_str);
            let found = signatures.get(&plain).map(String::as_str);
            if recorded_sig != found {
                missing.push(format!(
                    "{name}: {plain} is `{found:?}`, recorded `{recorded_sig:?}`"
                ));
            }
            recorded.insert(plain);
        }
    }
    assert!(
        missing.is_empty(),
        "{label}: the surface names methods the crate lacks: {missing:#?}"
    );
    let unrecorded: Vec<&String> = sending.difference(&recorded).collect();
    assert!(
        unrecorded.is_empty(),
        "{label}: the crate sends requests the surface does not record: {unrecorded:#?}"
    );
    assert!(recorded.len() >= surface.endpoints.len(), "{label}");
    // Types, fields and variants.
    let models = models(files);
    let mut wrong = Vec::new();
    for (name, t) in &surface.types {
        let Some(items) = models.get(&t.rust) else {
            wrong.push(format!("{name}: no `models::{}`", t.rust));
            continue;
        };
        for (p, prop) in &t.properties {
            if !items.contains(prop.rust.trim_start_matches("r#")) {
                wrong.push(format!("{name}.{p}: no field `{}`", prop.rust));
            }
        }
        for v in &t.variants {
            if !items.contains(v) {
                wrong.push(format!("{name}: no variant `{v}`"));
            }
        }
    }
    assert!(wrong.is_empty(), "{label}: {wrong:#?}");
    assert_eq!(
        surface.features.iter().cloned().collect::<BTreeSet<_>>(),
        features(&files["Cargo.toml"]),
        "{label}: features"
    );
}

fn read_crate(dir: &std::path::Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    out.insert(
        "Cargo.toml".to_owned(),
        std::fs::read_to_string(dir.join("Cargo.toml")).expect("a manifest"),
    );
    for sub in [
        "src/client",
        "src/models",
        "api-surface",
        "api-surface/endpoints",
        "api-surface/types",
    ] {
        for entry in std::fs::read_dir(dir.join(sub)).expect("a folder of the crate") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                continue;
            }
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            out.insert(
                format!("{sub}/{name}"),
                std::fs::read_to_string(&path).expect("readable"),
            );
        }
    }
    out
}

#[test]
fn the_checked_in_crates_are_their_surfaces() {
    let root = support::workspace();
    assert_surface_is_crate("generated", &read_crate(&root.join("generated")));
    assert_surface_is_crate("golden", &read_crate(&root.join("generator/tests/golden")));
}

#[test]
fn the_corpus_crate_is_its_surface() {
    let Some(generated) = support::corpus_crate() else {
        return;
    };
    assert_surface_is_crate("v1.0 corpus", &generated.files);
    // Every file is small enough for a diff viewer to show.
    let large: Vec<(&String, usize)> = generated
        .files
        .iter()
        .map(|(path, text)| (path, text.len()))
        .filter(|(_, len)| *len > 250_000)
        .collect();
    assert!(large.is_empty(), "files over 250 KB: {large:?}");
    // crates.io takes at most 300 features.
    let manifest = &generated.files["Cargo.toml"];
    let features = manifest
        .split("[features]")
        .nth(1)
        .expect("a features table")
        .lines()
        .filter(|l| l.contains(" = ["))
        .count();
    assert!((2..=300).contains(&features), "{features} features");
}
