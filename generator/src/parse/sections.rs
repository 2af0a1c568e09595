//! The heading tree: recognise section names by meaning, nest sections, and
//! attach annotations to the code blocks they precede.

use crate::base::Loc;
use crate::base::diagnostics::{Code, Diagnostics, Fix};
use crate::base::source::Span;
use crate::parse::annotation::{Reading, read_annotation};
use crate::parse::markdown::RawBlock;
use crate::parse::page::{Annotation, Block, CodeBlock, Inline, Paragraph, Section, SectionKind};

/// Canonical section names and what they mean. Headings are compared after
/// lowercasing and folding punctuation to spaces.
const CANONICAL: &[(&str, SectionKind)] = &[
    ("http request", SectionKind::HttpRequest),
    ("http requests", SectionKind::HttpRequest),
    ("permissions", SectionKind::Permissions),
    ("prerequisites", SectionKind::Permissions),
    ("request headers", SectionKind::RequestHeaders),
    (
        "optional request headers",
        SectionKind::OptionalRequestHeaders,
    ),
    ("request body", SectionKind::RequestBody),
    ("response", SectionKind::Response),
    ("responses", SectionKind::Response),
    ("optional query parameters", SectionKind::QueryParameters),
    ("query parameters", SectionKind::QueryParameters),
    ("odata query parameters", SectionKind::QueryParameters),
    ("function parameters", SectionKind::FunctionParameters),
    ("parameters", SectionKind::FunctionParameters),
    ("path parameters", SectionKind::PathParameters),
    ("request", SectionKind::ExampleRequest),
    ("properties", SectionKind::Properties),
    ("relationships", SectionKind::Relationships),
    ("methods", SectionKind::Methods),
    ("json representation", SectionKind::JsonRepresentation),
    ("members", SectionKind::Members),
    ("example", SectionKind::Examples),
    ("examples", SectionKind::Examples),
];

/// Headings that are close to a canonical name by spelling but mean something else.
const KNOWN_OTHER: &[&str] = &[
    "response headers",
    "request headers example",
    "permission types",
];

fn normalise(heading: &str) -> String {
    heading
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The heading before a closing parenthetical qualifier, normalised:
/// `HTTP request (to replace an existing item)` is `http request`.
fn qualified_base(heading: &str) -> Option<String> {
    let trimmed = heading.trim();
    let open = trimmed.rfind('(')?;
    (trimmed.ends_with(')') && open > 0).then(|| normalise(&trimmed[..open]))
}

/// How a heading was recognised.
#[derive(Debug, PartialEq, Eq)]
pub struct Classified {
    /// The kind.
    pub kind: SectionKind,
    /// The canonical name, when the heading was a near miss of it.
    pub near_miss: Option<&'static str>,
}

/// Recognises a heading. `in_examples` says whether it sits in an examples part,
/// where `Request` and `Response` name example messages.
pub fn classify(heading: &str, level: u8, in_examples: bool) -> Classified {
    let found = |kind| Classified {
        kind,
        near_miss: None,
    };
    if level == 1 {
        return found(SectionKind::Title);
    }
    let key = normalise(heading);
    let first = key.split(' ').next().unwrap_or("");
    let words = key.split(' ').count();
    // `Example 2: Get a user`, `Examples`, `Example`.
    if first == "example" || first == "examples" {
        return found(SectionKind::Examples);
    }
    // `Request`, `Response 2`, `Request: with $select` inside the examples.
    if in_examples
        && (first == "request" || first == "response")
        && words <= 3
        && key != "request body"
        && key != "request headers"
    {
        return found(if first == "request" {
            SectionKind::ExampleRequest
        } else {
            SectionKind::ExampleResponse
        });
    }
    if key.ends_with(" values") || key.ends_with(" enum") {
        return found(SectionKind::Members);
    }
    if let Some((_, kind)) = CANONICAL.iter().find(|(name, _)| *name == key) {
        return found(*kind);
    }
    // A qualified heading, `HTTP request (to upload a new file)`: a page
    // with one such section for each way to call it.
    if let Some(base) = qualified_base(heading) {
        if let Some((_, kind)) = CANONICAL.iter().find(|(name, _)| *name == base) {
            return found(*kind);
        }
    }
    if KNOWN_OTHER.contains(&key.as_str()) || key.len() < 4 {
        return found(SectionKind::Other);
    }
    // The distance is at least the difference in length, and a near name
    // starts with the same letter: most names are ruled out before scoring.
    let near = CANONICAL
        .iter()
        .filter(|(name, _)| {
            name.as_bytes()[0] == key.as_bytes()[0]
                && key.len().abs_diff(name.len()) * 5 <= name.len()
        })
        .map(|(name, kind)| (strsim::damerau_levenshtein(&key, name), *name, *kind))
        .filter(|(d, name, _)| {
            *d > 0 && d * 5 <= name.len() && name.as_bytes()[0] == key.as_bytes()[0]
        })
        .min_by_key(|(d, name, _)| (*d, *name));
    match near {
        Some((_, name, kind)) => {
            let kind = match kind {
                SectionKind::ExampleRequest if !in_examples => SectionKind::Other,
                SectionKind::Response if in_examples => SectionKind::ExampleResponse,
                k => k,
            };
            Classified {
                kind,
                near_miss: (kind != SectionKind::Other).then_some(name),
            }
        }
        None => found(SectionKind::Other),
    }
}

/// A heading classified by its text, or, where the text names no known
/// section, by its anchor: the localized editions translate the text and
/// keep the English slug (`## <a name="http-request"></a>Solicitação HTTP`,
/// `#### <a name="response-2"></a>Resposta 2`).
fn classify_heading(
    heading: &str,
    anchor: Option<&str>,
    level: u8,
    in_examples: bool,
) -> Classified {
    let by_text = classify(heading, level, in_examples);
    if by_text.kind != SectionKind::Other && by_text.near_miss.is_none() {
        return by_text;
    }
    let by_anchor = anchor.map(|anchor| {
        let slug = anchor
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .trim_end_matches('-');
        let slug = if slug.is_empty() { anchor } else { slug };
        // Tab groups are named by their anchor too (`<a name="http">`).
        classify(&slug.replace('-', " "), level, in_examples)
    });
    match by_anchor {
        Some(found) if found.kind != SectionKind::Other => Classified {
            near_miss: None,
            ..found
        },
        _ => by_text,
    }
}

/// A tab marker such as `# [HTTP](#tab/http)` is not a section.
fn is_tab_marker(inline: &Inline) -> bool {
    inline.links.len() == 1
        && inline.links[0].target.starts_with("#tab/")
        && inline.text.trim() == inline.links[0].text.trim()
}

/// Builds the heading tree from the flat block list.
pub fn build_sections(blocks: Vec<RawBlock>, diags: &mut Diagnostics<'_>) -> Vec<Section> {
    let root_loc = Loc::at(diags.map(), Span::new(0, 0));
    let mut stack: Vec<Section> = vec![Section {
        at: root_loc,
        level: 0,
        heading: String::new(),
        kind: SectionKind::Other,
        blocks: Vec::new(),
        children: Vec::new(),
    }];
    let mut pending: Option<Annotation> = None;
    let mut examples_level: Option<u8> = None;

    for block in blocks {
        match block {
            RawBlock::Heading { at, level, inline } => {
                if is_tab_marker(&inline) {
                    continue;
                }
                flush_pending(&mut pending, &mut stack);
                open_section(&mut stack, &mut examples_level, at, level, &inline, diags);
            }
            RawBlock::Paragraph {
                at,
                inline,
                admonition,
            } => {
                current(&mut stack).blocks.push(Block::Paragraph(Paragraph {
                    at,
                    inline,
                    admonition,
                }));
            }
            RawBlock::Table(table) => {
                flush_pending(&mut pending, &mut stack);
                current(&mut stack).blocks.push(Block::Table(table));
            }
            RawBlock::Code {
                at,
                lang,
                text,
                line_offsets,
            } => {
                let annotation = pending.take();
                // The block's place is its fence; its span runs to the end
                // of its content, so that a fix may be placed anywhere in it.
                let end = line_offsets
                    .last()
                    .zip(text.lines().last())
                    .map_or(at.read.end, |(start, line)| start + line.len())
                    .max(at.read.end);
                let whole = Loc::at(diags.map(), Span::new(at.read.start, end));
                let at = Loc {
                    span: whole.span,
                    ..at
                };
                current(&mut stack).blocks.push(Block::Code(CodeBlock {
                    at,
                    lang,
                    text,
                    annotation,
                    line_offsets,
                }));
            }
            RawBlock::Html { at, text } => {
                if let Some(annotation) = read_html(at, &text, diags) {
                    set_pending(&mut pending, &mut stack, annotation, diags);
                }
            }
        }
    }
    flush_pending(&mut pending, &mut stack);
    into_sections(stack)
}

/// Closes the sections deeper than or level with a new heading and opens
/// its section, classified by name; `examples_level` tracks whether it lies
/// inside an examples part, where `Request` and `Response` are examples.
fn open_section(
    stack: &mut Vec<Section>,
    examples_level: &mut Option<u8>,
    at: Loc,
    level: u8,
    inline: &Inline,
    diags: &mut Diagnostics<'_>,
) {
    while stack.len() > 1 && stack.last().is_some_and(|s| s.level >= level) {
        close_top(stack);
    }
    let heading = inline.text.trim().to_owned();
    let in_examples = examples_level.is_some_and(|l| level >= l);
    let classified = classify_heading(&heading, inline.anchor.as_deref(), level, in_examples);
    match classified.kind {
        SectionKind::Examples => *examples_level = Some(level),
        SectionKind::ExampleRequest | SectionKind::ExampleResponse => {}
        _ => {
            if examples_level.is_some_and(|l| level <= l) {
                *examples_level = None;
            }
        }
    }
    if let Some(name) = classified.near_miss {
        let title = title_case(name);
        let fix = Fix::one(
            format!("rename the heading `{title}`"),
            at.read,
            heading.as_str(),
            title.as_str(),
        );
        diags.push_fixed(
            Code::SectionNameNearMiss,
            at.read,
            format!("heading `{heading}` is not a known section name"),
            format!("did you mean `{title}`? it was read as that section"),
            Some(fix),
        );
    }
    stack.push(Section {
        at,
        level,
        heading,
        kind: classified.kind,
        blocks: Vec::new(),
        children: Vec::new(),
    });
}

/// The annotation an HTML block holds, if any; malformed ones are
/// recovered or reported.
fn read_html(at: Loc, text: &str, diags: &mut Diagnostics<'_>) -> Option<Annotation> {
    let span = Span::new(at.read.start, at.read.start + text.trim_end().len());
    match read_annotation(text) {
        Reading::NotAnnotation => None,
        Reading::Invalid(why) => {
            diags.push(
                Code::AnnotationInvalid,
                span,
                format!("annotation is not valid JSON ({why})"),
                "write the annotation as a JSON object, e.g. `<!-- { \"blockType\": \"request\", \"name\": \"get_user\" } -->`",
            );
            None
        }
        Reading::Recovered(value, why) => Some(recovered(at, span, text, value, &why, true, diags)),
        Reading::Partial(value, why) => Some(recovered(at, span, text, value, &why, false, diags)),
        Reading::Valid(value) => Some(Annotation { at, value }),
    }
}

/// An annotation read leniently, reported with a fix that writes it as
/// strict JSON when all of it was read (`whole`) and the block is that one
/// comment and nothing else (the fix rewrites the comment).
fn recovered(
    at: Loc,
    span: Span,
    text: &str,
    value: serde_json::Value,
    why: &str,
    whole: bool,
    diags: &mut Diagnostics<'_>,
) -> Annotation {
    let written = &text[..text.trim_end().len()];
    let one_comment = whole
        && written.trim_start().starts_with("<!--")
        && written.ends_with("-->")
        && written.matches("<!--").count() == 1;
    let pretty = serde_json::to_string_pretty(&value)
        .ok()
        .filter(|_| one_comment);
    let fix = pretty.map(|json| {
        Fix::one(
            "write the annotation as strict JSON",
            span,
            written.trim_start(),
            format!("<!-- {json} -->"),
        )
    });
    diags.push_fixed(
        Code::AnnotationRecovered,
        span,
        format!("annotation is not valid JSON ({why}) and was read leniently"),
        "write the annotation as strict JSON: quoted keys, no trailing commas, `\\n` for line breaks",
        fix,
    );
    Annotation { at, value }
}

/// Closes every open section and returns the top-level ones (with the
/// text before the first heading as a section of its own, if any).
fn into_sections(mut stack: Vec<Section>) -> Vec<Section> {
    while stack.len() > 1 {
        close_top(&mut stack);
    }
    let root = stack.pop().map(|mut root| {
        let children = std::mem::take(&mut root.children);
        (root, children)
    });
    match root {
        Some((root, children)) if root.blocks.is_empty() => children,
        Some((root, children)) => std::iter::once(root).chain(children).collect(),
        None => Vec::new(),
    }
}

fn set_pending(
    pending: &mut Option<Annotation>,
    stack: &mut [Section],
    annotation: Annotation,
    diags: &mut Diagnostics<'_>,
) {
    check_placeholders(&annotation, diags);
    flush_pending(pending, stack);
    *pending = Some(annotation);
}

fn check_placeholders(annotation: &Annotation, diags: &mut Diagnostics<'_>) {
    if let Some(map) = annotation.value.as_object() {
        for (key, value) in map {
            if let Some(s) = value.as_str().filter(|s| s.contains("$(")) {
                diags.push(
                    Code::TemplatePlaceholder,
                    annotation.at.read,
                    format!("annotation `{key}` is the template placeholder `{s}`"),
                    "replace the placeholder with the real value, e.g. `microsoft.graph.user`",
                );
            }
        }
    }
}

fn flush_pending(pending: &mut Option<Annotation>, stack: &mut [Section]) {
    if let Some(annotation) = pending.take() {
        current(stack).blocks.push(Block::Annotation(annotation));
    }
}

fn current(stack: &mut [Section]) -> &mut Section {
    let last = stack.len() - 1;
    &mut stack[last]
}

fn close_top(stack: &mut Vec<Section>) {
    if let Some(section) = stack.pop() {
        current(stack).children.push(section);
    }
}

fn title_case(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
    .replace("http", "HTTP")
    .replace("json", "JSON")
    .replace("Http", "HTTP")
    .replace("Json", "JSON")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(h: &str, in_examples: bool) -> (SectionKind, bool) {
        let c = classify(h, 2, in_examples);
        (c.kind, c.near_miss.is_some())
    }

    #[test]
    fn headings_are_recognised_by_meaning() {
        assert_eq!(
            kind("HTTP request", false),
            (SectionKind::HttpRequest, false)
        );
        assert_eq!(
            kind("HTTP Request", false),
            (SectionKind::HttpRequest, false)
        );
        assert_eq!(
            kind("HTTP Requests", false),
            (SectionKind::HttpRequest, false)
        );
        assert_eq!(
            kind("Prerequisites", false),
            (SectionKind::Permissions, false)
        );
        assert_eq!(
            kind("Optional request headers", false),
            (SectionKind::OptionalRequestHeaders, false)
        );
        assert_eq!(
            kind("Request Body", false),
            (SectionKind::RequestBody, false)
        );
        assert_eq!(
            kind("Query parameters", false),
            (SectionKind::QueryParameters, false)
        );
        assert_eq!(
            kind("Example 2: Create a user", false),
            (SectionKind::Examples, false)
        );
        assert_eq!(
            kind("Response", true),
            (SectionKind::ExampleResponse, false)
        );
        assert_eq!(kind("Response", false), (SectionKind::Response, false));
        assert_eq!(kind("Request", true), (SectionKind::ExampleRequest, false));
        assert_eq!(
            kind("ageGroup values", false),
            (SectionKind::Members, false)
        );
        assert_eq!(kind("See also", false), (SectionKind::Other, false));
        assert_eq!(kind("Response headers", false), (SectionKind::Other, false));
        // A section for each way to call the endpoint (driveitem-put-content).
        assert_eq!(
            kind("HTTP request (to replace an existing item)", false),
            (SectionKind::HttpRequest, false)
        );
        assert_eq!(
            kind("HTTP request (to upload a new file)", false),
            (SectionKind::HttpRequest, false)
        );
        assert_eq!(
            kind("Request body (for a new file)", false),
            (SectionKind::RequestBody, false)
        );
        // A parenthesis alone names nothing.
        assert_eq!(kind("(optional)", false), (SectionKind::Other, false));
    }

    #[test]
    fn near_misses_are_read_and_reported() {
        assert_eq!(
            kind("HTTP reqeust", false),
            (SectionKind::HttpRequest, true)
        );
        assert_eq!(
            kind("Request header", false),
            (SectionKind::RequestHeaders, true)
        );
        assert_eq!(
            kind("Relationship", false),
            (SectionKind::Relationships, true)
        );
        assert_eq!(kind("Permisions", false), (SectionKind::Permissions, true));
    }
}
