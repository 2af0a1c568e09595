//! The diagnostics catalogue cannot rot: every code is produced by a
//! fixture, every diagnostic follows the message rules, and
//! `docs/diagnostics.md` is what `cargo xtask diagnostics` makes now.

use std::collections::BTreeSet;

use generator::Code;
use xtask::catalogue;

#[test]
fn every_code_is_produced_by_a_fixture_and_follows_the_rules() {
    let root = xtask::workspace_root();
    let found = catalogue::collect(&root).expect("fixtures read");
    let produced: BTreeSet<Code> = found.iter().map(|(_, d)| d.code).collect();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| !produced.contains(c))
        .map(|c| c.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "no fixture produces these codes: {missing:?}; add a case under generator/tests/fixtures"
    );
    let broken: Vec<String> = found
        .iter()
        .flat_map(|(folder, d)| {
            catalogue::rule_breaks(d)
                .into_iter()
                .map(move |why| format!("{folder}/{d}: {why}"))
        })
        .collect();
    assert!(broken.is_empty(), "{}", broken.join("\n"));
    for code in Code::ALL {
        assert!(
            code.meaning().ends_with('.') && !code.meaning().is_empty(),
            "{code}: the doc comment is its meaning, a sentence"
        );
        assert_eq!(code.as_str(), code.as_str().to_ascii_lowercase());
        assert!(!code.as_str().contains(' '));
    }
}

#[test]
fn the_catalogue_is_up_to_date() {
    let root = xtask::workspace_root();
    let fresh = catalogue::render(&catalogue::collect(&root).expect("fixtures read"));
    let on_disk = std::fs::read_to_string(root.join(catalogue::PATH)).unwrap_or_default();
    if let Some(diff) = catalogue::stale(&on_disk, &fresh) {
        panic!(
            "{} is stale; run `cargo xtask diagnostics` and commit the result:\n{diff}",
            catalogue::PATH
        );
    }
}
