//! The runtime of the generated crate: hand-written, tested code that every
//! endpoint uses (client, auth, retries, errors, paging, `Nullable`). It is
//! the crate `generator/runtime` (`graph-sdk-runtime`); a crate generated
//! inside this workspace depends on it, a standalone one carries a copy of
//! its sources as `src/runtime/` (see [`RuntimeSource`](crate::emit::RuntimeSource)).

/// The runtime crate's package name and its name in Rust paths.
pub const CRATE: (&str, &str) = ("graph-sdk-runtime", "graph_sdk_runtime");

/// (file name in the runtime crate's `src/`, contents) of each runtime file.
pub const FILES: &[(&str, &str)] = &[
    ("auth.rs", include_str!("../../runtime/src/auth.rs")),
    ("batch.rs", include_str!("../../runtime/src/batch.rs")),
    ("client.rs", include_str!("../../runtime/src/client.rs")),
    ("error.rs", include_str!("../../runtime/src/error.rs")),
    ("lib.rs", include_str!("../../runtime/src/lib.rs")),
    ("nullable.rs", include_str!("../../runtime/src/nullable.rs")),
    ("object.rs", include_str!("../../runtime/src/object.rs")),
    ("odata.rs", include_str!("../../runtime/src/odata.rs")),
    ("paging.rs", include_str!("../../runtime/src/paging.rs")),
    ("query.rs", include_str!("../../runtime/src/query.rs")),
    ("request.rs", include_str!("../../runtime/src/request.rs")),
    ("retry.rs", include_str!("../../runtime/src/retry.rs")),
];

/// The runtime as the module `src/runtime/` of the crate `krate`: file name
/// and contents of each file. `lib.rs` becomes `mod.rs`, and doc examples
/// that name the runtime crate name the module instead; nothing else changes.
pub fn copy(krate: &str) -> Vec<(String, String)> {
    let module_path = format!("{krate}::runtime::");
    FILES
        .iter()
        .map(|(name, text)| {
            let name = if *name == "lib.rs" { "mod.rs" } else { name };
            let text = text.replace(&format!("{}::", CRATE.1), &module_path);
            (name.to_owned(), text)
        })
        .collect()
}
