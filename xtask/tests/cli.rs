//! The command line as a script sees it: each kind of failure has its own
//! exit code and a message that names the path, and nothing is written.

use std::path::{Path, PathBuf};
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Runs `cargo xtask` with `args`; returns the exit code and standard error.
fn xtask(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("xtask runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `cargo xtask regen` (or `regen --check`) from `docs` into `out`.
fn regen(docs: &Path, out: &Path, check: bool) -> (i32, String) {
    let (docs, out) = (docs.to_string_lossy(), out.to_string_lossy());
    let mut args = vec!["regen", "--docs", &docs, "--out", &out];
    if check {
        args.push("--check");
    }
    xtask(&args)
}

fn docs_with_one_page(dir: &Path) -> PathBuf {
    let docs = dir.join("docs");
    std::fs::create_dir_all(docs.join("api")).unwrap();
    std::fs::write(
        docs.join("api/thing-get.md"),
        "---\ntitle: Get thing\ndoc_type: apiPageType\n---\n# Get thing\n\n## HTTP request\n```http\nGET /things/{id}\n```\n",
    )
    .unwrap();
    docs
}

#[test]
fn a_missing_docs_folder_exits_3() {
    let dir = scratch("missing");
    let missing = dir.join("nope");
    let (code, err) = regen(&missing, &dir.join("out"), false);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("does not exist"), "{err}");
    assert!(!dir.join("out").exists());
    let (code, _) = xtask(&["lint", "--docs", missing.to_str().unwrap()]);
    assert_eq!(code, 3);
}

#[test]
fn a_docs_folder_without_pages_exits_4() {
    let dir = scratch("empty");
    std::fs::create_dir_all(dir.join("docs/includes")).unwrap();
    // An include file is not a page.
    std::fs::write(dir.join("docs/includes/note.md"), "A note.\n").unwrap();
    let docs = dir.join("docs");
    let (code, err) = regen(&docs, &dir.join("out"), false);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("holds no pages"), "{err}");
    assert!(!dir.join("out").exists());
}

#[test]
fn an_output_path_that_is_a_file_exits_5_and_is_left_alone() {
    let dir = scratch("file");
    let docs = docs_with_one_page(&dir);
    let file = dir.join("out.txt");
    std::fs::write(&file, "mine").unwrap();
    let (code, err) = regen(&docs, &file, false);
    assert_eq!(code, 5, "{err}");
    assert!(err.contains("is a file, not a folder"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    let below = file.join("sub");
    let (code, _) = regen(&docs, &below, false);
    assert_eq!(code, 5);
}

#[test]
fn a_good_run_exits_0_and_a_stale_check_exits_1() {
    let dir = scratch("good");
    let docs = docs_with_one_page(&dir);
    let out = dir.join("out");
    let (code, err) = regen(&docs, &out, false);
    assert_eq!(code, 0, "{err}");
    let (code, _) = regen(&docs, &out, true);
    assert_eq!(code, 0);
    std::fs::write(docs.join("api/thing-delete.md"), "---\ntitle: Delete thing\ndoc_type: apiPageType\n---\n# Delete thing\n\n## HTTP request\n```http\nDELETE /things/{id}\n```\n").unwrap();
    let (code, _) = regen(&docs, &out, true);
    assert_eq!(code, 1);
    // Human output to a pipe carries no colour codes.
    let (_, err) = xtask(&["lint", "--docs", docs.to_str().unwrap()]);
    assert!(!err.contains('\u{1b}'), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_human_report_shows_every_diagnostic_whole_and_in_order() {
    let dir = scratch("human-report");
    let docs = dir.join("docs");
    std::fs::create_dir_all(docs.join("api")).unwrap();
    std::fs::write(
        docs.join("api/thing-delete.md"),
        "---\ntitle: Delete thing\ndoc_type: apiPageType\n---\n# Delete thing\n\n\
         ## HTTP requst\n```http\nDELETE /things/{id}\n```\n\n## Response\n\n\
         <!-- { \"blockType\": \"response\" } -->\n```http\nHTTP 1.1 204 No Content\n```\n",
    )
    .unwrap();
    let (_, err) = xtask(&["lint", "--docs", docs.to_str().unwrap()]);
    // Each diagnostic as rustc shows one: its code and message, its place,
    // its source line, its help and its fix; then the summary, last.
    let heading = [
        "warning[section-name-near-miss]: heading `HTTP requst` is not a known section name",
        "  ┌─ api/thing-delete.md:7:1",
        "7 │ ## HTTP requst",
        "  = help: did you mean `HTTP request`? it was read as that section",
        "      + HTTP request",
    ];
    let status = [
        "warning[example-status-line]: status line `HTTP 1.1 204 No Content` is irregular; read as 204",
        "   ┌─ api/thing-delete.md:16:1",
        "16 │ HTTP 1.1 204 No Content",
        "   = help: write `HTTP/1.1 204 No Content`",
        "       + HTTP/1.1 204 No Content",
    ];
    let mut at = 0;
    for line in heading.iter().chain(&status) {
        let found = err[at..]
            .find(line)
            .unwrap_or_else(|| panic!("`{line}` missing or out of order in:\n{err}"));
        at += found + line.len();
    }
    assert!(
        err.trim_end()
            .ends_with("1 pages: 0 errors, 4 warnings, 0 notes"),
        "{err}"
    );
    assert_eq!(err.matches("warning[").count(), 4, "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `cargo xtask` with `args`; returns the exit code, stdout and stderr.
fn xtask_out(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .env("CI", "false")
        .output()
        .expect("xtask runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn regen_reports_api_changes_and_the_crate_knows_its_docs() {
    let dir = scratch("report");
    let docs = docs_with_one_page(&dir);
    let out = dir.join("out");
    let (docs_arg, out_arg) = (docs.to_str().unwrap(), out.to_str().unwrap());
    let (code, stdout, err) = xtask_out(&["regen", "--docs", docs_arg, "--out", out_arg]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("no API surface record"), "{stdout}");
    let (code, stdout, _) = xtask_out(&["provenance", "--docs", docs_arg, "--out", out_arg]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("was made from these docs"), "{stdout}");

    std::fs::write(docs.join("api/thing-delete.md"), "---\ntitle: Delete thing\ndoc_type: apiPageType\n---\n# Delete thing\n\n## HTTP request\n```http\nDELETE /things/{id}\n```\n").unwrap();
    // The crate no longer matches the docs, and says so without regenerating.
    let (code, stdout, _) = xtask_out(&["provenance", "--docs", docs_arg, "--out", out_arg]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("was made from other docs"), "{stdout}");
    let (code, stdout, _) = xtask_out(&[
        "regen", "--docs", docs_arg, "--out", out_arg, "--check", "--format", "markdown",
    ]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("| compatible | endpoint added | `thing.delete` |"),
        "{stdout}"
    );
    assert!(stdout.contains("`api/thing-delete.md:"), "{stdout}");
    let (code, stdout, _) = xtask_out(&["regen", "--docs", docs_arg, "--out", out_arg]);
    assert_eq!(code, 0);
    assert!(stdout.contains("1 compatible"), "{stdout}");
    std::fs::remove_file(docs.join("api/thing-delete.md")).unwrap();
    let (_, stdout, _) = xtask_out(&["regen", "--docs", docs_arg, "--out", out_arg]);
    assert!(stdout.contains("breaking   endpoint removed"), "{stdout}");
    assert!(stdout.contains("0.1.0 -> 0.2.0"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn lint_against_a_baseline_fails_on_new_problems_only() {
    let dir = scratch("baseline");
    let docs = docs_with_one_page(&dir);
    let baseline = dir.join("baseline.json");
    let (docs_arg, file) = (docs.to_str().unwrap(), baseline.to_str().unwrap());
    // The page has known problems; plain lint reports them.
    let (_, _, err) = xtask_out(&["lint", "--docs", docs_arg]);
    assert!(err.contains("warning"), "{err}");
    // The first run records them; then the same docs pass.
    let (code, _, err) = xtask_out(&["lint", "--docs", docs_arg, "--baseline", file]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("recorded"), "{err}");
    let (code, _, err) = xtask_out(&["lint", "--docs", docs_arg, "--baseline", file]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("0 new"), "{err}");
    // A new broken page fails, and only its problems are printed.
    std::fs::write(
        docs.join("api/thing-list.md"),
        "---\ntitle: List things\ndoc_type: apiPageType\n---\n# List things\n\n## HTTP request\n```http\nGET /things\n```\n\n## Response\nIf successful, this method returns a `200 OK` response code and a collection of [widget](../resources/widget.md) objects in the response body.\n",
    )
    .unwrap();
    let (code, _, err) = xtask_out(&["lint", "--docs", docs_arg, "--baseline", file]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("api/thing-list.md"), "{err}");
    assert!(!err.contains("api/thing-get.md"), "{err}");
    // Fixing the old page lists the fix; updating the baseline accepts the rest.
    std::fs::remove_file(docs.join("api/thing-get.md")).unwrap();
    let (_, _, err) = xtask_out(&["lint", "--docs", docs_arg, "--baseline", file]);
    assert!(err.contains("fixed: api/thing-get.md"), "{err}");
    let (code, _, _) = xtask_out(&[
        "lint",
        "--docs",
        docs_arg,
        "--baseline",
        file,
        "--update-baseline",
    ]);
    assert_eq!(code, 0);
    let (code, _, err) = xtask_out(&["lint", "--docs", docs_arg, "--baseline", file]);
    assert_eq!(code, 0, "{err}");
    // Under CI a missing baseline is an error, never silently recorded.
    let missing = dir.join("missing.json");
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "lint",
            "--docs",
            docs_arg,
            "--baseline",
            missing.to_str().unwrap(),
        ])
        .env("CI", "true")
        .output()
        .expect("xtask runs");
    assert_ne!(out.status.code(), Some(0));
    assert!(!missing.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `regen --docs docs --out out` with `extra` arguments, with the
/// regen cache under `dir`.
fn regen_in(dir: &Path, docs: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "regen",
        "--docs",
        docs.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(&args)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .expect("xtask runs")
}

#[test]
fn signed_files_are_kept_unless_edited_or_no_cache() {
    let dir = scratch("signed");
    let docs = docs_with_one_page(&dir);
    let out = dir.join("out");
    let run = |extra: &[&str]| {
        let output = regen_in(&dir, &docs, &out, extra);
        assert!(output.status.success());
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let err = run(&[]);
    assert!(err.contains("pages: 1 read, 0 from the cache"), "{err}");
    assert!(err.contains(" 0 kept as formatted"), "{err}");
    assert!(err.contains("API surface record: made"), "{err}");
    // Nothing changed: the page comes from the cache and no file is made.
    let err = run(&[]);
    assert!(err.contains("pages: 0 read, 1 from the cache"), "{err}");
    assert!(err.contains("Rust files: 0 formatted, 0 kept"), "{err}");
    assert!(
        err.contains("API surface record: reused unchanged"),
        "{err}"
    );
    assert!(err.contains("0 changed"), "{err}");
    // A file edited by hand is made, formatted and written again.
    let lib = out.join("src/client/mod.rs");
    let text = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(&lib, text.replace("pub struct", "pub  struct")).unwrap();
    let err = run(&[]);
    assert!(err.contains("Rust files: 1 formatted, 0 kept"), "{err}");
    assert!(err.contains("1 changed"), "{err}");
    assert_eq!(std::fs::read_to_string(&lib).unwrap(), text);
    // Without the cache, the signed files are still kept.
    let cache = dir.join("target/regen-cache");
    std::fs::remove_dir_all(&cache).unwrap();
    let err = run(&[]);
    assert!(err.contains("pages: 1 read, 0 from the cache"), "{err}");
    assert!(err.contains("Rust files: 0 formatted"), "{err}");
    assert!(err.contains("0 changed"), "{err}");
    // `--no-cache` reuses nothing, changes nothing, and saves no cache.
    std::fs::remove_dir_all(&cache).unwrap();
    let err = run(&["--no-cache"]);
    assert!(
        err.contains("0 kept as formatted from the same draft, 0 reused"),
        "{err}"
    );
    assert!(err.contains("API surface record: made"), "{err}");
    assert!(err.contains("0 changed"), "{err}");
    assert!(!cache.exists());
    // `--check` writes nothing, not even the cache.
    let err = run(&["--check"]);
    assert!(err.contains("is up to date"), "{err}");
    assert!(!cache.exists(), "regen --check saved the cache");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn settled_unchanged_pages_are_not_read_from_disk() {
    let dir = scratch("docs-index");
    let docs = docs_with_one_page(&dir);
    let out = dir.join("out");
    let run = || {
        let output = regen_in(&dir, &docs, &out, &[]);
        assert!(output.status.success());
        let err = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(!err.contains("not saved"), "{err}");
        err
    };
    // A page that has settled: the first run reads it and records it in
    // the docs index, beside a cache it makes in a folder that was not
    // there; the next run takes the page without reading it.
    std::thread::sleep(xtask::stamp_index::SETTLED + std::time::Duration::from_millis(200));
    let err = run();
    assert!(
        err.contains("pages: 1 read, 0 from the cache (0 of them"),
        "{err}"
    );
    let err = run();
    let unread = "pages: 0 read, 1 from the cache (1 of them not read from disk";
    assert!(err.contains(unread), "{err}");
    assert!(err.contains("0 changed"), "{err}");
    // An edit is seen at once; the page, just written, is not recorded, so
    // the run after reads it again.
    let page = docs.join("api/thing-get.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, text.replace("# Get thing", "# Get a thing")).unwrap();
    let err = run();
    assert!(
        err.contains("pages: 1 read, 0 from the cache (0 of them"),
        "{err}"
    );
    let err = run();
    assert!(
        err.contains("pages: 0 read, 1 from the cache (0 of them"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// How many kept and reused Rust files a regen says it did not read.
fn files_not_read(err: &str) -> usize {
    let (_, after) = err
        .split_once("reused unchanged (")
        .unwrap_or_else(|| panic!("no count of files not read: {err}"));
    after
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of files not read: {err}"))
}

#[test]
fn settled_unchanged_rust_files_are_not_read_from_disk() {
    let dir = scratch("output-index");
    let docs = docs_with_one_page(&dir);
    let out = dir.join("out");
    let run = |extra: &[&str]| {
        let output = regen_in(&dir, &docs, &out, extra);
        let err = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(!err.contains("not saved"), "{err}");
        (output.status.success(), err)
    };
    // The first run writes the crate; once its files have settled, the
    // next reads them and records them in the output index, and the one
    // after takes the Rust files by their signatures, unread.
    let (ok, _) = run(&[]);
    assert!(ok);
    std::thread::sleep(xtask::stamp_index::SETTLED + std::time::Duration::from_millis(200));
    let (ok, err) = run(&[]);
    assert!(ok, "{err}");
    assert_eq!(files_not_read(&err), 0, "{err}");
    let (ok, err) = run(&[]);
    assert!(ok, "{err}");
    let rust_files = files_not_read(&err);
    assert!(rust_files >= 3, "{err}");
    assert!(err.contains(" 0 changed,"), "{err}");
    // A hand edit that keeps the size and the modification time is still
    // seen (by the change time): `--check` fails, and a regen puts the
    // file back as it was made.
    let model = out.join("src/client/things.rs");
    let made = std::fs::read_to_string(&model).unwrap();
    assert!(made.contains("// Signature: draft "), "{made}");
    let modified = std::fs::metadata(&model).unwrap().modified().unwrap();
    let edited = made.replacen("pub struct Things ", "pub struct Thxngs ", 1);
    assert_ne!(edited, made);
    assert_eq!(edited.len(), made.len());
    std::fs::write(&model, &edited).unwrap();
    let file = std::fs::File::options().write(true).open(&model).unwrap();
    file.set_times(std::fs::FileTimes::new().set_modified(modified))
        .unwrap();
    drop(file);
    let (ok, err) = run(&["--check"]);
    assert!(!ok, "a hand edit passed --check: {err}");
    let (ok, err) = run(&[]);
    assert!(ok, "{err}");
    assert!(err.contains(" 1 changed,"), "{err}");
    assert_eq!(std::fs::read_to_string(&model).unwrap(), made);
    // A Rust file removed is made again, not taken as the index knew it.
    let removed = out.join("src/client/things.rs");
    std::fs::remove_file(&removed).unwrap();
    let (ok, err) = run(&[]);
    assert!(ok, "{err}");
    assert_eq!(std::fs::read_to_string(&removed).unwrap(), made);
    // Nothing changed since: every other file is still taken unread, and
    // `--check` passes.
    let (ok, err) = run(&["--check"]);
    assert!(ok, "{err}");
    assert!(files_not_read(&err) >= rust_files - 1, "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_closed_stdout_and_stderr_do_not_stop_a_regen() {
    let dir = scratch("closed-pipe");
    let docs = docs_with_one_page(&dir);
    let out = dir.join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["regen", "--docs", docs.to_str().unwrap()])
        .args(["--out", out.to_str().unwrap()])
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("xtask runs");
    // Like `| head -0`: nobody reads what it prints.
    drop(child.stdout.take());
    drop(child.stderr.take());
    let status = child.wait().expect("xtask ends");
    assert!(status.success(), "{status}");
    assert!(out.join("Cargo.toml").is_file(), "the crate was written");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn api_changes_go_in_the_changelog_and_bump_the_version() {
    let dir = scratch("changelog");
    let docs = docs_with_one_page(&dir);
    std::fs::write(
        docs.join("api/thing-delete.md"),
        "---\ntitle: Delete thing\ndoc_type: apiPageType\n---\n# Delete thing\n\n## HTTP request\n```http\nDELETE /things/{id}\n```\n\n## Response\nIf successful, this method returns a `204 No Content` response code.\n",
    )
    .unwrap();
    let out = dir.join("out");
    let run = |extra: &[&str]| {
        let output = regen_in(&dir, &docs, &out, extra);
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    };
    let manifest = || std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
    // The first regen has nothing to compare with: no changelog yet.
    assert_eq!(run(&[]).0, 0);
    assert!(!out.join("CHANGELOG.md").exists());
    assert!(manifest().contains("version = \"0.1.0\""));
    assert!(manifest().contains("publish = false"));
    assert!(out.join("README.md").exists());
    // Removing an endpoint is breaking: 0.1.0 -> 0.2.0 with --bump.
    std::fs::remove_file(docs.join("api/thing-delete.md")).unwrap();
    let (code, report) = run(&["--bump", "--publish", "true"]);
    assert_eq!(code, 0);
    assert!(report.contains("1 breaking"), "{report}");
    let changelog = std::fs::read_to_string(out.join("CHANGELOG.md")).unwrap();
    assert!(changelog.starts_with("# Changelog\n"), "{changelog}");
    assert!(changelog.contains("## 0.2.0\n"), "{changelog}");
    assert!(changelog.contains("thing.delete"), "{changelog}");
    assert!(manifest().contains("version = \"0.2.0\""), "{}", manifest());
    assert!(manifest().contains("publish = true"));
    // Nothing changed since: the changelog and the version stay, and the
    // crate is up to date.
    assert_eq!(run(&[]).0, 0);
    assert_eq!(
        std::fs::read_to_string(out.join("CHANGELOG.md")).unwrap(),
        changelog
    );
    assert!(manifest().contains("version = \"0.2.0\""));
    assert!(manifest().contains("publish = true"));
    assert_eq!(run(&["--check"]).0, 0);
    // An addition without --bump is an unreleased entry on top.
    std::fs::write(
        docs.join("api/thing-delete.md"),
        "---\ntitle: Delete thing\ndoc_type: apiPageType\n---\n# Delete thing\n\n## HTTP request\n```http\nDELETE /things/{id}\n```\n\n## Response\nIf successful, this method returns a `204 No Content` response code.\n",
    )
    .unwrap();
    assert_eq!(run(&[]).0, 0);
    let changelog = std::fs::read_to_string(out.join("CHANGELOG.md")).unwrap();
    let unreleased = changelog
        .find("## Unreleased")
        .expect("an unreleased entry");
    assert!(unreleased < changelog.find("## 0.2.0").expect("the release"));
    let _ = std::fs::remove_dir_all(&dir);
}
