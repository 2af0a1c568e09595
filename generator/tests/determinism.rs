//! The output does not depend on how it was made: byte for byte the same
//! whether an earlier run's pages and files are reused (by the cache or by
//! the crate's regen record), its signed files kept, or everything made and
//! formatted, and in any thread count. Checked on the whole v1.0 corpus, where parallel
//! reading, modelling and emitting have the most room to differ.

use crate::support;

use generator::emit::EmitOptions;
use generator::emit::Emitted;
use generator::reuse::Cache;
use generator::{Includes, Reuse, SourcePage, generate_reusing};

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
    let empty = Cache::empty([1; 32]);
    let run = |sources: &[SourcePage<'_>], existing: &Emitted, cache: &Cache| {
        let reuse = Reuse::new(existing, cache);
        generate_reusing(sources, &includes, &options, reuse)
    };

    let (one, cache, stats) = in_pool(1, || run(&sources, &none, &empty));
    assert_eq!(stats.format.kept + stats.format.reused, 0);
    assert!(stats.format.formatted > 1_000, "{stats:?}");
    assert_eq!(stats.pages.reused, 0);

    let (three, _, _) = in_pool(3, || run(&sources, &none, &empty));
    assert!(
        one.files == three.files,
        "files differ between 1 and 3 threads"
    );
    assert_eq!(one.diagnostics, three.diagnostics);

    // The output folder holds the crate, and no cache: its regen record
    // vouches for every file, and none is made again.
    let (recorded, _, stats) = in_pool(2, || run(&sources, &one.files, &empty));
    assert!(stats.made.is_empty(), "{stats:?}");
    assert!(stats.format.reused > 1_000, "{stats:?}");
    assert!(
        one.files == recorded.files,
        "files differ when reused by the record"
    );

    // Without its record: every file is made again, and kept as signed.
    let mut unrecorded = one.files.clone();
    unrecorded.retain(|path, _| !path.starts_with(generator::reuse::RECORD_DIR));
    let (kept, _, stats) = in_pool(2, || run(&sources, &unrecorded, &empty));
    assert_eq!(stats.format.formatted, 0, "{stats:?}");
    assert!(stats.format.kept > 1_000, "{stats:?}");
    assert!(one.files == kept.files, "files differ when kept");

    // Both: no page is parsed and no file made again.
    let (warm, again, stats) = in_pool(2, || run(&sources, &one.files, &cache));
    assert_eq!(stats.pages.read, 0, "{stats:?}");
    assert_eq!(stats.format.formatted + stats.format.kept, 0, "{stats:?}");
    assert!(one.files == warm.files, "files differ when reused");
    assert!(
        one.diagnostics == warm.diagnostics,
        "diagnostics differ when reused"
    );
    assert_eq!(
        again, cache,
        "a run that changed nothing leaves the cache as it was"
    );

    // One page edited, its text and then its shape: only what it feeds is
    // made again, and the result is what a run that reuses nothing makes.
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
    let (changed, _, stats) = in_pool(2, || run(&sources, &one.files, &cache));
    assert_eq!(stats.pages.read, 1, "{stats:?}");
    let made = stats.format.formatted + stats.format.kept;
    assert!((1..10).contains(&made), "{stats:?}");
    assert!(stats.format.reused > 1_000, "{stats:?}");
    let (fresh, _, _) = in_pool(2, || run(&sources, &none, &empty));
    assert!(changed.files == fresh.files, "files differ after an edit");
    assert!(
        changed.diagnostics == fresh.diagnostics,
        "diagnostics differ after an edit"
    );
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
