//! The rustdoc of endpoint methods: title, HTTP line, keys, path
//! parameters, permissions, query options, headers, source page.

use crate::base::ident::snake_ident;
use crate::emit::rust::{code_text, doc_text};
use crate::model::{Endpoint, PathTemplate, Permissions, Placeholder, RequestBody, TypeRef};

use super::tokens::*;
use super::tree::*;

/// How a parameter's type reads in docs: `Int32`, `user collection`.
pub(super) fn type_label(ty: &TypeRef, collection: bool) -> String {
    let name = match ty {
        TypeRef::Primitive(p) => format!("{p:?}"),
        TypeRef::Named(n) => n.clone(),
        TypeRef::Unresolved(w) => w.clone(),
    };
    let name = doc_text(&name).replace('`', "");
    if collection {
        format!("{name} collection")
    } else {
        name
    }
}

pub(super) fn param_description(param: &Placeholder) -> String {
    param.written.join(" or ")
}

pub(super) fn op_docs(ctx: &Ctx<'_>, op: &Op<'_>) -> Vec<String> {
    let e = op.endpoint;
    let mut lines = Vec::new();
    let title = doc_text(&e.title);
    lines.push(if title.is_empty() {
        format!("`{}`.", e.name.api)
    } else {
        format!("{title}.").replace("..", ".")
    });
    let description = doc_text(&e.description);
    if !description.is_empty() && description != title {
        lines.push(String::new());
        lines.push(description);
    }
    lines.push(String::new());
    lines.push(format!(
        "`{} {}`",
        e.method.as_str(),
        code_text(&op.path.written)
    ));
    let others: Vec<&PathTemplate> = std::iter::once(&e.path)
        .chain(&e.alternate_paths)
        .filter(|p| p.written != op.path.written)
        .collect();
    if !others.is_empty() {
        lines.push(String::new());
        lines.push(format!(
            "Also reachable as {}.",
            others
                .iter()
                .map(|p| format!("`{} {}`", e.method.as_str(), code_text(&p.written)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let keys: Vec<String> = op
        .path
        .params()
        .iter()
        .filter(|p| p.written.len() > 1)
        .map(|p| {
            format!(
                "`{}` may be the {}",
                snake_ident(&p.name),
                param_description(p)
            )
        })
        .collect();
    if !keys.is_empty() {
        lines.push(String::new());
        lines.push(format!("Keys: {}.", keys.join("; ")));
    }
    content_lines(ctx, e, &mut lines);
    path_parameter_lines(e, &mut lines);
    permission_lines(&e.permissions, &mut lines);
    option_lines(ctx, e, &mut lines);
    lines.push(String::new());
    lines.push(format!(
        "Generated from `{}/{}`.",
        ctx.docs_label, e.source.file
    ));
    lines
}

/// How to send and read content that is not JSON, and how to wait for a
/// long-running operation.
fn content_lines(ctx: &Ctx<'_>, e: &Endpoint, lines: &mut Vec<String>) {
    let mut said = Vec::new();
    if matches!(e.request_body, RequestBody::Stream) {
        said.push(
            "Takes the content as [`Content`](crate::runtime::Content): bytes, a string, \
             `Content::file(path)` (read as it is sent) or `Content::stream(..)`, with \
             `.content_type(..)` where the documented type does not fit; a file too large \
             for one request goes through an upload session \
             ([`LargeFileUpload`](crate::runtime::LargeFileUpload))."
                .to_owned(),
        );
    }
    if matches!(response_kind(ctx.api, e), ResponseKind::Bytes) {
        let mut line = "Answers a [`Download`](crate::runtime::Download) once the headers are in: \
             read it with `.bytes()`, `.text()`, `.stream()`, `.write_to(..)` or `.save(path)`, \
             with memory bounded by a chunk; a redirect to a download URL on another host is \
             followed without the token."
            .to_owned();
        if let Some(media) = &e.response.media_type {
            line.push_str(&format!(
                " The page gives its type as `{}`.",
                code_text(media)
            ));
        }
        said.push(line);
    }
    if e.response.monitored {
        said.push(
            "Answers `202 Accepted` with a `Location` to poll: `.start_operation().await?` \
             gives the [`Operation`](crate::runtime::Operation), whose `.wait()` ends with \
             its outcome."
                .to_owned(),
        );
    }
    for line in said {
        lines.push(String::new());
        lines.push(line);
    }
}

/// The `# Path parameters` section, when the page has a table of them.
fn path_parameter_lines(e: &Endpoint, lines: &mut Vec<String>) {
    if !e.path_parameters.is_empty() {
        lines.push(String::new());
        lines.push("# Path parameters".into());
        lines.push(String::new());
        for p in &e.path_parameters {
            let description = doc_text(&p.description);
            lines.push(format!(
                "- `{}` ({}){}",
                p.name.api,
                type_label(&p.ty, p.collection),
                if description.is_empty() {
                    String::new()
                } else {
                    format!(": {description}")
                }
            ));
        }
    }
}

/// The `# Permissions` section: least privileged first, then per scenario.
fn permission_lines(permissions: &Permissions, lines: &mut Vec<String>) {
    lines.push(String::new());
    lines.push("# Permissions".into());
    lines.push(String::new());
    let list = |v: &[String]| {
        if v.is_empty() {
            "not supported.".to_owned()
        } else {
            v.iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    lines.push(format!(
        "- Delegated (work or school account): {}",
        list(&permissions.delegated_work)
    ));
    lines.push(format!(
        "- Delegated (personal Microsoft account): {}",
        list(&permissions.delegated_personal)
    ));
    lines.push(format!("- Application: {}", list(&permissions.application)));
    if !permissions.scenarios.is_empty() {
        lines.push(String::new());
        lines.push("By scenario, as the page lists them:".into());
        lines.push(String::new());
        for s in &permissions.scenarios {
            let name = if s.scenario.is_empty() {
                "In general".to_owned()
            } else {
                doc_text(s.scenario.trim_end_matches(':'))
            };
            lines.push(format!(
                "- {name}: delegated (work or school account) {}; delegated (personal Microsoft account) {}; application {}",
                list(&s.delegated_work).trim_end_matches('.'),
                list(&s.delegated_personal).trim_end_matches('.'),
                list(&s.application),
            ));
        }
    }
}

/// Query options, headers, and how a listed collection pages.
/// Whether the endpoint's page documents the `ConsistencyLevel` header, which
/// directory objects need for `$count` and `$search` (advanced queries).
pub(super) fn advanced_queries(e: &Endpoint) -> bool {
    e.headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case("consistencylevel"))
}

fn option_lines(ctx: &Ctx<'_>, e: &Endpoint, lines: &mut Vec<String>) {
    use crate::model::QueryOption;
    if !e.query_options.is_empty() {
        let opts: Vec<String> = QueryOption::ALL
            .iter()
            .filter(|(o, _)| e.query_options.contains(o))
            .map(|(_, s)| format!("`{s}`"))
            .collect();
        lines.push(String::new());
        lines.push(format!("Supports the query options {}.", opts.join(", ")));
    }
    if e.method == crate::base::Method::Get {
        // The request offers every option; say which ones the page leaves out.
        let offered = [
            QueryOption::Select,
            QueryOption::Filter,
            QueryOption::Expand,
            QueryOption::Top,
            QueryOption::Skip,
            QueryOption::OrderBy,
            QueryOption::Count,
            QueryOption::Search,
        ];
        let missing: Vec<String> = QueryOption::ALL
            .iter()
            .filter(|(o, _)| offered.contains(o) && !e.query_options.contains(o))
            .map(|(_, s)| format!("`{s}`"))
            .collect();
        if !missing.is_empty() {
            lines.push(String::new());
            lines.push(format!(
                "Not documented here: {} (see [the module docs](crate::client)).",
                missing.join(", ")
            ));
        }
        let response = e.response.body.as_ref().and_then(|t| match t {
            crate::model::TypeRef::Named(n) => ctx.field_enums.get(n.as_str()),
            _ => None,
        });
        if let Some(names) = response {
            let mut sentence = format!(
                "Property names: [`{0}`](crate::models::{0}) for `.select` and `.order_by`",
                names.field
            );
            if let Some(nav) = &names.nav {
                sentence.push_str(&format!(", [`{nav}`](crate::models::{nav}) for `.expand`"));
            }
            sentence.push('.');
            lines.push(String::new());
            lines.push(sentence);
        }
    }
    let headers: Vec<String> = e
        .headers
        .iter()
        .filter(|h| {
            !h.name.eq_ignore_ascii_case("authorization")
                && !h.name.eq_ignore_ascii_case("content-type")
        })
        .map(|h| {
            format!(
                "`{}` ({})",
                doc_text(&h.name),
                if h.required { "required" } else { "optional" }
            )
        })
        .collect();
    if !headers.is_empty() {
        lines.push(String::new());
        lines.push(format!("Headers: {}.", headers.join(", ")));
    }
    if advanced_queries(e) {
        lines.push(String::new());
        lines.push(
            "Advanced queries: sends `ConsistencyLevel: eventual` with `$count` or `$search`."
                .into(),
        );
    }
    if e.response.collection {
        lines.push(String::new());
        lines.push(
            "Returns one page; [the module docs](crate::client) say how to read them all.".into(),
        );
    }
}
