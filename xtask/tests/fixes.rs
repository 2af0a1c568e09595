//! `cargo xtask lint --fix`: each fix removes its diagnostic and adds
//! none, pages change only through the check, and `--dry-run` changes
//! nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use generator::Code;
use xtask::docs::DocsFolder;

/// A copy of `xtask/tests/fixtures/fixes` (one page with each kind of
/// fixable problem) in a folder of its own.
fn fixture_copy(name: &str) -> PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fixes");
    let to = std::env::temp_dir().join(format!("xtask-fixes-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&to);
    copy(&from, &to);
    to
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("creates the folder");
    for entry in std::fs::read_dir(from)
        .expect("reads the fixture")
        .flatten()
    {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copies a file");
        }
    }
}

/// Every file's text, by path below `dir`.
fn texts(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("reads").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let text = std::fs::read_to_string(&path).expect("a text file");
                out.insert(path.strip_prefix(dir).expect("below").to_path_buf(), text);
            }
        }
    }
    out
}

/// (file, code, message) of each diagnostic, with how often.
type Said = BTreeMap<(String, Code, String), usize>;

/// What `docs` says: [`Said`].
fn said(docs: &DocsFolder) -> Said {
    let mut out = BTreeMap::new();
    for d in xtask::lint::diagnostics_of(docs) {
        *out.entry((d.file, d.code, d.message)).or_insert(0) += 1;
    }
    out
}

/// Fails on any diagnostic `after` has more often than `before`.
fn assert_nothing_new(before: &Said, after: &Said) {
    for (key, n) in after {
        assert!(
            before.get(key).is_some_and(|m| n <= m),
            "new after the fixes: {key:?}"
        );
    }
}

#[test]
fn each_fix_removes_its_diagnostic_and_adds_none() {
    let dir = fixture_copy("each");
    let docs = DocsFolder::read(&dir).expect("reads the fixture");
    let before = said(&docs);
    let plan = xtask::fix::plan(&docs, None);
    assert!(plan.withheld.is_empty(), "withheld: {:?}", plan.withheld);
    assert_eq!(plan.unplaced, 0);
    let codes = plan.by_code();
    for code in [
        Code::SectionNameNearMiss,
        Code::ExampleStatusLine,
        Code::AnnotationRecovered,
        Code::TypeUnresolved,
        Code::ExamplePropertyUnknown,
        Code::IncludeMissing,
    ] {
        assert_eq!(codes.get(&code), Some(&1), "{code}: {codes:?}");
    }

    xtask::fix::write(&docs.root, &plan).expect("writes");
    let after = said(&DocsFolder::read(&dir).expect("reads it again"));
    // Nothing new anywhere.
    assert_nothing_new(&before, &after);
    // Each fixed diagnostic is gone.
    for page in &plan.pages {
        for d in &page.fixed {
            let key = (d.file.clone(), d.code, d.message.clone());
            assert!(!after.contains_key(&key), "still reported: {key:?}");
        }
    }
    // And lint --fix finds nothing more to do.
    let again = xtask::fix::plan(&DocsFolder::read(&dir).expect("reads"), None);
    assert_eq!(again.count(), 0, "{}", xtask::fix::summary(&again, true));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_fixes_are_the_edits_a_writer_would_make() {
    let dir = fixture_copy("edits");
    let docs = DocsFolder::read(&dir).expect("reads the fixture");
    let plan = xtask::fix::plan(&docs, None);
    xtask::fix::write(&docs.root, &plan).expect("writes");
    let page = std::fs::read_to_string(dir.join("api/widget-get.md")).expect("reads");
    let resource = std::fs::read_to_string(dir.join("resources/widget.md")).expect("reads");
    for (text, want) in [
        (&page, "## HTTP request\n"),
        (&page, "\nHTTP/1.1 200 OK\n"),
        (&page, "\"displayName\": \"Sales this quarter\""),
        (
            &page,
            "<!-- {\n  \"blockType\": \"request\",\n  \"name\": \"get_widget\"\n} -->",
        ),
        (&page, "(../includes/permissions/widget-get-permissions.md)"),
        (&resource, "| displayName | String | The name people see. |"),
    ] {
        assert!(text.contains(want), "`{want}` not in:\n{text}");
    }
    // The rest of the page is as it was, line for line.
    let original = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fixes/api/widget-get.md"),
    )
    .expect("reads");
    let changed = similar::TextDiff::from_lines(&original, &page)
        .iter_all_changes()
        .filter(|c| c.tag() == similar::ChangeTag::Delete)
        .count();
    assert_eq!(changed, 5, "lines changed:\n{page}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn dry_run_prints_the_diff_and_changes_nothing() {
    let dir = fixture_copy("dry");
    let before = texts(&dir);
    let out = crate::support::succeeded(
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .current_dir(&dir)
            .args(["lint", "--docs", ".", "--fix", "--dry-run"])
            .output()
            .expect("xtask runs"),
    );
    let diff = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(
        diff.contains("--- a/api/widget-get.md\n+++ b/api/widget-get.md\n"),
        "{diff}"
    );
    assert!(
        diff.contains("-HTTP 1.1 200 OK\n+HTTP/1.1 200 OK\n"),
        "{diff}"
    );
    assert!(diff.contains("-| displayName | Strng |"), "{diff}");
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(
        summary.contains("would fix 6 diagnostics in 2 pages"),
        "{summary}"
    );
    assert_eq!(texts(&dir), before, "a dry run changed files");

    // `--pages` fixes only the pages named.
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .current_dir(&dir)
        .args([
            "lint",
            "--docs",
            ".",
            "--fix",
            "--dry-run",
            "--pages",
            "resources/widget.md",
        ])
        .output()
        .expect("xtask runs");
    let diff = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(diff.contains("+++ b/resources/widget.md"), "{diff}");
    assert!(!diff.contains("api/widget-get.md"), "{diff}");

    // Without --dry-run the pages change, and no temporary file is left.
    crate::support::succeeded(
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .current_dir(&dir)
            .args(["lint", "--docs", ".", "--fix"])
            .output()
            .expect("xtask runs"),
    );
    let after = texts(&dir);
    assert_ne!(after, before);
    assert_eq!(after.len(), before.len(), "{:?}", after.keys());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_fix_whose_text_moved_is_not_applied() {
    let dir = fixture_copy("moved");
    let docs = DocsFolder::read(&dir).expect("reads the fixture");
    let diagnostics = xtask::lint::diagnostics_of(&docs);
    let status = diagnostics
        .iter()
        .find(|d| d.code == Code::ExampleStatusLine)
        .expect("the status line is reported");
    // The page as someone edited it after the lint: the line is fixed
    // already, so the fix finds nothing to replace.
    let text = docs
        .text_of("api/widget-get.md")
        .expect("the page")
        .replace("HTTP 1.1 200 OK", "HTTP/1.1 200 OK");
    let applied = generator::fixes::apply(&text, &[status]);
    assert_eq!(applied.applied, Vec::<usize>::new());
    assert_eq!(applied.refused, vec![0]);
    assert_eq!(applied.text, text);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_fixes_for_the_v1_corpus_remove_what_they_fix_and_add_nothing() {
    let Some(corpus) = crate::support::shared_corpus() else {
        return;
    };
    let docs = DocsFolder::read(&corpus.join("graph-docs-v1.0")).expect("the corpus");
    let before = said(&docs);
    let plan = xtask::fix::plan(&docs, None);
    let codes = plan.by_code();
    // Pages nobody here wrote: annotations with trailing commas, `HTTP 201
    // Created` status lines, a `Requests` heading, example keys in the
    // wrong case.
    for code in [
        Code::AnnotationRecovered,
        Code::ExampleStatusLine,
        Code::SectionNameNearMiss,
        Code::ExamplePropertyUnknown,
    ] {
        assert!(
            codes.get(&code).is_some_and(|n| *n > 0),
            "{code}: {codes:?}"
        );
    }
    let replaced: BTreeMap<String, String> = plan
        .pages
        .iter()
        .map(|p| (p.file.clone(), p.after.clone()))
        .collect();
    let after = said(&docs.with_pages(&replaced));
    assert_nothing_new(&before, &after);
    let fixed: usize = before.values().sum::<usize>() - after.values().sum::<usize>();
    assert!(
        fixed >= plan.count(),
        "{fixed} gone, {} fixed",
        plan.count()
    );
}
