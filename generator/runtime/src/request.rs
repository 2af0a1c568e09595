//! [`Request`]: the awaitable builder returned by every generated endpoint method.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde::de::{DeserializeOwned, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::client::{Attempted, Prepared};
use super::content::{Content, Download, Payload};
use super::paging::DEFAULT_MAX_PAGES;
use super::{Client, Error, FieldName, QueryOptions, retry};

/// Decodes a successful response body into `T`.
pub(super) type Decoder<T> = fn(Bytes) -> Result<T, Error>;

/// Makes `T` of a successful answer whose body is still on the connection.
pub(super) type LiveDecoder<T> = fn(Download) -> Result<T, Error>;

/// A pending Graph call; refine it with the builder methods, then `.await` it.
///
/// Generated code creates it with [`Request::new`] and picks the decoder:
///
/// ```no_run
/// use graph_sdk_runtime::{Client, Error, Method, Request, encode_path_segment};
///
/// #[derive(serde::Deserialize)]
/// struct User {
///     #[serde(rename = "displayName")]
///     display_name: Option<String>,
/// }
///
/// fn get_user(client: &Client, id: &str) -> Request<User> {
///     let path = format!("/users/{}", encode_path_segment(id));
///     Request::new(client.clone(), Method::GET, path).json_response()
/// }
///
/// # async fn example(client: Client) -> Result<(), Error> {
/// let user = get_user(&client, "ada@contoso.com").select(["displayName"]).await?;
/// # let _ = user.display_name;
/// # Ok(())
/// # }
/// ```
///
/// and users of a generated crate write
/// `client.users().item("ada@contoso.com").get().select(["displayName"]).await?`.
/// Errors from builder methods (e.g. a body that fails to serialize) are
/// reported when the request is awaited.
#[must_use = "a Request does nothing until it is awaited"]
pub struct Request<T> {
    pub(super) client: Client,
    pub(super) method: Method,
    pub(super) path: String,
    pub(super) options: QueryOptions,
    pub(super) headers: HeaderMap,
    pub(super) body: Option<Payload>,
    pub(super) error: Option<Error>,
    pub(super) max_pages: usize,
    pub(super) advanced_queries: bool,
    pub(super) template: Option<&'static str>,
    pub(super) decode: Decoder<T>,
    /// Set for a download: the answer is read as it is consumed, not
    /// before `decode` sees it (which a `$batch` answer still uses).
    pub(super) live: Option<LiveDecoder<T>>,
}

impl Request<()> {
    /// New request for `path` (already encoded, relative to the base URL, starting with `/`).
    ///
    /// The response is ignored until a decoder is chosen with
    /// [`json_response`](Request::json_response) or [`bytes_response`](Request::bytes_response).
    pub fn new(client: Client, method: Method, path: String) -> Self {
        Request {
            client,
            method,
            path,
            options: QueryOptions::default(),
            headers: HeaderMap::new(),
            body: None,
            error: None,
            max_pages: DEFAULT_MAX_PAGES,
            advanced_queries: false,
            template: None,
            decode: decode_empty,
            live: None,
        }
    }
}

impl<T> Request<T> {
    /// Decodes the response body with a custom function.
    pub fn with_decoder<U>(self, decode: Decoder<U>) -> Request<U> {
        Request {
            client: self.client,
            method: self.method,
            path: self.path,
            options: self.options,
            headers: self.headers,
            body: self.body,
            error: self.error,
            max_pages: self.max_pages,
            advanced_queries: self.advanced_queries,
            template: self.template,
            decode,
            live: None,
        }
    }

    /// Decodes the response body as JSON into `U`.
    pub fn json_response<U: DeserializeOwned>(self) -> Request<U> {
        self.with_decoder(decode_json::<U>)
    }

    /// Decodes the response body as JSON into `U`, or gives `None` when the
    /// server sends no body: a write that the docs show answering with the
    /// object may answer `204 No Content` instead, and that is a success.
    pub fn optional_json_response<U: DeserializeOwned>(self) -> Request<Option<U>> {
        self.with_decoder(decode_optional_json::<U>)
    }

    /// Decodes the response body as JSON into `U`, for a call whose
    /// documented response is ONE object (`GET /me/manager`, `POST
    /// /users`). It decodes as [`json_response`](Self::json_response) does,
    /// except that a collection page (`{"value": [...]}` with
    /// `@odata.nextLink`, `@odata.deltaLink` or `@odata.count`, an
    /// `@odata.context` not ending in `/$entity`, or no other member than
    /// `@` annotations) is [`Error::UnexpectedCollection`] instead of an
    /// object with every field missing.
    ///
    /// ```no_run
    /// # use graph_sdk_runtime::{Client, Error, Method, Request};
    /// #[derive(serde::Deserialize)]
    /// struct User {
    ///     id: String,
    /// }
    /// # async fn example(client: Client) -> Result<(), Error> {
    /// let manager: User = Request::new(client, Method::GET, "/me/manager".into())
    ///     .template("/me/manager")
    ///     .object_response()
    ///     .await?;
    /// # let _ = manager.id;
    /// # Ok(())
    /// # }
    /// ```
    pub fn object_response<U: DeserializeOwned>(self) -> Request<U> {
        self.with_decoder(decode_object::<U>)
    }

    /// [`object_response`](Self::object_response) for a write that may
    /// answer `204 No Content` instead of the object: `None` when the
    /// server sends no body, as
    /// [`optional_json_response`](Self::optional_json_response).
    pub fn optional_object_response<U: DeserializeOwned>(self) -> Request<Option<U>> {
        self.with_decoder(decode_optional_object::<U>)
    }

    /// Decodes a primitive result, which Graph wraps as `{"value": ...}`.
    pub fn value_response<U: DeserializeOwned>(self) -> Request<U> {
        self.with_decoder(decode_value::<U>)
    }

    /// Ignores the response body (for 204 No Content endpoints).
    pub fn empty_response(self) -> Request<()> {
        self.with_decoder(decode_empty)
    }

    /// Returns the raw response body (file content, photos, reports),
    /// read whole into memory; [`download_response`](Self::download_response)
    /// reads it as it is consumed.
    pub fn bytes_response(self) -> Request<Bytes> {
        self.header(ACCEPT, "*/*").with_decoder(decode_bytes)
    }

    /// Answers a [`Download`] as soon as the status and headers are in;
    /// its body is then read whole, as a stream, or into a file, with
    /// memory bounded by one chunk. Content endpoints return this.
    pub fn download_response(self) -> Request<Download> {
        let mut request = self.header(ACCEPT, "*/*").with_decoder(decode_download);
        request.live = Some(Ok);
        request
    }

    /// Adds properties to `$select`.
    pub fn select<S: Into<FieldName>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.options
            .select
            .extend(fields.into_iter().map(|f| String::from(f.into())));
        self
    }

    /// Adds navigation properties to `$expand`.
    pub fn expand<S: Into<FieldName>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.options
            .expand
            .extend(fields.into_iter().map(|f| String::from(f.into())));
        self
    }

    /// Sets `$filter`, e.g. `startswith(displayName,'a')`.
    pub fn filter(mut self, expression: impl Into<String>) -> Self {
        self.options.filter = Some(expression.into());
        self
    }

    /// Adds sort expressions to `$orderby`, e.g. `displayName desc`.
    pub fn order_by<S: Into<FieldName>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.options
            .order_by
            .extend(fields.into_iter().map(|f| String::from(f.into())));
        self
    }

    /// Sets `$top` (page size).
    pub fn top(mut self, n: u32) -> Self {
        self.options.top = Some(n);
        self
    }

    /// Sets `$skip`.
    pub fn skip(mut self, n: u32) -> Self {
        self.options.skip = Some(n);
        self
    }

    /// Sets `$count`. On endpoints whose page requires it for `$count` and
    /// `$search` (directory objects: users, groups, ...), the generated method
    /// also sends `ConsistencyLevel: eventual`; see
    /// [`advanced_queries`](Self::advanced_queries).
    pub fn count(mut self, count: bool) -> Self {
        self.options.count = Some(count);
        self
    }

    /// Sets `$search`; include the quotes Graph expects: `"displayName:x"`.
    pub fn search(mut self, expression: impl Into<String>) -> Self {
        self.options.search = Some(expression.into());
        self
    }

    /// Marks the endpoint as one whose `$count` and `$search` are advanced
    /// queries: when either is set, the request sends
    /// `ConsistencyLevel: eventual` (unless a `ConsistencyLevel` header was
    /// set). Generated methods call it where the endpoint's page documents
    /// the header.
    pub fn advanced_queries(mut self) -> Self {
        self.advanced_queries = true;
        self
    }

    /// The documented path template (`/users/{id}`), which traces and
    /// decode errors name instead of the concrete path (that may hold user
    /// names). Generated methods set it.
    pub fn template(mut self, template: &'static str) -> Self {
        self.template = Some(template);
        self
    }

    /// Appends an arbitrary query parameter (encoded when sent).
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.extra.push((key.into(), value.into()));
        self
    }

    /// Replaces all query options at once.
    pub fn options(mut self, options: QueryOptions) -> Self {
        self.options = options;
        self
    }

    /// The query options set so far.
    pub fn query_options(&self) -> &QueryOptions {
        &self.options
    }

    /// Sets a header, replacing a previous value and the runtime's default for that name.
    pub fn header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        let (name, value) = (name.as_ref(), value.as_ref());
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(name), Ok(value)) => {
                self.headers.insert(name, value);
            }
            _ => self.fail(Error::InvalidHeader(format!("{name}: {value:?}"))),
        }
        self
    }

    /// Serializes `body` as the JSON request body (with `Content-Type: application/json`).
    pub fn json_body(mut self, body: &impl Serialize) -> Self {
        match serde_json::to_vec(body) {
            Ok(json) => {
                self.body = Some(Payload::Bytes(Bytes::from(json)));
                self.headers
                    .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
            Err(e) => self.fail(Error::Serialize(e)),
        }
        self
    }

    /// Sends raw bytes as the body with the given content type (uploads).
    pub fn bytes_body(self, body: impl Into<Bytes>, content_type: impl AsRef<str>) -> Self {
        let mut this = self.header(CONTENT_TYPE, content_type);
        this.body = Some(Payload::Bytes(body.into()));
        this
    }

    /// Sends `content` (bytes, a file or a stream, see [`Content`]) as the
    /// body, as its own media type or else as `default_type`, the type the
    /// endpoint documents.
    pub fn content_body(self, content: impl Into<Content>, default_type: &str) -> Self {
        let content = content.into();
        let media_type = content.media_type.as_deref().unwrap_or(default_type);
        let mut this = self.header(CONTENT_TYPE, media_type);
        if let Some(length) = content.length {
            this = this.header(CONTENT_LENGTH, length.to_string());
        }
        this.body = Some(content.payload);
        this
    }

    /// Records the first builder error; it is returned when the request is sent.
    fn fail(&mut self, error: Error) {
        self.error.get_or_insert(error);
    }

    /// Resolves the URL and query string into a replayable request.
    pub(super) fn prepare(&mut self) -> Result<Prepared, Error> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        let mut url = self.client.resolve(&self.path)?;
        let query = self.options.to_query_string();
        if !query.is_empty() {
            let joined = match url.query() {
                Some(existing) if !existing.is_empty() => format!("{existing}&{query}"),
                _ => query,
            };
            url.set_query(Some(&joined));
        }
        let mut headers = self.headers.clone();
        let advanced = self.options.count == Some(true) || self.options.search.is_some();
        if self.advanced_queries && advanced && !headers.contains_key("consistencylevel") {
            headers.insert(
                HeaderName::from_static("consistencylevel"),
                HeaderValue::from_static("eventual"),
            );
        }
        Ok(Prepared {
            method: self.method.clone(),
            template: self
                .template
                .map_or_else(|| self.path.clone(), str::to_owned),
            url,
            headers,
            body: self.body.clone(),
            anonymous: false,
            live: self.live.is_some(),
            retry_server_errors: false,
        })
    }

    /// Sends the request (with retries) and decodes the response.
    pub async fn send(self) -> Result<T, Error> {
        self.send_with_response().await.map(|r| r.body)
    }

    /// Sends the request and returns the decoded body together with the
    /// status and headers of the response (`ETag`, `Location`,
    /// `request-id`, `Preference-Applied`, ...).
    ///
    /// ```no_run
    /// # use graph_sdk_runtime::{Client, Error, Method, Request};
    /// # async fn example(client: Client) -> Result<(), Error> {
    /// let created = client
    ///     .post("/me/events")
    ///     .json_body(&serde_json::json!({"subject": "Lunch"}))
    ///     .send_with_response()
    ///     .await?;
    /// println!("{} at {:?}", created.status, created.location());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn send_with_response(mut self) -> Result<Response<T>, Error> {
        let prepared = self.prepare()?;
        let answer = retry::execute_any(&self.client, &prepared).await?;
        let (status, headers) = (answer.status(), answer.headers().clone());
        let body = match (answer, self.live) {
            (Attempted::Live(response), Some(live)) => {
                live(Download::live(response, self.client.timeout()))
            }
            (answer, _) => answer.read().await.and_then(|raw| (self.decode)(raw.body)),
        }
        .map_err(|e| e.at_endpoint(&format!("{} {}", prepared.method, prepared.url.path())))?;
        Ok(Response {
            status,
            body,
            headers,
        })
    }
}

/// A successful response: the decoded body, with the status and headers.
#[derive(Debug, Clone)]
pub struct Response<T> {
    /// The HTTP status (`200 OK`, `201 Created`, `204 No Content`, ...).
    pub status: reqwest::StatusCode,
    /// Every response header.
    pub headers: reqwest::header::HeaderMap,
    /// The decoded body.
    pub body: T,
}

impl<T> Response<T> {
    /// A header's value, if it is present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `ETag`, for `If-Match` on a later update.
    pub fn etag(&self) -> Option<&str> {
        self.header("etag")
    }

    /// The `Location` of a created resource or a long-running operation.
    pub fn location(&self) -> Option<&str> {
        self.header("location")
    }

    /// Graph's `request-id`, for support cases.
    pub fn request_id(&self) -> Option<&str> {
        self.header("request-id")
    }

    /// Which `Prefer` preferences the server applied.
    pub fn preference_applied(&self) -> Option<&str> {
        self.header("preference-applied")
    }
}

impl<T: Send + 'static> IntoFuture for Request<T> {
    type Output = Result<T, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T, Error>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl<T> fmt::Debug for Request<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("options", &self.options)
            .field("headers", &self.headers)
            .field("has_body", &self.body.is_some())
            .finish_non_exhaustive()
    }
}

/// Decodes a JSON body into `T`; a decode error keeps the body and names
/// the JSON path of the failing value.
pub(super) fn decode_json<T: DeserializeOwned>(body: Bytes) -> Result<T, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        let empty = <serde_json::Error as serde::de::Error>::custom(
            "the response has no body, but this call returns one",
        );
        return Err(Error::decode(empty, body));
    }
    let mut reader = serde_json::Deserializer::from_slice(&body);
    serde_path_to_error::deserialize(&mut reader).map_err(|e| {
        let path = e.path().to_string();
        Error::decode(e.into_inner(), body.clone()).at_path(path)
    })
}

fn decode_optional_json<T: DeserializeOwned>(body: Bytes) -> Result<Option<T>, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    decode_json(body).map(Some)
}

fn decode_object<T: DeserializeOwned>(body: Bytes) -> Result<T, Error> {
    if is_collection_page(&body) {
        return Err(Error::UnexpectedCollection {
            endpoint: String::new(),
            body,
        });
    }
    decode_json(body)
}

fn decode_optional_object<T: DeserializeOwned>(body: Bytes) -> Result<Option<T>, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    decode_object(body).map(Some)
}

/// `true` when `body` is a collection page rather than one object: a JSON
/// object whose `value` is an array and that has paging annotations, a
/// context other than an entity's, or only annotations besides `value`.
/// Only bodies containing `"value"` are looked into, without building a
/// `serde_json::Value`.
fn is_collection_page(body: &[u8]) -> bool {
    if !body.windows(7).any(|w| w == b"\"value\"") {
        return false;
    }
    let Ok(probe) = serde_json::from_slice::<CollectionProbe>(body) else {
        return false;
    };
    probe.value_is_array
        && (probe.paging
            || probe
                .context
                .is_some_and(|context| !context.ends_with("/$entity"))
            || !probe.other_members)
}

/// What [`is_collection_page`] needs of a body.
#[derive(Default)]
struct CollectionProbe {
    value_is_array: bool,
    /// `@odata.nextLink`, `@odata.deltaLink` or `@odata.count` is present.
    paging: bool,
    context: Option<String>,
    /// A member other than `value` and `@` annotations is present.
    other_members: bool,
}

impl<'de> serde::Deserialize<'de> for CollectionProbe {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ProbeVisitor)
    }
}

/// Reads a JSON object into a [`CollectionProbe`], member by member.
struct ProbeVisitor;

impl<'de> Visitor<'de> for ProbeVisitor {
    type Value = CollectionProbe;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CollectionProbe, A::Error> {
        let mut probe = CollectionProbe::default();
        while let Some(key) = map.next_key::<ProbeKey>()? {
            match key {
                ProbeKey::Value => probe.value_is_array = map.next_value::<IsArray>()?.0,
                ProbeKey::Context => probe.context = map.next_value()?,
                ProbeKey::Paging | ProbeKey::Annotation | ProbeKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                    probe.paging |= key == ProbeKey::Paging;
                    probe.other_members |= key == ProbeKey::Other;
                }
            }
        }
        Ok(probe)
    }
}

/// A member name, classified without copying it.
#[derive(PartialEq)]
enum ProbeKey {
    Value,
    Context,
    Paging,
    Annotation,
    Other,
}

impl<'de> serde::Deserialize<'de> for ProbeKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(ProbeKeyVisitor)
    }
}

/// Classifies a member name as a [`ProbeKey`].
struct ProbeKeyVisitor;

impl Visitor<'_> for ProbeKeyVisitor {
    type Value = ProbeKey;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E>(self, name: &str) -> Result<ProbeKey, E> {
        Ok(match name {
            "value" => ProbeKey::Value,
            "@odata.context" => ProbeKey::Context,
            "@odata.nextLink" | "@odata.deltaLink" | "@odata.count" => ProbeKey::Paging,
            _ if name.starts_with('@') => ProbeKey::Annotation,
            _ => ProbeKey::Other,
        })
    }
}

/// Whether a value is an array, its items skipped.
struct IsArray(bool);

impl<'de> serde::Deserialize<'de> for IsArray {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IsArrayVisitor)
    }
}

/// Tells an array from any other JSON value, skipping what it reads.
struct IsArrayVisitor;

impl<'de> Visitor<'de> for IsArrayVisitor {
    type Value = IsArray;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<IsArray, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(IsArray(true))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<IsArray, A::Error> {
        IgnoredAny.visit_map(map).map(|_| IsArray(false))
    }

    fn visit_bool<E>(self, _: bool) -> Result<IsArray, E> {
        Ok(IsArray(false))
    }

    fn visit_i64<E>(self, _: i64) -> Result<IsArray, E> {
        Ok(IsArray(false))
    }

    fn visit_u64<E>(self, _: u64) -> Result<IsArray, E> {
        Ok(IsArray(false))
    }

    fn visit_f64<E>(self, _: f64) -> Result<IsArray, E> {
        Ok(IsArray(false))
    }

    fn visit_str<E>(self, _: &str) -> Result<IsArray, E> {
        Ok(IsArray(false))
    }

    fn visit_unit<E>(self) -> Result<IsArray, E> {
        Ok(IsArray(false))
    }
}

/// The `{"value": ...}` wrapper of a primitive result.
#[derive(serde::Deserialize)]
struct Wrapped<T> {
    value: T,
}

fn decode_value<T: DeserializeOwned>(body: Bytes) -> Result<T, Error> {
    decode_json::<Wrapped<T>>(body).map(|w| w.value)
}

fn decode_empty(_body: Bytes) -> Result<(), Error> {
    Ok(())
}

fn decode_bytes(body: Bytes) -> Result<Bytes, Error> {
    Ok(body)
}

/// A download whose body was read already (a `$batch` answer).
fn decode_download(body: Bytes) -> Result<Download, Error> {
    Ok(Download::read(
        reqwest::StatusCode::OK,
        HeaderMap::new(),
        body,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::encode_path_segment;
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;
    use wiremock::matchers::{body_json, header, method, path, query_param};
    use wiremock::{Mock, MockServer, Request as Received, ResponseTemplate};

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    struct User {
        id: String,
        display_name: Option<String>,
    }

    fn get_user(client: &Client, id: &str) -> Request<User> {
        let path = format!("/users/{}", encode_path_segment(id));
        Request::new(client.clone(), Method::GET, path).json_response()
    }

    #[tokio::test]
    async fn advanced_queries_send_eventual_consistency_only_when_needed() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/users"))
            .and(header("consistencylevel", "eventual"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(serde_json::json!({"value": []})),
            )
            .expect(2)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/users"))
            .and(|r: &Received| r.headers.get("consistencylevel").is_none())
            .respond_with(
                ResponseTemplate::new(200).set_body_json(serde_json::json!({"value": []})),
            )
            .expect(2)
            .mount(&server)
            .await;
        let client = Client::test_client(&server.uri());
        let list = || {
            Request::new(client.clone(), Method::GET, "/users".into())
                .json_response::<crate::Page<serde_json::Value>>()
        };
        // Sent with $count or $search on an advanced-query endpoint...
        list().advanced_queries().count(true).await.expect("count");
        list()
            .advanced_queries()
            .search("\"displayName:ada\"")
            .await
            .expect("search");
        // ...but not without them, nor on other endpoints.
        list().advanced_queries().top(5).await.expect("plain");
        list().count(true).await.expect("not advanced");
    }

    #[tokio::test]
    async fn primitive_results_are_unwrapped_from_value() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/things/1/measure(unit='cm')"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"@odata.context": "x", "value": 1.5})),
            )
            .mount(&server)
            .await;
        let client = Client::test_client(&server.uri());
        let value: f64 = Request::new(client, Method::GET, "/things/1/measure(unit='cm')".into())
            .value_response()
            .await
            .expect("value");
        assert!((value - 1.5).abs() < f64::EPSILON);
    }

    #[tokio::test]
    async fn get_decodes_json_and_sends_headers() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/users/a%20b"))
            .and(header("authorization", "Bearer test-token"))
            .and(header("accept", "application/json"))
            .and(header("consistencylevel", "eventual"))
            .and(|r: &Received| {
                r.headers
                    .get("client-request-id")
                    .is_some_and(|v| v.len() == 36)
                    && r.headers.get("user-agent").is_some()
                    && r.headers.get("content-type").is_none()
            })
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"id": "a b", "displayName": "Ada"})),
            )
            .expect(2)
            .mount(&server)
            .await;
        let client = Client::test_client(&server.uri());
        let user = get_user(&client, "a b")
            .header("ConsistencyLevel", "eventual")
            .await
            .expect("user");
        assert_eq!(user.display_name.as_deref(), Some("Ada"));
        let again = get_user(&client, "a b")
            .header("ConsistencyLevel", "eventual")
            .send()
            .await
            .expect("user");
        assert_eq!(again, user);
        let ids: Vec<_> = server
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .map(|r| r.headers.get("client-request-id").cloned())
            .collect();
        assert_ne!(ids[0], ids[1], "fresh id per logical request");
    }

    #[tokio::test]
    async fn query_options_are_encoded() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/users"))
            .and(query_param("$select", "id,displayName"))
            .and(query_param("$filter", "startswith(displayName,'a&b')"))
            .and(query_param("$search", "\"displayName:x\""))
            .and(query_param("$expand", "manager"))
            .and(query_param("$orderby", "displayName desc"))
            .and(query_param("$top", "10"))
            .and(query_param("$skip", "2"))
            .and(query_param("$count", "true"))
            .and(query_param("custom", "1+1"))
            .respond_with(ResponseTemplate::new(200).set_body_string("[]"))
            .expect(1)
            .mount(&server)
            .await;
        let client = Client::test_client(&server.uri());
        let users: Vec<User> = Request::new(client, Method::GET, "/users".into())
            .json_response()
            .select(["id", "displayName"])
            .filter("startswith(displayName,'a&b')")
            .search("\"displayName:x\"")
            .expand(["manager"])
            .order_by(["displayName desc"])
            .top(10)
            .skip(2)
            .count(true)
            .query("custom", "1+1")
            .await
            .expect("empty list");
        assert!(users.is_empty());
        let received = server.received_requests().await.unwrap_or_default();
        let query = received[0].url.query().unwrap_or_default().to_owned();
        assert!(query.starts_with("$select=id,displayName&"), "{query}");
    }

    #[tokio::test]
    async fn patch_sends_json_body_and_accepts_204() {
        let server = MockServer::start().await;
        Mock::given(method("PATCH"))
            .and(path("/users/1"))
            .and(header("content-type", "application/json"))
            .and(body_json(
                serde_json::json!({"displayName": "New", "jobTitle": null}),
            ))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&server)
            .await;
        let client = Client::test_client(&server.uri());
        let body = serde_json::json!({"displayName": "New", "jobTitle": null});
        let unit: () = Request::new(client, Method::PATCH, "/users/1".into())
            .json_body(&body)
            .empty_response()
            .await
            .expect("204");
        assert_eq!(unit, ());
    }

    #[tokio::test]
    async fn bytes_and_decode_errors() {
        let server = MockServer::start().await;
        Mock::given(path("/photo/$value"))
            .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![0u8, 159, 146]))
            .mount(&server)
            .await;
        Mock::given(path("/users/1"))
            .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"id": 42}"#))
            .mount(&server)
            .await;
        let client = Client::test_client(&server.uri());
        let bytes = Request::new(client.clone(), Method::GET, "/photo/$value".into())
            .bytes_response()
            .await
            .expect("bytes");
        assert_eq!(&bytes[..], &[0u8, 159, 146]);
        match get_user(&client, "1").await {
            Err(Error::Decode { body, source, .. }) => {
                assert_eq!(body, r#"{"id": 42}"#);
                assert!(source.is_data());
            }
            other => panic!("expected decode error, got {other:?}"),
        }
    }

    const USERS: &str = "https://graph.microsoft.com/v1.0/$metadata#users";

    #[tokio::test]
    async fn a_collection_where_one_object_is_documented_is_an_error() {
        let server = MockServer::start().await;
        let page = serde_json::json!({
            "@odata.context": USERS,
            "value": [{"id": "1", "displayName": "Ada"}]
        });
        Mock::given(path("/me/manager"))
            .respond_with(ResponseTemplate::new(200).set_body_json(&page))
            .mount(&server)
            .await;
        Mock::given(path("/users/1/manager"))
            .respond_with(ResponseTemplate::new(204))
            .mount(&server)
            .await;
        let client = Client::test_client(&server.uri());
        let manager = || Request::new(client.clone(), Method::GET, "/me/manager".into());
        let err = manager()
            .template("/me/manager")
            .object_response::<User>()
            .await
            .expect_err("a page is not a user");
        match &err {
            Error::UnexpectedCollection { endpoint, body } => {
                assert_eq!(endpoint, "GET /me/manager");
                assert_eq!(
                    serde_json::from_slice::<serde_json::Value>(body).ok(),
                    Some(page)
                );
            }
            other => panic!("expected UnexpectedCollection, got {other:?}"),
        }
        assert_eq!(
            err.to_string(),
            "the response of GET /me/manager is a collection (a `value` array), but the call returns one object"
        );
        let err = manager()
            .optional_object_response::<User>()
            .await
            .expect_err("also when optional");
        assert!(
            matches!(err, Error::UnexpectedCollection { ref endpoint, .. } if endpoint == "GET /me/manager")
        );
        // json_response is unchanged: it does not look for collections.
        let lenient = manager()
            .json_response::<serde_json::Value>()
            .await
            .expect("any JSON");
        assert!(lenient["value"].is_array());
        let none = Request::new(client, Method::GET, "/users/1/manager".into())
            .optional_object_response::<User>()
            .await
            .expect("204");
        assert_eq!(none, None);
    }

    #[tokio::test]
    async fn an_object_with_a_value_member_decodes_as_json_response_does() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Setting {
            id: String,
            value: String,
        }
        let server = MockServer::start().await;
        Mock::given(path("/settings/1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groupSettings('g')/values/$entity",
                "id": "1",
                "value": "true"
            })))
            .mount(&server)
            .await;
        Mock::given(path("/settings/2"))
            .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"id": "2", "value": 5}"#))
            .mount(&server)
            .await;
        let client = Client::test_client(&server.uri());
        let setting = |id: &str| {
            Request::new(client.clone(), Method::GET, format!("/settings/{id}"))
                .template("/settings/{id}")
        };
        let one: Setting = setting("1").object_response().await.expect("one object");
        assert_eq!(
            one,
            Setting {
                id: "1".into(),
                value: "true".into()
            }
        );
        let some: Option<Setting> = setting("1")
            .optional_object_response()
            .await
            .expect("one object");
        assert_eq!(some, Some(one));
        // Errors are reported as by json_response, with the path and the call.
        match setting("2").object_response::<Setting>().await {
            Err(Error::Decode {
                path,
                endpoint,
                body,
                ..
            }) => {
                assert_eq!(path, "value");
                assert_eq!(endpoint, "GET /settings/2");
                assert_eq!(body, r#"{"id": "2", "value": 5}"#);
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[test]
    fn collection_pages_are_told_from_objects() {
        let page = |text: &str| is_collection_page(text.as_bytes());
        // Collections.
        assert!(page(r#"{"value": []}"#));
        assert!(page(
            r#"{"@odata.context": "x#users", "value": [{"id": "1"}]}"#
        ));
        assert!(page(
            r#"{"id": "x", "value": [1], "@odata.nextLink": "https://n"}"#
        ));
        assert!(page(
            r#"{"id": "x", "value": [1], "@odata.deltaLink": "https://d"}"#
        ));
        assert!(page(r#"{"id": "x", "value": [1], "@odata.count": 1}"#));
        assert!(page(
            r#"{"id": "x", "value": [], "@odata.context": "x#users('1')/memberOf"}"#
        ));
        assert!(page(
            r##"{"value": [{"value": "nested"}], "@odata.type": "#x", "@my.note": 1}"##
        ));
        // Objects.
        assert!(!page(r#"{"id": "1", "value": "text"}"#));
        assert!(!page(r#"{"value": {"id": "1"}}"#));
        assert!(!page(r#"{"value": null, "@odata.context": "x#users"}"#));
        assert!(!page(r#"{"id": "1", "value": [1, 2]}"#));
        assert!(!page(
            r#"{"@odata.context": "x#things/$entity", "id": "1", "value": [1]}"#
        ));
        // Not objects, not JSON, no `"value"` at all.
        assert!(!page(r#"[{"value": []}]"#));
        assert!(!page(r#"{"value": [}"#));
        assert!(!page(r#"{"values": []}"#));
        assert!(!page(""));
    }

    #[tokio::test]
    async fn builder_errors_surface_when_awaited() {
        let client = Client::test_client("http://127.0.0.1:9");
        let bad_body = BTreeMap::from([(vec![1u8], 1)]);
        let err = Request::new(client.clone(), Method::POST, "/x".into())
            .json_body(&bad_body)
            .await
            .expect_err("non-string map keys");
        assert!(matches!(err, Error::Serialize(_)));
        let err = Request::new(client, Method::GET, "/x".into())
            .header("bad header", "v")
            .await
            .expect_err("invalid header");
        assert!(matches!(err, Error::InvalidHeader(_)));
    }
}
