//! Pages -> the API model. Lowering reads each page into drafts; resolution
//! merges them across pages. Neither fails: problems become diagnostics and
//! fallbacks (an unresolved type becomes an untyped JSON value).

pub mod api;
pub mod area;
pub mod example_calls;
pub mod example_checks;
pub mod lower_endpoints;
pub mod lower_types;
pub mod naming;
pub mod path;
pub mod permissions;
pub mod resolve;
pub mod types;

pub use api::*;
pub use area::Area;
pub use path::{ArgValue, FunctionArg, PathTemplate, Placeholder, Segment};

use crate::diagnostics::{Code, Diagnostic};
use crate::parse::{DocType, Loc, Page, SectionKind};

/// Builds the model of all pages. Pages are lowered in parallel (each on
/// its own), then merged in page order, so the result does not depend on the
/// number of threads.
pub fn build_model(pages: &[Page]) -> (Api, Vec<Diagnostic>) {
    use rayon::prelude::*;
    assemble(pages.par_iter().map(lower_page).collect())
}

/// Merges lowered pages, in the order given, into the model: resolution
/// across pages, then the example checks. Diagnostics come back sorted.
pub fn assemble(lowered: Vec<Lowered>) -> (Api, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut types = Vec::new();
    let mut endpoints = Vec::new();
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

/// What one page contributes before resolution: its draft endpoints and
/// types, and the diagnostics lowering found. It depends on the page alone.
#[derive(Debug, Default)]
pub struct Lowered {
    pub(crate) endpoints: Vec<lower_endpoints::DraftEndpoint>,
    pub(crate) types: Vec<lower_types::DraftType>,
    pub(crate) diags: Vec<Diagnostic>,
}

/// Lowers one page on its own: what it contributes to the model.
pub fn lower_page(page: &Page) -> Lowered {
    let mut out = Lowered::default();
    match page_role(page) {
        Role::Api => lower_endpoints::lower_api_page(
            page,
            &mut out.endpoints,
            &mut out.types,
            &mut out.diags,
        ),
        Role::Type => lower_types::lower_type_page(page, &mut out.types, &mut out.diags),
        Role::None => {}
    }
    out
}

enum Role {
    Api,
    Type,
    None,
}

/// What a page contributes, by its doc type, or by its content where the doc
/// type is missing or wrong (resource pages marked `apiPageType` exist).
fn page_role(page: &Page) -> Role {
    let has = |k| page.sections_of(k).next().is_some();
    match page.doc_type() {
        Some(DocType::Api) if page.request_lines.is_empty() && has(SectionKind::Properties) => {
            Role::Type
        }
        Some(DocType::Api) => Role::Api,
        Some(DocType::Resource | DocType::Enum) => Role::Type,
        Some(DocType::Conceptual) => Role::None,
        _ if !page.request_lines.is_empty() => Role::Api,
        _ if has(SectionKind::Properties) || has(SectionKind::Members) => Role::Type,
        _ => Role::None,
    }
}

/// A secondary place for a model diagnostic: the other side of a conflict.
pub(crate) fn related(file: &str, at: Loc, message: &str) -> crate::diagnostics::Related {
    crate::diagnostics::Related {
        file: file.to_owned(),
        line: at.pos.line,
        column: at.pos.column,
        span: at.span,
        message: message.to_owned(),
    }
}

/// A model diagnostic at a place in a page.
pub(crate) fn diag(file: &str, at: Loc, code: Code, message: String, help: String) -> Diagnostic {
    Diagnostic {
        code,
        file: file.to_owned(),
        line: at.pos.line,
        column: at.pos.column,
        span: at.span,
        message,
        help,
        related: Vec::new(),
    }
}
