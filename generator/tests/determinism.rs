//! The output does not depend on how it was made: byte for byte the same
//! whether signed files of an earlier run are kept or everything is
//! formatted, and in any thread count. Checked on the whole v1.0 corpus, where parallel
//! reading, modelling and emitting have the most room to differ.

mod support;

use generator::emit::EmitOptions;
use generator::emit::Emitted;
use generator::{Includes, SourcePage, generate_reusing};

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool")
        .install(f)
}

#[test]
fn reuse_and_thread_count_change_nothing() {
    let Some(dir) = support::shared("corpus/graph-docs-v1.0") else {
        return;
    };
    let files = support::read_md_tree(&dir);
    let mut sources: Vec<SourcePage<'_>> = files
        .iter()
        .map(|(p, t)| SourcePage { path: p, text: t })
        .collect();
    let includes = Includes::new();
    let options = EmitOptions::default();

    let none = Emitted::new();
    let (one, stats) = in_pool(1, || generate_reusing(&sources, &includes, &options, &none));
    assert_eq!(stats.format.kept, 0);
    assert!(stats.format.formatted > 1_000, "{stats:?}");

    let (three, _) = in_pool(3, || generate_reusing(&sources, &includes, &options, &none));
    assert!(
        one.files == three.files,
        "files differ between 1 and 3 threads"
    );
    assert_eq!(one.diagnostics, three.diagnostics);

    // The output folder holding the crate: every signed file is kept.
    let (warm, stats) = in_pool(2, || {
        generate_reusing(&sources, &includes, &options, &one.files)
    });
    assert_eq!(stats.format.formatted, 0, "{stats:?}");
    assert!(one.files == warm.files, "files differ when kept");

    // One page edited: only what it feeds is formatted again, and the result
    // is what a run that reuses nothing makes.
    let edited = files
        .iter()
        .position(|(p, _)| p.ends_with("api/group-delta.md"))
        .expect("group-delta.md is in the corpus");
    let text = files[edited]
        .1
        .replacen("description: ", "description: Edited. ", 1);
    sources[edited] = SourcePage {
        path: &files[edited].0,
        text: &text,
    };
    let (changed, stats) = in_pool(2, || {
        generate_reusing(&sources, &includes, &options, &one.files)
    });
    assert!(
        stats.format.formatted >= 1 && stats.format.formatted < 10,
        "{stats:?}"
    );
    let (fresh, _) = in_pool(2, || generate_reusing(&sources, &includes, &options, &none));
    assert!(changed.files == fresh.files, "files differ after an edit");
    assert!(changed.files != one.files, "the edit changed nothing");
}

#[test]
fn lowering_while_reading_matches_reading_then_modelling() {
    let Some(dir) = support::shared("corpus/graph-docs-v1.0") else {
        return;
    };
    let files = support::read_md_tree(&dir);
    let sources: Vec<SourcePage<'_>> = files
        .iter()
        .map(|(p, t)| SourcePage { path: p, text: t })
        .collect();
    let includes = Includes::new();
    let (fused, fused_diags) = generator::read_model(&sources, &includes);
    let (pages, mut diags) = generator::parse_pages(&sources, &includes);
    let (api, model_diags) = generator::build_model(&pages);
    diags.extend(model_diags);
    diags.sort();
    assert!(fused == api, "the models differ");
    assert_eq!(fused_diags, diags);
    assert!(api.endpoints.len() > 1_000 && diags.len() > 1_000);
}
