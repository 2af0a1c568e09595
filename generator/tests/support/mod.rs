//! Shared test helpers: fixture folders and the `../shared` test corpus.

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `../shared/<rel>` beside the workspace. When it is missing, the test is
/// skipped with a message saying where it looked, except under CI
/// (`CI=true`), where `../shared` always exists and its absence is a failure.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let path = workspace().join("../shared").join(rel);
    if path.exists() {
        return Some(path);
    }
    let looked = path.display();
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!(
            "test data not found at {looked}; under CI ../shared must exist beside the checkout"
        );
    }
    eprintln!(
        "skipping: test data not found at {looked} (clone the project beside `shared/` to run this test)"
    );
    None
}

/// Every `.md` file below `dir`, as (path relative to `dir`, text), sorted.
pub fn read_md_tree(dir: &Path) -> Vec<(String, String)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("dir entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                let rel = path
                    .strip_prefix(root)
                    .expect("below root")
                    .to_string_lossy()
                    .replace('\\', "/");
                let bytes =
                    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                out.push((rel, String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}

/// The case folders below `tests/fixtures/<stage>`, sorted.
pub fn fixture_cases(stage: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(stage);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no fixture cases in {}", root.display());
    cases
}

/// Runs `check` on every case, then fails listing every case that failed, so
/// one broken case does not hide the others.
pub fn run_cases(cases: &[PathBuf], check: impl Fn(&Path)) {
    let failed: Vec<String> = cases
        .iter()
        .filter(|case| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(case))).is_err()
        })
        .map(|case| {
            case.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert!(
        failed.is_empty(),
        "fixture cases failed: {}",
        failed.join(", ")
    );
}

/// Runs `f` with insta writing snapshots into `dir/snapshots`.
pub fn with_snapshots_in(dir: &Path, f: impl FnOnce()) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir.join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(f);
}

/// The crate made from the whole v1.0 corpus (the default emit options),
/// made once per test run, or `None` when `../shared` is missing (see
/// [`shared`]).
pub fn corpus_crate() -> Option<&'static generator::Generated> {
    static CRATE: std::sync::OnceLock<Option<generator::Generated>> = std::sync::OnceLock::new();
    CRATE
        .get_or_init(|| {
            let dir = shared("corpus/graph-docs-v1.0")?;
            let files = read_md_tree(&dir);
            let sources: Vec<generator::SourcePage<'_>> = files
                .iter()
                .map(|(p, t)| generator::SourcePage { path: p, text: t })
                .collect();
            Some(generator::generate(
                &sources,
                &generator::Includes::new(),
                &generator::emit::EmitOptions::default(),
            ))
        })
        .as_ref()
}

/// The API surface record among a crate's files.
pub fn surface_of(
    files: &std::collections::BTreeMap<String, String>,
) -> generator::review::Surface {
    generator::review::Surface::from_files(files.iter().map(|(p, t)| (p.as_str(), t.as_str())))
        .expect("the crate's files hold an API surface record")
}

/// The items of a generated file as the compiler sees them after
/// `runtime::model!`: a struct inside the call is the struct it declares,
/// with the two fields the macro adds (`odata_type` first,
/// `additional_properties` last).
pub fn expanded_items(file: syn::File) -> Vec<syn::Item> {
    file.items
        .into_iter()
        .map(|item| match item {
            syn::Item::Macro(m)
                if m.mac.path.segments.last().is_some_and(|s| s.ident == "model") =>
            {
                match m.mac.parse_body::<syn::ItemStruct>() {
                    Ok(mut s) => {
                        let added: syn::ItemStruct = syn::parse_str(
                            "struct Added { pub odata_type: Option<String>, pub additional_properties: runtime::AdditionalProperties }",
                        )
                        .expect("the fields model! adds");
                        if let (syn::Fields::Named(fields), syn::Fields::Named(extra)) =
                            (&mut s.fields, added.fields)
                        {
                            let mut extra = extra.named.into_iter();
                            fields.named.insert(0, extra.next().expect("odata_type"));
                            fields.named.extend(extra);
                        }
                        syn::Item::Struct(s)
                    }
                    Err(_) => syn::Item::Macro(m),
                }
            }
            other => other,
        })
        .collect()
}

/// The whole pipeline on `pages` (path, text), with no includes and the
/// default options.
pub fn generate_pages<P: AsRef<str>, T: AsRef<str>>(pages: &[(P, T)]) -> generator::Generated {
    let sources: Vec<generator::SourcePage<'_>> = pages
        .iter()
        .map(|(path, text)| generator::SourcePage {
            path: path.as_ref(),
            text: text.as_ref(),
        })
        .collect();
    generator::generate(
        &sources,
        &generator::Includes::new(),
        &generator::emit::EmitOptions::default(),
    )
}
