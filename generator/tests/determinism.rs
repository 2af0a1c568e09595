//! The output does not depend on how it was made: byte for byte the same
//! with and without the format cache, with a cache from another run, and in
//! any thread count. Checked on the whole v1.0 corpus, where parallel
//! reading, modelling and emitting have the most room to differ.

mod support;

use generator::emit::EmitOptions;
use generator::emit::format::FormatCache;
use generator::{Includes, SourcePage, generate_cached};

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool")
        .install(f)
}

#[test]
fn cache_and_thread_count_change_nothing() {
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

    let (one, cache, stats) = in_pool(1, || {
        generate_cached(&sources, &includes, &options, &FormatCache::new())
    });
    assert_eq!(stats.cached, 0);
    assert!(stats.formatted > 1_000, "{stats:?}");

    let (three, _, _) = in_pool(3, || {
        generate_cached(&sources, &includes, &options, &FormatCache::new())
    });
    assert!(
        one.files == three.files,
        "files differ between 1 and 3 threads"
    );
    assert_eq!(one.diagnostics, three.diagnostics);

    let (warm, _, stats) = in_pool(2, || generate_cached(&sources, &includes, &options, &cache));
    assert_eq!(stats.formatted, 0, "{stats:?}");
    assert!(one.files == warm.files, "files differ with the cache");

    // One page edited: only what it feeds is formatted again, and the result
    // is what a run without a cache makes.
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
    let (changed, _, stats) = in_pool(2, || generate_cached(&sources, &includes, &options, &cache));
    assert!(stats.formatted >= 1 && stats.formatted < 10, "{stats:?}");
    let (fresh, _, _) = in_pool(2, || {
        generate_cached(&sources, &includes, &options, &FormatCache::new())
    });
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
