//! Data-driven tests of the reader: each folder in `tests/fixtures/parse/`
//! holds a `page.md` and snapshots of what was read and what was reported.
//! Adding a case is adding a folder; `cargo insta review` accepts new snapshots.

use crate::support;

use generator::parse_page;

#[test]
fn parse_fixtures() {
    support::run_cases(&support::fixture_cases("parse"), |case| {
        let text = std::fs::read_to_string(case.join("page.md")).expect("page.md");
        let (page, diagnostics) = parse_page("page.md", &text);
        support::with_snapshots_in(case, || {
            insta::assert_yaml_snapshot!("page", page);
            insta::assert_snapshot!("diagnostics", render(&diagnostics));
        });
    });
}

fn render(diagnostics: &[generator::Diagnostic]) -> String {
    if diagnostics.is_empty() {
        return "(no diagnostics)\n".to_owned();
    }
    diagnostics.iter().map(|d| format!("{d}\n")).collect()
}
