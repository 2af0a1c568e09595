//! Examples: request and response code blocks, told apart by their
//! annotation, heading or first line, with their status, headers and body.

use crate::base::diagnostics::{Code, Diagnostics, Fix};
use crate::base::{Loc, Method};

use super::page::*;
use super::{code_offset, http, loc_at};

/// What an example block is, judged from its annotation, heading and first line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ExampleKind {
    Request,
    Response,
}

pub(super) fn read_examples(page: &Page, diags: &mut Diagnostics<'_>) -> Vec<Example> {
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
        .is_some_and(|w| Method::from_name(w).is_some_and(|m| m.as_str() == w));
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
                    body: ExampleBody::None,
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
        }) => {
            let regular = http::regular_status_line(line);
            let fix = regular.as_ref().map(|regular| {
                Fix::one(
                    format!("write `{regular}`"),
                    at.read,
                    line.trim(),
                    regular.as_str(),
                )
            });
            diags.push_fixed(
                Code::ExampleStatusLine,
                at.read,
                format!("status line `{line}` is irregular; read as {code_}"),
                match &regular {
                    Some(regular) => format!("write `{regular}`"),
                    None => format!("write `HTTP/1.1 {code_} ...`"),
                },
                fix,
            );
        }
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

fn read_body(
    code: &CodeBlock,
    body: &str,
    truncated: bool,
    diags: &mut Diagnostics<'_>,
) -> ExampleBody {
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
    if let ExampleBody::Json(value) = &parsed {
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
