//! Reviewing a docs change: the API surface a generated crate records
//! (`surface.rs`), the changes between two surfaces (`changes.rs`).

pub mod changes;
pub mod surface;

pub use changes::{Change, Impact, Place, Report, SemverHint, compare};
pub use surface::{
    DIR as SURFACE_DIR, LEGACY_FILE as LEGACY_SURFACE_FILE, PROVENANCE, Provenance, Surface,
    is_api_file, is_record_file, same_api,
};
