//! Examples as tests of the client: each request/response example pair is
//! read against its endpoint, to find the call it makes (which path, with
//! what values, which query options). The emitter replays every pair that
//! has a call as a generated test; every pair that cannot be replayed gets
//! an `example-not-testable` note that says why.

use std::collections::BTreeSet;

use percent_encoding::percent_decode_str;

use crate::base::diagnostics::{Code, Diagnostic};
use crate::model::api::{
    Api, ArgKind, Endpoint, ExampleCall, ExamplePair, Primitive, RequestBody, TypeRef,
};
use crate::model::path::{ArgValue, PathTemplate, Segment, split_segments};

/// Sets `call` on every example pair that can become a test; notes the rest.
/// `disagreeing` holds the pairs the example checks found fault with.
pub fn plan_example_calls(
    api: &mut Api,
    disagreeing: &BTreeSet<(usize, usize)>,
    diags: &mut Vec<Diagnostic>,
) {
    use rayon::prelude::*;
    let model: &Api = api;
    let key_types = model.key_types();
    // Each example on its own, on every thread; the outcomes in order.
    let outcomes: Vec<(usize, usize, Result<ExampleCall, String>)> = model
        .endpoints
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, e)| {
            let key_types = &key_types;
            e.examples
                .iter()
                .enumerate()
                // A response shown alone is no request/response pair.
                .filter(|(_, x)| x.request_url.is_some())
                .map(move |(j, x)| {
                    let outcome = if disagreeing.contains(&(i, j)) {
                        Err("it disagrees with the model (see the example diagnostics at this block)"
                            .to_owned())
                    } else {
                        call_of(model, e, x, key_types)
                    };
                    (i, j, outcome)
                })
        })
        .collect();
    let mut calls = Vec::new();
    for (i, j, outcome) in outcomes {
        let (e, x) = (&model.endpoints[i], &model.endpoints[i].examples[j]);
        match outcome {
            Ok(call) => calls.push((i, j, call)),
            Err(reason) => {
                let name = x.name.as_deref().unwrap_or("unnamed");
                diags.push(Diagnostic {
                    code: Code::ExampleNotTestable,
                    file: x.source.file.clone(),
                    line: x.source.line,
                    column: x.source.column,
                    span: x.source.span,
                    message: format!(
                        "example `{name}` of `{}` is not replayed as a test: {reason}",
                        e.name.api
                    ),
                    help: "make the example request and response agree with the page's tables and paths, so the generated crate can test it".to_owned(),
                    related: Vec::new(),
                    fix: None,
                });
            }
        }
    }
    for (i, j, call) in calls {
        api.endpoints[i].examples[j].call = Some(call);
    }
}

/// The call an example makes, or why it cannot be replayed.
fn call_of(
    api: &Api,
    e: &Endpoint,
    x: &ExamplePair,
    key_types: &std::collections::BTreeMap<&str, Primitive>,
) -> Result<ExampleCall, String> {
    let url = x.request_url.as_deref().unwrap_or_default();
    let (path, query) = split_url(url);
    let mut found = None;
    for (n, template) in std::iter::once(&e.path)
        .chain(&e.alternate_paths)
        .enumerate()
    {
        if let Some((arguments, sent)) = match_path(template, &path) {
            found = Some((n, template, arguments, sent));
            break;
        }
    }
    let Some((n, template, arguments, sent_path)) = found else {
        return Err(format!(
            "its URL path `{path}` does not follow `{}` or the endpoint's other paths",
            e.path
        ));
    };
    check_arguments(api, template, &arguments, e, key_types)?;
    match &e.request_body {
        RequestBody::Resource { .. } | RequestBody::Parameters { .. }
            if x.request_body.is_none() =>
        {
            return Err("the request has no JSON body, and the endpoint takes one".to_owned());
        }
        RequestBody::Stream => return Err("the request body is binary".to_owned()),
        _ => {}
    }
    if let Some(status) = x.response_status {
        if !(200..300).contains(&status) {
            return Err(format!("the response is not a success ({status})"));
        }
    }
    if e.sends_reference(template)
        && !x
            .request_body
            .as_ref()
            .is_some_and(|b| b.get("@odata.id").is_some_and(serde_json::Value::is_string))
    {
        return Err(
            "a `$ref` call sends `{\"@odata.id\": url}`, and the example request does not"
                .to_owned(),
        );
    }
    let no_content = e.returns_no_content();
    let wrapped = match &e.response.body {
        Some(TypeRef::Primitive(_)) => true,
        Some(TypeRef::Named(n)) => api
            .type_named(n)
            .is_some_and(|t| t.kind == crate::model::TypeKind::Enum),
        _ => false,
    };
    if !no_content && (e.response.collection || wrapped) {
        let has_value = x
            .response_body
            .as_ref()
            .is_some_and(|b| b.get("value").is_some());
        if x.response_body.is_some() && !has_value {
            return Err(if e.response.collection {
                "the endpoint returns a collection, but the example response has no `value` list"
                    .to_owned()
            } else {
                "the endpoint returns a single value, which Graph wraps as `{\"value\": ...}`, and the example response does not".to_owned()
            });
        }
    }
    match &e.response.body {
        _ if no_content => {}
        Some(TypeRef::Primitive(Primitive::Stream)) => {
            return Err("the response body is binary".to_owned());
        }
        _ if x.response_body.is_none() => {
            return Err("the response has no JSON body".to_owned());
        }
        _ => {}
    }
    let query = query
        .map(|q| {
            q.split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    (decode(k), decode(v))
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(ExampleCall {
        path: n,
        arguments,
        sent_path,
        query,
    })
}

/// The URL's path (without scheme, host and version) and its query.
fn split_url(url: &str) -> (String, Option<&str>) {
    let url = url.trim();
    let (before, query) = match url.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (url, None),
    };
    let mut path = before;
    if let Some(rest) = path.split_once("://").map(|(_, r)| r) {
        path = rest.find('/').map_or("", |i| &rest[i..]);
    }
    for version in ["/v1.0", "/beta"] {
        if let Some(rest) = path.strip_prefix(version) {
            if rest.is_empty() || rest.starts_with('/') {
                path = rest;
            }
        }
    }
    let path = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    };
    let trimmed = path.trim_end_matches('/');
    let path = if trimmed.is_empty() { "/" } else { trimmed };
    (path.to_owned(), query)
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// The values of `template`'s placeholders in `path`, in order, or `None`
/// when the path does not follow the template.
fn match_path(template: &PathTemplate, path: &str) -> Option<(Vec<String>, String)> {
    let raw = split_segments(path);
    if raw.len() != template.segments.len() {
        return None;
    }
    let mut values = Vec::new();
    // What the client sends: names as the template spells them (Graph
    // reads paths case-insensitively, and examples vary), values as the
    // example has them.
    let mut sent = String::new();
    for (segment, raw) in template.segments.iter().zip(&raw) {
        let spelled = |name: &str| -> Option<String> {
            let open = raw.find('(')?;
            Some(format!("{name}{}", decode(&raw[open..])))
        };
        let part = match segment {
            Segment::Literal { name } => {
                same(name, raw).then_some(())?;
                name.clone()
            }
            Segment::Cast { type_name } => {
                same(type_name, raw).then_some(())?;
                type_name.clone()
            }
            Segment::Ref | Segment::Value | Segment::Count => {
                let name = match segment {
                    Segment::Ref => "$ref",
                    Segment::Value => "$value",
                    _ => "$count",
                };
                same(name, raw).then_some(())?;
                name.to_owned()
            }
            Segment::Key { .. } => {
                if raw.contains('(') || raw.is_empty() {
                    return None;
                }
                values.push(decode(raw));
                decode(raw)
            }
            Segment::KeyedLiteral { name, .. } => {
                let inner = call_args(raw, name)?;
                values.push(unquote(inner));
                spelled(name)?
            }
            Segment::ItemPath { base, .. } => {
                let inner = raw
                    .strip_prefix(base.as_str())
                    .and_then(|r| r.strip_prefix(":/"))
                    .and_then(|r| r.strip_suffix(':'))?;
                values.push(decode(inner));
                decode(raw)
            }
            Segment::Function { name, args } => {
                let inner = call_args(raw, name)?;
                let given = split_top_level(inner, ',');
                if given.len() != args.len() {
                    return None;
                }
                for (arg, written) in args.iter().zip(given) {
                    let (key, value) = written.split_once('=')?;
                    if !key.trim().eq_ignore_ascii_case(&arg.name) {
                        return None;
                    }
                    match &arg.value {
                        ArgValue::Literal(v) => same(v, value.trim()).then_some(())?,
                        ArgValue::Placeholder(_) => values.push(unquote(value.trim())),
                    }
                }
                spelled(name)?
            }
        };
        sent.push('/');
        sent.push_str(&part);
    }
    if sent.is_empty() {
        sent.push('/');
    }
    Some((values, sent))
}

fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b) || a.eq_ignore_ascii_case(&decode(b))
}

/// The text inside `name(...)`.
fn call_args<'r>(raw: &'r str, name: &str) -> Option<&'r str> {
    let open = raw.find('(')?;
    same(name, &raw[..open]).then_some(())?;
    raw[open + 1..].strip_suffix(')')
}

/// A function argument's value: quotes removed (and `''` undoubled), decoded.
fn unquote(value: &str) -> String {
    let value = decode(value);
    match value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
        Some(inner) => inner.replace("''", "'"),
        None => value,
    }
}

/// Splits at `sep` outside parentheses and quotes.
pub(crate) fn split_top_level(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quoted, mut start) = (0usize, false, 0);
    for (i, c) in s.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            c if c == sep && depth == 0 && !quoted => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// Typed placeholders (integer, GUID or date keys; integer, boolean, GUID,
/// date, date-time and enum function arguments) must hold values of their
/// type.
fn check_arguments(
    api: &Api,
    template: &PathTemplate,
    arguments: &[String],
    e: &Endpoint,
    key_types: &std::collections::BTreeMap<&str, Primitive>,
) -> Result<(), String> {
    let mut values = arguments.iter();
    for segment in &template.segments {
        let typed: Vec<(String, ArgKind)> = match segment {
            Segment::Key { param } => vec![(
                param.name.clone(),
                key_types
                    .get(param.name.as_str())
                    .map_or(ArgKind::Text, |p| ArgKind::of_primitive(*p)),
            )],
            Segment::KeyedLiteral { param, .. } | Segment::ItemPath { param, .. } => {
                vec![(param.name.clone(), ArgKind::Text)]
            }
            Segment::Function { args, .. } => args
                .iter()
                .filter_map(|a| match &a.value {
                    ArgValue::Placeholder(p) => Some((
                        p.name.clone(),
                        e.function_argument_kind(api, &a.name, &p.name),
                    )),
                    ArgValue::Literal(_) => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        for (name, kind) in typed {
            let Some(value) = values.next() else { break };
            if !kind.accepts(api, value) {
                return Err(format!(
                    "`{value}` is no value for `{name}`, which is typed"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_host_version_and_query() {
        let (p, q) = split_url("https://graph.microsoft.com/v1.0/users/a%40b.com?$select=id");
        assert_eq!((p.as_str(), q), ("/users/a%40b.com", Some("$select=id")));
        assert_eq!(split_url("GET /me/").0, "/GET /me");
        assert_eq!(split_url("/me/").0, "/me");
        assert_eq!(split_url("https://graph.microsoft.com/beta").0, "/");
    }

    #[test]
    fn paths_match_templates_and_yield_their_values() {
        let t = PathTemplate::parse("/users/{id}/calendarView(start='{s}',end={e})/$count");
        assert_eq!(
            match_path(
                &t,
                "/Users/a%40b.com/calendarview(start='2020-01-01',end=5)/$count"
            ),
            Some((
                vec![
                    "a@b.com".to_owned(),
                    "2020-01-01".to_owned(),
                    "5".to_owned()
                ],
                "/users/a@b.com/calendarView(start='2020-01-01',end=5)/$count".to_owned()
            ))
        );
        assert_eq!(
            match_path(&t, "/users/x/calendarView(start='a')/$count"),
            None
        );
        assert_eq!(
            match_path(&t, "/groups/x/calendarView(start='a',end=1)/$count"),
            None
        );
        let t = PathTemplate::parse("/me/drive/root:/{item-path}:/content");
        assert_eq!(
            match_path(&t, "/me/drive/root:/Docs/a.txt:/content").map(|m| m.0),
            Some(vec!["Docs/a.txt".to_owned()])
        );
        let t = PathTemplate::parse("/sites/{site-id}/lists('{list-id}')");
        assert_eq!(
            match_path(&t, "/sites/s1/lists('o''neil')").map(|m| m.0),
            Some(vec!["s1".to_owned(), "o'neil".to_owned()])
        );
    }

    #[test]
    fn typed_values_are_checked() {
        let api = Api::default();
        assert!(ArgKind::Guid.accepts(&api, "48d31887-5fad-4d73-a9f5-3c356e68a038"));
        assert!(!ArgKind::Guid.accepts(&api, "48d31887-5fad-4d73-a9f5"));
        assert!(ArgKind::Date.accepts(&api, "2021-02-03"));
        assert!(!ArgKind::Date.accepts(&api, "2021-2-03"));
        assert!(ArgKind::DateTime.accepts(&api, "2021-02-03T04:05:06Z"));
        assert!(ArgKind::DateTime.accepts(&api, "2021-02-03T04:05:06.5+01:00"));
        assert!(!ArgKind::DateTime.accepts(&api, "2021-02-03"));
        assert!(!ArgKind::DateTime.accepts(&api, "2021-02-0éT04:05:06.5+01:00"));
        assert!(!ArgKind::Int.accepts(&api, "{count}"));
        assert!(!ArgKind::Enum("period".into()).accepts(&api, "D7"));
        assert_eq!(
            split_top_level("a,b(c,d),'e,f'", ','),
            ["a", "b(c,d)", "'e,f'"]
        );
    }
}
