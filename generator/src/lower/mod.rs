//! Pages -> drafts: each page read on its own into the endpoints and
//! types it describes (see [`crate::model::draft`]). The one stage that
//! knows both the read page and the model.

mod cells;
pub mod endpoints;
mod permissions;
pub mod types;

pub use types::{property_name, property_tables};

use crate::base::diagnostics::Diagnostic;
use crate::model::{Api, Lowered, assemble};
use crate::parse::{DocType, Page, SectionKind};

/// Builds the model of all pages. Pages are lowered in parallel (each on
/// its own), then merged in page order, so the result does not depend on the
/// number of threads.
pub fn build_model(pages: &[Page]) -> (Api, Vec<Diagnostic>) {
    use rayon::prelude::*;
    assemble(pages.par_iter().map(lower_page).collect())
}

/// Lowers one page on its own: what it contributes to the model.
pub fn lower_page(page: &Page) -> Lowered {
    let mut out = Lowered::default();
    match page_role(page) {
        Role::Api => {
            endpoints::lower_api_page(page, &mut out.endpoints, &mut out.types, &mut out.diags)
        }
        Role::Type => types::lower_type_page(page, &mut out.types, &mut out.diags),
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
