//! The model drawn from the public v1.0 docs is faithful: to the docs
//! themselves and to the official schema. `cargo xtask fidelity` prints the
//! same figures.

use xtask::docs::DocsFolder;
use xtask::fidelity::{Schema, measure};

#[test]
fn corpus_model_meets_the_fidelity_bars() {
    let Some(corpus) = crate::support::shared_corpus() else {
        return;
    };
    let docs = DocsFolder::read(&corpus.join("graph-docs-v1.0")).expect("corpus");
    let xml =
        std::fs::read_to_string(corpus.join("graph-schema-v1.0/v1.0-Prod.csdl")).expect("schema");
    let schema = Schema::from_csdl(&xml).expect("CSDL");
    let (pages, _) = generator::parse_pages(&docs.sources(), &docs.includes);
    let (api, _) = generator::build_model(&pages);
    let report = measure(&pages, &api, &schema);
    eprintln!("{report}");
    assert!(report.api_pages_with_endpoint.percent() >= 99.0, "{report}");
    assert!(report.request_lines_in_model.percent() >= 99.0, "{report}");
    assert!(report.property_rows_in_model.percent() >= 98.0, "{report}");
    assert!(report.pairs_in_schema.percent() >= 95.0, "{report}");
    // The schema check itself must be able to fail.
    assert!(
        schema.has("user", "displayName") && schema.has("user", "id"),
        "inherited members count"
    );
    assert!(!schema.has("user", "noSuchProperty"));
}
