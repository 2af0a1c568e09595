//! The first `cargo xtask regen` builds xtask and what it depends on; the
//! README's `cargo test --workspace` then builds the whole workspace, dev
//! dependencies included. Where a crate of xtask's build would get other
//! features in the workspace's, it is built a second time, with everything
//! that depends on it (a feature of `syn` for a test's proc macro builds
//! serde's derive, serde, serde_json and the generator again): a newcomer's
//! first run waits for both. xtask's manifest asks for those features
//! itself; this test fails when a dependency change makes them differ
//! again.

use std::collections::{BTreeMap, BTreeSet};

/// Each package of a `cargo tree` (by name and version) and its features.
fn features(args: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = std::process::Command::new(cargo)
        .args(["tree", "--locked", "--offline", "--prefix", "none"])
        .args(["--format", "{p} [{f}]"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs cargo tree");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && !text.is_empty(),
        "cargo tree {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in text.lines() {
        let mut words = line.split(' ');
        let (Some(name), Some(version)) = (words.next(), words.next()) else {
            continue;
        };
        let Some(list) = line.rsplit_once('[').and_then(|(_, l)| l.split_once(']')) else {
            continue;
        };
        out.entry(format!("{name} {version}")).or_default().extend(
            list.0
                .split(',')
                .filter(|f| !f.is_empty())
                .map(str::to_owned),
        );
    }
    out
}

#[test]
fn the_test_build_reuses_what_regen_built() {
    // Host and target are one in `cargo tree`: xtask's build-dependencies
    // stand for the features the workspace's proc macros ask of `syn`.
    let regen = features(&["--package", "xtask", "--edges", "normal,build"]);
    let tests = features(&["--workspace", "--edges", "normal,build,dev"]);
    assert!(
        regen.keys().any(|k| k.starts_with("syn ")),
        "xtask's build has syn: {regen:?}"
    );
    let differ: Vec<String> = regen
        .iter()
        .filter_map(|(package, wanted)| {
            let all = tests.get(package)?;
            let more: Vec<&String> = all.difference(wanted).collect();
            (!more.is_empty()).then(|| format!("{package}: the workspace adds {more:?}"))
        })
        .collect();
    assert!(
        differ.is_empty(),
        "xtask's build would be built again for the tests; ask for these features in xtask/Cargo.toml:\n{}",
        differ.join("\n")
    );
}
