//! xtask's integration tests, as one test binary (the generated crates
//! they use are linked once): the command line, the docs folder, the
//! drift of the checked-in crates, fidelity, the diagnostics catalogue,
//! and the generated client against mock servers.

mod support;

mod annotations;
mod build_features;
mod catalogue;
mod cli;
mod client;
mod docs_folder;
mod drift;
mod fidelity;
mod fixes;
mod report;
