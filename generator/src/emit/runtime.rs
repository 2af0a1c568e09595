//! The runtime module of the generated crate: hand-written, tested code that
//! every endpoint uses (client, auth, retries, errors, paging, `Nullable`).
//! It is copied verbatim from `generator/runtime/`.

/// (file name, contents) of each runtime file, in order.
pub const FILES: &[(&str, &str)] = &[
    ("auth.rs", include_str!("../../runtime/auth.rs")),
    ("client.rs", include_str!("../../runtime/client.rs")),
    ("error.rs", include_str!("../../runtime/error.rs")),
    ("mod.rs", include_str!("../../runtime/mod.rs")),
    ("nullable.rs", include_str!("../../runtime/nullable.rs")),
    ("odata.rs", include_str!("../../runtime/odata.rs")),
    ("paging.rs", include_str!("../../runtime/paging.rs")),
    ("query.rs", include_str!("../../runtime/query.rs")),
    ("request.rs", include_str!("../../runtime/request.rs")),
    ("retry.rs", include_str!("../../runtime/retry.rs")),
];
