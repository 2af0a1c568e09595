//! Reading pages: markdown and front matter in, a [`Page`] with source
//! positions out, plus diagnostics. Reading never fails and never panics.

pub mod annotation;
pub mod front_matter;
pub mod http;
pub mod include;
pub mod markdown;
pub mod page;
pub mod sections;

pub use page::*;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::{SourceMap, Span};
use include::{IncludeProblem, Includes};

/// Reads one page that includes nothing: every `[!INCLUDE]` directive is
/// reported as missing. `file` is the path used in diagnostics.
pub fn parse_page(file: &str, text: &str) -> (Page, Vec<Diagnostic>) {
    parse_page_with(file, text, &Includes::new())
}

/// Reads one page, splicing in its includes from `includes` first.
pub fn parse_page_with(file: &str, text: &str, includes: &Includes) -> (Page, Vec<Diagnostic>) {
    let spliced = include::splice(file, text, includes);
    let (read, pieces, problems) = match spliced {
        Some(s) => (std::borrow::Cow::Owned(s.text), s.pieces, s.problems),
        None => (std::borrow::Cow::Borrowed(text), Vec::new(), Vec::new()),
    };
    let map = if pieces.is_empty() {
        SourceMap::new(text)
    } else {
        SourceMap::spliced(&read, text, pieces)
    };
    let text: &str = &read;
    let mut diags = Diagnostics::new(file, &map);
    for (span, problem) in problems {
        report_include(&mut diags, span, problem);
    }
    let split = front_matter::parse_front_matter(text, &mut diags);
    let blocks = markdown::parse_blocks(&text[split.body_start..], split.body_start, &mut diags);
    let sections = sections::build_sections(blocks, &mut diags);
    let mut page = Page {
        file: file.to_owned(),
        front_matter: split.front_matter,
        sections,
        request_lines: Vec::new(),
        examples: Vec::new(),
    };
    page.request_lines = read_request_lines(&page, &mut diags);
    page.examples = read_examples(&page, &mut diags);
    check_permissions(&page, &mut diags);
    check_todo_cells(&page, &mut diags);
    (page, diags.finish())
}

fn report_include(diags: &mut Diagnostics<'_>, span: Span, problem: IncludeProblem) {
    match problem {
        IncludeProblem::Missing { target, tried } => diags.push(
            Code::IncludeMissing,
            span,
            format!("include `{target}` was not found"),
            format!(
                "looked for `{tried}` (relative to the docs folder); the rest of the page is read without it"
            ),
        ),
        IncludeProblem::Refused { target, tried, root } => diags.push(
            Code::IncludeRefused,
            span,
            format!("include `{target}` is outside the include root and was not read"),
            match root {
                Some(root) => format!(
                    "it resolves to `{tried}`, outside the include root `{root}` (paths relative to the docs folder); move the file under the root or pass `--include-root`"
                ),
                None => "write the target as a path relative to this file".to_owned(),
            },
        ),
        IncludeProblem::Unreadable {
            target,
            tried,
            error,
        } => diags.push(
            Code::IncludeUnreadable,
            span,
            format!("include `{target}` could not be read"),
            format!("reading `{tried}` failed ({error}); the rest of the page is read without it"),
        ),
        IncludeProblem::Cycle { chain } => diags.push(
            Code::IncludeCycle,
            span,
            format!("include cycle: {}", chain.join(" -> ")),
            "the cycle was cut here; remove one of the directives",
        ),
        IncludeProblem::TooDeep { target } => diags.push(
            Code::IncludeTooDeep,
            span,
            format!(
                "include `{target}` nests more than {} levels deep and was not read",
                include::MAX_DEPTH
            ),
            "flatten the includes",
        ),
    }
}

fn loc_at(diags: &Diagnostics<'_>, offset: usize, len: usize) -> Loc {
    Loc::at(diags.map(), Span::new(offset, offset + len))
}

/// The page offset of byte `offset` of a code block's content.
fn code_offset(code: &CodeBlock, offset: usize) -> usize {
    let line = code.text[..offset.min(code.text.len())]
        .matches('\n')
        .count();
    let line_start = code.text[..offset.min(code.text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    code.line_offsets
        .get(line)
        .map_or(code.at.read.start, |start| start + (offset - line_start))
}

fn read_request_lines(page: &Page, diags: &mut Diagnostics<'_>) -> Vec<RequestLine> {
    let mut lines = Vec::new();
    let http_sections: Vec<&Section> = page.sections_of(SectionKind::HttpRequest).collect();
    if http_sections.is_empty() && page.doc_type() == Some(&DocType::Api) {
        // Some pages give their request lines under descriptive headings
        // (`## Get the tenant's root site`). Read those, and say so.
        let mut found = Vec::new();
        for section in page.all_sections().filter(|s| s.kind == SectionKind::Other) {
            for code in section
                .code_blocks()
                .filter(|c| c.lang == "http" && c.annotation.is_none())
            {
                let mut sink = Diagnostics::new(&page.file, diags.map());
                let mut lines = Vec::new();
                read_code_block_lines(code, &mut sink, &mut lines);
                if !lines.is_empty() && sink.finish().is_empty() {
                    found.push((section, lines));
                }
            }
        }
        if let Some((first, _)) = found.first() {
            diags.push(
                Code::RequestLinesOutsideSection,
                first.at.read,
                format!("request lines are under `{}`, not under an `HTTP request` section", first.heading),
                "put the request lines under a `## HTTP request` heading; they were read from where they are",
            );
            return found.into_iter().flat_map(|(_, lines)| lines).collect();
        }
        let span = page.sections.first().map_or(Span::default(), |s| s.at.read);
        let help = if page.sections_of(SectionKind::Properties).next().is_some() {
            "the page has a `Properties` section: if it describes a type, set `doc_type: resourcePageType`"
        } else {
            "add a `## HTTP request` section with a ```http block such as `GET /users/{id}`"
        };
        diags.push(
            Code::HttpSectionMissing,
            span,
            "api page has no `HTTP request` section",
            help,
        );
    }
    for section in http_sections {
        // Sub-sections (`### For a specific user`) belong to the HTTP request section too,
        // unless they are themselves another kind of section.
        for part in section
            .walk()
            .filter(|s| s.kind == SectionKind::HttpRequest || s.kind == SectionKind::Other)
        {
            for code in part.code_blocks() {
                read_code_block_lines(code, diags, &mut lines);
            }
        }
    }
    lines
}

fn read_code_block_lines(
    code: &CodeBlock,
    diags: &mut Diagnostics<'_>,
    lines: &mut Vec<RequestLine>,
) {
    if code.text.trim().is_empty() {
        diags.push(
            Code::HttpBlockEmpty,
            code.at.read,
            "code block in the `HTTP request` section has no request line",
            "write the request line, e.g. `PATCH /deviceManagement/deviceManagementScripts/{deviceManagementScriptId}/userRunStates/{deviceManagementScriptUserStateId}`",
        );
        return;
    }
    // Consecutive lines that are not request lines (headers and a pasted body,
    // say) are reported once, as a run.
    let mut run: Option<(Loc, String, usize, bool)> = None;
    let mut text_offset = 0;
    for raw in code.text.split_inclusive('\n') {
        let start = code_offset(code, text_offset + (raw.len() - raw.trim_start().len()));
        text_offset += raw.len();
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let at = loc_at(diags, start, line.len());
        match http::parse_request_line(line) {
            Ok(parts) => {
                flush_run(&mut run, diags);
                if !parts.irregular.is_empty() {
                    diags.push(
                        Code::RequestLineIrregular,
                        at.read,
                        format!(
                            "request line `{line}` is irregular: {}",
                            parts.irregular.join(", ")
                        ),
                        format!("write it as `{} {}`", parts.method.as_str(), parts.path),
                    );
                }
                lines.push(RequestLine {
                    at,
                    method: parts.method,
                    path: parts.path,
                    query: parts.query,
                });
            }
            Err(http::LineProblem::NoPath(method)) => {
                flush_run(&mut run, diags);
                diags.push(
                    Code::RequestLineNoPath,
                    at.read,
                    format!("request line `{line}` has no path"),
                    format!(
                        "write the resource path after the method, e.g. `{} /users/{{id}}`",
                        method.as_str()
                    ),
                );
            }
            Err(problem) => match run.as_mut() {
                Some((_, _, count, _)) => *count += 1,
                None => run = Some((at, line.to_owned(), 1, problem == http::LineProblem::Header)),
            },
        }
    }
    flush_run(&mut run, diags);
}

fn flush_run(run: &mut Option<(Loc, String, usize, bool)>, diags: &mut Diagnostics<'_>) {
    let Some((at, first, count, header)) = run.take() else {
        return;
    };
    let what = if header { "header line" } else { "line" };
    let message = if count == 1 {
        format!("{what} `{first}` in the `HTTP request` block is not a request line")
    } else {
        format!("{count} lines from `{first}` on in the `HTTP request` block are not request lines")
    };
    let help = if header {
        "move headers to the `Request headers` table and bodies to the examples; the lines were ignored"
    } else {
        "request lines read `METHOD /path`; move prose and code out of the block; the lines were ignored"
    };
    diags.push(Code::RequestLineInvalid, at.read, message, help);
}

/// What an example block is, judged from its annotation, heading and first line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ExampleKind {
    Request,
    Response,
}

fn read_examples(page: &Page, diags: &mut Diagnostics<'_>) -> Vec<Example> {
    let mut out = Vec::new();
    for section in &page.sections {
        collect_examples(section, false, diags, &mut out);
    }
    out
}

fn collect_examples(
    section: &Section,
    in_examples: bool,
    diags: &mut Diagnostics<'_>,
    out: &mut Vec<Example>,
) {
    let in_examples = in_examples
        || matches!(
            section.kind,
            SectionKind::Examples | SectionKind::ExampleRequest | SectionKind::ExampleResponse
        );
    for code in section.code_blocks() {
        if in_examples && code.text.trim().is_empty() {
            diags.push(
                Code::CodeBlockEmpty,
                code.at.read,
                "code block in the examples is empty",
                "write the example request or response, or remove the empty fence",
            );
            continue;
        }
        if let Some(kind) = example_kind(section, code, in_examples, diags) {
            out.push(read_example(code, kind, diags));
        }
    }
    for child in &section.children {
        collect_examples(child, in_examples, diags, out);
    }
}

fn example_kind(
    section: &Section,
    code: &CodeBlock,
    in_examples: bool,
    diags: &mut Diagnostics<'_>,
) -> Option<ExampleKind> {
    if let Some(annotation) = &code.annotation {
        return match annotation.block_type().as_deref() {
            Some("request") => Some(ExampleKind::Request),
            Some("response") => Some(ExampleKind::Response),
            _ => None,
        };
    }
    if !in_examples || !matches!(code.lang.as_str(), "http" | "" | "json") {
        return None;
    }
    let first = code.text.trim_start().lines().next().unwrap_or("").trim();
    if http::parse_status_line(first).is_some() {
        return Some(ExampleKind::Response);
    }
    let starts_with_method = first
        .split_whitespace()
        .next()
        .is_some_and(|w| page::Method::from_name(w).is_some_and(|m| m.as_str() == w));
    if starts_with_method {
        return Some(ExampleKind::Request);
    }
    match section.kind {
        SectionKind::ExampleResponse => Some(ExampleKind::Response),
        SectionKind::ExampleRequest if code.lang == "http" => Some(ExampleKind::Request),
        _ if code.lang == "http" && !code.text.trim().is_empty() => {
            diags.push(
                Code::ExampleUnclassified,
                code.at.read,
                "code block in the examples is neither a request nor a response",
                "annotate it with `<!-- { \"blockType\": \"request\" } -->` or start it with `METHOD URL` or `HTTP/1.1 200 OK`",
            );
            None
        }
        _ => None,
    }
}

fn read_example(code: &CodeBlock, kind: ExampleKind, diags: &mut Diagnostics<'_>) -> Example {
    let annotation = code.annotation.as_ref();
    let name = annotation
        .and_then(|a| a.get_str("name"))
        .map(str::to_owned);
    let truncated = annotation.is_some_and(|a| a.get_bool("truncated"));
    let parts = http::split_message(&code.text);
    let start_offset = code_offset(code, offset_in(&code.text, parts.start_line));
    let start_loc = loc_at(diags, start_offset, parts.start_line.len());
    let has_status = http::parse_status_line(parts.start_line).is_some();
    // A body-only block (a ```json response) has no start line: the body is the whole text.
    let (body_text, headers_present) =
        if kind == ExampleKind::Response && !has_status && parts.start_line.starts_with(['{', '['])
        {
            (code.text.trim(), false)
        } else {
            (parts.body, true)
        };
    let message = match kind {
        ExampleKind::Request => {
            let mut req = http::example_request(&parts);
            check_request_start(&req, &start_loc, diags);
            req.body = read_body(code, body_text, truncated, diags);
            ExampleMessage::Request(req)
        }
        ExampleKind::Response => {
            let mut resp = if headers_present {
                http::example_response(&parts)
            } else {
                ExampleResponse {
                    status: None,
                    headers: Vec::new(),
                    body: Body::None,
                }
            };
            check_status_line(code, parts.start_line, headers_present, &start_loc, diags);
            resp.body = read_body(code, body_text, truncated, diags);
            ExampleMessage::Response(resp)
        }
    };
    Example {
        at: code.at,
        name,
        annotation: annotation.map(|a| a.value.clone()),
        message,
    }
}

fn offset_in(whole: &str, part: &str) -> usize {
    (part.as_ptr() as usize)
        .checked_sub(whole.as_ptr() as usize)
        .filter(|o| *o <= whole.len())
        .unwrap_or(0)
}

fn check_request_start(req: &ExampleRequest, at: &Loc, diags: &mut Diagnostics<'_>) {
    if req.method.is_none() {
        diags.push(
            Code::ExampleRequestLine,
            at.read,
            format!(
                "example request starts with `{}`, not `METHOD URL`",
                req.url
            ),
            "start the example with a line such as `GET https://graph.microsoft.com/v1.0/me`",
        );
        return;
    }
    let line = format!("GET {}", req.url);
    if let Err(http::LineProblem::NoPath(_)) = http::parse_request_line(&line) {
        diags.push(
            Code::ExampleRequestLine,
            at.read,
            format!("example request URL `{}` has no resource path", req.url),
            "give the full URL, e.g. `https://graph.microsoft.com/v1.0/users/{id}`",
        );
    }
}

fn check_status_line(
    code: &CodeBlock,
    line: &str,
    has_start: bool,
    at: &Loc,
    diags: &mut Diagnostics<'_>,
) {
    let status = if has_start {
        http::parse_status_line(line)
    } else {
        None
    };
    match status {
        Some(http::StatusLine {
            status: Some(code_),
            irregular: true,
        }) => diags.push(
            Code::ExampleStatusLine,
            at.read,
            format!("status line `{line}` is irregular; read as {code_}"),
            format!("write `HTTP/1.1 {code_} ...`"),
        ),
        Some(http::StatusLine { status: None, .. }) => diags.push(
            Code::ExampleStatusLine,
            at.read,
            format!("status line `{line}` has no status code"),
            "write a status line such as `HTTP/1.1 200 OK`",
        ),
        Some(_) => {}
        None if code.lang == "http" => diags.push(
            Code::ExampleStatusLine,
            code.at.read,
            "example response has no status line",
            "start the response with a status line such as `HTTP/1.1 200 OK`",
        ),
        None => {}
    }
}

fn read_body(code: &CodeBlock, body: &str, truncated: bool, diags: &mut Diagnostics<'_>) -> Body {
    let body_offset = code_offset(code, offset_in(&code.text, body));
    let (parsed, error) = match http::parse_body(body) {
        http::BodyReading::Read(body) => (body, None),
        http::BodyReading::Recovered(body, why) => {
            diags.push(
                Code::ExampleJsonRecovered,
                loc_at(diags, body_offset, 1).read,
                format!("example body is not valid JSON ({why}) and was read leniently"),
                "write the example as strict JSON: no comments, no trailing commas",
            );
            (body, None)
        }
        http::BodyReading::Invalid(body, error) => (body, Some(error)),
    };
    if let Some(error) = error {
        let looks_cut = truncated || body.contains("...") || body.contains('…');
        let (code_, help) = if looks_cut {
            (
                Code::ExampleJsonTruncated,
                "the example is shortened; it was kept as text",
            )
        } else {
            (
                Code::ExampleJsonInvalid,
                "fix the JSON; the body was kept as text",
            )
        };
        let message = error.split(" at line ").next().unwrap_or(&error).to_owned();
        diags.push(
            code_,
            loc_at(diags, body_offset, 1).read,
            format!("example body is not valid JSON: {message}"),
            help,
        );
    }
    if let Body::Json(value) = &parsed {
        let found = http::find_placeholders(value);
        if let Some((path, value)) = found.first() {
            let more = if found.len() > 1 {
                format!(" and {} more", found.len() - 1)
            } else {
                String::new()
            };
            diags.push(
                Code::PlaceholderValue,
                loc_at(diags, body_offset, 1).read,
                format!(
                    "example uses the type name \"{value}\" as the value of `{}`{more}",
                    path.trim_start_matches('.')
                ),
                "replace type names with realistic example values",
            );
        }
    }
    parsed
}

/// Stub pages leave `**TODO: ...**` where a description or type belongs.
fn check_todo_cells(page: &Page, diags: &mut Diagnostics<'_>) {
    for section in page.all_sections() {
        for table in section.tables() {
            for row in &table.rows {
                if let Some(todo) = row
                    .cells
                    .iter()
                    .find_map(|c| front_matter::todo_placeholder(&c.text))
                {
                    diags.push(
                        Code::TemplatePlaceholder,
                        row.at.read,
                        format!("table cell is the stub placeholder `{todo}`"),
                        "replace the placeholder with the real text; the row was read as it is",
                    );
                }
            }
        }
    }
}

fn check_permissions(page: &Page, diags: &mut Diagnostics<'_>) {
    if page.doc_type() == Some(&DocType::Api) && !page.request_lines.is_empty() {
        let sections: Vec<&Section> = page.sections_of(SectionKind::Permissions).collect();
        let has_table = sections
            .iter()
            .any(|s| s.walk().any(|part| part.tables().next().is_some()));
        if !has_table {
            let (at, message) = match sections.first() {
                Some(section) => (
                    section.at.read,
                    "the `Permissions` section has no permissions table",
                ),
                None => (
                    page.sections.first().map_or(Span::default(), |s| s.at.read),
                    "api page lists no permissions",
                ),
            };
            diags.push(
                Code::PermissionsMissing,
                at,
                message,
                "add a `## Permissions` table (or an `[!INCLUDE]` of one) with the least privileged permission for each permission type",
            );
        }
    }
    for section in page.sections_of(SectionKind::Permissions) {
        for table in section.tables() {
            let Some(col) = table
                .header
                .iter()
                .position(|h| h.text.to_ascii_lowercase().contains("permissions"))
            else {
                continue;
            };
            let named = table
                .rows
                .iter()
                .any(|r| r.cells.get(col).is_some_and(|c| !c.text.trim().is_empty()));
            if !named && !table.rows.is_empty() {
                diags.push(
                    Code::PermissionsEmpty,
                    table.at.read,
                    "permissions table names no permission",
                    "fill in the least privileged permission for each permission type, or `Not supported.`",
                );
            }
        }
    }
}
