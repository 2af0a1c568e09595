//! What emission makes and the regen cache remembers, in one place both
//! use without knowing each other: the files, the record of each Rust file
//! made, the plan of files taken as they are, the options a crate is made
//! with, and the signature line that ties a file to its draft.

pub mod signature;

pub use signature::{Signature, draft_hash, sign};

use std::collections::BTreeMap;

/// The version a new crate starts at.
pub const CRATE_VERSION: &str = "0.1.0";

/// The folder of a crate's regen record (see `reuse::record`): the
/// manifest leaves it out of the package.
pub const RECORD_DIR: &str = "regen-record";

/// Emitted files: path relative to the crate root (`/` separators) -> contents.
pub type Emitted = BTreeMap<String, String>;

/// The checked signatures of Rust files in the output folder, by path (see
/// [`crate::Reuse::signed`]).
pub type Signed = BTreeMap<String, signature::Signature>;

/// How to emit the crate.
#[derive(Debug, Clone)]
pub struct EmitOptions {
    /// The package name, e.g. `graph-sdk`.
    pub crate_name: String,
    /// How the docs folder is named in headers, e.g. `docs-input`.
    pub docs_label: String,
    /// Whether the crate is its own workspace (it is written outside ours).
    pub standalone: bool,
    /// Where the crate gets its runtime from.
    pub runtime: RuntimeSource,
    /// The crate's version (`0.1.0`); `regen --bump` moves it.
    pub version: String,
    /// Whether `cargo publish` may publish the crate.
    pub publish: bool,
    /// Names the docs folder's names file pins or overrides.
    pub names: crate::names::NameOverrides,
}

/// Where a generated crate gets its runtime (client, retries, paging, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeSource {
    /// A dependency on the runtime crate at this path, relative to the
    /// generated crate's folder; `crate::runtime` re-exports it.
    Crate {
        /// The path to `generator/runtime`, with `/` separators.
        path: String,
    },
    /// A copy of the runtime's sources as the module `src/runtime/`, so the
    /// crate builds on its own anywhere.
    Copy,
}

impl Default for EmitOptions {
    fn default() -> Self {
        Self {
            crate_name: "graph-sdk".to_owned(),
            docs_label: "docs-input".to_owned(),
            standalone: false,
            runtime: RuntimeSource::Copy,
            version: CRATE_VERSION.to_owned(),
            publish: false,
            names: crate::names::NameOverrides::default(),
        }
    }
}

/// A model item whose text a file was made from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Owner {
    /// A type, by API name.
    Type(String),
    /// An endpoint, by API name.
    Endpoint(String),
}

/// A Rust file this run made: its draft hash and owners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Made {
    /// The hash its signature records.
    pub draft: u64,
    /// The model items whose text it was made from.
    pub owners: Vec<Owner>,
}

/// Which Rust files a run makes, and which it takes as the output folder
/// holds them, because their inputs did not change (see [`crate::reuse`]).
/// It borrows their text from the output folder's files as read.
#[derive(Debug, Default, Clone)]
pub struct Plan<'a> {
    reused: BTreeMap<String, Kept<'a>>,
    surface: bool,
}

/// A file taken as the output folder holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept<'a> {
    /// Its text, as read.
    Text(&'a str),
    /// Left unread: its signature, checked when it was read before, is all
    /// the run knows of it (see [`crate::Reuse::signed`]).
    Unread,
}

impl<'a> Plan<'a> {
    /// A plan that makes every file.
    pub fn all() -> Plan<'a> {
        Plan::default()
    }

    /// A plan that takes `reused` (by path) as they are; with `surface`,
    /// they hold every file of the API surface record but its provenance,
    /// each with its text, so the record is not made again.
    pub fn reusing(reused: BTreeMap<String, Kept<'a>>, surface: bool) -> Plan<'a> {
        Plan { reused, surface }
    }

    /// Whether the API surface record (but its provenance) is taken as it
    /// is: its files are among the reused ones.
    pub fn reuses_surface(&self) -> bool {
        self.surface
    }

    /// The files taken as they are, by path, in order.
    pub fn reused_files(&self) -> impl Iterator<Item = (&str, Kept<'a>)> {
        self.reused.iter().map(|(p, t)| (p.as_str(), *t))
    }

    /// How the file at `path` is taken as it is, if it is.
    pub fn reused(&self, path: &str) -> Option<Kept<'a>> {
        self.reused.get(path).copied()
    }

    /// Whether the file at `path` is made (not taken as it is).
    pub fn makes(&self, path: &str) -> bool {
        !self.reused.contains_key(path)
    }
}
