//! The runtime of the generated crate: hand-written, tested code that every
//! endpoint uses (client, auth, retries, errors, paging, `Nullable`). It is
//! the crate `generator/runtime` (`graph-sdk-runtime`); a crate generated
//! inside this workspace depends on it, a standalone one carries a copy of
//! its sources as `src/runtime/` (see [`RuntimeSource`](crate::emit::RuntimeSource)).

/// The runtime crate's package name and its name in Rust paths.
pub const CRATE: (&str, &str) = ("graph-sdk-runtime", "graph_sdk_runtime");

/// (file name in the runtime crate's `src/`, contents) of each runtime file.
pub const FILES: &[(&str, &str)] = &[
    (
        "additional.rs",
        include_str!("../../runtime/src/additional.rs"),
    ),
    ("auth.rs", include_str!("../../runtime/src/auth.rs")),
    ("azure.rs", include_str!("../../runtime/src/azure.rs")),
    ("batch.rs", include_str!("../../runtime/src/batch.rs")),
    ("client.rs", include_str!("../../runtime/src/client.rs")),
    (
        "credentials.rs",
        include_str!("../../runtime/src/credentials.rs"),
    ),
    ("content.rs", include_str!("../../runtime/src/content.rs")),
    ("error.rs", include_str!("../../runtime/src/error.rs")),
    ("lib.rs", include_str!("../../runtime/src/lib.rs")),
    ("macros.rs", include_str!("../../runtime/src/macros.rs")),
    ("nullable.rs", include_str!("../../runtime/src/nullable.rs")),
    ("object.rs", include_str!("../../runtime/src/object.rs")),
    ("odata.rs", include_str!("../../runtime/src/odata.rs")),
    (
        "operation.rs",
        include_str!("../../runtime/src/operation.rs"),
    ),
    ("paging.rs", include_str!("../../runtime/src/paging.rs")),
    ("query.rs", include_str!("../../runtime/src/query.rs")),
    ("request.rs", include_str!("../../runtime/src/request.rs")),
    ("retry.rs", include_str!("../../runtime/src/retry.rs")),
    ("upload.rs", include_str!("../../runtime/src/upload.rs")),
];

/// What the runtime puts in a generated crate's API: its version and the
/// fields it declares for the crate (`runtime::model!` gives every model
/// `odata_type` and `additional_properties`; `Page` has its own
/// `additional_properties`). A test holds them to the runtime's source.
pub fn surface() -> crate::review::surface::RuntimeSurface {
    let kept = "runtime::AdditionalProperties";
    crate::review::surface::RuntimeSurface::new(
        super::manifest::RUNTIME_VERSION,
        &[
            ("model.odata_type", "Option<String>"),
            ("model.additional_properties", kept),
            ("Page.additional_properties", kept),
        ],
    )
}

/// The runtime crate's manifest, whose tables a copy's manifest repeats.
const MANIFEST: &str = include_str!("../../runtime/Cargo.toml");

/// The entries (`name = ...` lines) of the table `[name]` of the runtime
/// crate's manifest, in its order.
pub fn manifest_table(name: &str) -> impl Iterator<Item = &'static str> {
    let header = format!("[{name}]");
    MANIFEST
        .lines()
        .skip_while(move |l| l.trim() != header)
        .skip(1)
        .take_while(|l| !l.starts_with('['))
        .filter(|l| l.contains(" = ") && !l.starts_with('#'))
}

/// The runtime's own Cargo features (`azure-identity`), which generated
/// crates offer too, off by default.
pub fn feature_names() -> impl Iterator<Item = &'static str> {
    manifest_table("features").filter_map(|line| line.split_once(" = ").map(|(name, _)| name))
}

/// Appended to a copy's `mod.rs`: the exported macros, which land at the
/// crate's root, reached as `crate::runtime::model!` as from the crate.
const MACRO_REEXPORT: &str =
    "\n#[doc(hidden)]\npub use crate::{field_names, model, request_builder};\n";

/// A runtime file copied into a generated crate.
pub struct Copied {
    /// Its name in the runtime crate's `src/`.
    pub source: &'static str,
    /// Its name in the generated crate's `src/runtime/`.
    pub name: String,
    /// Its contents there.
    pub text: String,
}

/// The runtime as the module `src/runtime/` of the crate `krate`: each
/// file with its source. `lib.rs` becomes `mod.rs`, and doc examples
/// that name the runtime crate name the module instead; nothing else changes.
pub fn copy(krate: &str) -> Vec<Copied> {
    let module_path = format!("{krate}::runtime::");
    FILES
        .iter()
        .map(|&(source, text)| {
            let name = if source == "lib.rs" { "mod.rs" } else { source };
            let mut text = text
                .replace(&format!("{}::", CRATE.1), &module_path)
                // Exported macros land at the crate's root: their paths to
                // the runtime, and the runtime's paths to them, go through
                // the module.
                .replace("$crate::", "$crate::runtime::");
            if source == "lib.rs" {
                text.push_str(MACRO_REEXPORT);
            }
            Copied {
                source,
                name: name.to_owned(),
                text,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    /// The text of the runtime's file `name`.
    fn file(name: &str) -> &'static str {
        super::FILES
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, text)| text)
    }

    #[test]
    fn the_recorded_fields_are_the_runtimes_own() {
        let surface = super::surface();
        // Each recorded field, as the runtime's source declares it.
        let declared = |owner: &str, name: &str, ty: &str| {
            let in_macro = ty.replace("runtime::", "$crate::").replace(
                "Option<String>",
                "::std::option::Option<::std::string::String>",
            );
            match owner {
                "model" => file("macros.rs").contains(&format!("pub {name}: {in_macro},")),
                "Page" => file("paging.rs")
                    .contains(&format!("pub {name}: {},", ty.replace("runtime::", ""))),
                _ => false,
            }
        };
        assert_eq!(surface.fields.len(), 3);
        for (field, ty) in &surface.fields {
            let (owner, name) = field.split_once('.').expect("owner.name");
            assert!(
                declared(owner, name, ty),
                "{field}: {ty} is not declared so"
            );
        }
    }
}
