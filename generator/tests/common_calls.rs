//! The calls people make first are right on the real docs (the v1.0 corpus
//! in `../shared`): each operation comes from its own page, a GET that the
//! docs show answering a collection is typed as one, and no method is named
//! with a bare number. Checked on the model and on the emitted crate.

use crate::support;

use generator::model::{Endpoint, RequestBody, Segment, TypeRef};
use generator::{Code, Generated, Method};

fn corpus() -> Option<&'static Generated> {
    support::corpus_crate()
}

/// The endpoint that serves `method path`, by any of its paths.
fn serving<'a>(g: &'a Generated, method: Method, path: &str) -> &'a Endpoint {
    let found: Vec<&Endpoint> = g
        .api
        .endpoints
        .iter()
        .filter(|e| {
            e.method == method
                && std::iter::once(&e.path)
                    .chain(&e.alternate_paths)
                    .any(|p| p.written == path)
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "`{} {path}` should be served by exactly one endpoint: {:?}",
        method.as_str(),
        found.iter().map(|e| &e.name.api).collect::<Vec<_>>()
    );
    found[0]
}

fn named(ty: Option<&TypeRef>) -> Option<&str> {
    match ty {
        Some(TypeRef::Named(n)) => Some(n),
        _ => None,
    }
}

/// The signature of the public client method whose docs name `request`
/// and say they were generated from `page`.
fn method_signature(g: &Generated, request: &str, page: &str) -> String {
    let wanted_request = format!("`{request}`");
    let wanted_page = format!("/{page}`");
    for (path, text) in &g.files {
        if !path.starts_with("src/client/") {
            continue;
        }
        let mut docs: Vec<&str> = Vec::new();
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            let line = line.trim();
            if line.starts_with("///") || line.starts_with("#[") {
                docs.push(line);
                continue;
            }
            if line.starts_with("pub fn ")
                && docs.iter().any(|d| d.contains(&wanted_request))
                && docs
                    .iter()
                    .any(|d| d.contains(&wanted_page) || d.contains(&format!("`{page}`")))
            {
                let mut sig = line.to_owned();
                while !sig.ends_with('{') {
                    let Some(next) = lines.next() else { break };
                    sig.push(' ');
                    sig.push_str(next.trim());
                }
                return sig;
            }
            docs.clear();
        }
    }
    panic!("no client method documents {request} from {page}")
}

#[test]
fn the_most_common_calls_come_from_their_own_pages() {
    let Some(g) = corpus() else { return };

    let get = serving(g, Method::Get, "/users/{id | userPrincipalName}");
    assert_eq!(get.source.file, "api/user-get.md", "{:?}", get.pages);
    assert_eq!(get.area.as_str(), "users");
    assert_eq!(named(get.response.body.as_ref()), Some("user"));
    assert!(!get.response.collection);
    let sig = method_signature(g, "GET /users/{id | userPrincipalName}", "api/user-get.md");
    assert!(sig.starts_with("pub fn get(&self)"), "{sig}");
    assert!(sig.contains("-> Request<models::User>"), "{sig}");

    let list = serving(g, Method::Get, "/users");
    assert_eq!(list.source.file, "api/user-list.md", "{:?}", list.pages);
    assert_eq!(list.area.as_str(), "users");
    assert_eq!(named(list.response.body.as_ref()), Some("user"));
    assert!(list.response.collection);
    assert!(
        list.headers.iter().any(|h| h.name == "ConsistencyLevel"),
        "user-list.md documents ConsistencyLevel"
    );
    let sig = method_signature(g, "GET /users", "api/user-list.md");
    assert!(sig.starts_with("pub fn list(&self)"), "{sig}");
    assert!(sig.contains("-> Request<Page<models::User>>"), "{sig}");

    // The Intune views of `user` are merged into the user's own pages.
    for page in [
        "api/intune-devices-user-get.md",
        "api/intune-mam-user-get.md",
    ] {
        assert!(
            get.pages.iter().any(|p| p == page),
            "{page} in {:?}",
            get.pages
        );
    }
}

#[test]
fn events_of_the_signed_in_user_are_event_operations() {
    let Some(g) = corpus() else { return };
    let list = serving(g, Method::Get, "/me/events");
    assert_eq!(list.source.file, "api/user-list-events.md");
    assert_eq!(named(list.response.body.as_ref()), Some("event"));
    assert!(list.response.collection);
    let create = serving(g, Method::Post, "/me/events");
    assert_eq!(create.source.file, "api/user-post-events.md");
    assert!(
        matches!(&create.request_body, RequestBody::Resource { ty: TypeRef::Named(n) } if n == "event"),
        "{:?}",
        create.request_body
    );
    let sig = method_signature(g, "GET /me/events", "api/user-list-events.md");
    assert!(sig.starts_with("pub fn list(&self)"), "{sig}");
    assert!(sig.contains("Request<Page<models::Event>>"), "{sig}");
    let sig = method_signature(g, "POST /me/events", "api/user-post-events.md");
    assert!(
        sig.starts_with("pub fn create(&self, body: &models::Event)"),
        "{sig}"
    );

    // The extended-property pages document creating an event with a
    // property; they lose the path to the event's own page, and say so.
    let conflict = g.diagnostics.iter().find(|d| {
        d.code == Code::EndpointConflict
            && d.file
                == "api/singlevaluelegacyextendedproperty-post-singlevalueextendedproperties.md"
            && d.message.contains("api/user-post-events.md")
    });
    assert!(conflict.is_some(), "the conflict names both pages");
}

/// Whether an example answers a page of items (not one entity).
fn answers_a_page(body: &serde_json::Value) -> bool {
    body.get("value").is_some_and(serde_json::Value::is_array)
        && !body
            .get("@odata.context")
            .and_then(serde_json::Value::as_str)
            .is_some_and(|c| c.ends_with("$entity"))
}

#[test]
fn no_get_shown_answering_a_collection_returns_one_object() {
    let Some(g) = corpus() else { return };
    let mut single_with_pages = Vec::new();
    for e in &g.api.endpoints {
        if e.method != Method::Get || e.response.collection || e.response.body.is_none() {
            continue;
        }
        // Examples whose URL follows one of the endpoint's own paths.
        let shown = e
            .examples
            .iter()
            .any(|x| x.call.is_some() && x.response_body.as_ref().is_some_and(answers_a_page))
            || e.examples.iter().any(|x| {
                x.response_body.as_ref().is_some_and(answers_a_page)
                    && x.request_url.as_deref().is_some_and(|u| {
                        let u = u.split('?').next().unwrap_or(u);
                        u.ends_with(&e.path.written) || e.path.written.ends_with(u)
                    })
            });
        if shown {
            single_with_pages.push(e);
        }
    }
    // What remains addresses one item by its key (`/auditLogs/signIns/{id}`),
    // where Graph answers one entity and the example is wrong; each such
    // example is reported.
    for e in &single_with_pages {
        assert!(
            matches!(e.path.segments.last(), Some(Segment::Key { .. })),
            "`GET {}` ({}) ends in a collection, answers a page in its examples, and is typed as one object",
            e.path,
            e.source.file
        );
        let flagged = g
            .diagnostics
            .iter()
            .any(|d| d.file == e.source.file && d.code.as_str().starts_with("example-"));
        assert!(flagged, "the page example of {} is reported", e.source.file);
    }
    assert!(single_with_pages.len() <= 8, "{}", single_with_pages.len());
    // And the paths that end in a collection were typed from their examples.
    assert!(
        g.diagnostics
            .iter()
            .filter(|d| d.code == Code::ResponseShapeFromExample)
            .count()
            >= 5
    );
}

#[test]
fn no_method_name_ends_in_a_bare_number() {
    let Some(g) = corpus() else { return };
    let mut numbered = Vec::new();
    for (path, text) in &g.files {
        if !path.starts_with("src/client/") {
            continue;
        }
        for line in text.lines() {
            let Some(rest) = line.trim_start().strip_prefix("pub fn ") else {
                continue;
            };
            let name = rest.split(['(', '<']).next().unwrap_or_default();
            let tail = name.rsplit('_').next().unwrap_or_default();
            if name.contains('_') && !tail.is_empty() && tail.chars().all(|c| c.is_ascii_digit()) {
                numbered.push(format!("{path}: {name}"));
            }
        }
    }
    assert!(numbered.is_empty(), "numbered methods: {numbered:#?}");
}

/// The signature of the client method for `method path` from `page`.
fn signature_of(g: &Generated, method: Method, path: &str, page: &str) -> String {
    method_signature(g, &format!("{} {path}", method.as_str()), page)
}

#[test]
fn file_content_is_typed_as_content_not_json() {
    let Some(g) = corpus() else { return };
    for (path, page) in [
        (
            "/drives/{drive-id}/items/{item-id}/content",
            "api/driveitem-get-content.md",
        ),
        ("/me/messages/{id}/$value", "api/message-get.md"),
        (
            "/reports/getOffice365ActiveUserDetail(period='{period_value}')",
            "api/reportroot-getoffice365activeuserdetail.md",
        ),
        ("/me/onenote/resources/{id}/content", "api/resource-get.md"),
    ] {
        let e = serving(g, Method::Get, path);
        assert_eq!(
            e.response.body,
            Some(TypeRef::Primitive(generator::model::Primitive::Stream)),
            "{path}"
        );
        let sig = signature_of(g, Method::Get, path, page);
        assert!(sig.ends_with("-> Request<Download> {"), "{path}: {sig}");
    }
    let put = serving(g, Method::Put, "/drives/{drive-id}/items/{item-id}/content");
    assert_eq!(put.request_body, RequestBody::Stream);
    assert_eq!(named(put.response.body.as_ref()), Some("driveItem"));
    let sig = signature_of(
        g,
        Method::Put,
        "/drives/{drive-id}/items/{item-id}/content",
        "api/driveitem-put-content.md",
    );
    assert!(sig.contains("body: impl Into<Content>"), "{sig}");
}

#[test]
fn an_action_takes_its_parameters_as_its_body_and_writes_into_no_other_type() {
    let Some(g) = corpus() else { return };
    let parameters = |method, path| match &serving(g, method, path).request_body {
        RequestBody::Parameters { parameters } => parameters
            .iter()
            .map(|p| {
                (
                    p.name.api.clone(),
                    named(Some(&p.ty)).unwrap_or("").to_owned(),
                )
            })
            .collect::<Vec<_>>(),
        other => panic!("{path}: {other:?}"),
    };
    // The table sits under `## Parameters`, after `### Request body`.
    assert_eq!(
        parameters(
            Method::Post,
            "/drives/{driveId}/items/{itemId}/createUploadSession"
        ),
        [
            (
                "item".to_owned(),
                "driveItemUploadableProperties".to_owned()
            ),
            ("deferCommit".to_owned(), String::new())
        ]
    );
    // `create...` actions are not creations of the type their prose links.
    assert_eq!(
        parameters(
            Method::Post,
            "/print/printers/{id}/jobs/{id}/documents/{id}/createUploadSession"
        ),
        [(
            "properties".to_owned(),
            "printDocumentUploadProperties".to_owned()
        )]
    );
    assert!(
        parameters(Method::Post, "/drives/{driveId}/items/{itemId}/createLink")
            .iter()
            .any(|(name, _)| name == "type")
    );
    let capabilities = g
        .api
        .types
        .iter()
        .find(|t| t.name.api == "printerCapabilities")
        .expect("printerCapabilities");
    assert!(
        capabilities
            .properties
            .iter()
            .all(|p| p.name.api != "properties"),
        "an action's parameter was merged into printerCapabilities"
    );
}

#[test]
fn long_running_operations_are_known_and_answer_no_body() {
    let Some(g) = corpus() else { return };
    for (path, page) in [
        (
            "/drives/{driveId}/items/{itemId}/copy",
            "api/driveitem-copy.md",
        ),
        ("/teams/{id}/clone", "api/team-clone.md"),
        (
            "/me/onenote/notebooks/{id}/copyNotebook",
            "api/notebook-copynotebook.md",
        ),
    ] {
        let e = serving(g, Method::Post, path);
        assert!(e.response.monitored, "{path}");
        assert_eq!(e.response.body, None, "{path}");
        let sig = signature_of(g, Method::Post, path, page);
        assert!(sig.ends_with("-> Request<()> {"), "{path}: {sig}");
    }
    let total = g
        .api
        .endpoints
        .iter()
        .filter(|e| e.response.monitored)
        .count();
    assert!(
        (10..=20).contains(&total),
        "{total} long-running operations"
    );
    // A 202 without a monitor (sendMail) is not one.
    assert!(!serving(g, Method::Post, "/me/sendMail").response.monitored);
}
