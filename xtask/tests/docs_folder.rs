//! Loading a docs folder: unreadable pages, and `[!INCLUDE]` end to end on
//! `tests/fixtures/docs-repo`, a folder laid out
//! like the public docs repository (`api-reference/v1.0/api`,
//! `api-reference/v1.0/includes`, `api-reference/includes`, `includes`,
//! `concepts/includes`).

use std::path::PathBuf;

use generator::{Code, Diagnostic, IncludeFile};
use xtask::docs::DocsFolder;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/docs-repo")
}

fn read() -> DocsFolder {
    let repo = repo();
    DocsFolder::read_with(&repo.join("api-reference/v1.0"), Some(&repo)).expect("docs folder")
}

fn run() -> (DocsFolder, generator::Generated) {
    let docs = read();
    let run = generator::generate(
        &docs.sources(),
        &docs.includes,
        &generator::emit::EmitOptions::default(),
    );
    (docs, run)
}

fn with_code(diagnostics: &[Diagnostic], code: Code) -> Vec<&Diagnostic> {
    diagnostics.iter().filter(|d| d.code == code).collect()
}

#[test]
fn include_files_are_never_pages() {
    let docs = read();
    let pages: Vec<&str> = docs.pages.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        pages,
        [
            "api/group-delete.md",
            "api/user-delete.md",
            "api/user-get.md",
            "api/user-list.md",
            "resources/user.md"
        ]
    );
    let (_, run) = run();
    assert!(
        !run.diagnostics
            .iter()
            .any(|d| d.file.contains("includes/") && d.code == Code::FrontMatterMissing),
        "an include file was read as a page: {:#?}",
        run.diagnostics
    );
}

#[test]
fn permissions_in_include_files_reach_the_model_and_the_docs() {
    let (_, run) = run();
    let delete = run
        .api
        .endpoints
        .iter()
        .find(|e| e.name.api == "user.delete")
        .expect("user.delete");
    let p = &delete.permissions;
    assert_eq!(
        p.delegated_work,
        ["User.DeleteRestore.All", "User.ReadWrite.All"]
    );
    assert!(p.delegated_personal.is_empty());
    assert_eq!(
        p.application,
        ["User.DeleteRestore.All", "User.ReadWrite.All"]
    );
    let client = run
        .files
        .get("src/client/users.rs")
        .expect("the users client file");
    assert!(
        client.contains(
            "/// - Delegated (work or school account): `User.DeleteRestore.All`, `User.ReadWrite.All`"
        ),
        "{client}"
    );
}

#[test]
fn scenario_tables_keep_their_scenario() {
    let (_, run) = run();
    let get = run
        .api
        .endpoints
        .iter()
        .find(|e| e.name.api == "user.get")
        .expect("user.get");
    let scenarios: Vec<(&str, &[String])> = get
        .permissions
        .scenarios
        .iter()
        .map(|s| (s.scenario.as_str(), s.delegated_work.as_slice()))
        .collect();
    assert_eq!(scenarios.len(), 2, "{scenarios:?}");
    assert_eq!(scenarios[0].0, "To read any user");
    assert_eq!(
        scenarios[0].1,
        ["User.Read.All", "Directory.Read.All", "User.ReadWrite.All"]
    );
    assert_eq!(scenarios[1].0, "To read the signed-in user");
    assert_eq!(scenarios[1].1, ["User.Read", "User.ReadWrite"]);
    // The union, least privileged first, table by table.
    assert_eq!(
        get.permissions.delegated_work,
        [
            "User.Read.All",
            "Directory.Read.All",
            "User.ReadWrite.All",
            "User.Read",
            "User.ReadWrite"
        ]
    );
}

#[test]
fn a_problem_inside_an_include_names_the_include_and_the_page() {
    let (_, run) = run();
    let width = with_code(&run.diagnostics, Code::TableRowWidth);
    let d = width.first().expect("the extra cell is reported");
    assert_eq!(d.file, "includes/permissions/user-get-me-permissions.md");
    assert_eq!(d.line, 6);
    assert_eq!(d.related.len(), 1, "{d}");
    assert_eq!(d.related[0].file, "api/user-get.md");
    assert_eq!(d.related[0].line, 26);
    assert_eq!(d.related[0].message, "included from here");
}

#[test]
fn nested_includes_reach_three_levels_up() {
    let docs = read();
    for key in [
        "../includes/all-clouds.md",
        "../../includes/national-cloud-note.md",
        "../../concepts/includes/guest-note.md",
    ] {
        assert!(
            matches!(docs.includes.get(key), Some(IncludeFile::Text(_))),
            "{key}: {:?}",
            docs.includes.get(key)
        );
    }
    let (pages, diags) = generator::parse_pages(&docs.sources(), &docs.includes);
    let delete = pages
        .iter()
        .find(|p| p.file == "api/user-delete.md")
        .unwrap();
    let text: String = delete
        .all_sections()
        .flat_map(|s| s.paragraphs())
        .map(|p| p.inline.text.clone())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        text.contains("available in all national cloud deployments"),
        "{text}"
    );
    assert!(
        !diags
            .iter()
            .any(|d| d.file == "api/user-delete.md" && d.code == Code::IncludeMissing),
        "{diags:#?}"
    );
}

#[test]
fn a_missing_include_is_a_warning_that_names_the_path() {
    let (_, run) = run();
    let missing = with_code(&run.diagnostics, Code::IncludeMissing);
    assert_eq!(missing.len(), 1, "{missing:#?}");
    let d = missing[0];
    assert_eq!((d.file.as_str(), d.line), ("api/user-get.md", 15));
    assert!(d.message.contains("../../includes/global-china.md"), "{d}");
    assert!(d.help.contains("../includes/global-china.md"), "{d}");
    // Includes inside another language's tab are neither read nor reported.
    assert!(
        !run.diagnostics
            .iter()
            .any(|d| d.message.contains("snippets"))
    );
    // The rest of the page still counts.
    assert!(run.api.endpoints.iter().any(|e| e.name.api == "user.get"));
}

#[test]
fn an_include_outside_the_root_is_refused_and_never_read() {
    let docs = read();
    assert!(matches!(
        docs.includes.get("../../../../outside-the-root.md"),
        Some(IncludeFile::Refused { .. })
    ));
    let (_, run) = run();
    let refused = with_code(&run.diagnostics, Code::IncludeRefused);
    let lines: Vec<(&str, u32)> = refused.iter().map(|d| (d.file.as_str(), d.line)).collect();
    assert_eq!(
        lines,
        [("api/group-delete.md", 18), ("api/group-delete.md", 20)]
    );
    // An endpoint whose only permission source was refused says so.
    assert!(
        with_code(&run.diagnostics, Code::PermissionsMissing)
            .iter()
            .any(|d| d.file == "api/group-delete.md")
    );
}

#[test]
fn an_include_cycle_ends() {
    let (_, run) = run();
    let cycles = with_code(&run.diagnostics, Code::IncludeCycle);
    assert_eq!(cycles.len(), 1, "{cycles:#?}");
    assert_eq!(cycles[0].file, "includes/cycle-b.md");
    assert_eq!(
        cycles[0].message,
        "include cycle: includes/cycle-a.md -> includes/cycle-b.md -> includes/cycle-a.md"
    );
    assert_eq!(cycles[0].related.len(), 2);
    let list = run
        .api
        .endpoints
        .iter()
        .find(|e| e.name.api == "user.list")
        .unwrap();
    assert_eq!(
        list.permissions.application,
        ["User.Read.All", "Directory.Read.All"]
    );
}

#[test]
fn the_default_include_root_is_the_nearest_git_ancestor() {
    let repo = repo();
    let docs = DocsFolder::read(&repo.join("api-reference/v1.0")).expect("docs");
    assert_eq!(
        docs.include_root,
        std::fs::canonicalize(xtask::workspace_root()).unwrap()
    );
    // Under a wider root, the include that was outside is merely missing.
    assert!(matches!(
        docs.includes.get("../../../../outside-the-root.md"),
        Some(IncludeFile::Missing { .. })
    ));
}

/// A fresh folder under the system's temporary folder.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("api")).expect("scratch folder");
    dir
}

#[test]
fn a_page_that_is_not_utf8_is_reported_by_name_and_skipped() {
    let dir = scratch("not-utf8");
    std::fs::write(
        dir.join("api/good.md"),
        "---\ntitle: Get thing\ndoc_type: apiPageType\n---\n# Get thing\n## HTTP request\n```http\nGET /things/{id}\n```\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("api/bad.md"),
        b"---\ntitle: \xff\xfe broken\n---\n",
    )
    .unwrap();
    let docs = DocsFolder::read_with(&dir, Some(&dir)).expect("the folder still reads");
    let pages: Vec<&str> = docs.pages.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(pages, ["api/good.md"]);
    assert_eq!(docs.problems.len(), 1);
    let d = &docs.problems[0];
    assert_eq!(
        (d.code, d.file.as_str()),
        (Code::PageUnreadable, "api/bad.md")
    );
    assert!(d.message.contains("not UTF-8"), "{d}");
    let run = generator::generate(
        &docs.sources(),
        &docs.includes,
        &generator::emit::EmitOptions::default(),
    );
    assert_eq!(run.api.endpoints.len(), 1, "the rest still generates");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn includes_nest_eight_deep_and_no_deeper() {
    let (_, run) = run();
    let deep = with_code(&run.diagnostics, Code::IncludeTooDeep);
    assert_eq!(deep.len(), 1, "{deep:#?}");
    // The ninth file's directive is refused; it is reported in that file,
    // with the eight directives that led there.
    assert_eq!(deep[0].file, "includes/deep/level8.md");
    assert_eq!(deep[0].related.len(), 8);
    assert_eq!(deep[0].related.last().unwrap().file, "api/user-list.md");
}

#[test]
fn an_include_that_is_not_utf8_is_reported_and_the_page_still_counts() {
    let docs = read();
    assert!(matches!(
        docs.includes.get("../../includes/latin1-note.md"),
        Some(IncludeFile::Unreadable { .. })
    ));
    let (_, run) = run();
    let unreadable = with_code(&run.diagnostics, Code::IncludeUnreadable);
    assert_eq!(unreadable.len(), 1);
    assert_eq!(unreadable[0].file, "api/user-list.md");
    assert!(
        unreadable[0].help.contains("not UTF-8"),
        "{}",
        unreadable[0]
    );
    assert!(run.api.endpoints.iter().any(|e| e.name.api == "user.list"));
    // A page that is not UTF-8 is skipped by name.
    assert_eq!(docs.problems.len(), 1);
    assert_eq!(docs.problems[0].file, "api/latin1-page.md");
}

/// A copy of the fixture repository in a scratch folder of its own, to edit.
fn repo_copy(name: &str) -> PathBuf {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }
    let dir = scratch(name);
    copy(&repo(), &dir);
    dir
}

/// A run's places in a copy of the repository: the copy, its docs folder,
/// an output folder and a regen cache file.
struct RunPlaces {
    repo: PathBuf,
    docs: PathBuf,
    out: PathBuf,
    cache_file: PathBuf,
}

fn run_places(name: &str) -> RunPlaces {
    let repo = repo_copy(name);
    RunPlaces {
        docs: repo.join("api-reference/v1.0"),
        out: repo.join("out"),
        cache_file: repo.join("cache/regen-cache.bin"),
        repo,
    }
}

/// A reading that began a minute from now: every file has settled by then,
/// so the index records them all.
fn later() -> std::time::SystemTime {
    std::time::SystemTime::now() + std::time::Duration::from_secs(60)
}

#[test]
fn the_docs_index_vouches_for_unchanged_pages_and_never_for_changed_ones() {
    use xtask::docs::LatePages;
    let repo = repo_copy("docs-index");
    let docs = repo.join("api-reference/v1.0");
    let read = |index| DocsFolder::read_indexed_at(&docs, Some(&repo), index, later());
    let (first, index) = read(None).expect("reads");
    assert!(first.vouched.is_empty());
    assert_eq!(index.len(), first.pages.len());
    // Nothing changed: no page is read, each vouched for with the hash of
    // its text, and the includes they reach are loaded all the same.
    let (second, again) = read(Some(&index)).expect("reads");
    assert!(second.pages.is_empty(), "{:?}", second.pages);
    let hashes: Vec<(String, blake3::Hash)> = first
        .pages
        .iter()
        .zip(&first.page_hashes)
        .map(|((path, _), hash)| (path.clone(), *hash))
        .collect();
    assert_eq!(second.vouched, hashes);
    assert_eq!(second.includes, first.includes);
    assert_eq!(again, index);
    let late = LatePages::new();
    let known = second.known(&late);
    assert!(known.iter().all(|page| page.text.is_none()));
    let paths: Vec<&str> = known.iter().map(|page| page.path).collect();
    let read_paths: Vec<&str> = first.pages.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths, read_paths);
    // A page rewritten with text of the same length is read again; the
    // others are still vouched for.
    let page = docs.join("api/user-get.md");
    let text = std::fs::read_to_string(&page).unwrap();
    let edited = text.replacen("user", "User", 1);
    assert_ne!(edited, text);
    assert_eq!(edited.len(), text.len());
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&page, &edited).unwrap();
    let (third, _) = read(Some(&index)).expect("reads");
    let read_now: Vec<&str> = third.pages.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(read_now, ["api/user-get.md"]);
    assert_eq!(third.page_hashes, [blake3::hash(edited.as_bytes())]);
    assert_eq!(third.vouched.len(), first.pages.len() - 1);
    // A page that late pages stand in for is known by them.
    let late: LatePages = [(
        "api/user-list.md".to_owned(),
        ("late text".to_owned(), blake3::hash(b"late text")),
    )]
    .into();
    let known = third.known(&late);
    let list = known.iter().find(|p| p.path == "api/user-list.md").unwrap();
    assert_eq!(list.text, Some("late text"));
    assert_eq!(list.hash, blake3::hash(b"late text"));
    let _ = std::fs::remove_dir_all(&repo);
}

#[test]
fn a_page_written_just_before_a_reading_is_not_recorded() {
    let repo = repo_copy("docs-index-racy");
    let docs = repo.join("api-reference/v1.0");
    let page = docs.join("api/user-get.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, text + "\n").unwrap();
    // Every file of the copy was just written: settled by a minute from
    // now, not now.
    let (folder, index) = DocsFolder::read_indexed(&docs, Some(&repo), None).expect("reads");
    let (_, settled) =
        DocsFolder::read_indexed_at(&docs, Some(&repo), None, later()).expect("reads");
    assert_eq!(settled.len(), folder.pages.len());
    assert!(index.len() < folder.pages.len());
    assert!(index.is_empty(), "every file of the copy was just written");
    let (again, _) = DocsFolder::read_indexed(&docs, Some(&repo), Some(&index)).expect("reads");
    assert!(
        again.pages.iter().any(|(p, _)| p == "api/user-get.md"),
        "the page written just before was taken on the index's word"
    );
    let _ = std::fs::remove_dir_all(&repo);
}

#[test]
fn pages_left_unread_are_read_late_when_the_cache_lacks_them() {
    let RunPlaces {
        repo,
        docs,
        out,
        cache_file,
    } = run_places("docs-index-late");
    // An index that vouches for every page, beside a cache that holds none.
    let (full, index) =
        DocsFolder::read_indexed_at(&docs, Some(&repo), None, later()).expect("reads");
    std::fs::create_dir_all(cache_file.parent().unwrap()).unwrap();
    index
        .save(&xtask::cache::docs_index_for(&cache_file))
        .expect("saves");
    let inputs =
        xtask::regen::Inputs::read(&docs, Some(&repo), &out, Some(&cache_file)).expect("reads");
    assert!(inputs.docs.pages.is_empty());
    assert_eq!(inputs.docs.vouched.len(), full.pages.len());
    let options = xtask::regen::options(&xtask::workspace_root(), &docs, &out, "late".to_owned());
    let (run, _, stats) = inputs.generate(&options, None).expect("generates");
    assert_eq!(stats.pages.read, full.pages.len());
    let plain = generator::generate(&full.sources(), &full.includes, &options);
    assert_eq!(run.files, plain.files);
    let _ = std::fs::remove_dir_all(&repo);
}

#[test]
fn the_page_log_is_written_while_emitting_and_the_saved_cache_loads_whole() {
    let RunPlaces {
        repo,
        docs,
        out,
        cache_file,
    } = run_places("page-log");
    let log = cache_file.with_extension("pages");
    let options = xtask::regen::options(&xtask::workspace_root(), &docs, &out, "log".to_owned());
    let read =
        || xtask::regen::Inputs::read(&docs, Some(&repo), &out, Some(&cache_file)).expect("reads");
    // Without a file to save it to (`--check`), nothing is written.
    let inputs = read();
    let (_, next, _) = inputs.generate(&options, None).expect("generates");
    assert!(!log.exists() && !cache_file.exists());
    // With one, the log is written by the time the generation returns;
    // the records wait for `save_cache`, which does not write the log again.
    let (_, next_again, _) = inputs
        .generate(&options, Some(&cache_file))
        .expect("generates");
    assert_eq!(next_again, next);
    let written = std::fs::read(&log).expect("the page log is written");
    assert!(!cache_file.exists(), "the records wait for save_cache");
    assert_eq!(inputs.save_cache(&cache_file, &next), Ok(true));
    assert_eq!(std::fs::read(&log).expect("log"), written);
    let loaded = xtask::cache::load(&cache_file, next.build());
    assert!(next.pages() > 0);
    assert_eq!(loaded, next);
    // The next run reads every page from that cache, and appends nothing.
    let inputs = read();
    let (_, after, stats) = inputs
        .generate(&options, Some(&cache_file))
        .expect("generates");
    assert_eq!(stats.pages.read, 0);
    assert_eq!(stats.pages.reused, next.pages());
    assert_eq!(std::fs::read(&log).expect("log"), written);
    assert_eq!(after, next);
    let _ = std::fs::remove_dir_all(&repo);
}
