//! `[!INCLUDE [label](path.md)]` transclusion.
//!
//! The generator does no IO: the caller loads every file a page reaches into
//! an [`Includes`] set (`xtask` does so with [`find_includes`] and
//! [`resolve_target`]), and the reader splices each target's markdown, without
//! its front matter, in place of its directive before reading the page. The
//! [`SourceMap`](crate::base::source::SourceMap) of the spliced text maps every
//! byte back to the page or to the include file it came from.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::base::source::{IncludeSite, Origin, Piece, Span};

/// How deep includes may nest before the reader stops following them.
pub const MAX_DEPTH: usize = 8;

/// An include directive as written on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncludeDirective {
    /// The link text (`permissions-table`).
    pub label: String,
    /// The target as written (`../includes/permissions/user-delete-permissions.md`).
    pub target: String,
    /// The whole directive, from `[!INCLUDE` to its closing `]`.
    pub span: Span,
    /// Whether the directive stands alone on its line (after any `>` quote
    /// markers), so its target is read as blocks rather than inline text.
    pub block: bool,
    /// The `>` markers and spaces before the directive on its line, repeated
    /// before every line of a block target so it stays inside the quote.
    pub quote_prefix: String,
}

/// What the caller found at an include target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncludeFile {
    /// The file's text.
    Text(String),
    /// No file is there; `tried` is the path that was looked at.
    Missing {
        /// The path looked at, for the diagnostic.
        tried: String,
        /// The path of a file whose path differs from `tried` only in
        /// case, if there is one (a fix writes the target that way).
        case_differs: Option<String>,
    },
    /// The target lies outside the include root and was not read.
    Refused {
        /// The path the target resolves to, relative to the docs folder.
        tried: String,
        /// The include root it had to stay under, relative to the docs folder.
        root: String,
    },
    /// The file exists but could not be read (or is not UTF-8).
    Unreadable {
        /// The path that was read.
        tried: String,
        /// What went wrong.
        error: String,
    },
}

/// Every include file reachable from a set of pages, keyed by its
/// [`resolve_target`] path (relative to the docs folder, `/`-separated, and
/// possibly starting with `../`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Includes {
    files: BTreeMap<String, IncludeFile>,
}

impl Includes {
    /// An empty set: every directive is reported as missing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records what was found at `key`.
    pub fn insert(&mut self, key: String, file: IncludeFile) {
        self.files.insert(key, file);
    }

    /// What was found at `key`, if it was looked up.
    pub fn get(&self, key: &str) -> Option<&IncludeFile> {
        self.files.get(key)
    }

    /// The stored key equal to `key`, and what was found there.
    fn entry(&self, key: &str) -> Option<(&str, &IncludeFile)> {
        self.files.get_key_value(key).map(|(k, v)| (k.as_str(), v))
    }

    /// Whether `key` was looked up.
    pub fn contains(&self, key: &str) -> bool {
        self.files.contains_key(key)
    }

    /// Every key and what was found there, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &IncludeFile)> {
        self.files.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// How many targets were looked up.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether no target was looked up.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// The include directives of a page or include file, in order. Directives in
/// code fences and HTML comments are text, not directives; directives inside
/// a tab of another language (`# [C#](#tab/csharp)` … `---`) hold code
/// snippets that are not needed, so they are skipped without a word.
pub fn find_includes(text: &str) -> Vec<IncludeDirective> {
    let mut out = Vec::new();
    // Most pages hold no directive (`[!NOTE]` is common, `[!INCLUDE` less
    // so): skip them before reading line by line.
    let any = memchr::memmem::find_iter(text.as_bytes(), b"[!").any(|at| {
        text.as_bytes()
            .get(at + 2..at + 9)
            .is_some_and(|word| word.eq_ignore_ascii_case(b"include"))
    });
    if !any {
        return out;
    }
    let mut fence: Option<(u8, usize)> = None;
    let mut in_comment = false;
    let mut other_tab = false;
    let mut offset = 0;
    for raw in crate::base::source::lines_inclusive(text) {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let unquoted = line.trim_start_matches(['>', ' ', '\t']);
        let trimmed = unquoted.trim();
        if let Some((ch, len)) = fence {
            let run = trimmed.bytes().take_while(|&b| b == ch).count();
            if run >= len && trimmed[run..].trim().is_empty() {
                fence = None;
            }
            continue;
        }
        if in_comment {
            if has(line, "-->") {
                in_comment = false;
            }
            continue;
        }
        for ch in [b'`', b'~'] {
            let run = trimmed.bytes().take_while(|&b| b == ch).count();
            if run >= 3 {
                fence = Some((ch, run));
            }
        }
        if fence.is_some() {
            continue;
        }
        if let Some(tab) = tab_marker(trimmed) {
            other_tab = !tab.eq_ignore_ascii_case("http");
            continue;
        }
        if other_tab && trimmed == "---" {
            other_tab = false;
            continue;
        }
        if let Some(open) = find(line, "<!--") {
            in_comment = !has(&line[open..], "-->");
        }
        // Most lines hold no directive: skip them before any allocation.
        if other_tab || !has(line, "[!") {
            continue;
        }
        scan_line(&mask_comments(line), start, &mut out);
    }
    out
}

/// Where `needle` first is in `line`. Most lines of a page lack the
/// needle's first byte, which is looked for alone first: setting up a
/// substring search for every line of every page was a tenth of reading
/// the pages.
fn find(line: &str, needle: &str) -> Option<usize> {
    let first = *needle.as_bytes().first()?;
    let start = memchr::memchr(first, line.as_bytes())?;
    memchr::memmem::find(&line.as_bytes()[start..], needle.as_bytes()).map(|at| start + at)
}

/// Whether `needle` is in `line`: see [`find`].
fn has(line: &str, needle: &str) -> bool {
    find(line, needle).is_some()
}

/// `line` with the inside of every `<!-- ... -->` on it blanked out, byte
/// for byte, so offsets stay the same.
fn mask_comments(line: &str) -> std::borrow::Cow<'_, str> {
    if !line.contains("<!--") {
        return std::borrow::Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find("<!--") {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let len = after.find("-->").map_or(after.len(), |i| i + 3);
        out.extend(std::iter::repeat_n(' ', len));
        rest = &after[len..];
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// The tab id of a `# [Label](#tab/id)` line.
fn tab_marker(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('#')?.trim_start();
    let rest = rest.strip_prefix('[')?;
    let close = rest.find("](#tab/")?;
    let id = &rest[close + "](#tab/".len()..];
    id.strip_suffix(')')
}

/// Finds the directives on one line. `start` is the line's offset.
fn scan_line(line: &str, start: usize, out: &mut Vec<IncludeDirective>) {
    let lower = line.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find("[!include") {
        let at = from + found;
        from = at + "[!include".len();
        let Some((label, target, len)) = parse_directive(&line[at..]) else {
            continue;
        };
        let before = &line[..at];
        let after = &line[at + len..];
        let block =
            before.chars().all(|c| c == '>' || c.is_whitespace()) && after.trim().is_empty();
        out.push(IncludeDirective {
            label,
            target,
            span: Span::new(start + at, start + at + len),
            block,
            quote_prefix: if block && before.contains('>') {
                before.to_owned()
            } else {
                String::new()
            },
        });
        from = at + len;
    }
}

/// Reads `[!INCLUDE [label](target)]` at the start of `text`: the label, the
/// target and the directive's length.
fn parse_directive(text: &str) -> Option<(String, String, usize)> {
    let rest = &text["[!include".len()..];
    let body = rest.trim_start();
    let skipped = rest.len() - body.len();
    let body = body.strip_prefix('[')?;
    let label_end = body.find(']')?;
    let label = &body[..label_end];
    let after_label = body[label_end + 1..].trim_start();
    let gap = body[label_end + 1..].len() - after_label.len();
    let target_text = after_label.strip_prefix('(')?;
    let target_end = target_text.find(')')?;
    let target = target_text[..target_end].trim();
    let tail = &target_text[target_end + 1..];
    let close = tail.find(']')?;
    if !tail[..close].trim().is_empty() {
        return None;
    }
    // `[!INCLUDE` + spaces + `[` + label + `]` + gap + `(` + target + `)` + tail + `]`
    let len =
        "[!include".len() + skipped + 1 + label_end + 1 + gap + 1 + target_end + 1 + close + 1;
    // A target may carry a title: `(path.md "title")`.
    let target = target.split_whitespace().next().unwrap_or("");
    Some((label.trim().to_owned(), target.to_owned(), len))
}

/// Why a target cannot be turned into a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetError {
    /// The target is empty.
    Empty,
    /// The target is an absolute path or a URL, which is never under the root.
    Absolute,
}

/// The key of `target` written in `from`: the including file's folder joined
/// with the target and normalised lexically (`api/../includes/x.md` is
/// `includes/x.md`; `api/../../includes/x.md` is `../includes/x.md`).
/// Backslashes count as separators; a `#fragment` or `?query` is dropped.
pub fn resolve_target(from: &str, target: &str) -> Result<String, TargetError> {
    let target = target
        .split(['#', '?'])
        .next()
        .unwrap_or("")
        .trim()
        .replace('\\', "/");
    if target.is_empty() {
        return Err(TargetError::Empty);
    }
    if target.starts_with('/') || target.contains("://") || target.contains(':') {
        return Err(TargetError::Absolute);
    }
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            _ => parts.push(part),
        }
    }
    Ok(parts.join("/"))
}

/// The text of an include file as it is spliced in: without a BOM or front
/// matter, and without the final line break (the directive's line has one).
pub fn include_body(text: &str) -> (usize, &str) {
    let mut start = 0;
    if text.starts_with('\u{feff}') {
        start = '\u{feff}'.len_utf8();
    }
    let rest = &text[start..];
    let first_line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
    if rest[..first_line_end].trim_end() == "---" {
        let mut offset = first_line_end;
        for line in rest[first_line_end..].split_inclusive('\n') {
            offset += line.len();
            if line.trim_end() == "---" {
                start += offset;
                break;
            }
        }
    }
    let body = &text[start..];
    let trimmed = body.trim_end_matches(['\n', '\r']);
    (start, trimmed)
}

/// Why a directive was not replaced by its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncludeProblem {
    /// No file is at the target.
    Missing {
        /// The target as written.
        target: String,
        /// The path looked at.
        tried: String,
        /// The path of a file that differs from `tried` only in case.
        case_differs: Option<String>,
    },
    /// The target is outside the include root, or absolute.
    Refused {
        /// The target as written.
        target: String,
        /// Where it resolves to, or why it cannot be resolved.
        tried: String,
        /// The root it had to stay under, if one was given.
        root: Option<String>,
    },
    /// The target could not be read.
    Unreadable {
        /// The target as written.
        target: String,
        /// The path read.
        tried: String,
        /// The error.
        error: String,
    },
    /// The target is already being included further up.
    Cycle {
        /// The keys of the cycle, ending with the one that closes it.
        chain: Vec<String>,
    },
    /// Includes nest deeper than [`MAX_DEPTH`].
    TooDeep {
        /// The target as written.
        target: String,
    },
}

/// A page with its includes spliced in.
#[derive(Debug)]
pub struct Spliced<'a> {
    /// The text to read.
    pub text: String,
    /// Where each stretch of `text` came from, sorted by start.
    pub pieces: Vec<Piece<'a>>,
    /// Directives left in place, with their span in `text`.
    pub problems: Vec<(Span, IncludeProblem)>,
}

/// Splices every include of `page` (whose path is `file`) into it, following
/// nested includes up to [`MAX_DEPTH`] and cutting cycles. A directive that
/// cannot be followed stays in the text as written and becomes a problem.
/// Returns `None` when the page has no directive.
pub fn splice<'a>(file: &'a str, page: &'a str, includes: &'a Includes) -> Option<Spliced<'a>> {
    let directives = find_includes(page);
    if directives.is_empty() {
        return None;
    }
    let mut splicer = Splicer {
        includes,
        out: Spliced {
            text: String::with_capacity(page.len()),
            pieces: Vec::new(),
            problems: Vec::new(),
        },
    };
    let source = FileText {
        key: None,
        path: file,
        text: page,
        sites: Rc::from(Vec::new()),
    };
    splicer.splice_file(
        &source,
        0,
        page.len(),
        directives,
        &Layout::default(),
        &mut Vec::new(),
    );
    Some(splicer.out)
}

/// A file whose text is being spliced.
struct FileText<'a> {
    /// `None` for the page, else the include key.
    key: Option<&'a str>,
    /// The path targets are resolved against.
    path: &'a str,
    text: &'a str,
    /// The directives that led here, outermost first.
    sites: Rc<[IncludeSite<'a>]>,
}

impl<'a> FileText<'a> {
    fn origin(&self, at: usize, fixed: bool) -> Origin<'a> {
        match self.key {
            None => Origin::Page { at },
            Some(file) => Origin::Include {
                file,
                text: self.text,
                at,
                fixed,
                sites: Rc::clone(&self.sites),
            },
        }
    }
}

/// How spliced text is laid into its place.
#[derive(Debug, Clone, Default)]
struct Layout {
    /// `>` markers repeated after every line break, inside a quote.
    prefix: String,
    /// Line breaks become spaces, for a directive inside a line of text.
    inline: bool,
}

struct Splicer<'a> {
    includes: &'a Includes,
    out: Spliced<'a>,
}

impl<'a> Splicer<'a> {
    /// Appends `source.text[from..to]` laid out by `layout`.
    fn push(&mut self, source: &FileText<'a>, from: usize, to: usize, layout: &Layout) {
        if from >= to {
            return;
        }
        let text = &source.text[from..to];
        if layout.inline {
            self.out.pieces.push(Piece {
                start: self.out.text.len(),
                origin: source.origin(from, false),
            });
            self.out.text.extend(
                text.chars()
                    .map(|c| if c == '\n' || c == '\r' { ' ' } else { c }),
            );
            return;
        }
        let mut at = from;
        for line in text.split_inclusive('\n') {
            self.out.pieces.push(Piece {
                start: self.out.text.len(),
                origin: source.origin(at, false),
            });
            self.out.text.push_str(line);
            at += line.len();
            if line.ends_with('\n') && !layout.prefix.is_empty() {
                self.out.pieces.push(Piece {
                    start: self.out.text.len(),
                    origin: source.origin(at - 1, true),
                });
                self.out.text.push_str(&layout.prefix);
            }
        }
    }

    fn splice_file(
        &mut self,
        source: &FileText<'a>,
        from: usize,
        to: usize,
        directives: Vec<IncludeDirective>,
        layout: &Layout,
        stack: &mut Vec<&'a str>,
    ) {
        let mut cursor = from;
        for d in directives {
            let span = Span::new(d.span.start + from, d.span.end + from);
            if span.start < cursor || span.end > to {
                continue;
            }
            self.push(source, cursor, span.start, layout);
            match self.follow(source, span, &d, layout, stack) {
                Ok(()) => cursor = span.end,
                Err(problem) => {
                    let start = self.out.text.len();
                    self.push(source, span.start, span.end, layout);
                    self.out
                        .problems
                        .push((Span::new(start, self.out.text.len()), problem));
                    cursor = span.end;
                }
            }
        }
        self.push(source, cursor, to, layout);
    }

    /// Splices the target of `d` in, or says why not.
    fn follow(
        &mut self,
        source: &FileText<'a>,
        span: Span,
        d: &IncludeDirective,
        layout: &Layout,
        stack: &mut Vec<&'a str>,
    ) -> Result<(), IncludeProblem> {
        let target = d.target.clone();
        let key = match resolve_target(source.path, &d.target) {
            Ok(key) => key,
            Err(TargetError::Empty) => {
                return Err(IncludeProblem::Missing {
                    target,
                    tried: String::new(),
                    case_differs: None,
                });
            }
            Err(TargetError::Absolute) => {
                return Err(IncludeProblem::Refused {
                    tried: target.clone(),
                    target,
                    root: None,
                });
            }
        };
        if stack.iter().any(|k| *k == key) {
            let mut chain: Vec<String> = stack.iter().map(|k| (*k).to_owned()).collect();
            chain.push(key);
            return Err(IncludeProblem::Cycle { chain });
        }
        if stack.len() >= MAX_DEPTH {
            return Err(IncludeProblem::TooDeep { target });
        }
        let (key, text) = text_at(self.includes, key, target)?;
        let mut sites = source.sites.to_vec();
        sites.push(IncludeSite {
            file: source.key,
            text: source.text,
            span,
        });
        let included = FileText {
            key: Some(key),
            path: key,
            text,
            sites: Rc::from(sites),
        };
        let (start, body) = include_body(text);
        let inner = Layout {
            prefix: format!("{}{}", layout.prefix, d.quote_prefix),
            inline: layout.inline || !d.block,
        };
        stack.push(key);
        let directives = find_includes(body);
        self.splice_file(
            &included,
            start,
            start + body.len(),
            directives,
            &inner,
            stack,
        );
        stack.pop();
        Ok(())
    }
}

/// The text of the include file at `key` (with the stored key), or why
/// the directive naming it as `target` gets none.
fn text_at(
    includes: &Includes,
    key: String,
    target: String,
) -> Result<(&str, &str), IncludeProblem> {
    match includes.entry(&key) {
        None => Err(IncludeProblem::Missing {
            target,
            tried: key,
            case_differs: None,
        }),
        Some((
            _,
            IncludeFile::Missing {
                tried,
                case_differs,
            },
        )) => Err(IncludeProblem::Missing {
            target,
            tried: tried.clone(),
            case_differs: case_differs.clone(),
        }),
        Some((_, IncludeFile::Refused { tried, root })) => Err(IncludeProblem::Refused {
            target,
            tried: tried.clone(),
            root: Some(root.clone()),
        }),
        Some((_, IncludeFile::Unreadable { tried, error })) => Err(IncludeProblem::Unreadable {
            target,
            tried: tried.clone(),
            error: error.clone(),
        }),
        Some((key, IncludeFile::Text(text))) => Ok((key, text.as_str())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_are_found_with_their_shape() {
        let text = "intro\n[!INCLUDE [permissions-table](../includes/permissions/user-delete-permissions.md)]\n> [!include[note]( ../includes/note.md )]\n| a | [!INCLUDE [x](cell.md)] |\n";
        let found = find_includes(text);
        assert_eq!(found.len(), 3);
        assert_eq!(
            found[0].target,
            "../includes/permissions/user-delete-permissions.md"
        );
        assert_eq!(found[0].label, "permissions-table");
        assert!(found[0].block);
        assert_eq!(
            &text[found[0].span.start..found[0].span.end],
            "[!INCLUDE [permissions-table](../includes/permissions/user-delete-permissions.md)]"
        );
        assert_eq!(found[1].target, "../includes/note.md");
        assert!(found[1].block);
        assert_eq!(found[1].quote_prefix, "> ");
        assert_eq!(
            &text[found[1].span.start..found[1].span.end],
            "[!include[note]( ../includes/note.md )]"
        );
        assert!(!found[2].block);
    }

    #[test]
    fn fences_comments_and_other_tabs_hold_no_directives() {
        let text = "```md\n[!INCLUDE [a](a.md)]\n```\n<!--\n[!INCLUDE [b](b.md)]\n-->\n# [HTTP](#tab/http)\n[!INCLUDE [c](c.md)]\n# [C#](#tab/csharp)\n[!INCLUDE [sample-code](../includes/snippets/csharp/x.md)]\n---\n[!INCLUDE [d](d.md)]\n";
        let targets: Vec<String> = find_includes(text).into_iter().map(|d| d.target).collect();
        assert_eq!(targets, ["c.md", "d.md"]);
    }

    #[test]
    fn targets_resolve_lexically_against_the_including_file() {
        let r = |from, to| resolve_target(from, to);
        assert_eq!(
            r("api/user-delete.md", "../includes/permissions/x.md"),
            Ok("includes/permissions/x.md".into())
        );
        assert_eq!(
            r("api/a.md", "../../includes/all-clouds.md"),
            Ok("../includes/all-clouds.md".into())
        );
        assert_eq!(
            r("api/a.md", "../../../concepts/includes/x.md"),
            Ok("../../concepts/includes/x.md".into())
        );
        assert_eq!(
            r("includes/note.md", "link.md"),
            Ok("includes/link.md".into())
        );
        assert_eq!(r("a.md", "./b\\c.md#top"), Ok("b/c.md".into()));
        assert_eq!(r("a.md", "/etc/passwd"), Err(TargetError::Absolute));
        assert_eq!(r("a.md", "C:\\x.md"), Err(TargetError::Absolute));
        assert_eq!(r("a.md", "https://x/y.md"), Err(TargetError::Absolute));
        assert_eq!(r("a.md", " "), Err(TargetError::Empty));
    }

    #[test]
    fn include_bodies_lose_front_matter_and_the_last_line_break() {
        assert_eq!(include_body("|a|\n|-|\n"), (0, "|a|\n|-|"));
        let text = "---\ndescription: x\nms.topic: include\n---\n|a|\n|-|";
        let (start, body) = include_body(text);
        assert_eq!(body, "|a|\n|-|");
        assert_eq!(&text[start..], "|a|\n|-|");
        assert_eq!(include_body("\u{feff}x\n").1, "x");
        assert_eq!(include_body("").1, "");
    }
}
