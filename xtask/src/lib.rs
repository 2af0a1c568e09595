//! The project's automation as a library, so that tests can run the same
//! code as `cargo xtask`. All file IO of the generator happens here.

pub mod bench;
pub mod catalogue;
pub mod docs;
pub mod fidelity;
pub mod lint;
pub mod model;
pub mod regen;

use std::path::PathBuf;

/// The workspace root, so commands work from any folder.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// The shared test data folder beside the workspace.
pub fn shared_dir() -> PathBuf {
    workspace_root().join("../shared")
}
