//! The generator's integration tests, as one test binary: the crates they
//! share are linked once, and the crate made from the v1.0 corpus
//! (`support::corpus_crate`) is made once per run, not once per file.

mod support;

mod common_calls;
mod corpus;
mod determinism;
mod localized;
mod model_fixtures;
mod parse_fixtures;
mod properties;
mod report_vs_crate;
mod reuse;
mod review;
mod robustness;
mod seeds;
mod stable_names;
mod surface_is_crate;
mod tidy;
mod type_graph;
