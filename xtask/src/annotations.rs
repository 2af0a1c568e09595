//! Diagnostics where reviewers read them: a SARIF 2.1.0 log for
//! code-scanning services, and GitHub workflow commands that annotate the
//! lines of a pull request; and the pages a change touches.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use generator::model::{RequestBody, TypeRef};
use generator::{Api, Code, Diagnostic, Severity};
use serde_json::{Value, json};

/// Where the SARIF 2.1.0 schema is published.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The tool's name in a SARIF log.
const TOOL: &str = "graph-docs-lint";

/// The SARIF log of `diagnostics`: a rule for every code of the
/// diagnostics catalogue (its meaning and default level), and a result for
/// each diagnostic, at `prefix/<file>` (`prefix`: the docs folder as the
/// command was given it, so the paths are the repository's), with its fix
/// as SARIF `fixes` where it can be placed on the file's text (`text_of`).
pub fn sarif<'t>(
    diagnostics: &[Diagnostic],
    prefix: &str,
    text_of: &dyn Fn(&str) -> Option<&'t str>,
) -> Value {
    let rules: Vec<Value> = Code::ALL.iter().map(|code| rule(*code)).collect();
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let mut result = result(d, prefix);
            if let Some(fixes) = fixes(d, prefix, text_of) {
                result["fixes"] = fixes;
            }
            result
        })
        .collect();
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": TOOL,
                "semanticVersion": generator::VERSION,
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// A SARIF level.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// The rule of `code`, from the catalogue.
fn rule(code: Code) -> Value {
    let meaning = code.meaning();
    let short = meaning
        .split(". ")
        .next()
        .unwrap_or(meaning)
        .trim_end_matches('.');
    json!({
        "id": code.as_str(),
        "name": pascal(code.as_str()),
        "shortDescription": {"text": format!("{short}.")},
        "fullDescription": {"text": meaning},
        "help": {"text": format!(
            "{meaning} The diagnostics catalogue (docs/diagnostics.md, section `{}`) shows an example and its fix.",
            code.as_str()
        )},
        "defaultConfiguration": {"level": level(code.severity())},
    })
}

/// `front-matter-missing` as `FrontMatterMissing`.
fn pascal(kebab: &str) -> String {
    kebab
        .split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// `prefix/file`, with `/` separators.
fn uri(prefix: &str, file: &str) -> String {
    let prefix = prefix.trim_end_matches('/');
    if prefix.is_empty() || prefix == "." {
        file.to_owned()
    } else {
        format!("{prefix}/{file}")
    }
}

/// One diagnostic as a SARIF result.
fn result(d: &Diagnostic, prefix: &str) -> Value {
    let index = Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0);
    let related: Vec<Value> = d
        .related
        .iter()
        .enumerate()
        .map(|(id, r)| {
            json!({
                "id": id,
                "message": {"text": r.message},
                "physicalLocation": {
                    "artifactLocation": {"uri": uri(prefix, &r.file)},
                    "region": {"startLine": r.line.max(1), "startColumn": r.column.max(1)},
                },
            })
        })
        .collect();
    let mut result = json!({
        "ruleId": d.code.as_str(),
        "ruleIndex": index,
        "level": level(d.severity()),
        "message": {"text": format!("{}. Help: {}", d.message, d.help)},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": uri(prefix, &d.file)},
                "region": {"startLine": d.line.max(1), "startColumn": d.column.max(1)},
            }
        }],
        "partialFingerprints": {
            // Stable across edits elsewhere on the page: file, code, message.
            "graphDocsLint/v1": fingerprint(d),
        },
    });
    if !related.is_empty() {
        result["relatedLocations"] = Value::Array(related);
    }
    result
}

/// The SARIF `fixes` of `d`: its edits as replacements of regions of its
/// file, when they can be placed on the file's text.
fn fixes<'t>(
    d: &Diagnostic,
    prefix: &str,
    text_of: &dyn Fn(&str) -> Option<&'t str>,
) -> Option<Value> {
    let fix = d.fix.as_ref()?;
    let text = text_of(&d.file)?;
    let placed = generator::fixes::place(text, fix)?;
    let replacements: Vec<Value> = placed
        .iter()
        .map(|edit| {
            let (start_line, start_column) = line_column(text, edit.range.start);
            let (end_line, end_column) = line_column(text, edit.range.end);
            json!({
                "deletedRegion": {
                    "startLine": start_line,
                    "startColumn": start_column,
                    "endLine": end_line,
                    "endColumn": end_column,
                },
                "insertedContent": {"text": edit.replace},
            })
        })
        .collect();
    Some(json!([{
        "description": {"text": fix.description},
        "artifactChanges": [{
            "artifactLocation": {"uri": uri(prefix, &d.file)},
            "replacements": replacements,
        }],
    }]))
}

/// The 1-based line and column (in characters) of byte `at` of `text`.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

/// A hash of what identifies a diagnostic across line moves, as the
/// baseline keys it: the file, the code and the message.
fn fingerprint(d: &Diagnostic) -> String {
    let key = format!("{}\u{0}{}\u{0}{}", d.file, d.code.as_str(), d.message);
    blake3::hash(key.as_bytes()).to_hex()[..32].to_owned()
}

/// The diagnostics as GitHub workflow commands, one line each:
/// `::error file=docs/api/x.md,line=3,col=1,title=code::message`.
pub fn github(diagnostics: &[Diagnostic], prefix: &str) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let command = match d.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        out.push_str(&format!(
            "::{command} file={},line={},col={},title={}::{}\n",
            escape_property(&uri(prefix, &d.file)),
            d.line.max(1),
            d.column.max(1),
            escape_property(d.code.as_str()),
            escape_data(&format!("{}\nhelp: {}", d.message, d.help)),
        ));
    }
    out
}

/// A workflow command's message: `%`, CR and LF escaped.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: also `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The pages of the docs folder `docs_dir` that changed since the git
/// revision `rev`, committed or not, and those not yet tracked; paths
/// relative to the folder, with `/`.
pub fn changed_since(docs_dir: &Path, rev: &str) -> Result<BTreeSet<String>, String> {
    let git = |args: &[&str]| -> Result<String, String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(docs_dir)
            .args(args)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "git {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let changed = git(&["diff", "--name-only", "--relative", rev, "--", "."])?;
    let untracked = git(&["ls-files", "--others", "--exclude-standard", "--", "."])?;
    Ok(changed
        .lines()
        .chain(untracked.lines())
        .filter(|line| line.ends_with(".md"))
        .map(|line| line.trim().replace('\\', "/"))
        .collect())
}

/// `changed`, and the pages the changes reach through the model: every
/// page of a type or an endpoint that a changed page writes (a type whose
/// properties moved, an endpoint merged from several pages), and the
/// pages of the endpoints that send or answer such a type.
pub fn affected(api: &Api, changed: &BTreeSet<String>) -> BTreeSet<String> {
    let touches = |pages: &[String]| pages.iter().any(|p| changed.contains(p));
    let mut out = changed.clone();
    let mut types: BTreeSet<&str> = BTreeSet::new();
    for t in api.types.iter() {
        if touches(&t.pages) {
            out.extend(t.pages.iter().cloned());
            types.insert(&t.name.api);
        }
    }
    let names = |ty: &TypeRef| matches!(ty, TypeRef::Named(n) if types.contains(n.as_str()));
    for e in &api.endpoints {
        let sends = match &e.request_body {
            RequestBody::Resource { ty } => names(ty),
            RequestBody::Parameters { parameters } => parameters.iter().any(|p| names(&p.ty)),
            RequestBody::None | RequestBody::Stream => false,
        };
        let answers = e.response.body.as_ref().is_some_and(names);
        if touches(&e.pages) || sends || answers {
            out.extend(e.pages.iter().cloned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_escape_what_would_end_them() {
        assert_eq!(escape_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
        assert_eq!(pascal("front-matter-missing"), "FrontMatterMissing");
        assert_eq!(uri("./", "api/x.md"), "api/x.md");
        assert_eq!(uri("docs-input/", "api/x.md"), "docs-input/api/x.md");
    }
}
