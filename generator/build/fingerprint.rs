//! What the generator's fingerprint is made from: its source as Rust
//! tokens, without what cannot change what it makes.
//!
//! The build script hashes these into `GENERATOR_FINGERPRINT`, which keys
//! the regen record a generated crate carries (`src/reuse/record.rs`): a
//! record made by another generator is never trusted. The same source gives
//! the same fingerprint on every machine (unlike the executable's), and an
//! edit that cannot change the output leaves it alone, so that the record
//! of a checked-in crate does not go stale with it:
//! - whitespace and comments other than doc comments (a doc comment inside
//!   a macro such as `quote!` is code the output is made from, and the
//!   tokens cannot tell it from one on an item, so all are kept);
//! - items marked `#[cfg(test)]` at the top of a file (the unit tests),
//!   which no build but the tests' compiles.
//!
//! A file the lexer cannot read counts as its bytes. Files taken in whole by
//! `include_str!` or `include_bytes!` count as their bytes too: their text is
//! in the output as it is.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The fingerprint of the generator package at `root` (its manifest's
/// folder), as hex, and what it read: the source folder, the files its
/// source includes whole, its manifest, and the workspace's manifest and
/// lock file.
pub fn fingerprint(root: &Path) -> (String, Vec<PathBuf>) {
    let mut hasher = blake3::Hasher::new();
    let mut add = |label: &str, bytes: &[u8]| {
        hasher.update(&(label.len() as u64).to_le_bytes());
        hasher.update(label.as_bytes());
        hasher.update(&(bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    let src = root.join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut included = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        add(&label(root, file), &normalized(&text));
        let dir = file.parent().unwrap_or(&src);
        included.extend(included_paths(&text).into_iter().map(|path| dir.join(path)));
    }
    included.sort();
    included.dedup();
    included.push(root.join("Cargo.toml"));
    for file in &included {
        add(&label(root, file), &std::fs::read(file).unwrap_or_default());
    }
    let workspace = root.join("..");
    let manifest = workspace.join("Cargo.toml");
    add(
        "workspace manifest",
        &std::fs::read(&manifest).unwrap_or_default(),
    );
    let lock = workspace.join("Cargo.lock");
    let locked = std::fs::read_to_string(&lock).unwrap_or_default();
    add("locked packages", locked_packages(&locked).as_bytes());
    let mut read = vec![src];
    read.extend(included);
    read.extend([manifest, lock]);
    (hasher.finalize().to_hex().to_string(), read)
}

/// The `.rs` files under `dir`, at any depth.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `file`'s path relative to the package, with `/` separators, so that
/// the label is the same on every machine.
fn label(root: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(root).unwrap_or(file);
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// `text`, a Rust source file, as the fingerprint sees it: its tokens but
/// its top-level `#[cfg(test)]` items, each with its kind, or its bytes when
/// it does not lex.
pub fn normalized(text: &str) -> Vec<u8> {
    let Ok(tokens) = TokenStream::from_str(text) else {
        let mut out = b"bytes\0".to_vec();
        out.extend_from_slice(text.as_bytes());
        return out;
    };
    let mut out = b"tokens\0".to_vec();
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    write(&without_test_items(&tokens), &mut out);
    out
}

/// The paths (as written, relative to the file) that `text` takes in whole
/// with `include_str!` or `include_bytes!` and a string literal, at any
/// depth.
pub fn included_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(tokens) = TokenStream::from_str(text) {
        find_includes(tokens, &mut out);
    }
    out
}

/// The packages `Cargo.lock` takes from a registry or git, as sorted
/// `name version source` lines: the dependencies whose code is part of the
/// generator's build (and more: a lock file does not say which build
/// needs which). The workspace's own packages are left out: their versions
/// move when a generated crate's version does, and their code that the
/// generator holds is its own source.
pub fn locked_packages(lock: &str) -> String {
    let mut lines: Vec<String> = lock
        .split("[[package]]")
        .skip(1)
        .filter_map(|block| {
            let field = |name: &str| {
                block.lines().find_map(|line| {
                    line.strip_prefix(name)?
                        .trim_start()
                        .strip_prefix('=')
                        .map(|value| value.trim().trim_matches('"').to_owned())
                })
            };
            let source = field("source")?;
            Some(format!("{} {} {source}", field("name")?, field("version")?))
        })
        .collect();
    lines.sort();
    lines.dedup();
    lines.join("\n")
}

/// `tokens` without each `#[cfg(test)]` item: the attribute, any attributes
/// after it, and the item up to its first brace group or semicolon.
fn without_test_items(tokens: &[TokenTree]) -> Vec<TokenTree> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if !is_cfg_test(tokens.get(i), tokens.get(i + 1)) {
            out.push(tokens[i].clone());
            i += 1;
            continue;
        }
        i += 2;
        while is_punct(tokens.get(i), '#') && is_group(tokens.get(i + 1), Delimiter::Bracket) {
            i += 2;
        }
        while i < tokens.len() {
            let end = is_group(tokens.get(i), Delimiter::Brace) || is_punct(tokens.get(i), ';');
            i += 1;
            if end {
                break;
            }
        }
    }
    out
}

/// Whether `hash` and `group` are `#[cfg(test)]`.
fn is_cfg_test(hash: Option<&TokenTree>, group: Option<&TokenTree>) -> bool {
    let Some(TokenTree::Group(group)) = group else {
        return false;
    };
    if !is_punct(hash, '#') || group.delimiter() != Delimiter::Bracket {
        return false;
    }
    let inner: Vec<TokenTree> = group.stream().into_iter().collect();
    match inner.as_slice() {
        [TokenTree::Ident(cfg), TokenTree::Group(args)] => {
            let args: Vec<TokenTree> = args.stream().into_iter().collect();
            cfg == "cfg"
                && args.len() == 1
                && matches!(&args[0], TokenTree::Ident(test) if test == "test")
        }
        _ => false,
    }
}

fn is_punct(token: Option<&TokenTree>, c: char) -> bool {
    matches!(token, Some(TokenTree::Punct(p)) if p.as_char() == c)
}

fn is_group(token: Option<&TokenTree>, delimiter: Delimiter) -> bool {
    matches!(token, Some(TokenTree::Group(g)) if g.delimiter() == delimiter)
}

/// Writes `tokens` to `out`, each with its kind, so that no two token
/// sequences write the same bytes.
fn write(tokens: &[TokenTree], out: &mut Vec<u8>) {
    for token in tokens {
        match token {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => (b'(', b')'),
                    Delimiter::Brace => (b'{', b'}'),
                    Delimiter::Bracket => (b'[', b']'),
                    Delimiter::None => (b'<', b'>'),
                };
                out.push(open);
                let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                write(&inner, out);
                out.push(close);
            }
            TokenTree::Ident(ident) => {
                out.push(b'i');
                out.extend_from_slice(ident.to_string().as_bytes());
                out.push(0);
            }
            TokenTree::Punct(punct) => {
                out.push(b'p');
                let mut buf = [0; 4];
                out.extend_from_slice(punct.as_char().encode_utf8(&mut buf).as_bytes());
                out.push(match punct.spacing() {
                    Spacing::Joint => b'j',
                    Spacing::Alone => b'a',
                });
            }
            TokenTree::Literal(literal) => {
                let text = literal.to_string();
                out.push(b'l');
                out.extend_from_slice(&(text.len() as u64).to_le_bytes());
                out.extend_from_slice(text.as_bytes());
            }
        }
    }
}

fn find_includes(tokens: TokenStream, out: &mut Vec<String>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, token) in tokens.iter().enumerate() {
        match token {
            TokenTree::Group(group) => find_includes(group.stream(), out),
            TokenTree::Ident(ident) if ident == "include_str" || ident == "include_bytes" => {
                let (Some(TokenTree::Punct(bang)), Some(TokenTree::Group(args))) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                else {
                    continue;
                };
                let args: Vec<TokenTree> = args.stream().into_iter().collect();
                if let ([TokenTree::Literal(path)], '!') = (args.as_slice(), bang.as_char()) {
                    let path = path.to_string();
                    if let Some(path) = path.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
                        out.push(path.to_owned());
                    }
                }
            }
            _ => {}
        }
    }
}
