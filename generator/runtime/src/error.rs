//! The runtime [`Error`] type and Graph's error envelope ([`ApiError`],
//! [`ErrorDetail`], [`InnerError`]).

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::AuthChallenge;

/// How many bytes of a text body `Debug` output shows; errors keep the
/// whole body.
const PREVIEW_LEN: usize = 4096;

/// Everything that can go wrong while calling Microsoft Graph.
///
/// Errors keep the whole response body ([`Error::body`]); their `Debug`
/// output shows at most a few KiB of it, and binary content only as its
/// size. `Display` never shows the body.
#[non_exhaustive]
pub enum Error {
    /// Network-level failure (connect, timeout, TLS, reading the body, ...).
    Transport(reqwest::Error),
    /// Graph answered with a non-2xx status.
    ///
    /// Boxed to keep `Result<T, Error>` small; fields are reachable through auto-deref.
    Api(Box<ApiError>),
    /// A 2xx response body did not match the expected model.
    Decode {
        /// The underlying JSON error (with line/column).
        source: serde_json::Error,
        /// The whole response body, as received ([`Error::body_text`] for
        /// text).
        body: Bytes,
        /// The JSON path of the value that failed (`value[0].createdDateTime`),
        /// empty when the body as a whole did not fit.
        path: String,
        /// The call whose response it was: method and the path it was sent to
        /// (`GET /users/4f1e`), empty outside a request.
        endpoint: String,
    },
    /// A call documented to answer with one object answered with a
    /// collection page (`{"value": [...], "@odata.nextLink": ...}`); see
    /// [`Request::object_response`](super::Request::object_response).
    UnexpectedCollection {
        /// The call: method and the path it was sent to (`GET /me/manager`), empty
        /// outside a request.
        endpoint: String,
        /// The whole response body, as received.
        body: Bytes,
    },
    /// The request body could not be serialized to JSON.
    Serialize(serde_json::Error),
    /// The token provider failed to produce an access token.
    Auth(String),
    /// The base URL or a request URL could not be parsed.
    InvalidUrl(String),
    /// A header name or value supplied by the caller is not valid HTTP.
    InvalidHeader(String),
    /// A request cannot go into a `$batch` (another host, a body that is not
    /// JSON), or the batch's answer is not what Graph sends.
    Batch(String),
    /// [`cast`](super::cast) was asked for a type the value is not: its
    /// `@odata.type` is neither the type nor one derived from it.
    WrongType {
        /// The type asked for, as `#microsoft.graph.user`.
        expected: &'static str,
        /// The value's `@odata.type`.
        found: String,
    },
    /// Reading or writing a local file or stream failed (a [`Content::file`](super::Content::file)
    /// to upload, a [`Download::save`](super::Download::save)), or a download
    /// stalled longer than the client's timeout.
    Io(std::io::Error),
    /// Content that is not JSON could not be sent or received as asked: a
    /// streamed body a retry would need again, an upload session's answer
    /// that does not fit what was sent, a download that is not text.
    Content(String),
    /// A long-running operation failed, or did not finish in the time
    /// [`Operation::timeout`](super::Operation::timeout) gives it; its last
    /// status says which, and why.
    Operation(Box<super::OperationStatus>),
}

impl Error {
    /// The HTTP status of an [`Error::Api`], if this is one.
    pub fn status(&self) -> Option<u16> {
        self.api().map(|e| e.status)
    }

    /// The Graph error details, if this is an [`Error::Api`].
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// `true` for a 404 Not Found answer.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// `true` for a 429 Too Many Requests answer (throttling).
    pub fn is_throttled(&self) -> bool {
        self.status() == Some(429)
    }

    /// `true` for a 401 or 403 answer, or a token provider failure.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Error::Auth(_)) || matches!(self.status(), Some(401 | 403))
    }

    /// Graph's error code (e.g. `Request_ResourceNotFound`), if any.
    pub fn code(&self) -> Option<&str> {
        self.api().and_then(|e| e.code.as_deref())
    }

    /// The claims a new token must satisfy, when Graph answered with a
    /// claims challenge (continuous access evaluation, conditional access):
    /// the decoded `claims` of the `WWW-Authenticate` header, see
    /// [`AuthChallenge::claims`]. Acquire a token with them and retry.
    pub fn claims_challenge(&self) -> Option<String> {
        self.api()?
            .challenge()
            .filter(AuthChallenge::is_claims_challenge)?
            .claims()
    }

    /// The whole response body of an [`Error::Api`], [`Error::Decode`] or
    /// [`Error::UnexpectedCollection`].
    pub fn body(&self) -> Option<&Bytes> {
        match self {
            Error::Api(e) => Some(&e.body),
            Error::Decode { body, .. } | Error::UnexpectedCollection { body, .. } => Some(body),
            _ => None,
        }
    }

    /// [`Error::body`] as text (invalid UTF-8 replaced by `U+FFFD`).
    pub fn body_text(&self) -> Option<Cow<'_, str>> {
        self.body().map(|b| String::from_utf8_lossy(b))
    }

    /// An [`Error::Io`] that names the file it is about.
    pub(super) fn io(path: &std::path::Path, e: std::io::Error) -> Self {
        Error::Io(std::io::Error::new(
            e.kind(),
            format!("{}: {e}", path.display()),
        ))
    }

    /// An [`Error::Io`] for a wait longer than `limit`.
    pub(super) fn timed_out(limit: Duration) -> Self {
        Error::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!("no answer within {limit:?}"),
        ))
    }

    /// Builds an [`Error::Decode`] keeping `body`.
    pub(super) fn decode(source: serde_json::Error, body: Bytes) -> Self {
        Error::Decode {
            source,
            body,
            path: String::new(),
            endpoint: String::new(),
        }
    }

    /// A decode error with the JSON path of the failing value.
    pub(super) fn at_path(mut self, at: String) -> Self {
        if let Error::Decode { path, .. } = &mut self {
            *path = if at == "." { String::new() } else { at };
        }
        self
    }

    /// A decode error with the call it happened in.
    pub(super) fn at_endpoint(mut self, call: &str) -> Self {
        if let Error::Decode { endpoint, .. } | Error::UnexpectedCollection { endpoint, .. } =
            &mut self
        {
            call.clone_into(endpoint);
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Transport(e) => write!(f, "transport error: {e}"),
            Error::Api(e) => e.fmt(f),
            Error::Decode {
                source,
                path,
                endpoint,
                ..
            } => {
                f.write_str("failed to decode the response")?;
                if !endpoint.is_empty() {
                    write!(f, " of {endpoint}")?;
                }
                if !path.is_empty() {
                    write!(f, " at `{path}`")?;
                }
                write!(f, ": {source}")
            }
            Error::UnexpectedCollection { endpoint, .. } => {
                f.write_str("the response")?;
                if !endpoint.is_empty() {
                    write!(f, " of {endpoint}")?;
                }
                f.write_str(" is a collection (a `value` array), but the call returns one object")
            }
            Error::Serialize(e) => write!(f, "failed to serialize request body: {e}"),
            Error::Auth(m) => write!(f, "authentication failed: {m}"),
            Error::InvalidUrl(m) => write!(f, "invalid URL: {m}"),
            Error::InvalidHeader(m) => write!(f, "invalid header: {m}"),
            Error::Batch(m) => write!(f, "batch: {m}"),
            Error::WrongType { expected, found } => {
                write!(
                    f,
                    "cannot cast a `{found}` to `{expected}`: it is neither that type nor derived from it"
                )
            }
            Error::Io(e) => write!(f, "I/O error: {e}"),
            Error::Content(m) => write!(f, "content: {m}"),
            Error::Operation(status) => status.fmt(f),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Transport(e) => f.debug_tuple("Transport").field(e).finish(),
            Error::Api(e) => f.debug_tuple("Api").field(e).finish(),
            Error::Decode {
                source,
                body,
                path,
                endpoint,
            } => f
                .debug_struct("Decode")
                .field("source", source)
                .field("body", &Preview::new(body, None))
                .field("path", path)
                .field("endpoint", endpoint)
                .finish(),
            Error::UnexpectedCollection { endpoint, body } => f
                .debug_struct("UnexpectedCollection")
                .field("endpoint", endpoint)
                .field("body", &Preview::new(body, None))
                .finish(),
            Error::Serialize(e) => f.debug_tuple("Serialize").field(e).finish(),
            Error::Auth(m) => f.debug_tuple("Auth").field(m).finish(),
            Error::InvalidUrl(m) => f.debug_tuple("InvalidUrl").field(m).finish(),
            Error::InvalidHeader(m) => f.debug_tuple("InvalidHeader").field(m).finish(),
            Error::Batch(m) => f.debug_tuple("Batch").field(m).finish(),
            Error::WrongType { expected, found } => f
                .debug_struct("WrongType")
                .field("expected", expected)
                .field("found", found)
                .finish(),
            Error::Io(e) => f.debug_tuple("Io").field(e).finish(),
            Error::Content(m) => f.debug_tuple("Content").field(m).finish(),
            Error::Operation(status) => f.debug_tuple("Operation").field(status).finish(),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) => Some(e),
            Error::Decode { source, .. } | Error::Serialize(source) => Some(source),
            Error::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        Error::Transport(e)
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

/// A non-2xx answer from Graph, parsed from its `{"error": {...}}` envelope
/// when possible.
///
/// It keeps the response's headers and whole body; its `Debug` output shows
/// at most a few KiB of the body, and binary content only as its size.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status code.
    pub status: u16,
    /// Graph error code, e.g. `Request_ResourceNotFound`.
    pub code: Option<String>,
    /// Human-readable error message.
    pub message: Option<String>,
    /// What the error is about (a property, a parameter), if Graph names it.
    pub target: Option<String>,
    /// The individual errors behind this one (`error.details`), e.g. one
    /// per invalid property.
    pub details: Vec<ErrorDetail>,
    /// Service-specific diagnostics (`error.innerError`).
    pub inner_error: Option<InnerError>,
    /// Server-side request id (`innerError.request-id` or the `request-id` header).
    pub request_id: Option<String>,
    /// Echoed client request id (`innerError.client-request-id` or header).
    pub client_request_id: Option<String>,
    /// Delay requested by the `Retry-After` header, in seconds.
    pub retry_after: Option<Duration>,
    /// Every header of the response (`WWW-Authenticate`, `Retry-After`, ...).
    pub headers: HeaderMap,
    /// The whole response body, as received ([`ApiError::body_text`] for
    /// text).
    pub body: Bytes,
}

/// One entry of `error.details` in Graph's error envelope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorDetail {
    /// The detail's error code.
    pub code: Option<String>,
    /// Its human-readable message.
    pub message: Option<String>,
    /// What it is about (a property, a parameter), if named.
    pub target: Option<String>,
}

/// `error.innerError` (or `innererror`) of Graph's error envelope:
/// diagnostics for support cases, possibly nested.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct InnerError {
    /// A more specific error code, when the service gives one.
    pub code: Option<String>,
    /// Server-side request id (`request-id`).
    pub request_id: Option<String>,
    /// Echoed client request id (`client-request-id`).
    pub client_request_id: Option<String>,
    /// When the error happened, as sent (`2024-01-01T00:00:00`).
    pub date: Option<String>,
    /// A nested `innerError`.
    pub inner_error: Option<Box<InnerError>>,
    /// Every other member, as sent.
    pub additional: Map<String, Value>,
}

#[derive(Deserialize)]
struct Envelope {
    error: Map<String, Value>,
}

impl ApiError {
    /// Builds an error from a response; a body that is not Graph's envelope
    /// is tolerated, and so are envelope members of unexpected types.
    pub fn from_response(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Self {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let mut error = serde_json::from_slice::<Envelope>(body)
            .map(|e| e.error)
            .unwrap_or_default();
        let details = match error.remove("details") {
            Some(Value::Array(items)) => items
                .into_iter()
                .filter_map(|item| match item {
                    Value::Object(mut item) => Some(ErrorDetail {
                        code: take_string(&mut item, "code"),
                        message: take_string(&mut item, "message"),
                        target: take_string(&mut item, "target"),
                    }),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let inner_error = take_inner(&mut error);
        let request_id = inner_error.as_ref().and_then(|i| i.request_id.clone());
        let client_request_id = inner_error
            .as_ref()
            .and_then(|i| i.client_request_id.clone());
        ApiError {
            status: status.as_u16(),
            code: take_string(&mut error, "code"),
            message: take_string(&mut error, "message"),
            target: take_string(&mut error, "target"),
            details,
            request_id: request_id.or_else(|| header("request-id")),
            client_request_id: client_request_id.or_else(|| header("client-request-id")),
            inner_error,
            retry_after: parse_retry_after(headers),
            headers: headers.clone(),
            body: Bytes::copy_from_slice(body),
        }
    }

    /// The response body as text (invalid UTF-8 replaced by `U+FFFD`).
    pub fn body_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The authentication challenge of the `WWW-Authenticate` header (the
    /// `Bearer` one if there are several), as a `401` carries.
    pub fn challenge(&self) -> Option<AuthChallenge> {
        AuthChallenge::from_headers(&self.headers)
    }
}

/// Removes `key` from `map`, if it is a string.
fn take_string(map: &mut Map<String, Value>, key: &str) -> Option<String> {
    match map.remove(key) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// Removes `innerError` (or `innererror`) from `map`, if it is an object.
fn take_inner(map: &mut Map<String, Value>) -> Option<InnerError> {
    match map
        .remove("innerError")
        .or_else(|| map.remove("innererror"))
    {
        Some(Value::Object(inner)) => Some(InnerError::from_map(inner)),
        _ => None,
    }
}

impl InnerError {
    /// Reads the known members of an `innerError` object and keeps the
    /// others, in order.
    fn from_map(map: Map<String, Value>) -> Self {
        let mut inner = InnerError::default();
        for (key, value) in map {
            let field = match key.as_str() {
                "code" => Some(&mut inner.code),
                "request-id" => Some(&mut inner.request_id),
                "client-request-id" => Some(&mut inner.client_request_id),
                "date" => Some(&mut inner.date),
                _ => None,
            };
            match (field, value) {
                (Some(field), Value::String(text)) => *field = Some(text),
                (None, Value::Object(nested))
                    if matches!(key.as_str(), "innerError" | "innererror")
                        && inner.inner_error.is_none() =>
                {
                    inner.inner_error = Some(Box::new(InnerError::from_map(nested)));
                }
                (_, value) => {
                    inner.additional.insert(key, value);
                }
            }
        }
        inner
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let content_type = self.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("target", &self.target)
            .field("details", &self.details)
            .field("inner_error", &self.inner_error)
            .field("request_id", &self.request_id)
            .field("client_request_id", &self.client_request_id)
            .field("retry_after", &self.retry_after)
            .field("headers", &self.headers)
            .field("body", &Preview::new(&self.body, content_type))
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Graph API error {}", self.status)?;
        if let Some(reason) = StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
        {
            write!(f, " {reason}")?;
        }
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request-id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// Parses a `Retry-After` header given in seconds (HTTP dates are ignored).
pub(super) fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// A response body as `Debug` shows it: text up to [`PREVIEW_LEN`] bytes,
/// binary content as its size.
struct Preview<'a> {
    body: &'a [u8],
    binary: bool,
}

impl<'a> Preview<'a> {
    fn new(body: &'a [u8], content_type: Option<&str>) -> Self {
        let binary = content_type.is_some_and(declared_binary)
            || std::str::from_utf8(body).map_or(true, |text| {
                text.chars()
                    .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c'))
            });
        Preview { body, binary }
    }
}

impl fmt::Debug for Preview<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = self.body.len();
        if self.binary {
            return write!(f, "<{len} bytes of binary content>");
        }
        let text = String::from_utf8_lossy(self.body);
        if len <= PREVIEW_LEN {
            return fmt::Debug::fmt(&text, f);
        }
        let mut end = PREVIEW_LEN;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        write!(f, "{:?}... ({len} bytes in all)", &text[..end])
    }
}

/// `true` for a content type that is not text: images, audio, video, fonts
/// and `application/*` other than JSON, XML, JavaScript and form data.
fn declared_binary(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let (kind, sub) = essence.split_once('/').unwrap_or((&essence, ""));
    match kind {
        "image" | "audio" | "video" | "font" => true,
        "application" => {
            !(sub.contains("json")
                || sub.contains("xml")
                || sub.contains("javascript")
                || sub == "x-www-form-urlencoded")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Client, Request};
    use super::*;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    #[tokio::test]
    async fn error_envelope_is_parsed() {
        let server = MockServer::start().await;
        let body = serde_json::json!({"error": {
            "code": "Request_ResourceNotFound",
            "message": "Resource 'x' does not exist.",
            "innerError": {"request-id": "req-1", "client-request-id": "cli-1", "date": "2024-01-01T00:00:00"}
        }});
        Mock::given(method("GET"))
            .and(path("/users/x"))
            .respond_with(
                ResponseTemplate::new(404)
                    .insert_header("x-ms-ags-diagnostic", "{\"ServerInfo\":{}}")
                    .set_body_json(&body),
            )
            .mount(&server)
            .await;
        let client = Client::test_client(&server.uri());
        let err = Request::new(client, reqwest::Method::GET, "/users/x".into())
            .await
            .expect_err("404 must fail");
        assert!(err.is_not_found());
        assert!(!err.is_throttled());
        assert_eq!(err.code(), Some("Request_ResourceNotFound"));
        let api = err.api().expect("api error");
        assert_eq!(api.message.as_deref(), Some("Resource 'x' does not exist."));
        assert_eq!(api.request_id.as_deref(), Some("req-1"));
        assert_eq!(api.client_request_id.as_deref(), Some("cli-1"));
        let inner = api.inner_error.as_ref().expect("inner error");
        assert_eq!(inner.date.as_deref(), Some("2024-01-01T00:00:00"));
        assert!(api.body_text().contains("Request_ResourceNotFound"));
        assert_eq!(err.body(), Some(&api.body));
        assert_eq!(
            api.headers
                .get("x-ms-ags-diagnostic")
                .and_then(|v| v.to_str().ok()),
            Some("{\"ServerInfo\":{}}")
        );
        assert!(
            err.to_string()
                .contains("404 Not Found Request_ResourceNotFound"),
            "{err}"
        );
    }

    #[test]
    fn details_target_and_nested_inner_errors_are_typed() {
        let body = serde_json::json!({"error": {
            "code": "BadRequest",
            "message": "Invalid request.",
            "target": "user",
            "details": [
                {"code": "PropertyNotWritable", "message": "id is read-only.", "target": "id"},
                {"code": "InvalidValue", "message": "Bad mail."},
                "not an object"
            ],
            "innererror": {
                "code": "invalidRequest",
                "request-id": "req-2",
                "client-request-id": "cli-2",
                "date": "2024-05-01T10:00:00",
                "errorType": "Expected",
                "innerError": {"code": "badArgument", "throttleReason": 7}
            }
        }});
        let api = ApiError::from_response(
            StatusCode::BAD_REQUEST,
            &HeaderMap::new(),
            body.to_string().as_bytes(),
        );
        assert_eq!(api.code.as_deref(), Some("BadRequest"));
        assert_eq!(api.target.as_deref(), Some("user"));
        assert_eq!(api.details.len(), 2);
        assert_eq!(api.details[0].code.as_deref(), Some("PropertyNotWritable"));
        assert_eq!(api.details[0].message.as_deref(), Some("id is read-only."));
        assert_eq!(api.details[0].target.as_deref(), Some("id"));
        assert_eq!(api.details[1].target, None);
        let inner = api.inner_error.as_ref().expect("innererror");
        assert_eq!(inner.code.as_deref(), Some("invalidRequest"));
        assert_eq!(inner.request_id.as_deref(), Some("req-2"));
        assert_eq!(inner.client_request_id.as_deref(), Some("cli-2"));
        assert_eq!(inner.date.as_deref(), Some("2024-05-01T10:00:00"));
        assert_eq!(
            inner.additional.get("errorType"),
            Some(&serde_json::json!("Expected"))
        );
        assert_eq!(inner.additional.len(), 1, "{:?}", inner.additional);
        let nested = inner.inner_error.as_deref().expect("nested");
        assert_eq!(nested.code.as_deref(), Some("badArgument"));
        assert_eq!(nested.additional.get("throttleReason"), Some(&7.into()));
        assert_eq!(nested.inner_error, None);
        assert_eq!(api.request_id.as_deref(), Some("req-2"));

        // Members of unexpected types are skipped, not fatal.
        let odd = br#"{"error": {"code": 5, "message": "m", "details": {}, "innerError": "x"}}"#;
        let api = ApiError::from_response(StatusCode::BAD_REQUEST, &HeaderMap::new(), odd);
        assert_eq!((api.code, api.message.as_deref()), (None, Some("m")));
        assert!(api.details.is_empty() && api.inner_error.is_none());
    }

    #[test]
    fn an_error_without_a_body_shows_the_status_text() {
        let api = ApiError::from_response(StatusCode::SERVICE_UNAVAILABLE, &HeaderMap::new(), b"");
        assert_eq!(api.to_string(), "Graph API error 503 Service Unavailable");
    }

    #[test]
    fn non_json_error_body_is_tolerated() {
        let mut headers = HeaderMap::new();
        headers.insert("request-id", "hdr-id".parse().expect("valid header"));
        headers.insert(RETRY_AFTER, "7".parse().expect("valid header"));
        let err = ApiError::from_response(StatusCode::BAD_GATEWAY, &headers, b"<html>oops</html>");
        assert_eq!(err.status, 502);
        assert_eq!(err.code, None);
        assert_eq!(err.request_id.as_deref(), Some("hdr-id"));
        assert_eq!(err.retry_after, Some(Duration::from_secs(7)));
        assert_eq!(err.body, "<html>oops</html>");
        assert_eq!(err.headers, headers);
        assert!(format!("{err:?}").contains(r#"body: "<html>oops</html>""#));
    }

    #[test]
    fn errors_keep_the_whole_body_and_debug_previews_it() {
        let long = Bytes::from(format!("{{\"a\": \"{}é\"", "a".repeat(PREVIEW_LEN + 10)));
        let source = serde_json::from_slice::<serde_json::Value>(&long).expect_err("cut short");
        let err = Error::decode(source, long.clone());
        assert!(matches!(&err, Error::Decode { body, .. } if *body == long));
        assert_eq!(err.body_text().as_deref().map(str::len), Some(long.len()));
        let shown = format!("{err:?}");
        assert!(
            shown.contains(&format!("... ({} bytes in all)", long.len())),
            "{shown}"
        );
        assert!(shown.len() < PREVIEW_LEN + 500, "{}", shown.len());

        let api = ApiError::from_response(StatusCode::BAD_REQUEST, &HeaderMap::new(), &long);
        assert_eq!(api.body, long, "the whole error body is kept");

        // Binary content is described, never dumped: invalid UTF-8, control
        // characters, or a binary content type.
        let png = Bytes::from_static(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
        let source = serde_json::from_slice::<u32>(&png).expect_err("not JSON");
        let shown = format!("{:?}", Error::decode(source, png.clone()));
        assert!(
            shown.contains("body: <16 bytes of binary content>"),
            "{shown}"
        );
        assert!(!shown.contains("PNG"), "{shown}");
        let nul = Bytes::from_static(b"text\0with a NUL");
        let source = serde_json::from_slice::<u32>(&nul).expect_err("not JSON");
        let shown = format!("{:?}", Error::decode(source, nul));
        assert!(
            shown.contains("body: <15 bytes of binary content>"),
            "{shown}"
        );
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            "application/octet-stream".parse().expect("valid"),
        );
        let api = ApiError::from_response(StatusCode::BAD_GATEWAY, &headers, b"plain");
        assert!(format!("{api:?}").contains("body: <5 bytes of binary content>"));
        headers.insert(
            CONTENT_TYPE,
            "application/problem+json; charset=utf-8"
                .parse()
                .expect("valid"),
        );
        let api = ApiError::from_response(StatusCode::BAD_GATEWAY, &headers, b"{}");
        assert!(format!("{api:?}").contains(r#"body: "{}""#));
    }
}
