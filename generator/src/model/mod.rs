//! Pages -> the API model. Lowering reads each page into drafts; resolution
//! merges them across pages. Neither fails: problems become diagnostics and
//! fallbacks (an unresolved type becomes an untyped JSON value).

pub mod api;
pub mod area;
pub mod draft;
pub mod example_calls;
pub mod example_checks;
pub mod graph;
pub mod path;
pub mod resolve;
pub mod types;

pub use api::*;
pub use area::Area;
pub use graph::{Field, SortedTypes, TypeGraph};
pub use path::{ArgValue, FunctionArg, PathTemplate, Placeholder, Segment, broken_segment};

use crate::base::diagnostics::Diagnostic;
pub use draft::Lowered;

/// Merges lowered pages, in the order given, into the model: resolution
/// across pages, then the example checks. Diagnostics come back sorted.
pub fn assemble(lowered: Vec<Lowered>) -> (Api, Vec<Diagnostic>) {
    let mut diags = Vec::with_capacity(lowered.iter().map(|p| p.diags.len()).sum());
    let mut types = Vec::with_capacity(lowered.iter().map(|p| p.types.len()).sum());
    let mut endpoints = Vec::with_capacity(lowered.iter().map(|p| p.endpoints.len()).sum());
    for page in lowered {
        diags.extend(page.diags);
        types.extend(page.types);
        endpoints.extend(page.endpoints);
    }
    let mut api = resolve::resolve(types, endpoints, &mut diags);
    area::merge_case_variants(&mut api.endpoints, &mut diags);
    let disagreeing = example_checks::check_examples(&api, &mut diags);
    example_calls::plan_example_calls(&mut api, &disagreeing, &mut diags);
    diags.sort();
    (api, diags)
}

/// [`assemble`] for pages read with their reading diagnostics, in page
/// order: the model, and every diagnostic, sorted.
pub fn assemble_read(read: Vec<(Lowered, Vec<Diagnostic>)>) -> (Api, Vec<Diagnostic>) {
    let mut lowered = Vec::with_capacity(read.len());
    let mut diagnostics = Vec::new();
    for (page, diags) in read {
        lowered.push(page);
        diagnostics.extend(diags);
    }
    let (api, model_diags) = assemble(lowered);
    diagnostics.extend(model_diags);
    diagnostics.sort();
    (api, diagnostics)
}
