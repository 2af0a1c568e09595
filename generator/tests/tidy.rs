//! Tidy checks of the source tree, in the manner of rust-analyzer's: the
//! layering between the generator's stages, the public entry points xtask
//! uses, and the length of functions. They read the sources as text, so
//! they hold without building anything extra.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each top module of the generator and the top modules it may import.
/// `lib.rs` (the entry points) may import every one. ARCHITECTURE.md states
/// the same table.
const LAYERS: &[(&str, &[&str])] = &[
    ("base", &[]),
    ("parse", &["base"]),
    ("model", &["base"]),
    ("lower", &["base", "parse", "model"]),
    ("input", &["base", "parse"]),
    ("names", &["base", "model"]),
    ("review", &["base", "model", "names"]),
    ("output", &["base", "model", "names"]),
    ("emit", &["base", "model", "names", "review", "output"]),
    (
        "reuse",
        &["base", "input", "parse", "model", "lower", "output"],
    ),
];

/// The longest a function may be, in lines, braces included.
const MAX_FUNCTION_LINES: usize = 100;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `.rs` files below `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The code of a file without comments (line comments, doc comments) and
/// without string literals, so that neither counts as an import.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_string = false;
        let mut prev = ' ';
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if in_string {
                if c == '"' && prev != '\\' {
                    in_string = false;
                }
                prev = if prev == '\\' && c == '\\' { ' ' } else { c };
                continue;
            }
            if c == '/' && chars.peek() == Some(&'/') {
                break;
            }
            if c == '"' {
                in_string = true;
                prev = ' ';
                continue;
            }
            out.push(c);
        }
        out.push('\n');
    }
    out
}

/// The first segments after each `prefix` in `code`: `crate::parse::X`
/// gives `parse`, `crate::{a::X, b}` gives `a` and `b`.
fn first_segments(code: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices(prefix) {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item = String::new();
            let mut items = Vec::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    items.push(item.clone());
                    break;
                }
                if c == ',' && depth == 1 {
                    items.push(std::mem::take(&mut item));
                } else {
                    item.push(c);
                }
            }
            out.extend(items.iter().map(|i| ident_prefix(i.trim())));
        } else {
            out.push(ident_prefix(rest));
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

fn ident_prefix(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The top module a file of `generator/src` belongs to (`lib` for the
/// crate root).
fn top_module(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

#[test]
fn every_stage_imports_only_the_layers_below_it() {
    let src = workspace().join("generator/src");
    let tops: BTreeSet<&str> = LAYERS.iter().map(|(m, _)| *m).collect();
    let mut found_tops = BTreeSet::new();
    let mut broken = Vec::new();
    for file in rust_files(&src) {
        let module = top_module(&src, &file);
        found_tops.insert(module.clone());
        if module == "lib" {
            continue;
        }
        let allowed = LAYERS
            .iter()
            .find(|(m, _)| *m == module)
            .map(|(_, a)| *a)
            .unwrap_or_else(|| panic!("{module} is in no layer of LAYERS; add it"));
        let text = std::fs::read_to_string(&file).unwrap();
        // Unit tests (a file's `#[cfg(test)]` module, last by convention)
        // may run the whole pipeline to make their input.
        let code = code_only(text.split("#[cfg(test)]").next().unwrap_or(""));
        for segment in first_segments(&code, "crate::") {
            let rel = file.strip_prefix(&src).unwrap().display();
            if segment == module || allowed.contains(&segment.as_str()) {
                continue;
            }
            if tops.contains(segment.as_str()) {
                broken.push(format!("{rel}: `{module}` imports `{segment}`"));
            } else if !is_generated_path(&segment) {
                // An item of the crate root: say which module it lives in.
                broken.push(format!(
                    "{rel}: `crate::{segment}` goes through the crate root; name its module"
                ));
            }
        }
    }
    let missing: Vec<_> = tops.iter().filter(|m| !found_tops.contains(**m)).collect();
    assert!(
        missing.is_empty(),
        "LAYERS names modules that do not exist: {missing:?}"
    );
    assert!(
        broken.is_empty(),
        "forbidden imports:\n{}",
        broken.join("\n")
    );
}

/// Paths inside `quote!` that the generated crate resolves, not this one.
fn is_generated_path(segment: &str) -> bool {
    matches!(
        segment,
        "models" | "runtime" | "client" | "Client" | "Error"
    )
}

/// The layering test must be able to fail: a model file that imports the
/// reader is caught.
#[test]
fn the_layering_check_catches_an_import_of_the_reader() {
    let code = code_only(
        "use crate::parse::{Loc, Method};\n// use crate::emit::x;\nlet s = \"crate::emit\";",
    );
    assert_eq!(first_segments(&code, "crate::"), vec!["parse"]);
    let grouped = code_only("use crate::{\n    base::Loc,\n    parse::{Page, Table},\n};");
    assert_eq!(first_segments(&grouped, "crate::"), vec!["base", "parse"]);
}

/// xtask uses the generator through its entry points: items of the crate
/// root or of a module root (`generator::model::Api`), never a module's
/// inner files (`generator::model::lower_types::property_tables`).
#[test]
fn xtask_uses_only_the_generators_entry_points() {
    let mut broken = Vec::new();
    for dir in ["xtask/src", "xtask/tests"] {
        for file in rust_files(&workspace().join(dir)) {
            let code = code_only(&std::fs::read_to_string(&file).unwrap());
            for (at, _) in code.match_indices("generator::") {
                let path: String = code[at..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                // The modules on the path: the segments before the first
                // type (uppercase), or before the last (a function).
                let segments: Vec<&str> = path.trim_end_matches(':').split("::").skip(1).collect();
                let items = segments
                    .iter()
                    .position(|s| s.starts_with(|c: char| c.is_ascii_uppercase()))
                    .unwrap_or(segments.len().saturating_sub(1));
                if items > 1 {
                    broken.push(format!("{}: {path}", file.display()));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "xtask reaches past an entry point:\n{}",
        broken.join("\n")
    );
}

/// The functions of `text` longer than [`MAX_FUNCTION_LINES`]: name and
/// length. The sources are rustfmt-formatted, so a function's closing
/// brace is the first line after it at its own indentation.
fn long_functions(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let Some(name) = fn_name(trimmed) else {
            continue;
        };
        if line.trim_end().ends_with(';') {
            continue;
        }
        let close = format!("{indent}}}");
        if let Some(end) = lines[i + 1..].iter().position(|l| *l == close) {
            let length = end + 2;
            if length > MAX_FUNCTION_LINES {
                out.push((name, length));
            }
        }
    }
    out
}

fn fn_name(line: &str) -> Option<String> {
    let mut rest = line;
    for prefix in [
        "pub(crate) ",
        "pub(super) ",
        "pub ",
        "async ",
        "const ",
        "unsafe ",
    ] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest);
    }
    let rest = rest.strip_prefix("async ").unwrap_or(rest);
    let rest = rest.strip_prefix("fn ")?;
    Some(ident_prefix(rest))
}

/// Functions still over the limit, by file and name: the list may only
/// shrink. A function that is split must leave it (the test says so), and
/// a new long function fails the test.
const KNOWN_LONG: &[(&str, &str)] = &[];

#[test]
fn no_function_is_longer_than_a_screenful_or_two() {
    let mut long = Vec::new();
    let mut known = BTreeSet::new();
    for dir in ["generator/src", "generator/runtime/src", "xtask/src"] {
        for file in rust_files(&workspace().join(dir)) {
            let text = std::fs::read_to_string(&file).unwrap();
            let rel = file
                .strip_prefix(workspace())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            for (name, lines) in long_functions(&text) {
                if KNOWN_LONG.contains(&(rel.as_str(), name.as_str())) {
                    known.insert((rel.clone(), name));
                } else {
                    long.push(format!("{rel}: fn {name}: {lines} lines"));
                }
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines; split them into named steps:\n{}",
        long.join("\n")
    );
    let split: Vec<_> = KNOWN_LONG
        .iter()
        .filter(|(f, n)| !known.contains(&((*f).to_owned(), (*n).to_owned())))
        .collect();
    assert!(
        split.is_empty(),
        "no longer over the limit; take them off KNOWN_LONG: {split:?}"
    );
}

#[test]
fn the_length_check_measures_a_function() {
    let body = "    x();\n".repeat(MAX_FUNCTION_LINES);
    let text = format!("pub fn long() {{\n{body}}}\n\nfn short() {{\n}}\n");
    assert_eq!(
        long_functions(&text),
        vec![("long".to_owned(), MAX_FUNCTION_LINES + 2)]
    );
}
