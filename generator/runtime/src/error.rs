//! The runtime [`Error`] type and Graph's error envelope ([`ApiError`]).

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::Deserialize;

/// Maximum number of bytes of a response body kept inside errors.
const MAX_BODY_LEN: usize = 4096;

/// Everything that can go wrong while calling Microsoft Graph.
#[derive(Debug)]
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
        /// The response body, truncated to a few KiB.
        body: String,
        /// The JSON path of the value that failed (`value[0].createdDateTime`),
        /// empty when the body as a whole did not fit.
        path: String,
        /// The call whose response it was: method and path template
        /// (`GET /users/{id}`), empty outside a request.
        endpoint: String,
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

    /// Builds an [`Error::Decode`] keeping a truncated copy of `body`.
    pub(super) fn decode(source: serde_json::Error, body: &[u8]) -> Self {
        Error::Decode {
            source,
            body: truncate_body(body),
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
        if let Error::Decode { endpoint, .. } = &mut self {
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
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) => Some(e),
            Error::Decode { source, .. } | Error::Serialize(source) => Some(source),
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

/// A non-2xx answer from Graph, parsed from its `{"error": {...}}` envelope when possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status code.
    pub status: u16,
    /// Graph error code, e.g. `Request_ResourceNotFound`.
    pub code: Option<String>,
    /// Human-readable error message.
    pub message: Option<String>,
    /// Server-side request id (`innerError.request-id` or the `request-id` header).
    pub request_id: Option<String>,
    /// Echoed client request id (`innerError.client-request-id` or header).
    pub client_request_id: Option<String>,
    /// Delay requested by the `Retry-After` header, in seconds.
    pub retry_after: Option<Duration>,
    /// Raw response body (lossy UTF-8, truncated to a few KiB).
    pub body: String,
}

#[derive(Deserialize)]
struct Envelope {
    error: EnvelopeError,
}

#[derive(Deserialize)]
struct EnvelopeError {
    code: Option<String>,
    message: Option<String>,
    #[serde(rename = "innerError", alias = "innererror")]
    inner: Option<InnerError>,
}

#[derive(Deserialize)]
struct InnerError {
    #[serde(rename = "request-id")]
    request_id: Option<String>,
    #[serde(rename = "client-request-id")]
    client_request_id: Option<String>,
}

impl ApiError {
    /// Builds an error from a response; a body that is not Graph's envelope is tolerated.
    pub fn from_response(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Self {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let (code, message, inner) = match serde_json::from_slice::<Envelope>(body) {
            Ok(Envelope { error }) => (error.code, error.message, error.inner),
            Err(_) => (None, None, None),
        };
        let (inner_request_id, inner_client_id) = inner
            .map(|i| (i.request_id, i.client_request_id))
            .unwrap_or_default();
        ApiError {
            status: status.as_u16(),
            code,
            message,
            request_id: inner_request_id.or_else(|| header("request-id")),
            client_request_id: inner_client_id.or_else(|| header("client-request-id")),
            retry_after: parse_retry_after(headers),
            body: truncate_body(body),
        }
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

/// Lossy UTF-8 copy of `body`, cut at a char boundary after [`MAX_BODY_LEN`] bytes.
fn truncate_body(body: &[u8]) -> String {
    let slice = &body[..body.len().min(MAX_BODY_LEN)];
    let mut text = String::from_utf8_lossy(slice).into_owned();
    if body.len() > MAX_BODY_LEN {
        text.push_str("...");
    }
    text
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
            .respond_with(ResponseTemplate::new(404).set_body_json(&body))
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
        assert!(api.body.contains("Request_ResourceNotFound"));
        assert!(
            err.to_string()
                .contains("404 Not Found Request_ResourceNotFound"),
            "{err}"
        );
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
    }

    #[test]
    fn decode_error_keeps_truncated_body() {
        let long = vec![b'a'; MAX_BODY_LEN + 10];
        let source = serde_json::from_slice::<u32>(&long).expect_err("not a number");
        match Error::decode(source, &long) {
            Error::Decode { body, .. } => {
                assert_eq!(body.len(), MAX_BODY_LEN + 3);
                assert!(body.ends_with("..."));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
