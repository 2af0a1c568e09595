//! HTTP text: request lines of the `HTTP request` section and the example
//! request and response messages.

use crate::base::Method;
use crate::base::placeholders::PLACEHOLDER_VALUES;
use crate::parse::page::{ExampleBody, ExampleRequest, ExampleResponse};

/// A request line split into its parts.
#[derive(Debug, PartialEq, Eq)]
pub struct LineParts {
    /// The method.
    pub method: Method,
    /// The path, normalised to start with `/`, without host, version or query.
    pub path: String,
    /// The query string, if any.
    pub query: Option<String>,
    /// Irregularities that were tolerated, for a note.
    pub irregular: Vec<&'static str>,
}

/// Why a line is not a usable request line.
#[derive(Debug, PartialEq, Eq)]
pub enum LineProblem {
    /// A method with no path (`PATCH https://graph.microsoft.com/beta`).
    NoPath(Method),
    /// A header line (`Content-Type: application/json`).
    Header,
    /// Anything else: prose, code, a lone word.
    NotRequest,
}

/// Reads one line of an `HTTP request` code block.
pub fn parse_request_line(line: &str) -> Result<LineParts, LineProblem> {
    let line = line.trim();
    let word_end = line
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(line.len());
    let Some(method) = Method::from_name(&line[..word_end]) else {
        return Err(if is_header(line) {
            LineProblem::Header
        } else {
            LineProblem::NotRequest
        });
    };
    let mut irregular = Vec::new();
    if &line[..word_end] != method.as_str() {
        irregular.push("the method is not in upper case");
    }
    let rest = &line[word_end..];
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        if !rest.starts_with(['/', '~']) {
            // `GETTER /x` or similar: the word only starts like a method.
            return Err(LineProblem::NotRequest);
        }
        irregular.push("there is no space after the method");
    }
    let mut target = rest.trim();
    // A trailing protocol version (`GET /me HTTP/1.1`) is not part of the path.
    if let Some(idx) = target.rfind(" HTTP/") {
        target = target[..idx].trim_end();
    }
    if target.is_empty() {
        return Err(LineProblem::NoPath(method));
    }
    let (path_part, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q.trim().to_owned())),
        None => (target, None),
    };
    let mut path = path_part.trim();
    if let Some(rest) = strip_scheme(path) {
        irregular.push("the path is an absolute URL");
        path = match rest.find('/') {
            Some(i) => &rest[i..],
            None => "",
        };
        path = strip_version(path);
    }
    if let Some(rest) = path.strip_prefix('~') {
        path = rest;
    }
    if path.is_empty() || path == "/" {
        return Err(LineProblem::NoPath(method));
    }
    if !path.starts_with(['/', '{', '$'])
        && !path.chars().next().is_some_and(|c| c.is_alphanumeric())
    {
        return Err(LineProblem::NotRequest);
    }
    let path = if path.starts_with('/') {
        path.to_owned()
    } else {
        irregular.push("the path has no leading `/`");
        format!("/{path}")
    };
    Ok(LineParts {
        method,
        path,
        query: query.filter(|q| !q.is_empty()),
        irregular,
    })
}

fn strip_scheme(path: &str) -> Option<&str> {
    let lower = path
        .get(..8)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if lower.starts_with("https://") {
        Some(&path[8..])
    } else if lower.starts_with("http://") {
        Some(&path[7..])
    } else {
        None
    }
}

fn strip_version(path: &str) -> &str {
    for version in ["/v1.0", "/beta"] {
        if let Some(rest) = path.strip_prefix(version) {
            if rest.is_empty() || rest.starts_with('/') {
                return rest;
            }
        }
    }
    path
}

fn is_header(line: &str) -> bool {
    match line.split_once(':') {
        Some((name, _)) => {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        }
        None => false,
    }
}

/// A message's start line, headers and body, split leniently.
pub struct MessageParts<'a> {
    /// The first non-empty line, trimmed.
    pub start_line: &'a str,
    /// Header lines.
    pub headers: Vec<(String, String)>,
    /// Everything after the headers, trimmed.
    pub body: &'a str,
}

/// Splits an HTTP message. Blank lines between the start line and the headers
/// are tolerated, and so is a body that follows the headers with no blank line.
pub fn split_message(text: &str) -> MessageParts<'_> {
    let mut rest = text.trim_start();
    let start_end = rest.find('\n').unwrap_or(rest.len());
    let start_line = rest[..start_end].trim();
    rest = &rest[start_end..];
    let mut headers = Vec::new();
    loop {
        let trimmed = rest.trim_start();
        let line_end = trimmed.find('\n').unwrap_or(trimmed.len());
        let line = trimmed[..line_end].trim();
        if line.is_empty() || !is_header(line) || line.starts_with(['{', '[', '"']) {
            rest = trimmed;
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        rest = &trimmed[line_end..];
    }
    MessageParts {
        start_line,
        headers,
        body: rest.trim(),
    }
}

/// How the status line of a response was written.
#[derive(Debug, PartialEq, Eq)]
pub struct StatusLine {
    /// The three-digit status, if one was found.
    pub status: Option<u16>,
    /// Whether the line deviates from `HTTP/1.1 200 OK`.
    pub irregular: bool,
}

/// Reads a response status line, whatever follows the code
/// (`HTTP/1.1 204 NoContent`, `HTTP 1.1 200 OK`, bare `HTTP/1.1 422`).
pub fn parse_status_line(line: &str) -> Option<StatusLine> {
    let line = line.trim();
    if !line
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("http"))
    {
        return None;
    }
    let rest = &line[4..];
    let slash = rest.starts_with('/');
    let mut tokens = rest.trim_start_matches('/').split_whitespace().peekable();
    let is_code = |t: &str| t.len() == 3 && t.chars().all(|c| c.is_ascii_digit());
    // A version is `1.1`, `2` or `1.0`; a three-digit token is the status itself.
    let has_version = tokens
        .peek()
        .is_some_and(|t| !is_code(t) && t.chars().all(|c| c.is_ascii_digit() || c == '.'));
    if has_version {
        tokens.next();
    }
    let status = tokens
        .next()
        .filter(|t| is_code(t))
        .and_then(|t| t.parse().ok())
        .filter(|c| (100..600).contains(c));
    let irregular = !slash || !has_version || status.is_none();
    Some(StatusLine { status, irregular })
}

/// `line`, a status line with a status code, written regularly:
/// `HTTP 1.1 200 OK` and `HTTP 200 OK` are `HTTP/1.1 200 OK`, a version
/// kept where one is given (`HTTP 2 200` is `HTTP/2 200`). `None` when
/// there is no status code to keep.
pub fn regular_status_line(line: &str) -> Option<String> {
    let line = line.trim();
    let rest = line.get(4..)?.trim_start_matches('/').trim_start();
    let is_code = |t: &str| t.len() == 3 && t.chars().all(|c| c.is_ascii_digit());
    let (first, after_first) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let (version, status, reason) = if is_code(first) {
        ("1.1", first, after_first.trim())
    } else if !first.is_empty() && first.chars().all(|c| c.is_ascii_digit() || c == '.') {
        let after_first = after_first.trim_start();
        let (second, reason) = after_first
            .split_once(char::is_whitespace)
            .unwrap_or((after_first, ""));
        (first, second, reason.trim())
    } else {
        return None;
    };
    if !is_code(status) {
        return None;
    }
    Some(if reason.is_empty() {
        format!("HTTP/{version} {status}")
    } else {
        format!("HTTP/{version} {status} {reason}")
    })
}

/// Reads a body: JSON when it looks like JSON, text otherwise. The error is the
/// JSON parse error of a body that looked like JSON but did not parse.
pub fn parse_body(body: &str) -> BodyReading {
    if body.is_empty() {
        return BodyReading::Read(ExampleBody::None);
    }
    if !body.starts_with(['{', '[']) {
        return BodyReading::Read(ExampleBody::Text(body.to_owned()));
    }
    let error = match serde_json::from_str(body) {
        Ok(value) => return BodyReading::Read(ExampleBody::Json(value)),
        Err(err) => err,
    };
    // Comments, trailing commas and raw tabs are habits JSON5 forgives.
    let flaws = crate::parse::annotation::lenient_flaws(body);
    if !flaws.is_empty() {
        let escaped = crate::parse::annotation::escape_controls_in_strings(body);
        if let Some(value) = crate::parse::annotation::lenient_json(&escaped) {
            return BodyReading::Recovered(ExampleBody::Json(value), flaws.join(", "));
        }
    }
    BodyReading::Invalid(ExampleBody::Text(body.to_owned()), error.to_string())
}

/// What reading an example body gave.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyReading {
    /// The body, as it is (JSON, text, or none).
    Read(ExampleBody),
    /// JSON that is not strict JSON but was read leniently; the string says why.
    Recovered(ExampleBody, String),
    /// Not valid JSON: kept as text, with the parser's error.
    Invalid(ExampleBody, String),
}

/// Builds an example request from a split message.
pub fn example_request(parts: &MessageParts<'_>) -> ExampleRequest {
    let (method, url) = match parts.start_line.split_once(char::is_whitespace) {
        Some((m, url)) if Method::from_name(m).is_some() => {
            (Method::from_name(m), url.trim().to_owned())
        }
        _ => (None, parts.start_line.to_owned()),
    };
    ExampleRequest {
        method,
        url,
        headers: parts.headers.clone(),
        body: ExampleBody::None,
    }
}

/// Builds an example response from a split message.
pub fn example_response(parts: &MessageParts<'_>) -> ExampleResponse {
    ExampleResponse {
        status: parse_status_line(parts.start_line).and_then(|s| s.status),
        headers: parts.headers.clone(),
        body: ExampleBody::None,
    }
}

/// JSON paths of string values that are placeholders, in document order.
pub fn find_placeholders(value: &serde_json::Value) -> Vec<(String, String)> {
    fn walk(v: &serde_json::Value, path: &mut String, out: &mut Vec<(String, String)>) {
        match v {
            serde_json::Value::String(s) if PLACEHOLDER_VALUES.contains(&s.as_str()) => {
                out.push((path.clone(), s.clone()));
            }
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(item, path, out);
                    path.truncate(len);
                }
            }
            serde_json::Value::Object(map) => {
                for (k, item) in map {
                    let len = path.len();
                    path.push('.');
                    path.push_str(k);
                    walk(item, path, out);
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut String::new(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(line: &str) -> (Method, String, Option<String>, usize) {
        let p = parse_request_line(line).unwrap_or_else(|e| panic!("{line}: {e:?}"));
        (p.method, p.path, p.query, p.irregular.len())
    }

    #[test]
    fn request_lines_in_every_shape() {
        assert_eq!(
            ok("GET /users/{id | userPrincipalName}"),
            (
                Method::Get,
                "/users/{id | userPrincipalName}".into(),
                None,
                0
            )
        );
        assert_eq!(
            ok("GET /me/drive/root:/{item-path}:/content"),
            (
                Method::Get,
                "/me/drive/root:/{item-path}:/content".into(),
                None,
                0
            )
        );
        assert_eq!(
            ok("GET https://graph.microsoft.com/v1.0/sites/{site-id}/lists?$expand=columns"),
            (
                Method::Get,
                "/sites/{site-id}/lists".into(),
                Some("$expand=columns".into()),
                1
            )
        );
        assert_eq!(
            ok("GET policies/tokenLifetimePolicies"),
            (
                Method::Get,
                "/policies/tokenLifetimePolicies".into(),
                None,
                1
            )
        );
        assert_eq!(
            ok("GET/me/events"),
            (Method::Get, "/me/events".into(), None, 1)
        );
        assert_eq!(ok("get ~/me"), (Method::Get, "/me".into(), None, 1));
        assert_eq!(
            ok("POST /groups/{id}/members/$ref"),
            (Method::Post, "/groups/{id}/members/$ref".into(), None, 0)
        );
        assert_eq!(
            ok("GET /me/drive/items/{id}/workbook/worksheets/{id|name}/range(address='{address}')"),
            (
                Method::Get,
                "/me/drive/items/{id}/workbook/worksheets/{id|name}/range(address='{address}')"
                    .into(),
                None,
                0
            )
        );
        assert_eq!(ok("GET /me HTTP/1.1"), (Method::Get, "/me".into(), None, 0));
    }

    #[test]
    fn unusable_lines_say_why() {
        assert_eq!(
            parse_request_line("PATCH https://graph.microsoft.com/beta"),
            Err(LineProblem::NoPath(Method::Patch))
        );
        assert_eq!(
            parse_request_line("DELETE"),
            Err(LineProblem::NoPath(Method::Delete))
        );
        assert_eq!(
            parse_request_line("workbook-session-id: {session-id}"),
            Err(LineProblem::Header)
        );
        assert_eq!(parse_request_line("or"), Err(LineProblem::NotRequest));
        assert_eq!(
            parse_request_line("string x = \"y\";"),
            Err(LineProblem::NotRequest)
        );
        assert_eq!(parse_request_line("GETTER/x"), Err(LineProblem::NotRequest));
    }

    #[test]
    fn status_lines_whatever_follows_the_code() {
        let s = |l| parse_status_line(l).map(|s| (s.status, s.irregular));
        assert_eq!(s("HTTP/1.1 200 OK"), Some((Some(200), false)));
        assert_eq!(s("HTTP/1.1 204 NoContent"), Some((Some(204), false)));
        assert_eq!(s("HTTP/1.1 422"), Some((Some(422), false)));
        assert_eq!(s("HTTP 1.1 200 OK"), Some((Some(200), true)));
        assert_eq!(s("HTTP/2 201 Created"), Some((Some(201), false)));
        assert_eq!(s("HTTP/1.1 OK"), Some((None, true)));
        assert_eq!(s("HTTP 201 Created"), Some((Some(201), true)));
        assert_eq!(s("HTTP/1.1  200 OK"), Some((Some(200), false)));
        assert_eq!(s("{ \"a\": 1 }"), None);
    }

    #[test]
    fn messages_split_leniently() {
        let m = split_message(
            "PATCH https://x/beta\n\nContent-Type: application/json\nContent-Length: 2\n\n{}\n",
        );
        assert_eq!(m.start_line, "PATCH https://x/beta");
        assert_eq!(m.headers.len(), 2);
        assert_eq!(m.body, "{}");
        let m = split_message(
            "HTTP 1.1 200 OK\n\nContent-Type: application/json\n{\n  \"value\": []\n}",
        );
        assert_eq!(
            m.headers,
            vec![("Content-Type".to_owned(), "application/json".to_owned())]
        );
        assert!(m.body.starts_with('{'));
    }

    #[test]
    fn placeholders_are_found_with_their_paths() {
        let v: serde_json::Value =
            serde_json::from_str(r#"[{"a": "Int32", "b": "real", "c": {"d": "String"}}]"#).unwrap();
        assert_eq!(
            find_placeholders(&v),
            vec![
                ("[0].a".to_owned(), "Int32".to_owned()),
                ("[0].c.d".to_owned(), "String".to_owned())
            ]
        );
    }

    #[test]
    fn irregular_status_lines_are_written_regularly() {
        for (line, want) in [
            ("HTTP 1.1 200 OK", Some("HTTP/1.1 200 OK")),
            ("HTTP 201 Created", Some("HTTP/1.1 201 Created")),
            ("http/1.1 204", Some("HTTP/1.1 204")),
            ("HTTP 2 404 Not Found", Some("HTTP/2 404 Not Found")),
            ("HTTP/1.1 OK", None),
            ("HTTP", None),
        ] {
            assert_eq!(regular_status_line(line).as_deref(), want, "{line}");
        }
    }
}
