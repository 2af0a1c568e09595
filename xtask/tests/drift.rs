//! The checked-in crates are exactly what the generator makes now. When one
//! is stale, the test fails with a unified diff and the command to run.

use std::path::Path;

use xtask::docs::DocsFolder;
use xtask::regen;

fn assert_up_to_date(docs: &str, out: &str, crate_name: &str, command: &str) {
    let root = xtask::workspace_root();
    let docs_dir = root.join(docs);
    let out_dir = root.join(out);
    let folder = DocsFolder::read(&docs_dir).expect("docs folder");
    let mut options = regen::options(&root, &docs_dir, &out_dir, crate_name.to_owned());
    options.names = folder.names.clone();
    let mut run = generator::generate(&folder.sources(), &folder.includes, &options);
    // The changelog is the crate's own history: regen keeps it.
    regen::add_changelog(&out_dir, &mut run.files, &regen::Review::Same, "", "");
    if let Some(diff) = regen::check(&out_dir, &run.files).expect("readable output folder") {
        panic!("{out} is stale; run `{command}` and commit the result:\n{diff}");
    }
}

#[test]
fn generated_crate_is_up_to_date() {
    assert_up_to_date("docs-input", "generated", "graph-sdk", "cargo xtask regen");
}

#[test]
fn golden_crate_is_up_to_date() {
    assert_up_to_date(
        "generator/tests/fixtures/emit",
        "generator/tests/golden",
        "golden",
        "cargo xtask regen --docs generator/tests/fixtures/emit --out generator/tests/golden --crate-name golden",
    );
}

#[test]
fn output_does_not_depend_on_page_order() {
    let docs = DocsFolder::read(&xtask::workspace_root().join("docs-input")).expect("docs");
    let options = generator::emit::EmitOptions::default();
    let mut sources = docs.sources();
    let forward = generator::generate(&sources, &docs.includes, &options).files;
    sources.reverse();
    let backward = generator::generate(&sources, &docs.includes, &options).files;
    assert!(
        forward == backward,
        "emitted files depend on the order pages are given in"
    );
}

#[test]
fn a_standalone_crate_is_its_own_workspace() {
    let root = xtask::workspace_root();
    let options = regen::options(
        &root,
        &root.join("docs-input"),
        Path::new("/tmp/elsewhere"),
        "my-graph".into(),
    );
    assert!(options.standalone);
    assert_eq!(options.docs_label, "docs-input");
    let docs = DocsFolder::read(&root.join("docs-input")).expect("docs");
    let files = generator::generate(&docs.sources(), &docs.includes, &options).files;
    let manifest = &files["Cargo.toml"];
    assert!(
        manifest.contains("name = \"my-graph\"") && manifest.contains("[workspace]"),
        "{manifest}"
    );
    // A standalone crate carries the runtime's sources, unchanged but for the
    // crate path in doc examples.
    assert!(!manifest.contains("graph-sdk-runtime"), "{manifest}");
    assert!(manifest.contains("reqwest"), "{manifest}");
    for (name, module) in [("lib.rs", "mod.rs"), ("request.rs", "request.rs")] {
        let source = std::fs::read_to_string(root.join("generator/runtime/src").join(name))
            .expect("runtime source");
        let copy = &files[&format!("src/runtime/{module}")];
        let mut expected = source.replace("graph_sdk_runtime::", "my_graph::runtime::");
        if name == "lib.rs" {
            // The exported macros land at the crate's root; the copy's
            // `mod.rs` re-exports them, so `crate::runtime::model!` works.
            expected.push_str(
                "\n#[doc(hidden)]\npub use crate::{field_names, model, request_builder};\n",
            );
        }
        assert!(
            copy.ends_with(&expected),
            "src/runtime/{module} is not a copy of {name}"
        );
    }
    // The macros' paths to the runtime go through the module.
    let macros = &files["src/runtime/macros.rs"];
    assert!(macros.contains("$crate::runtime::read_fields"), "{macros}");
    assert!(!macros.contains("$crate::read_fields"), "{macros}");
    assert!(files["src/lib.rs"].contains("pub mod runtime;"));
    // Inside the workspace, the crate depends on the runtime crate instead.
    let member = regen::options(
        &root,
        &root.join("docs-input"),
        &root.join("generated"),
        "graph-sdk".into(),
    );
    let files = generator::generate(&docs.sources(), &docs.includes, &member).files;
    let runtime = std::fs::read_to_string(root.join("generator/runtime/Cargo.toml"))
        .expect("the runtime's manifest");
    let version = runtime
        .lines()
        .find_map(|l| l.strip_prefix("version = "))
        .expect("the runtime's version");
    let dependency =
        format!("graph-sdk-runtime = {{ version = {version}, path = \"../generator/runtime\" }}");
    assert!(files["Cargo.toml"].contains(&dependency), "{dependency}");
    assert!(!files.keys().any(|p| p.starts_with("src/runtime/")));
    assert!(
        !regen::options(
            &root,
            &root.join("docs-input"),
            &root.join("generated"),
            "graph-sdk".into()
        )
        .standalone
    );
}
