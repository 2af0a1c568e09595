//! `cargo xtask report`: a static HTML page that needs nothing from the
//! network, rendered in a real headless Chromium (the OS package; `.ci/run`
//! installs it), which loads it without a console message, fits a phone's
//! width, filters its pages, and shows the counts `lint --format json` has.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn xtask(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .current_dir(workspace())
        .args(args)
        .output()
        .expect("xtask runs")
}

/// Where the report of `docs-input/` goes, with a baseline and a history
/// of two earlier baselines (made from the baseline by keeping part of it).
fn make_report(name: &str) -> (PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("xtask-report-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creates the folder");
    let baseline = workspace().join("docs-input/lint-baseline.json");
    let mut recorded: Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).expect("reads")).expect("JSON");
    let all = recorded["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut history = Vec::new();
    for (label, keep) in [("2026-10-01", all.len() + 3), ("2026-11-01", all.len() / 2)] {
        // More entries than now in the first (some since fixed), fewer in
        // the second.
        let mut entries: Vec<Value> = all.iter().take(keep).cloned().collect();
        while entries.len() < keep {
            entries.push(serde_json::json!({
                "file": "api/gone.md", "code": "example-status-line",
                "message": format!("fixed since {}", entries.len())
            }));
        }
        recorded["diagnostics"] = Value::Array(entries);
        let file = dir.join(format!("{label}.json"));
        std::fs::write(&file, recorded.to_string()).expect("writes");
        history.push(file);
    }
    let out = dir.join("report");
    let mut args = vec![
        "report".to_owned(),
        "--out".to_owned(),
        out.display().to_string(),
        "--baseline".to_owned(),
        baseline.display().to_string(),
        "--history".to_owned(),
    ];
    args.extend(history.iter().map(|h| h.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    crate::support::succeeded(xtask(&args));
    let html = std::fs::read_to_string(out.join("index.html")).expect("index.html");
    (dir, html)
}

/// The counts `lint --format json` gives: by severity (`errors`, ...), by
/// `code:<code>`, and `fixable` (those with a fix).
fn lint_counts() -> BTreeMap<String, usize> {
    let run = xtask(&["lint", "--format", "json"]);
    let mut out = BTreeMap::new();
    for line in String::from_utf8(run.stdout).expect("UTF-8").lines() {
        let d: Value = serde_json::from_str(line).expect("a JSON line");
        let severity = format!("{}s", d["severity"].as_str().expect("a severity"));
        *out.entry(severity).or_insert(0) += 1;
        *out.entry(format!("code:{}", d["code"].as_str().expect("a code")))
            .or_insert(0) += 1;
        if d.get("fix").is_some() {
            *out.entry("fixable".to_owned()).or_insert(0) += 1;
        }
    }
    out
}

/// The number in the element whose `data-count` is `name`.
fn shown(html: &str, name: &str) -> Option<usize> {
    let marker = format!("data-count=\"{name}\">");
    let at = html.find(&marker)? + marker.len();
    let end = html[at..].find('<')? + at;
    html[at..end].trim().parse().ok()
}

#[test]
fn the_report_needs_no_network_and_shows_the_lints_counts() {
    let (dir, html) = make_report("static");
    for outside in ["<link", "<script src", "@import", "url(", "<img", "<iframe"] {
        assert!(
            !html.contains(outside),
            "the report loads something: {outside}"
        );
    }
    let counts = lint_counts();
    for severity in ["errors", "warnings", "notes", "fixable"] {
        assert_eq!(
            shown(&html, severity),
            Some(counts.get(severity).copied().unwrap_or(0)),
            "{severity}"
        );
    }
    for (key, n) in counts.iter().filter(|(k, _)| k.starts_with("code:")) {
        assert_eq!(shown(&html, key), Some(*n), "{key}");
    }
    // The baseline is the one CI checks: nothing new; the trend has both
    // earlier baselines and now.
    assert_eq!(shown(&html, "new"), Some(0));
    assert!(html.contains(">2026-10-01</text>") && html.contains(">now</text>"));
    assert_eq!(html.matches("<polyline").count(), 3);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Debian's Chromium, or `None` outside CI where it is not installed
/// (under CI it must be: `.ci/run` installs it).
fn chromium() -> Option<PathBuf> {
    let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
    let found = candidates.iter().map(PathBuf::from).find(|p| p.exists());
    let what = format!("Chromium (looked at {candidates:?}; .ci/run installs Debian's chromium)");
    crate::support::needed(found.is_some(), &what)
        .then_some(found)
        .flatten()
}

/// A script the test adds to a copy of the report: it records whether the
/// page is wider than the window, then filters the pages as a reader
/// would, and writes both on `<body>` for the dumped DOM.
const PROBE: &str = r#"<script>
document.body.setAttribute("data-probe-overflow",
  document.documentElement.scrollWidth > window.innerWidth ? "yes" : "no");
var box = document.getElementById("filter");
box.value = "user-get";
box.dispatchEvent(new Event("input"));
document.body.setAttribute("data-probe-visible",
  String(document.querySelectorAll("details.page:not([hidden])").length));
</script>
"#;

#[test]
fn chromium_renders_the_report_without_a_console_message_on_a_phone() {
    let Some(chromium) = chromium() else { return };
    let (dir, html) = make_report("browser");
    let probe = dir.join("probe.html");
    std::fs::write(&probe, html.replace("</body>", &format!("{PROBE}</body>")))
        .expect("writes the probe");
    let profile = dir.join("profile");
    let out = crate::support::succeeded(
        Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--enable-logging=stderr",
                "--v=0",
                "--window-size=390,844",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("--dump-dom")
            .arg(format!("file://{}", probe.display()))
            .output()
            .expect("chromium runs"),
    );
    let log = String::from_utf8_lossy(&out.stderr);
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    let dom = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(
        dom.contains("data-probe-overflow=\"no\""),
        "wider than a phone"
    );
    // The filter keeps the pages whose path or codes hold `user-get`.
    let expected = html
        .match_indices("<details class=\"page\"")
        .filter(|(at, _)| {
            let tag = &html[*at..at + html[*at..].find('>').unwrap_or(0)];
            tag.contains("user-get")
        })
        .count();
    assert!(
        expected > 0,
        "docs-input has user-get pages with diagnostics"
    );
    assert!(
        dom.contains(&format!("data-probe-visible=\"{expected}\"")),
        "the filter showed another number of pages than {expected}"
    );
    // What the browser shows is what lint counts.
    let counts = lint_counts();
    for severity in ["errors", "warnings", "notes"] {
        assert_eq!(
            shown(&dom, severity),
            Some(counts.get(severity).copied().unwrap_or(0)),
            "{severity}"
        );
    }
    let fixable = counts.get("fixable").copied().unwrap_or(0);
    assert!(fixable > 0, "docs-input has fixable diagnostics");
    assert_eq!(shown(&dom, "fixable"), Some(fixable));
    let _ = std::fs::remove_dir_all(&dir);
}
