//! `cargo xtask lint` for pull requests: SARIF validated against the
//! published schema, GitHub workflow commands, and a lint limited to the
//! pages changed since a git revision and the pages they reach.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `xtask lint` with `args` in `dir`; its stdout.
fn lint(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .current_dir(dir)
        .arg("lint")
        .args(args)
        .output()
        .expect("xtask runs");
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "lint failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Whether the environment can validate JSON against a schema (Python's
/// `jsonschema`); under CI it must.
fn validator() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import jsonschema"])
        .status()
        .is_ok_and(|s| s.success());
    crate::support::needed(
        found,
        "python3 with jsonschema (looked for `python3 -c 'import jsonschema'`; .ci/run installs it)",
    )
}

#[test]
fn the_sarif_log_follows_the_schema_and_has_every_diagnostic() {
    let root = workspace();
    let sarif = lint(&root, &["--format", "sarif"]);
    let json_lines = lint(&root, &["--format", "json"]);
    let log: Value = serde_json::from_str(&sarif).expect("SARIF is JSON");
    let run = &log["runs"][0];
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), json_lines.lines().count());
    assert!(!results.is_empty(), "docs-input has known diagnostics");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["id"].as_str().expect("an id"))
        .collect();
    assert_eq!(rules.len(), generator::Code::ALL.len());
    for (result, line) in results.iter().zip(json_lines.lines()) {
        let diagnostic: Value = serde_json::from_str(line).expect("a JSON line");
        let index = result["ruleIndex"].as_u64().expect("an index") as usize;
        assert_eq!(rules[index], result["ruleId"]);
        assert_eq!(result["ruleId"], diagnostic["code"]);
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(
            location["artifactLocation"]["uri"],
            format!(
                "docs-input/{}",
                diagnostic["file"].as_str().expect("a file")
            )
        );
        assert_eq!(location["region"]["startLine"], diagnostic["line"]);
        // A fix in the JSON line is a fix in SARIF, with the text to insert.
        match (&diagnostic["fix"], &result["fixes"][0]) {
            (Value::Null, Value::Null) => {}
            (fix, sarif_fix) => {
                let change = &sarif_fix["artifactChanges"][0];
                assert_eq!(change["artifactLocation"], location["artifactLocation"]);
                assert_eq!(
                    change["replacements"][0]["insertedContent"]["text"],
                    fix["edits"][0]["replace"]
                );
                assert!(change["replacements"][0]["deletedRegion"]["endColumn"].is_u64());
            }
        }
    }
    assert!(
        results.iter().any(|r| r["fixes"].is_array()),
        "docs-input has fixable diagnostics (a status line, an annotation)"
    );
    if !validator() {
        return;
    }
    let file = std::env::temp_dir().join(format!("lint-{}.sarif", std::process::id()));
    std::fs::write(&file, &sarif).expect("written");
    let schema = root.join("xtask/tests/fixtures/sarif/sarif-2.1.0.json");
    let check = Command::new("python3")
        .arg("-c")
        .arg(
            "import json, sys, jsonschema\n\
             schema = json.load(open(sys.argv[1]))\n\
             log = json.load(open(sys.argv[2]))\n\
             jsonschema.validators.validator_for(schema)(schema).validate(log)\n",
        )
        .arg(&schema)
        .arg(&file)
        .output()
        .expect("python3 runs");
    std::fs::remove_file(&file).expect("clean up");
    assert!(
        check.status.success(),
        "the SARIF log does not follow the schema: {}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn github_output_is_one_workflow_command_per_diagnostic() {
    let root = workspace();
    let commands = lint(&root, &["--format", "github"]);
    let json_lines = lint(&root, &["--format", "json"]);
    assert_eq!(commands.lines().count(), json_lines.lines().count());
    for (command, line) in commands.lines().zip(json_lines.lines()) {
        let diagnostic: Value = serde_json::from_str(line).expect("a JSON line");
        let level = match diagnostic["severity"].as_str().expect("a severity") {
            "error" => "error",
            "warning" => "warning",
            _ => "notice",
        };
        let head = format!(
            "::{level} file=docs-input/{},line={},col={},title={}::",
            diagnostic["file"].as_str().expect("a file"),
            diagnostic["line"],
            diagnostic["column"],
            diagnostic["code"].as_str().expect("a code"),
        );
        assert!(command.starts_with(&head), "{command}\nexpected {head}");
        assert!(command.contains("%0Ahelp: "), "{command}");
    }
}

/// A page with front matter lacking `description`: one warning each.
fn page(kind: &str, title: &str, body: &str) -> String {
    format!("---\ntitle: \"{title}\"\ndoc_type: {kind}\n---\n\n# {title}\n\n{body}\n")
}

fn resource(name: &str) -> String {
    page(
        "resourcePageType",
        &format!("{name} resource type"),
        &format!(
            "A {name}.\n\n## Properties\n\n| Property | Type | Description |\n|:---|:---|:---|\n| id | String | Its id. |\n"
        ),
    )
}

fn get(name: &str) -> String {
    page(
        "apiPageType",
        &format!("Get {name}"),
        &format!(
            "Read a {name}.\n\n## HTTP request\n\n```http\nGET /{name}s/{{id}}\n```\n\n## Response\n\nIf successful, this method returns a `200 OK` response code and a [{name}](../resources/{name}.md) object in the response body.\n"
        ),
    )
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn a_lint_since_a_revision_reports_the_changed_pages_and_what_they_reach() {
    let dir = std::env::temp_dir().join(format!("lint-changed-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for sub in ["api", "resources"] {
        std::fs::create_dir_all(dir.join(sub)).expect("folders");
    }
    for name in ["thing", "other"] {
        std::fs::write(dir.join(format!("resources/{name}.md")), resource(name)).expect("page");
        std::fs::write(dir.join(format!("api/{name}-get.md")), get(name)).expect("page");
    }
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "pages"]);
    let everything = lint(&dir, &["--docs", ".", "--format", "json"]);
    let files = |out: &str| {
        let mut files: Vec<String> = out
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).expect("JSON")["file"]
                    .as_str()
                    .expect("a file")
                    .to_owned()
            })
            .collect();
        files.dedup();
        files
    };
    assert_eq!(
        files(&everything),
        [
            "api/other-get.md",
            "api/thing-get.md",
            "resources/other.md",
            "resources/thing.md"
        ]
    );
    // Nothing changed: nothing to say.
    assert_eq!(
        lint(
            &dir,
            &["--docs", ".", "--format", "json", "--changed-since", "HEAD"]
        ),
        ""
    );
    // The thing's type changes: its page, and the endpoint that answers it.
    let edited = resource("thing").replace("Its id.", "The thing's id.");
    std::fs::write(dir.join("resources/thing.md"), edited).expect("edit");
    let since = lint(
        &dir,
        &["--docs", ".", "--format", "json", "--changed-since", "HEAD"],
    );
    assert_eq!(files(&since), ["api/thing-get.md", "resources/thing.md"]);
    // The same, named.
    let named = lint(
        &dir,
        &[
            "--docs",
            ".",
            "--format",
            "json",
            "--pages",
            "resources/thing.md",
        ],
    );
    assert_eq!(named, since);
    std::fs::remove_dir_all(&dir).expect("clean up");
}
