//! Api pages -> draft endpoints: request lines, permissions, headers, query
//! options, parameters, body and response, with type cells not yet resolved.

use crate::base::diagnostics::diag;
use crate::base::diagnostics::{Code, Diagnostic};
use crate::base::{Loc, Method, media};
use crate::lower::cells::read_type_cell;
use crate::lower::permissions::read_permissions;
use crate::lower::types::{file_stem, read_property_table, strip_namespace};
use crate::model::api::{ExamplePair, Header, Permissions, Primitive, QueryOption, Source};
use crate::model::area::Area;
use crate::model::draft::{
    DraftEndpoint, DraftParameter, DraftProperty, DraftRequestBody, DraftResponse, DraftType,
    Origin,
};
use crate::model::path::PathTemplate;
use crate::model::types::{CellTarget, TypeCell};
use crate::parse::{
    Example, ExampleBody, ExampleMessage, ExampleResponse, Inline, Link, Page, RequestLine,
    Section, SectionKind,
};

/// Reads the endpoints of an api page; its property tables describing the
/// body's resource become draft types.
pub fn lower_api_page(
    page: &Page,
    out: &mut Vec<DraftEndpoint>,
    types: &mut Vec<DraftType>,
    diags: &mut Vec<Diagnostic>,
) {
    if page.request_lines.is_empty() {
        lower_page_without_endpoint(page, types, diags);
        return;
    }
    let (resource_stem, action) =
        name_from_title(page).unwrap_or_else(|| name_from_file(&page.file));
    let resource_hint = resource_hint(page, &resource_stem);
    let operations = group_operations(page, diags);
    if operations.is_empty() {
        // Every request line was reported as no path: the rest still counts.
        lower_page_without_endpoint(page, types, diags);
        return;
    }
    let action = action_casing(&operations, action);
    let shared = SharedParts {
        description: whole_description(page),
        permissions: read_permissions(page),
        headers: read_headers(page),
        query_options: read_query_options(page),
        function_parameters: read_parameter_tables(page, SectionKind::FunctionParameters, diags),
        path_parameters: read_parameter_tables(page, SectionKind::PathParameters, diags),
        examples: read_examples(page),
        response: read_response(page),
    };
    let actions = operation_actions(&operations, &action);
    let beside: Vec<bool> = operations
        .iter()
        .map(|op| beside_resource(op, &operations))
        .collect();
    let mut checked_content = false;
    for ((op, action), beside) in operations.into_iter().zip(actions).zip(beside) {
        // `$value` lines beside the resource's own: the body is the content,
        // and the body section describes the other operation.
        let body = match (beside, op.method) {
            (true, Method::Get | Method::Delete) => DraftRequestBody::None,
            (true, _) => DraftRequestBody::Stream,
            (false, _) => read_body(page, op.method, &resource_stem, &action, types, diags),
        };
        let response = operation_response(page, &op, &shared.response);
        let area = page_area(page, &op.path);
        let (body, function_parameters) =
            parameters_as_body(op.method, &op.path, body, &shared.function_parameters);
        if !checked_content {
            check_content_kind(page, &body, &response, diags);
            checked_content = true;
        }
        out.push(DraftEndpoint {
            resource_stem: resource_stem.clone(),
            resource_hint: resource_hint.clone(),
            action,
            title: page_title(page),
            description: shared.description.clone(),
            method: op.method,
            path: op.path,
            at: op.at,
            alternate_paths: op.alternate_paths,
            permissions: shared.permissions.clone(),
            headers: shared.headers.clone(),
            query_options: shared.query_options.clone(),
            function_parameters,
            path_parameters: shared.path_parameters.clone(),
            body,
            response,
            examples: shared.examples.clone(),
            file: page.file.clone(),
            area,
        });
    }
}

/// An action's `Parameters` table is its body's when its `Request body`
/// section has none (`driveItem: createUploadSession` puts `item` and
/// `deferCommit` there): a POST takes no function arguments unless its
/// path has some (`resizedRange(deltaRows={n}, ...)`).
fn parameters_as_body(
    method: Method,
    path: &PathTemplate,
    body: DraftRequestBody,
    parameters: &[DraftParameter],
) -> (DraftRequestBody, Vec<DraftParameter>) {
    let takes_arguments = path.written.contains('(');
    match body {
        DraftRequestBody::None
            if method == Method::Post && !parameters.is_empty() && !takes_arguments =>
        {
            (
                DraftRequestBody::Parameters(parameters.to_vec()),
                Vec::new(),
            )
        }
        body => (body, parameters.to_vec()),
    }
}

/// The text of the page's first link whose text is the resource's stem
/// (`user`), in any case: how the page spells the resource.
fn resource_hint(page: &Page, resource_stem: &str) -> Option<String> {
    page.all_sections()
        .flat_map(|s| s.paragraphs())
        .flat_map(|p| p.inline.links.iter())
        .find(|l| l.text.to_ascii_lowercase() == resource_stem)
        .map(|l| l.text.clone())
}

/// The response of one operation, from the one the page describes.
fn operation_response(page: &Page, op: &Operation, read: &DraftResponse) -> DraftResponse {
    if op.content && op.method == Method::Get {
        content_response(page, read)
    } else if op.below.is_some() {
        // What the page says it returns is the other operation's.
        DraftResponse {
            status: read.status,
            body: None,
            collection: false,
            monitored: false,
            media_type: None,
        }
    } else {
        read.clone()
    }
}

/// The area of an operation at `path` on `page`, its front matter's
/// product naming it where it can.
fn page_area(page: &Page, path: &PathTemplate) -> Area {
    Area::of(
        path,
        page.front_matter
            .extra
            .get("ms.subservice")
            .map(String::as_str),
        page.front_matter.ms_prod.as_deref(),
    )
}

/// The page's title: its front matter's, else its heading's.
fn page_title(page: &Page) -> String {
    page.front_matter
        .title
        .clone()
        .or_else(|| page.heading_title().map(str::to_owned))
        .unwrap_or_default()
}

/// What every operation of one page shares.
struct SharedParts {
    description: String,
    permissions: Permissions,
    headers: Vec<Header>,
    query_options: Vec<QueryOption>,
    function_parameters: Vec<DraftParameter>,
    path_parameters: Vec<DraftParameter>,
    examples: Vec<ExamplePair>,
    response: DraftResponse,
}

/// The page's description: its front matter's, unless that is cut off
/// mid-sentence (`"... to an event. Since there"`). Then the paragraph of
/// the page that it begins gives the rest of the sentence; without one, the
/// description ends after its last whole sentence.
fn whole_description(page: &Page) -> String {
    let written = page
        .front_matter
        .description
        .clone()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let ends_whole = |t: &str| {
        t.is_empty() || t.ends_with(['.', '!', '?', ':', ')', '`', '"', '*']) || !t.contains(". ")
    };
    if ends_whole(&written) {
        return written;
    }
    let paragraph = page
        .all_sections()
        .flat_map(|s| s.paragraphs())
        .map(|p| p.inline.text.trim())
        .find(|t| t.len() > written.len() && t.starts_with(&written));
    if let Some(text) = paragraph {
        let rest = &text[written.len()..];
        let end = rest.find(". ").map_or(rest.len(), |i| i + 1);
        return format!("{written}{}", &rest[..end]);
    }
    match written.rfind(". ") {
        Some(i) => written[..=i].to_owned(),
        None => written,
    }
}

/// A page with no usable request line yields no endpoint, but the rest
/// still counts: a body table still describes its type.
fn lower_page_without_endpoint(
    page: &Page,
    types: &mut Vec<DraftType>,
    diags: &mut Vec<Diagnostic>,
) {
    let (stem, action) = name_from_file(&page.file);
    let method = page
        .examples
        .iter()
        .find_map(|e| match &e.message {
            ExampleMessage::Request(r) => r.method,
            ExampleMessage::Response(_) => None,
        })
        .unwrap_or(Method::Post);
    read_body(page, method, &stem, &action, types, diags);
    let at = page.sections.first().map(|s| s.at).or(page.front_matter.at);
    if let Some(at) = at {
        diags.push(diag(
            &page.file,
            at,
            Code::EndpointMissing,
            "api page yields no endpoint: it has no usable request line".to_owned(),
            "see the diagnostics of its `HTTP request` section".to_owned(),
        ));
    }
}

/// The request lines of one method and one kind: one operation.
struct Operation {
    method: Method,
    /// The segments it adds below the method's first line, when it addresses
    /// a resource below that line's (`children` after `special/{name}`).
    below: Option<String>,
    /// Whether its paths end in `$value`: the content of what the others address.
    content: bool,
    /// The first line's path.
    path: PathTemplate,
    /// Where the first line is.
    at: Loc,
    /// The other lines' paths.
    alternate_paths: Vec<PathTemplate>,
}

/// The resource a path addresses, for telling operations apart: its last
/// segment (after `$value`, `$ref` and `$count` are taken off), with the
/// collection before it when that segment is a key; `/me` is `/users/{}`.
fn addressed_tail(path: &PathTemplate) -> String {
    use crate::model::path::Segment;
    let mut segments: Vec<&Segment> = path.segments.iter().collect();
    while matches!(
        segments.last(),
        Some(Segment::Value | Segment::Ref | Segment::Count)
    ) {
        segments.pop();
    }
    let text = |s: &Segment| match s {
        Segment::Literal { name } if name.eq_ignore_ascii_case("me") => "users/{}".to_owned(),
        Segment::Literal { name } => name.to_ascii_lowercase(),
        Segment::Key { .. } => "{}".to_owned(),
        other => PathTemplate {
            written: String::new(),
            segments: vec![other.clone()],
        }
        .shape()
        .to_ascii_lowercase(),
    };
    match segments.as_slice() {
        [.., before, last @ Segment::Key { .. }] => format!("{}/{}", text(before), text(last)),
        [.., last] => text(last),
        [] => String::new(),
    }
}

/// A path's shape without a last `$value`, `$ref` or `$count`.
fn base_shape(path: &PathTemplate) -> String {
    use crate::model::path::Segment;
    let mut segments = path.segments.clone();
    while matches!(
        segments.last(),
        Some(Segment::Value | Segment::Ref | Segment::Count)
    ) {
        segments.pop();
    }
    PathTemplate {
        written: String::new(),
        segments,
    }
    .shape()
}

/// Groups request lines into operations: one per method, with the lines
/// that end in `$value` (the content of the resource the others address)
/// as an operation of their own. `/me/...` beside `/users/{id}/...` is the
/// same operation. A line with a query string that addresses another
/// resource than the method's first line (`GET /me?$expand=manager` on the
/// manager's page) documents a query on another operation: it is reported
/// and not made part of this page's. Several methods are reported.
fn group_operations(page: &Page, diags: &mut Vec<Diagnostic>) -> Vec<Operation> {
    let mut operations: Vec<Operation> = Vec::new();
    let mut first_tails: Vec<(Method, String, String)> = Vec::new();
    for line in &page.request_lines {
        if let Some((segment, why)) = crate::model::path::broken_segment(&line.path) {
            diags.push(broken_line(page, line, &segment, why));
            continue;
        }
        let path = PathTemplate::parse(&line.path);
        let tail = addressed_tail(&path);
        let mut below = None;
        match first_tails.iter().find(|(m, _, _)| *m == line.method) {
            Some((_, first, _)) if line.query.is_some() && *first != tail => {
                diags.push(query_on_another_resource(page, line));
                continue;
            }
            Some((_, first, first_shape)) => {
                let shape = base_shape(&path);
                if *first != tail
                    && let Some(rest) = shape.strip_prefix(first_shape.as_str())
                    && rest.starts_with('/')
                    && !rest.contains('{')
                {
                    diags.push(subresource_line(page, line, rest));
                    below = Some(rest.to_owned());
                }
            }
            None => first_tails.push((line.method, tail, base_shape(&path))),
        }
        add_line(&mut operations, line, path, below);
    }
    let mut methods: Vec<&str> = operations.iter().map(|op| op.method.as_str()).collect();
    methods.dedup();
    if let ([first, _, ..], [_, _, ..]) = (operations.as_slice(), methods.as_slice()) {
        diags.push(diag(
            &page.file,
            first.at,
            Code::EndpointMethodsDiffer,
            format!(
                "request lines use several methods ({}); each becomes its own endpoint",
                methods.join(", ")
            ),
            "document one operation per page".to_owned(),
        ));
    }
    operations
}

/// Adds a request line, at `path`, to the operation of its method, kind
/// and segments `below` the method's first line, or makes that operation.
fn add_line(
    operations: &mut Vec<Operation>,
    line: &RequestLine,
    path: PathTemplate,
    below: Option<String>,
) {
    // `$value`, and a drive item's `/content`: the bytes of what the path
    // addresses, not JSON.
    let content = matches!(
        path.segments.last(),
        Some(crate::model::path::Segment::Value)
    ) || matches!(
        path.segments.last(),
        Some(crate::model::path::Segment::Literal { name }) if name == "content"
    );
    match operations
        .iter_mut()
        .find(|op| op.method == line.method && op.content == content && op.below == below)
    {
        Some(op) => {
            if op.path.written != path.written
                && !op.alternate_paths.iter().any(|p| p.written == path.written)
            {
                op.alternate_paths.push(path);
            }
        }
        None => operations.push(Operation {
            method: line.method,
            below,
            content,
            path,
            at: line.at,
            alternate_paths: Vec::new(),
        }),
    }
}

/// The report of a request line with `segment`, which is no path name (`why`).
fn broken_line(page: &Page, line: &RequestLine, segment: &str, why: &str) -> Diagnostic {
    diag(
        &page.file,
        line.at,
        Code::RequestLineBroken,
        format!(
            "`{} {}` has the segment `{segment}`, which is no path name: {why}",
            line.method.as_str(),
            line.path
        ),
        "write placeholders as `{name}` or `{id | userPrincipalName}` and every segment in full; \
         no method or builder is made from this line"
            .to_owned(),
    )
}

/// The report of a request line whose query addresses another resource
/// than the page's operation.
fn query_on_another_resource(page: &Page, line: &RequestLine) -> Diagnostic {
    diag(
        &page.file,
        line.at,
        Code::RequestLineQueryVariant,
        format!(
            "`{} {}?{}` queries another resource than this page's operation",
            line.method.as_str(),
            line.path,
            line.query.as_deref().unwrap_or_default()
        ),
        format!(
            "it is a query option on `{} {}`, documented by that operation's own page; \
             no method is made from this line",
            line.method.as_str(),
            line.path
        ),
    )
}

/// The report of a request line addressing `rest` below the page's operation.
fn subresource_line(page: &Page, line: &RequestLine, rest: &str) -> Diagnostic {
    diag(
        &page.file,
        line.at,
        Code::RequestLineSubresource,
        format!(
            "`{} {}` addresses `{rest}` below this page's operation",
            line.method.as_str(),
            line.path
        ),
        "document it on a page of its own, with its response type; \
         it is made an endpoint of its own with an untyped response"
            .to_owned(),
    )
}

/// The action of each operation: the page's for the first of each kind;
/// `{action}Content` for the `$value` lines beside others of the method;
/// `{action}{Method}` for a method after the first.
fn operation_actions(operations: &[Operation], action: &str) -> Vec<String> {
    let first_method = operations.first().map(|op| op.method);
    operations
        .iter()
        .map(|op| {
            let base = if Some(op.method) == first_method {
                action.to_owned()
            } else {
                format!(
                    "{action}{}",
                    capitalise(&op.method.as_str().to_ascii_lowercase())
                )
            };
            let base = match &op.below {
                Some(rest) => format!(
                    "{base}{}",
                    rest.split('/')
                        .filter(|s| !s.is_empty())
                        .map(|s| capitalise(s.trim_start_matches('$')))
                        .collect::<String>()
                ),
                None => base,
            };
            if beside_resource(op, operations) {
                format!("{base}Content")
            } else {
                base
            }
        })
        .collect()
}

/// Whether `op` is `$value` lines beside lines of its method that address
/// the resource itself.
fn beside_resource(op: &Operation, operations: &[Operation]) -> bool {
    op.content
        && operations
            .iter()
            .any(|o| o.method == op.method && !o.content)
}

/// The action's name as the path spells it (`checkMemberGroups`), else as given.
fn action_casing(operations: &[Operation], action: String) -> String {
    operations
        .iter()
        .flat_map(|op| std::iter::once(&op.path).chain(&op.alternate_paths))
        .flat_map(|p| p.segments.iter())
        .find_map(|seg| match seg {
            crate::model::path::Segment::Literal { name }
            | crate::model::path::Segment::Function { name, .. }
                if name.eq_ignore_ascii_case(&action) =>
            {
                Some(name.clone())
            }
            _ => None,
        })
        .unwrap_or(action)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// For a file name that carries no `resource-action` (`page.md`), the title
/// gives it: `Update hardwareConfigurationUserState` -> (`hardwareconfigurationuserstate`, `update`).
fn name_from_title(page: &Page) -> Option<(String, String)> {
    if file_stem(&page.file).contains('-') {
        return None;
    }
    let title = page
        .front_matter
        .title
        .as_deref()
        .or(page.heading_title())?;
    let words: Vec<&str> = title.split_whitespace().collect();
    let verb = words.first()?.to_ascii_lowercase();
    let resource = words.last()?.trim_matches(|c: char| !c.is_alphanumeric());
    let known = ["get", "list", "update", "create", "delete", "add", "remove"];
    (words.len() >= 2
        && known.contains(&verb.as_str())
        && resource.chars().all(|c| c.is_ascii_alphanumeric()))
    .then(|| (resource.to_ascii_lowercase(), verb))
}

/// `intune-deviceconfig-hardwareconfigurationuserstate-update.md` ->
/// (`hardwareconfigurationuserstate`, `update`); `user-list-members.md` -> (`user`, `listMembers`).
pub fn name_from_file(file: &str) -> (String, String) {
    let stem = file_stem(file);
    let mut parts: Vec<&str> = stem.split('-').filter(|p| !p.is_empty()).collect();
    if parts.first() == Some(&"intune") && parts.len() > 3 {
        parts.drain(..2);
    }
    let resource = parts.first().copied().unwrap_or("api").to_owned();
    let action = match parts.get(1..) {
        Some(rest) if !rest.is_empty() => rest
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if i == 0 {
                    (*p).to_owned()
                } else {
                    capitalise(p)
                }
            })
            .collect::<String>(),
        _ => "get".to_owned(),
    };
    (resource, action)
}

/// "Required" in a header's description, in English and as the localized
/// editions write it.
const REQUIRED: &[&str] = &[
    "required",
    "obrigatório",
    "必需",
    "обязательный",
    "必須",
    "erforderlich",
];

/// A request header's name as the localized editions sometimes translate
/// it, in English (`Autorização` is `Authorization`, `Aceitar` `Accept`).
fn header_in_english(name: &str) -> String {
    const NAMES: &[(&str, &str)] = &[
        ("Autorização", "Authorization"),
        ("Авторизация", "Authorization"),
        ("授权", "Authorization"),
        ("Autorisierung", "Authorization"),
        ("Aceitar", "Accept"),
        ("接受", "Accept"),
        ("承諾", "Accept"),
        ("Annehmen", "Accept"),
    ];
    NAMES
        .iter()
        .find(|(local, _)| *local == name)
        .map_or_else(|| name.to_owned(), |(_, english)| (*english).to_owned())
}

fn read_headers(page: &Page) -> Vec<Header> {
    let mut out: Vec<Header> = Vec::new();
    for kind in [
        SectionKind::RequestHeaders,
        SectionKind::OptionalRequestHeaders,
    ] {
        for section in page.sections_of(kind) {
            for table in section.tables() {
                for row in &table.rows {
                    let name = row
                        .cells
                        .first()
                        .map(|c| header_in_english(c.text.replace(['`', '*'], "").trim()))
                        .unwrap_or_default();
                    if name.is_empty()
                        || name.contains(' ')
                        || out.iter().any(|h| h.name.eq_ignore_ascii_case(&name))
                    {
                        continue;
                    }
                    let description = row.cells.last().map(|c| c.text.clone()).unwrap_or_default();
                    let lower = description.to_lowercase();
                    let required = kind == SectionKind::RequestHeaders
                        && REQUIRED.iter().any(|w| lower.contains(w))
                        && !lower.contains("optional");
                    out.push(Header {
                        name,
                        required,
                        description,
                    });
                }
            }
        }
    }
    out
}

fn read_query_options(page: &Page) -> Vec<QueryOption> {
    let mut text = String::new();
    for section in page.sections_of(SectionKind::QueryParameters) {
        for s in section.walk() {
            for p in s.paragraphs() {
                text.push_str(&p.inline.text);
                text.push(' ');
            }
            for t in s.tables() {
                for row in &t.rows {
                    for c in &row.cells {
                        text.push_str(&c.text);
                        text.push(' ');
                    }
                }
            }
        }
    }
    for line in &page.request_lines {
        if let Some(q) = &line.query {
            text.push_str(q);
            text.push(' ');
        }
    }
    let lower = text.to_ascii_lowercase();
    let mut out: Vec<QueryOption> = QueryOption::ALL
        .iter()
        .filter(|(_, spelled)| {
            lower.match_indices(spelled).any(|(i, m)| {
                !lower[i + m.len()..].starts_with(|c: char| c.is_ascii_alphanumeric())
            })
        })
        .map(|(o, _)| *o)
        .collect();
    out.sort();
    out
}

fn read_parameter_tables(
    page: &Page,
    kind: SectionKind,
    diags: &mut Vec<Diagnostic>,
) -> Vec<DraftParameter> {
    let mut rows = Vec::new();
    for section in page.sections_of(kind) {
        for table in section.tables() {
            read_property_table(page, table, false, diags, &mut rows);
        }
    }
    rows.into_iter().map(parameter_from_row).collect()
}

fn parameter_from_row(row: DraftProperty) -> DraftParameter {
    let lower = row.description.to_ascii_lowercase();
    DraftParameter {
        optional: lower.contains("optional") && !lower.contains("required"),
        name: row.name,
        cell: row.cell,
        description: row.description,
        at: row.at,
    }
}

/// Whether a Response section describes a redirect to a download
/// (`returns a 302 Found response redirecting to a preauthenticated download
/// URL`): the content is what the client gets, through the redirect.
fn is_download_redirect(lower: &str) -> bool {
    lower.contains("302") && (lower.contains("redirect") || lower.contains("location"))
}

/// The response of a `$value` GET: the content itself, with the status the
/// page gives.
fn content_response(page: &Page, read: &DraftResponse) -> DraftResponse {
    DraftResponse {
        status: read.status,
        body: Some(named_cell("Stream".into())),
        collection: false,
        monitored: false,
        media_type: read.media_type.clone().or_else(|| content_media_type(page)),
    }
}

/// A type cell naming the resource a link points at.
fn link_cell(link: &Link, collection: bool) -> TypeCell {
    read_type_cell(&Inline {
        text: if collection {
            format!("{} collection", link.text)
        } else {
            link.text.clone()
        },
        links: vec![link.clone()],
        anchor: None,
    })
}

fn is_resource_link(link: &Link) -> bool {
    let t = link.target.to_ascii_lowercase();
    !t.starts_with("http")
        && !t.starts_with("/graph")
        && !t.contains("/api/")
        && !t.starts_with("../api")
        && t.contains(".md")
        && !link.text.trim().is_empty()
}

fn read_body(
    page: &Page,
    method: Method,
    stem: &str,
    action: &str,
    types: &mut Vec<DraftType>,
    diags: &mut Vec<Diagnostic>,
) -> DraftRequestBody {
    let sections: Vec<_> = page.sections_of(SectionKind::RequestBody).collect();
    let text: String = sections
        .iter()
        .flat_map(|s| s.paragraphs())
        .map(|p| p.inline.text.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(" ");
    let links: Vec<&Link> = sections
        .iter()
        .flat_map(|s| s.paragraphs())
        .flat_map(|p| p.inline.links.iter())
        .filter(|l| is_resource_link(l))
        .collect();
    let mut rows = Vec::new();
    for section in &sections {
        for table in section.tables() {
            read_property_table(page, table, false, diags, &mut rows);
        }
    }
    if text.contains("do not supply")
        || text.contains("don't supply")
        || text.contains("no request body")
    {
        return DraftRequestBody::None;
    }
    if (text.contains("binary") || text.contains(" stream"))
        && rows.is_empty()
        && !text.contains("json")
    {
        return DraftRequestBody::Stream;
    }
    let resource_words = text.contains("json representation") || text.contains("representation of");
    let creates = matches!(method, Method::Patch | Method::Put)
        || (method == Method::Post
            && (action.eq_ignore_ascii_case("create")
                || action.starts_with("post")
                || action == "add"));
    let resource = if resource_words || creates {
        links.first().copied()
    } else {
        None
    };
    match resource {
        Some(link) => {
            let cell = link_cell(link, false);
            if let (
                CellTarget::Named {
                    name,
                    link: stem_link,
                },
                false,
            ) = (&cell.target, rows.is_empty())
            {
                // The table describes the body's resource: merge it into that type.
                types.push(body_type(page, &sections, name, stem_link, rows));
            }
            DraftRequestBody::Resource(cell)
        }
        None => body_without_resource(method, stem, &text, &links, rows, creates),
    }
}

/// The type `name` (its page `stem_link`) as the rows of a `Request body`
/// section's table describe it, to merge into that type.
fn body_type(
    page: &Page,
    sections: &[&Section],
    name: &str,
    stem_link: &Option<String>,
    rows: Vec<DraftProperty>,
) -> DraftType {
    DraftType {
        name: name.to_owned(),
        kind: crate::model::api::TypeKind::Complex,
        base: None,
        description: String::new(),
        properties: rows,
        members: Vec::new(),
        key: None,
        open: false,
        page_stem: stem_link.clone().unwrap_or_default(),
        source: Source::at(&page.file, sections.first().map_or(Loc::start(), |s| s.at)),
        // The rows came from a Request body section, so there is one.
        at: sections.first().map_or_else(Loc::start, |s| s.at),
        origin: Origin::ApiPage,
        pages: vec![page.file.clone()],
        representation: None,
    }
}

/// The request body when its section names no resource to send: the
/// page's own resource, the rows as parameters, the section's first
/// resource link, or none. `text` is the section's prose, lowercased.
fn body_without_resource(
    method: Method,
    stem: &str,
    text: &str,
    links: &[&Link],
    rows: Vec<DraftProperty>,
    creates: bool,
) -> DraftRequestBody {
    if !rows.is_empty() && creates && !stem.is_empty() {
        // An update page whose body table describes the page's own resource.
        DraftRequestBody::Resource(named_cell(stem.to_owned()))
    } else if !rows.is_empty() {
        DraftRequestBody::Parameters(rows.into_iter().map(parameter_from_row).collect())
    } else if matches!(method, Method::Post | Method::Patch | Method::Put) {
        match links.first() {
            Some(link) => DraftRequestBody::Resource(link_cell(link, false)),
            // "Supply the values for properties that should be updated":
            // the page's own resource, in part.
            None if method == Method::Patch
                && !stem.is_empty()
                && (text.contains("propert") || text.contains("values")) =>
            {
                DraftRequestBody::Resource(named_cell(stem.to_owned()))
            }
            None => DraftRequestBody::None,
        }
    } else {
        DraftRequestBody::None
    }
}

/// A type cell naming a type by `text` alone, without a link.
fn named_cell(text: String) -> TypeCell {
    read_type_cell(&Inline {
        text,
        links: Vec::new(),
        anchor: None,
    })
}

fn read_response(page: &Page) -> DraftResponse {
    let mut response = read_response_body(page);
    response.monitored = is_monitored(page);
    if response.body.as_ref().is_some_and(is_content) {
        response.media_type = content_media_type(page);
    }
    if response.monitored && response.status == Some(202) {
        // What a long-running operation's answer links is the monitor's
        // (`onenoteOperation`), not a body: the 202 has none.
        response.body = None;
        response.collection = false;
    }
    response
}

/// Whether a type cell is content (`Edm.Stream`), not JSON.
fn is_content(cell: &TypeCell) -> bool {
    matches!(cell.target, CellTarget::Primitive(Primitive::Stream))
}

/// The `Content-Type` of an example message, unless it is JSON.
fn content_header(headers: &[(String, String)]) -> Option<&str> {
    headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        .map(|(_, value)| value.as_str())
        .filter(|value| media::is_media_type(value.split(';').next().unwrap_or("").trim()))
        .filter(|value| !media::is_json(value))
}

/// The media type the page gives for content it answers: a successful
/// example response's `Content-Type`, a media type the Response section
/// names, or `text/csv` where it speaks of CSV.
fn content_media_type(page: &Page) -> Option<String> {
    let from_example = page.examples.iter().find_map(|e| match &e.message {
        ExampleMessage::Response(r) if r.status.is_none_or(|s| (200..300).contains(&s)) => {
            content_header(&r.headers)
        }
        _ => None,
    });
    let prose: String = page
        .sections_of(SectionKind::Response)
        .flat_map(|s| s.paragraphs())
        .map(|p| p.inline.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let named = || media::content_type_in(&prose);
    let csv = || {
        let lower = prose.to_ascii_lowercase();
        (lower.contains(" csv") || lower.contains(".csv")).then_some("text/csv")
    };
    from_example
        .or_else(named)
        .or_else(csv)
        .map(|m| m.split(';').next().unwrap_or(m).trim().to_owned())
}

/// A warning for each example that shows content which is not JSON where
/// the page's sections make the endpoint send or read JSON: the method
/// would encode or decode the wrong thing, and the page should say so.
fn check_content_kind(
    page: &Page,
    body: &DraftRequestBody,
    response: &DraftResponse,
    diags: &mut Vec<Diagnostic>,
) {
    let sends_json = !matches!(body, DraftRequestBody::Stream | DraftRequestBody::None);
    let reads_json = response.body.as_ref().is_some_and(|b| !is_content(b));
    // The request an example response answers: `$count`, `$value` and
    // `/content` requests answer text or content by design.
    let mut asked: Option<&str> = None;
    for example in &page.examples {
        let (what, shown, hint) = match &example.message {
            ExampleMessage::Request(r) => {
                asked = Some(r.url.split('?').next().unwrap_or(&r.url));
                if !sends_json || matches!(r.body, ExampleBody::None) {
                    continue;
                }
                (
                    "sends",
                    content_header(&r.headers),
                    "say in the Request body section that the body is the file's content (`the binary stream of the file`), or fix the example's Content-Type",
                )
            }
            ExampleMessage::Response(r) => {
                // A bare number is a `$count` whose request the page did
                // not mark as one (a `msgraph-interactive` block).
                let count =
                    matches!(&r.body, ExampleBody::Text(t) if t.trim().parse::<u64>().is_ok());
                let by_design = count
                    || asked.is_some_and(|url| {
                        url.contains("/$count")
                            || url.contains("/$value")
                            || url.ends_with("/content")
                    });
                let shows_body = !matches!(r.body, ExampleBody::None);
                let success = r.status.is_none_or(|s| (200..300).contains(&s));
                if !reads_json || by_design || !shows_body || !success {
                    continue;
                }
                (
                    "answers",
                    content_header(&r.headers),
                    "say in the Response section that the body is the content (a stream, or a 302 redirect to a download), or fix the example's Content-Type",
                )
            }
        };
        if let Some(shown) = shown {
            diags.push(diag(
                &page.file,
                example.at,
                Code::ContentKindUnclear,
                format!(
                    "the example {what} `{shown}`, but the page's sections describe JSON, so the method {} JSON",
                    if what == "sends" { "sends" } else { "decodes" }
                ),
                hint.to_owned(),
            ));
        }
    }
}

/// Whether `page` answers `202 Accepted` with a `Location` (or
/// `Operation-Location`) to poll, a long-running operation: an example
/// response shows both, or the Response section names both.
fn is_monitored(page: &Page) -> bool {
    let example = page.examples.iter().any(|e| match &e.message {
        ExampleMessage::Response(r) => {
            r.status == Some(202)
                && r.headers.iter().any(|(name, _)| {
                    name.eq_ignore_ascii_case("location")
                        || name.eq_ignore_ascii_case("operation-location")
                })
        }
        ExampleMessage::Request(_) => false,
    });
    example
        || page
            .sections_of(SectionKind::Response)
            .flat_map(|s| s.paragraphs())
            .any(|p| {
                let lower = p.inline.text.to_ascii_lowercase();
                lower.contains("202") && lower.contains("location")
            })
}

/// What the page's Response section says the body is.
fn read_response_body(page: &Page) -> DraftResponse {
    let paragraphs: Vec<_> = page
        .sections_of(SectionKind::Response)
        .flat_map(|s| s.paragraphs())
        .collect();
    let text: String = paragraphs
        .iter()
        .map(|p| p.inline.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let lower = text.to_ascii_lowercase();
    let example_response = page.examples.iter().find_map(|e| match &e.message {
        ExampleMessage::Response(r) => Some((e, r)),
        ExampleMessage::Request(_) => None,
    });
    let status = first_success_status(&text).or_else(|| {
        example_response
            .and_then(|(_, r)| r.status)
            .filter(|s| (200..300).contains(s))
    });
    if status == Some(204)
        || lower.contains("does not return anything")
        || lower.contains("no response body")
    {
        return DraftResponse {
            status,
            body: None,
            collection: false,
            monitored: false,
            media_type: None,
        };
    }
    // A redirect to a download is the content, whatever else it links.
    if is_download_redirect(&lower) {
        return DraftResponse {
            status,
            body: Some(named_cell("Stream".into())),
            collection: false,
            monitored: false,
            media_type: None,
        };
    }
    let link = paragraphs
        .iter()
        .flat_map(|p| p.inline.links.iter())
        .find(|l| is_resource_link(l));
    if let Some(link) = link {
        let after = lower
            .find(&link.text.to_ascii_lowercase())
            .map_or("", |i| &lower[i + link.text.len()..]);
        let collection = lower.contains("collection of")
            || after.trim_start().starts_with("collection")
            || after.trim_start().starts_with("objects");
        return DraftResponse {
            status,
            body: Some(link_cell(link, false)),
            collection,
            monitored: false,
            media_type: None,
        };
    }
    if lower.contains(" stream") {
        return DraftResponse {
            status,
            body: Some(named_cell("Stream".into())),
            collection: false,
            monitored: false,
            media_type: None,
        };
    }
    // Fall back on the example response's annotation.
    example_response
        .and_then(|(example, resp)| annotated_response(example, resp, status))
        .unwrap_or(DraftResponse {
            status,
            body: None,
            collection: false,
            monitored: false,
            media_type: None,
        })
}

/// The response an example response's annotation gives (`@odata.type`,
/// `isCollection`), with `status`; none when it names no type.
fn annotated_response(
    example: &Example,
    resp: &ExampleResponse,
    status: Option<u16>,
) -> Option<DraftResponse> {
    let annotation = example.annotation.as_ref();
    let odata = annotation
        .and_then(|a| a.get("@odata.type").or_else(|| a.get("@type")))
        .and_then(|v| v.as_str())
        .filter(|s| !s.contains("$("))?;
    // `microsoft.graph.user`, `Collection(microsoft.graph.user)`, `Collection(Edm.String)`.
    let odata = odata.trim().trim_start_matches('#');
    let (inner, wrapped) = match odata
        .strip_prefix("Collection(")
        .and_then(|r| r.strip_suffix(')'))
    {
        Some(inner) => (inner, true),
        None => (odata, false),
    };
    let name = if inner.to_ascii_lowercase().starts_with("edm.") {
        Some(inner.to_owned())
    } else {
        strip_namespace(inner)
    }?;
    let annotated_collection = annotation
        .and_then(|a| a.get("isCollection"))
        .is_some_and(|v| v.as_bool() == Some(true));
    let body_collection =
        matches!(&resp.body, ExampleBody::Json(v) if v.get("value").is_some_and(|x| x.is_array()));
    Some(DraftResponse {
        status,
        body: Some(named_cell(name)),
        collection: wrapped || annotated_collection || body_collection,
        monitored: false,
        media_type: None,
    })
}

/// The first 2xx status code a text names.
fn first_success_status(text: &str) -> Option<u16> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|t| t.len() == 3)
        .filter_map(|t| t.parse::<u16>().ok())
        .find(|s| (200..300).contains(s))
}

fn read_examples(page: &Page) -> Vec<ExamplePair> {
    let mut out: Vec<ExamplePair> = Vec::new();
    let mut open: Option<usize> = None;
    for example in &page.examples {
        let source = Source::at(&page.file, example.at);
        match &example.message {
            ExampleMessage::Request(r) => {
                out.push(ExamplePair {
                    name: example.name.clone(),
                    request_url: Some(r.url.clone()),
                    request_body: match &r.body {
                        ExampleBody::Json(v) => Some(v.clone()),
                        _ => None,
                    },
                    response_status: None,
                    response_body: None,
                    source,
                    response_source: None,
                    call: None,
                });
                open = Some(out.len() - 1);
            }
            ExampleMessage::Response(r) => {
                let body = match &r.body {
                    ExampleBody::Json(v) => Some(v.clone()),
                    _ => None,
                };
                match open.take() {
                    Some(i) => {
                        out[i].response_status = r.status;
                        out[i].response_body = body;
                        out[i].response_source = Some(source);
                    }
                    None => out.push(ExamplePair {
                        name: example.name.clone(),
                        request_url: None,
                        request_body: None,
                        response_status: r.status,
                        response_body: body,
                        source,
                        response_source: None,
                        call: None,
                    }),
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::name_from_file;

    #[test]
    fn names_come_from_the_file() {
        assert_eq!(
            name_from_file("api/intune-deviceconfig-hardwareconfigurationuserstate-update.md"),
            ("hardwareconfigurationuserstate".into(), "update".into())
        );
        assert_eq!(
            name_from_file("api/user-list.md"),
            ("user".into(), "list".into())
        );
        assert_eq!(
            name_from_file("api/group-list-members.md"),
            ("group".into(), "listMembers".into())
        );
        assert_eq!(
            name_from_file("api/driveitem-delta.md"),
            ("driveitem".into(), "delta".into())
        );
        assert_eq!(name_from_file("api/user.md"), ("user".into(), "get".into()));
    }
}
