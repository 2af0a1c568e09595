//! `cargo xtask report --out DIR`: the docs' health as one static HTML
//! page, for people. It needs no server and no network to view (styles,
//! the chart and the filter are inline), reads well on a phone, and shows:
//! the counts by severity, the areas (the pages' `ms.prod`), the codes, the
//! pages with most problems, the example checks and which side is probably
//! wrong, every page's diagnostics with their source lines, help and fix,
//! what is new and fixed against a baseline, and a trend over a history of
//! baselines.
//!
//! Every count is written in an element with a `data-count` attribute
//! naming what it counts, so that a test can read them from the page a
//! browser rendered and compare them with `lint --format json`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use generator::{Code, Diagnostic, Severity};

use crate::baseline::Baseline;
use crate::docs::DocsFolder;

/// What the report is made of.
pub struct Inputs<'a> {
    /// The docs.
    pub docs: &'a DocsFolder,
    /// The docs folder as the command was given it, for the title.
    pub label: String,
    /// The baseline to show new and fixed diagnostics against.
    pub baseline: Option<PathBuf>,
    /// Earlier baselines, oldest first, for the trend.
    pub history: Vec<PathBuf>,
}

/// Writes `index.html` into `out` (created if needed; only that file is
/// written, atomically). Returns its path.
pub fn write(inputs: &Inputs<'_>, out: &Path) -> Result<PathBuf, String> {
    let html = render(inputs)?;
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let file = out.join("index.html");
    let tmp = out.join(".index.html.writing");
    std::fs::write(&tmp, html).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, &file).map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(file)
}

/// The report as HTML.
pub fn render(inputs: &Inputs<'_>) -> Result<String, String> {
    let docs = inputs.docs;
    // The same reading as lint's, so that the page shows lint's counts.
    let (pages, _, diagnostics) = crate::lint::read_all(docs);
    let areas: BTreeMap<String, String> = pages
        .iter()
        .map(|p| {
            let area = p
                .front_matter
                .ms_prod
                .as_deref()
                .map(|a| a.trim().to_lowercase())
                .filter(|a| !a.is_empty())
                .unwrap_or_else(|| "(no ms.prod)".to_owned());
            (p.file.clone(), area)
        })
        .collect();
    drop(pages);

    let comparison = match &inputs.baseline {
        Some(file) => Some(Baseline::load(file)?),
        None => None,
    };
    let mut trend = Vec::new();
    for file in &inputs.history {
        let baseline = Baseline::load(file)?;
        let label = file.file_stem().map_or_else(
            || file.display().to_string(),
            |s| s.to_string_lossy().into_owned(),
        );
        trend.push((label, baseline_counts(&baseline)));
    }
    trend.push(("now".to_owned(), counts(&diagnostics)));

    let mut html = String::new();
    head(&mut html, &inputs.label);
    summary(&mut html, docs, &diagnostics);
    if trend.len() > 1 {
        trend_chart(&mut html, &trend);
    }
    if let Some(baseline) = &comparison {
        against_baseline(&mut html, baseline, &diagnostics);
    }
    by_area(&mut html, &areas, &diagnostics);
    by_code(&mut html, &diagnostics);
    worst_pages(&mut html, &diagnostics);
    example_checks(&mut html, &diagnostics);
    every_page(&mut html, docs, &diagnostics);
    html.push_str(SCRIPT);
    html.push_str("</main>\n</body>\n</html>\n");
    Ok(html)
}

/// Errors, warnings and notes.
type Counts = [usize; 3];

fn counts(diagnostics: &[Diagnostic]) -> Counts {
    let mut out = [0; 3];
    for d in diagnostics {
        out[slot(d.severity())] += 1;
    }
    out
}

fn baseline_counts(baseline: &Baseline) -> Counts {
    let mut out = [0; 3];
    for entry in &baseline.diagnostics {
        if let Some(code) = Code::ALL.iter().find(|c| c.as_str() == entry.code) {
            out[slot(code.severity())] += entry.count;
        }
    }
    out
}

fn slot(severity: Severity) -> usize {
    match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Note => 2,
    }
}

const SEVERITIES: [&str; 3] = ["errors", "warnings", "notes"];

/// `text` escaped for HTML text and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An id for `file` usable in a fragment.
fn anchor(file: &str) -> String {
    let mut out = String::from("p-");
    out.extend(
        file.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }),
    );
    out
}

fn head(html: &mut String, label: &str) {
    let _ = write!(
        html,
        r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Docs health: {title}</title>
<style>{STYLE}</style>
</head>
<body>
<main>
<header>
<h1>Docs health</h1>
<p class="sub">{title} · made by graph-docs-codegen {version}</p>
<nav><a href="#summary">Summary</a> <a href="#areas">Areas</a> <a href="#codes">Codes</a> <a href="#worst">Pages with most problems</a> <a href="#examples">Example checks</a> <a href="#pages">Every page</a></nav>
</header>
"##,
        title = esc(label),
        version = esc(generator::VERSION),
    );
}

fn summary(html: &mut String, docs: &DocsFolder, diagnostics: &[Diagnostic]) {
    let [errors, warnings, notes] = counts(diagnostics);
    let fixable = diagnostics.iter().filter(|d| d.fix.is_some()).count();
    let pages_with = diagnostics
        .iter()
        .map(|d| d.file.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let _ = write!(
        html,
        r#"<section id="summary">
<h2>Summary</h2>
<div class="cards">
<div class="card"><span class="n" data-count="pages">{pages}</span><span>pages read</span></div>
<div class="card error"><span class="n" data-count="errors">{errors}</span><span>errors</span></div>
<div class="card warning"><span class="n" data-count="warnings">{warnings}</span><span>warnings</span></div>
<div class="card note"><span class="n" data-count="notes">{notes}</span><span>notes</span></div>
<div class="card"><span class="n" data-count="pages-with-diagnostics">{pages_with}</span><span>files with a diagnostic</span></div>
<div class="card fix"><span class="n" data-count="fixable">{fixable}</span><span>fixable with <code>lint --fix</code></span></div>
</div>
</section>
"#,
        pages = docs.pages.len(),
    );
}

fn trend_chart(html: &mut String, trend: &[(String, Counts)]) {
    const W: f64 = 640.0;
    const H: f64 = 220.0;
    const PAD: f64 = 36.0;
    let top = trend
        .iter()
        .flat_map(|(_, c)| c.iter().copied())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let x = |i: usize| PAD + (W - 2.0 * PAD) * i as f64 / (trend.len() - 1).max(1) as f64;
    let y = |n: usize| H - PAD - (H - 2.0 * PAD) * n as f64 / top;
    let _ = write!(
        html,
        r#"<section id="trend">
<h2>Trend</h2>
<svg viewBox="0 0 {W} {H}" role="img" aria-label="diagnostics over the baselines given">
<line x1="{PAD}" y1="{b}" x2="{r}" y2="{b}" class="axis"/>
<text x="4" y="{t}" class="tick">{top}</text><text x="4" y="{b}" class="tick">0</text>
"#,
        b = H - PAD,
        r = W - PAD,
        t = PAD,
    );
    for (s, name) in SEVERITIES.iter().enumerate() {
        let points: Vec<String> = trend
            .iter()
            .enumerate()
            .map(|(i, (_, c))| format!("{:.1},{:.1}", x(i), y(c[s])))
            .collect();
        let _ = writeln!(
            html,
            r#"<polyline class="line {name}" points="{}"/>"#,
            points.join(" ")
        );
    }
    for (i, (label, _)) in trend.iter().enumerate() {
        let _ = writeln!(
            html,
            r#"<text x="{:.1}" y="{}" class="tick" text-anchor="middle">{}</text>"#,
            x(i),
            H - PAD + 16.0,
            esc(label)
        );
    }
    html.push_str("</svg>\n<table class=\"num\"><tr><th>baseline</th><th>errors</th><th>warnings</th><th>notes</th></tr>\n");
    for (label, c) in trend {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(label),
            c[0],
            c[1],
            c[2]
        );
    }
    html.push_str("</table>\n<p class=\"legend\"><span class=\"key errors\"></span>errors <span class=\"key warnings\"></span>warnings <span class=\"key notes\"></span>notes</p>\n</section>\n");
}

fn against_baseline(html: &mut String, baseline: &Baseline, diagnostics: &[Diagnostic]) {
    let comparison = baseline.compare(diagnostics);
    let fixed: usize = comparison.fixed.iter().map(|e| e.count).sum();
    let _ = write!(
        html,
        r#"<section id="baseline">
<h2>Against the baseline</h2>
<p><span class="n" data-count="new">{}</span> new, <span class="n" data-count="fixed">{fixed}</span> fixed, {} known.</p>
"#,
        comparison.new.len(),
        comparison.known
    );
    if !comparison.new.is_empty() {
        html.push_str("<h3>New</h3>\n<ul class=\"list\">\n");
        for d in &comparison.new {
            let _ = writeln!(
                html,
                r##"<li><span class="sev {sev}">{sev}</span> <code>{code}</code> <a href="#{a}">{file}:{line}</a> {msg}</li>"##,
                sev = d.severity(),
                code = d.code,
                a = anchor(&d.file),
                file = esc(&d.file),
                line = d.line,
                msg = esc(&d.message)
            );
        }
        html.push_str("</ul>\n");
    }
    if !comparison.fixed.is_empty() {
        html.push_str("<h3>Fixed</h3>\n<ul class=\"list\">\n");
        for e in &comparison.fixed {
            let times = if e.count > 1 {
                format!(" ({}×)", e.count)
            } else {
                String::new()
            };
            let _ = writeln!(
                html,
                "<li><code>{}</code> {}{times}: {}</li>",
                esc(&e.code),
                esc(&e.file),
                esc(&e.message)
            );
        }
        html.push_str("</ul>\n");
    }
    html.push_str("</section>\n");
}

fn by_area(html: &mut String, areas: &BTreeMap<String, String>, diagnostics: &[Diagnostic]) {
    let mut rows: BTreeMap<&str, (usize, Counts)> = BTreeMap::new();
    for area in areas.values() {
        rows.entry(area.as_str()).or_default().0 += 1;
    }
    for d in diagnostics {
        let area = areas
            .get(&d.file)
            .map_or("(include files and others)", String::as_str);
        rows.entry(area).or_default().1[slot(d.severity())] += 1;
    }
    let mut rows: Vec<_> = rows.into_iter().collect();
    rows.sort_by(|a, b| {
        let total = |c: &Counts| c.iter().sum::<usize>();
        total(&b.1.1).cmp(&total(&a.1.1)).then(a.0.cmp(b.0))
    });
    html.push_str("<section id=\"areas\">\n<h2>Areas</h2>\n<p>By the pages' <code>ms.prod</code>, in lower case.</p>\n<div class=\"scroll\"><table class=\"num\">\n<tr><th>area</th><th>pages</th><th>errors</th><th>warnings</th><th>notes</th></tr>\n");
    for (area, (pages, c)) in rows {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{pages}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(area),
            c[0],
            c[1],
            c[2]
        );
    }
    html.push_str("</table></div>\n</section>\n");
}

fn by_code(html: &mut String, diagnostics: &[Diagnostic]) {
    let mut rows: BTreeMap<Code, (usize, std::collections::BTreeSet<&str>)> = BTreeMap::new();
    for d in diagnostics {
        let row = rows.entry(d.code).or_default();
        row.0 += 1;
        row.1.insert(d.file.as_str());
    }
    let mut rows: Vec<_> = rows.into_iter().collect();
    rows.sort_by(|a, b| {
        a.0.severity()
            .cmp(&b.0.severity())
            .reverse()
            .then(b.1.0.cmp(&a.1.0))
            .then(a.0.cmp(&b.0))
    });
    html.push_str("<section id=\"codes\">\n<h2>Codes</h2>\n<div class=\"scroll\"><table>\n<tr><th>code</th><th>count</th><th>files</th><th>what it means</th></tr>\n");
    for (code, (n, files)) in rows {
        let _ = writeln!(
            html,
            r#"<tr><td><span class="sev {sev}">{sev}</span> <code>{code}</code></td><td class="r" data-count="code:{code}">{n}</td><td class="r">{}</td><td>{}</td></tr>"#,
            files.len(),
            esc(code.meaning()),
            sev = code.severity(),
        );
    }
    html.push_str("</table></div>\n<p>Each code's example and fix: <code>docs/diagnostics.md</code>.</p>\n</section>\n");
}

fn worst_pages(html: &mut String, diagnostics: &[Diagnostic]) {
    let mut pages: BTreeMap<&str, Counts> = BTreeMap::new();
    for d in diagnostics {
        pages.entry(d.file.as_str()).or_default()[slot(d.severity())] += 1;
    }
    let mut pages: Vec<_> = pages.into_iter().collect();
    // Errors weigh most, then warnings, then notes.
    pages.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    html.push_str("<section id=\"worst\">\n<h2>Pages with most problems</h2>\n<div class=\"scroll\"><table class=\"num\">\n<tr><th>page</th><th>errors</th><th>warnings</th><th>notes</th></tr>\n");
    for (file, c) in pages.iter().take(20) {
        let _ = writeln!(
            html,
            r##"<tr><td><a href="#{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>"##,
            anchor(file),
            esc(file),
            c[0],
            c[1],
            c[2]
        );
    }
    html.push_str("</table></div>\n</section>\n");
}

/// Which side of an example check is probably wrong, as its help says.
fn wrong_side(d: &Diagnostic) -> &'static str {
    let help = d.help.as_str();
    if help.contains("the table is probably wrong") {
        "the table"
    } else if help.contains("the JSON representation is probably wrong") {
        "the JSON representation"
    } else if help.contains("example is probably wrong") {
        "the example"
    } else {
        "not said"
    }
}

fn example_checks(html: &mut String, diagnostics: &[Diagnostic]) {
    let checks: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.code.as_str().starts_with("example-") || d.code == Code::PlaceholderValue)
        .collect();
    let mut sides: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &checks {
        *sides.entry(wrong_side(d)).or_default() += 1;
    }
    let _ = write!(
        html,
        "<section id=\"examples\">\n<h2>Example checks</h2>\n<p><span class=\"n\" data-count=\"example-checks\">{}</span> diagnostics about the request and response examples. Which side is probably wrong, as each one's help says:</p>\n<table class=\"num\"><tr><th>probably wrong</th><th>count</th></tr>\n",
        checks.len()
    );
    for (side, n) in &sides {
        let _ = writeln!(
            html,
            r#"<tr><td>{side}</td><td data-count="side:{side}">{n}</td></tr>"#
        );
    }
    html.push_str("</table>\n</section>\n");
}

fn every_page(html: &mut String, docs: &DocsFolder, diagnostics: &[Diagnostic]) {
    let mut by_file: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
    for d in diagnostics {
        by_file.entry(d.file.as_str()).or_default().push(d);
    }
    html.push_str("<section id=\"pages\">\n<h2>Every page</h2>\n<label class=\"filter\">Filter by page or code <input id=\"filter\" type=\"search\" placeholder=\"user-get, example-kind-mismatch\" autocomplete=\"off\"></label>\n<p class=\"sub\"><span id=\"shown\">");
    let _ = write!(html, "{}", by_file.len());
    html.push_str("</span> files shown</p>\n");
    for (file, list) in by_file {
        let c = {
            let mut c = [0; 3];
            for d in &list {
                c[slot(d.severity())] += 1;
            }
            c
        };
        let codes: std::collections::BTreeSet<&str> =
            list.iter().map(|d| d.code.as_str()).collect();
        let _ = writeln!(
            html,
            r#"<details class="page" id="{a}" data-file="{f}" data-codes="{codes}"><summary><span class="file">{f}</span> <span class="counts">{}</span></summary>"#,
            SEVERITIES
                .iter()
                .zip(c)
                .filter(|(_, n)| *n > 0)
                .map(|(s, n)| format!("<span class=\"sev {}\">{n} {s}</span>", &s[..s.len() - 1]))
                .collect::<Vec<_>>()
                .join(" "),
            a = anchor(file),
            f = esc(file),
            codes = codes.into_iter().collect::<Vec<_>>().join(" "),
        );
        let text = docs.text_of(file);
        for d in list {
            diagnostic(html, d, text);
        }
        html.push_str("</details>\n");
    }
    html.push_str("</section>\n");
}

fn diagnostic(html: &mut String, d: &Diagnostic, text: Option<&str>) {
    let _ = write!(
        html,
        r#"<div class="diag"><p><span class="sev {sev}">{sev}</span> <code>{code}</code> line {line}: {msg}</p>"#,
        sev = d.severity(),
        code = d.code,
        line = d.line,
        msg = esc(&d.message),
    );
    if let Some(text) = text {
        let lines: Vec<&str> = text.lines().collect();
        let at = d.line as usize;
        if at >= 1 && at <= lines.len() {
            html.push_str("<pre class=\"src\">");
            for n in at.saturating_sub(1).max(1)..=(at + 1).min(lines.len()) {
                let class = if n == at { " class=\"hit\"" } else { "" };
                let _ = writeln!(
                    html,
                    "<span{class}><span class=\"ln\">{n}</span>{}</span>",
                    esc(lines[n - 1])
                );
            }
            html.push_str("</pre>");
        }
    }
    let _ = write!(html, "<p class=\"help\">help: {}</p>", esc(&d.help));
    if let Some(fix) = &d.fix {
        let _ = write!(
            html,
            "<p class=\"fixnote\">fix (<code>lint --fix</code>): {}</p>",
            esc(&fix.description)
        );
    }
    html.push_str("</div>\n");
}

const STYLE: &str = r#"
:root{--bg:#fff;--fg:#1b1f24;--mute:#57606a;--line:#d0d7de;--err:#cf222e;--warn:#9a6700;--note:#0969da;--fix:#1a7f37;--code:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--mute:#8d96a0;--line:#30363d;--err:#ff7b72;--warn:#d29922;--note:#58a6ff;--fix:#3fb950;--code:#161b22}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:1100px;margin:0 auto;padding:12px}
h1{margin:8px 0 0;font-size:1.6em}h2{margin-top:1.6em;border-bottom:1px solid var(--line);padding-bottom:4px}
.sub{color:var(--mute);margin:4px 0}
nav{display:flex;flex-wrap:wrap;gap:6px 14px;margin:8px 0}
a{color:var(--note)}
code{background:var(--code);padding:0 4px;border-radius:4px;overflow-wrap:anywhere}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:10px}
.card{border:1px solid var(--line);border-radius:8px;padding:10px;display:flex;flex-direction:column}
.card .n{font-size:1.8em;font-weight:600}.card code{white-space:nowrap}
.card.error .n{color:var(--err)}.card.warning .n{color:var(--warn)}.card.note .n{color:var(--note)}.card.fix .n{color:var(--fix)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
table.num td+td,td.r{text-align:right;font-variant-numeric:tabular-nums}
.sev{font-size:.8em;font-weight:600;text-transform:uppercase}
.sev.error{color:var(--err)}.sev.warning{color:var(--warn)}.sev.note{color:var(--note)}
details.page{border:1px solid var(--line);border-radius:8px;margin:6px 0;padding:4px 10px}
details.page summary{cursor:pointer;overflow-wrap:anywhere}
.file{font-family:ui-monospace,monospace}
.counts .sev{margin-left:6px}
.diag{border-top:1px dashed var(--line);padding:4px 0}
.diag p{margin:4px 0;overflow-wrap:anywhere}
pre.src{background:var(--code);padding:6px;border-radius:6px;overflow-x:auto;margin:4px 0;font-size:.85em}
pre.src span{display:block;white-space:pre}
pre.src .hit{background:rgba(207,34,46,.12)}
.ln{display:inline-block;min-width:3.5em;color:var(--mute);user-select:none}
.help{color:var(--mute)}.fixnote{color:var(--fix)}
.filter{display:block;margin:8px 0}
.filter input{width:100%;max-width:420px;padding:6px;font:inherit;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
.list li{overflow-wrap:anywhere}
svg{width:100%;height:auto;max-width:640px}
.axis{stroke:var(--line)}.tick{fill:var(--mute);font-size:11px}
.line{fill:none;stroke-width:2}.line.errors{stroke:var(--err)}.line.warnings{stroke:var(--warn)}.line.notes{stroke:var(--note)}
.legend .key{display:inline-block;width:14px;height:3px;margin:0 4px 3px 10px;vertical-align:middle}
.key.errors{background:var(--err)}.key.warnings{background:var(--warn)}.key.notes{background:var(--note)}
[hidden]{display:none!important}
"#;

/// The filter over the pages: hides those whose path and codes do not
/// contain every word typed. It changes nothing else and logs nothing.
const SCRIPT: &str = r#"<script>
(function () {
  var input = document.getElementById("filter");
  var shown = document.getElementById("shown");
  var pages = Array.prototype.slice.call(document.querySelectorAll("details.page"));
  if (!input || !shown) { return; }
  function apply() {
    var words = input.value.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
    var count = 0;
    pages.forEach(function (page) {
      var hay = (page.getAttribute("data-file") + " " + page.getAttribute("data-codes")).toLowerCase();
      var match = words.every(function (w) { return hay.indexOf(w) >= 0; });
      page.hidden = !match;
      if (match) { count += 1; }
    });
    shown.textContent = String(count);
  }
  input.addEventListener("input", apply);
  apply();
})();
</script>
"#;
