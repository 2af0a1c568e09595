//! The vocabulary every stage shares: source positions, diagnostics, HTTP
//! methods, media types and Rust identifiers. It imports nothing else of the crate, so
//! parse, model and emit can all use it without knowing each other.

pub mod diagnostics;
pub mod fixes;
pub mod ident;
mod loc;
pub mod media;
mod method;
pub mod placeholders;
pub mod source;

/// The generator's version, which generated crates record.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub use loc::Loc;
pub use method::Method;
pub use source::{Position, SourceMap, Span};
