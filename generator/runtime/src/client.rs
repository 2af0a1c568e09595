//! The shared [`Client`] (configuration + connection pool) and its [`ClientBuilder`].

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_LENGTH, HeaderMap, HeaderValue, USER_AGENT};
use reqwest::{Method, StatusCode, Url};

use super::content::Payload;
use super::{Cloud, Error, Request, RetryPolicy, TokenProvider};

/// Base URL used by [`Client::new`].
pub const DEFAULT_BASE_URL: &str = "https://graph.microsoft.com/v1.0";

/// How long one HTTP attempt (connect and the whole response) may take by
/// default, as in Microsoft's Graph SDKs. A retried request gets this much
/// per attempt. [`ClientBuilder::timeout`] changes it and
/// [`ClientBuilder::no_timeout`] removes it.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(100);

const DEFAULT_USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// This runtime in the `SdkVersion` header, as Microsoft's Graph SDKs name
/// their core library (`graph-dotnet-core/3.1.0`).
const CORE_SDK_VERSION: &str = concat!("graph-rust-core/", env!("CARGO_PKG_VERSION"));

/// Handle to Microsoft Graph; cheap to clone (all state is behind an `Arc`).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    tokens: Arc<dyn TokenProvider>,
    retry: RetryPolicy,
    user_agent: HeaderValue,
    /// The `SdkVersion` header: the generated crate's name and version,
    /// if it gave them, then this runtime's.
    sdk_version: HeaderValue,
    timeout: Option<Duration>,
    /// Origins (`https://graph.microsoft.com`) that get the token: the base
    /// URL's, then those allowed with [`ClientBuilder::allow_token_for_origin`].
    token_origins: Vec<String>,
}

/// The ASCII serialization of `url`'s origin (`https://host[:port]`).
fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

impl Client {
    /// Client for `https://graph.microsoft.com/v1.0` using a static bearer token.
    ///
    /// # Panics
    ///
    /// Only if the TLS backend cannot be initialised (as `reqwest::Client::new`).
    pub fn new(token: impl Into<String>) -> Client {
        Client {
            inner: Arc::new(Inner {
                http: reqwest::Client::new(),
                base_url: DEFAULT_BASE_URL.to_owned(),
                tokens: Arc::new(token.into()),
                retry: RetryPolicy::default(),
                user_agent: HeaderValue::from_static(DEFAULT_USER_AGENT),
                sdk_version: HeaderValue::from_static(CORE_SDK_VERSION),
                timeout: Some(DEFAULT_TIMEOUT),
                token_origins: Url::parse(DEFAULT_BASE_URL).iter().map(origin_of).collect(),
            }),
        }
    }

    /// A GET of any path (`/me/insights/trending`) or absolute URL, for what
    /// the generated builders do not cover. It shares the client's auth,
    /// retries, errors and query options, and decodes JSON as
    /// `serde_json::Value` unless `.json_response::<T>()` picks a type.
    pub fn get(&self, path_or_url: impl Into<String>) -> Request<serde_json::Value> {
        Request::new(self.clone(), Method::GET, path_or_url.into()).json_response()
    }

    /// A POST of any path or URL; add a body with `.json_body(&body)`. The
    /// answer is `None` when the server sends no body.
    pub fn post(&self, path_or_url: impl Into<String>) -> Request<Option<serde_json::Value>> {
        Request::new(self.clone(), Method::POST, path_or_url.into()).optional_json_response()
    }

    /// A PATCH of any path or URL; add a body with `.json_body(&body)`.
    pub fn patch(&self, path_or_url: impl Into<String>) -> Request<Option<serde_json::Value>> {
        Request::new(self.clone(), Method::PATCH, path_or_url.into()).optional_json_response()
    }

    /// A PUT of any path or URL; add a body with `.json_body(&body)` or
    /// `.bytes_body(..)`.
    pub fn put(&self, path_or_url: impl Into<String>) -> Request<Option<serde_json::Value>> {
        Request::new(self.clone(), Method::PUT, path_or_url.into()).optional_json_response()
    }

    /// A DELETE of any path or URL.
    pub fn delete(&self, path_or_url: impl Into<String>) -> Request<()> {
        Request::new(self.clone(), Method::DELETE, path_or_url.into()).empty_response()
    }

    /// The timeout of each HTTP attempt, if there is one.
    pub fn timeout(&self) -> Option<Duration> {
        self.inner.timeout
    }

    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Base URL requests are relative to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The retry policy applied to every request.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// Resolves `path` (relative to the base URL, or an absolute `http(s)` URL).
    pub(super) fn resolve(&self, path: &str) -> Result<Url, Error> {
        let full = if path.starts_with("https://") || path.starts_with("http://") {
            path.to_owned()
        } else if path.starts_with('/') {
            format!("{}{path}", self.inner.base_url)
        } else {
            format!("{}/{path}", self.inner.base_url)
        };
        Url::parse(&full).map_err(|e| Error::InvalidUrl(format!("{full}: {e}")))
    }

    /// `true` when a request to `url` carries the token: its origin
    /// (scheme, host and port) is the base URL's or one allowed with
    /// [`ClientBuilder::allow_token_for_origin`]. Any other URL (an upload
    /// session's `uploadUrl`, a monitor URL, a pre-authenticated download)
    /// gets no `Authorization` header.
    pub fn sends_token_to(&self, url: &str) -> bool {
        Url::parse(url).is_ok_and(|url| self.token_allowed(&url))
    }

    fn token_allowed(&self, url: &Url) -> bool {
        let origin = origin_of(url);
        self.inner.token_origins.contains(&origin)
    }

    /// The token for `req`, or `None` when it does not carry one (another
    /// origin, or an `Authorization` header of its own); the token provider
    /// is only asked for a request that carries the token.
    pub(super) async fn token_for(&self, req: &Prepared) -> Result<Option<String>, Error> {
        if req.anonymous || req.headers.contains_key(AUTHORIZATION) || !self.token_allowed(&req.url)
        {
            return Ok(None);
        }
        self.inner.tokens.token().await.map(Some)
    }

    /// A new token after `rejected` was answered with `401`.
    pub(super) async fn fresh_token(&self, rejected: &str) -> Result<String, Error> {
        self.inner.tokens.fresh_token(rejected).await
    }

    /// Performs one HTTP attempt, with `token` as `Authorization: Bearer`
    /// if given; non-2xx statuses are returned, not turned into errors. A
    /// successful answer to a [`Prepared::live`] request is returned unread.
    pub(super) async fn attempt(
        &self,
        req: &Prepared,
        client_request_id: &str,
        token: Option<&str>,
    ) -> Result<Attempted, Error> {
        let mut headers = HeaderMap::new();
        if let Some(token) = token {
            let bearer = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| Error::Auth("token contains characters invalid in a header".into()))?;
            headers.insert(AUTHORIZATION, bearer);
        }
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(USER_AGENT, self.inner.user_agent.clone());
        headers.insert("sdkversion", self.inner.sdk_version.clone());
        if let Ok(id) = HeaderValue::from_str(client_request_id) {
            headers.insert("client-request-id", id);
        }
        for name in req.headers.keys() {
            headers.remove(name);
        }
        for (name, value) in &req.headers {
            headers.append(name, value.clone());
        }
        let mut builder = self.inner.http.request(req.method.clone(), req.url.clone());
        if let Some(payload) = &req.body {
            let (body, length) = payload.body().await?;
            if let Some(length) = length.filter(|_| !headers.contains_key(CONTENT_LENGTH)) {
                headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
            }
            builder = builder.body(body);
        }
        let builder = builder.headers(headers);
        let response = match (self.inner.timeout, req.live) {
            // A live answer's body is read later, a chunk at a time, each
            // wait bounded by the timeout: only the headers are awaited here.
            (Some(timeout), true) => tokio::time::timeout(timeout, builder.send())
                .await
                .map_err(|_| Error::timed_out(timeout))??,
            (Some(timeout), false) => builder.timeout(timeout).send().await?,
            (None, _) => builder.send().await?,
        };
        let status = response.status();
        if req.live && status.is_success() {
            return Ok(Attempted::Live(response));
        }
        let headers = response.headers().clone();
        let body = response.bytes().await?;
        Ok(Attempted::Read(RawResponse {
            status,
            headers,
            body,
        }))
    }

    /// Client against a mock server with a static token and tiny backoffs.
    #[cfg(test)]
    pub(super) fn test_client(base_url: &str) -> Client {
        Self::test_client_with(
            base_url,
            RetryPolicy {
                max_retries: 2,
                initial_backoff: Duration::from_millis(1),
                max_backoff: Duration::from_millis(20),
                max_elapsed: Duration::from_secs(10),
            },
        )
    }

    /// [`Client::test_client`] with another retry policy.
    #[cfg(test)]
    pub(super) fn test_client_with(base_url: &str, policy: RetryPolicy) -> Client {
        Client::builder()
            .base_url(base_url)
            .bearer_token("test-token")
            .retry_policy(policy)
            .build()
            .expect("test client")
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("retry", &self.inner.retry)
            .field("token_origins", &self.inner.token_origins)
            .finish_non_exhaustive()
    }
}

/// A fully resolved HTTP request, replayable across retries and pages
/// (unless its body is a stream).
#[derive(Debug, Clone)]
pub(super) struct Prepared {
    pub(super) method: Method,
    /// The path template for traces and errors (`/users/{id}`), or the
    /// path as given for a raw request.
    pub(super) template: String,
    pub(super) url: Url,
    pub(super) headers: HeaderMap,
    pub(super) body: Option<Payload>,
    /// Never carries the token, whatever its origin: an upload session's
    /// URL, which is a credential itself. (An operation's monitor follows
    /// the origin rule: Graph's get the token, others do not.)
    pub(super) anonymous: bool,
    /// A successful answer is returned unread ([`Attempted::Live`]), for a
    /// download read as it is consumed.
    pub(super) live: bool,
    /// Any `5xx` is worth a retry (an upload slice), not only `503` and
    /// `504`.
    pub(super) retry_server_errors: bool,
}

impl Prepared {
    /// A request with no body, sent as it is (a page's next link, a
    /// monitor URL).
    pub(super) fn plain(method: Method, template: String, url: Url) -> Self {
        Prepared {
            method,
            template,
            url,
            headers: HeaderMap::new(),
            body: None,
            anonymous: false,
            live: false,
            retry_server_errors: false,
        }
    }

    /// Whether a retry can send the request again.
    pub(super) fn replayable(&self) -> bool {
        self.body.as_ref().is_none_or(Payload::replayable)
    }
}

/// What one HTTP attempt got back.
#[derive(Debug)]
pub(super) enum Attempted {
    /// The whole answer, read.
    Read(RawResponse),
    /// A successful answer whose body is still on the connection.
    Live(reqwest::Response),
}

impl Attempted {
    /// The answer's status.
    pub(super) fn status(&self) -> StatusCode {
        match self {
            Attempted::Read(raw) => raw.status,
            Attempted::Live(response) => response.status(),
        }
    }

    /// The answer's headers.
    pub(super) fn headers(&self) -> &HeaderMap {
        match self {
            Attempted::Read(raw) => &raw.headers,
            Attempted::Live(response) => response.headers(),
        }
    }

    /// The answer, read whole.
    pub(super) async fn read(self) -> Result<RawResponse, Error> {
        match self {
            Attempted::Read(raw) => Ok(raw),
            Attempted::Live(response) => Ok(RawResponse {
                status: response.status(),
                headers: response.headers().clone(),
                body: response.bytes().await?,
            }),
        }
    }
}

/// Status, headers and fully read body of one HTTP response.
#[derive(Debug)]
pub(super) struct RawResponse {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
}

/// 64 unpredictable bits, without a random-number crate: a freshly keyed
/// `RandomState` hashes a process-wide counter and the time.
pub(super) fn random_u64() -> u64 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u128(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    hasher.finish()
}

/// Generates a random-looking version-4 GUID for the `client-request-id` header.
pub(super) fn new_client_request_id() -> String {
    let mut bits = (u128::from(random_u64()) << 64) | u128::from(random_u64());
    bits = (bits & !(0xF << 76)) | (0x4 << 76);
    bits = (bits & !(0x3 << 62)) | (0x2 << 62);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        bits >> 96,
        (bits >> 80) & 0xFFFF,
        (bits >> 64) & 0xFFFF,
        (bits >> 48) & 0xFFFF,
        bits & 0xFFFF_FFFF_FFFF
    )
}

/// Configures a [`Client`]; obtained from [`Client::builder`].
///
/// `C` is what [`ClientBuilder::build`] returns: the [`Client`] itself, or a
/// generated crate's own client type that wraps one (`From<Client>`).
pub struct ClientBuilder<C = Client> {
    base_url: Option<String>,
    tokens: Option<Arc<dyn TokenProvider>>,
    retry: RetryPolicy,
    http: Option<reqwest::Client>,
    user_agent: Option<String>,
    sdk_product: Option<String>,
    cloud: Option<Cloud>,
    timeout: Option<Duration>,
    token_origins: Vec<String>,
    output: std::marker::PhantomData<fn() -> C>,
}

impl<C> Default for ClientBuilder<C> {
    fn default() -> Self {
        Self {
            base_url: None,
            tokens: None,
            retry: RetryPolicy::default(),
            http: None,
            user_agent: None,
            sdk_product: None,
            cloud: None,
            timeout: Some(DEFAULT_TIMEOUT),
            token_origins: Vec::new(),
            output: std::marker::PhantomData,
        }
    }
}

impl<C: From<Client>> ClientBuilder<C> {
    /// Overrides the base URL (e.g. the beta endpoint, a national cloud or a mock server).
    pub fn base_url(mut self, url: impl AsRef<str>) -> Self {
        self.base_url = Some(url.as_ref().to_owned());
        self
    }

    /// Also sends the token to the origin (scheme, host and port) of
    /// `url_or_origin`, e.g. `https://contoso.sharepoint.com`; may be called
    /// several times. Without it, only requests to the base URL's origin get
    /// the token. [`build`](Self::build) fails with [`Error::InvalidUrl`]
    /// unless it is an absolute `http(s)` URL.
    ///
    /// ```
    /// # use graph_sdk_runtime::{Client, Error};
    /// let client: Client = Client::builder()
    ///     .bearer_token("token")
    ///     .allow_token_for_origin("https://contoso.sharepoint.com")
    ///     .build()?;
    /// assert!(client.sends_token_to("https://contoso.sharepoint.com/sites/x"));
    /// assert!(client.sends_token_to("https://graph.microsoft.com/v1.0/me"));
    /// assert!(!client.sends_token_to("https://contoso-my.sharepoint.com/upload"));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn allow_token_for_origin(mut self, url_or_origin: impl AsRef<str>) -> Self {
        self.token_origins.push(url_or_origin.as_ref().to_owned());
        self
    }

    /// Uses a custom token source, asked before every HTTP attempt that
    /// carries the token.
    pub fn token_provider(mut self, provider: impl TokenProvider + 'static) -> Self {
        self.tokens = Some(Arc::new(provider));
        self
    }

    /// Uses a fixed bearer token.
    pub fn bearer_token(self, token: impl Into<String>) -> Self {
        self.token_provider(token.into())
    }

    /// Sets the retry policy (default: [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Uses a preconfigured `reqwest::Client` (proxies, pools, ...).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Talks to Graph in `cloud` (a national cloud): its v1.0 endpoint is
    /// the base URL (unless [`base_url`](Self::base_url) comes after), and
    /// a token provider without a cloud of its own, such as
    /// [`ClientCredentials`](super::ClientCredentials), signs in to its
    /// authority for its Graph.
    pub fn cloud(mut self, cloud: Cloud) -> Self {
        self.base_url = Some(cloud.graph_v1());
        self.cloud = Some(cloud);
        self
    }

    /// Names the SDK built on this runtime in the `SdkVersion` header
    /// (`my-graph-sdk/1.2.0`), before the runtime's own name; generated
    /// crates give theirs.
    pub fn sdk_version(mut self, product: impl Into<String>) -> Self {
        self.sdk_product = Some(product.into());
        self
    }

    /// Overrides the `User-Agent` header.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = Some(agent.into());
        self
    }

    /// Sets the timeout of each HTTP attempt (connect and the whole
    /// response); [`DEFAULT_TIMEOUT`] unless set.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Lets each HTTP attempt take as long as it takes.
    pub fn no_timeout(mut self) -> Self {
        self.timeout = None;
        self
    }

    /// Validates the configuration and builds the client. Its HTTP client
    /// follows redirects (a download's `302` to a pre-authenticated URL)
    /// up to 10 deep, drops `Authorization` and cookies on any change of
    /// host, port or scheme (reqwest does), refuses one from HTTPS to
    /// plain HTTP, and leaves a `303 See Other` (a finished operation's
    /// monitor pointing at the result) to [`Operation`](super::Operation).
    ///
    /// Fails with [`Error::Auth`] when no token was configured, [`Error::InvalidUrl`]
    /// for a bad base URL or origin allowed to get the token, and
    /// [`Error::InvalidHeader`] for a bad user agent.
    pub fn build(self) -> Result<C, Error> {
        let tokens = self
            .tokens
            .ok_or_else(|| Error::Auth("no token provider or bearer token configured".into()))?;
        let base_url = self
            .base_url
            .as_deref()
            .unwrap_or(DEFAULT_BASE_URL)
            .trim_end_matches('/')
            .to_owned();
        let mut token_origins = vec![origin_of(&parse_http_url(&base_url)?)];
        for allowed in &self.token_origins {
            let origin = origin_of(&parse_http_url(allowed.trim())?);
            if !token_origins.contains(&origin) {
                token_origins.push(origin);
            }
        }
        let user_agent = match self.user_agent {
            Some(agent) => HeaderValue::from_str(&agent)
                .map_err(|_| Error::InvalidHeader(format!("user agent {agent:?}")))?,
            None => HeaderValue::from_static(DEFAULT_USER_AGENT),
        };
        let sdk_version = match self.sdk_product {
            Some(product) => HeaderValue::from_str(&format!("{product}, {CORE_SDK_VERSION}"))
                .map_err(|_| Error::InvalidHeader(format!("SDK version {product:?}")))?,
            None => HeaderValue::from_static(CORE_SDK_VERSION),
        };
        if let Some(cloud) = &self.cloud {
            tokens.prefer_cloud(cloud);
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .redirect(redirect_policy())
                .build()?,
        };
        Ok(C::from(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                tokens,
                retry: self.retry,
                user_agent,
                sdk_version,
                timeout: self.timeout,
                token_origins,
            }),
        }))
    }
}

/// Parses an absolute `http(s)` URL, as [`Error::InvalidUrl`] otherwise.
fn parse_http_url(text: &str) -> Result<Url, Error> {
    match Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(url),
        Ok(_) => Err(Error::InvalidUrl(format!("{text}: not http(s)"))),
        Err(e) => Err(Error::InvalidUrl(format!("{text}: {e}"))),
    }
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .field("token_origins", &self.token_origins)
            .finish_non_exhaustive()
    }
}

/// Whether a redirect from `from` to `to` may be followed: never from
/// HTTPS down to plain HTTP, where the download URL (a credential itself)
/// and the content would travel in the clear.
pub(crate) fn redirect_allowed(from: &reqwest::Url, to: &reqwest::Url) -> bool {
    !(from.scheme() == "https" && to.scheme() == "http")
}

/// The redirect policy of the client's own HTTP client: at most 10
/// redirects, none of them a downgrade to plain HTTP.
fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let downgrade = attempt
            .previous()
            .last()
            .is_some_and(|from| !redirect_allowed(from, attempt.url()));
        if downgrade {
            attempt.error("refused a redirect from HTTPS to plain HTTP")
        } else if attempt.status() == StatusCode::SEE_OTHER {
            // A finished operation's monitor points at the result; the
            // caller reads it (with the token, if it is Graph's).
            attempt.stop()
        } else if attempt.previous().len() >= 10 {
            attempt.error("too many redirects")
        } else {
            attempt.follow()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::{FnTokenProvider, Request};
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    #[test]
    fn builder_validates_and_normalises() {
        let client = Client::builder()
            .base_url("https://example.com/beta/")
            .bearer_token("t")
            .build()
            .expect("valid");
        assert_eq!(client.base_url(), "https://example.com/beta");
        assert_eq!(Client::new("t").base_url(), DEFAULT_BASE_URL);
        let bad = Client::builder()
            .base_url("not a url")
            .bearer_token("t")
            .build();
        assert!(matches!(bad, Err(Error::InvalidUrl(_))));
        assert!(matches!(Client::builder().build(), Err(Error::Auth(_))));
        let url = client.resolve("/users/a").expect("url");
        assert_eq!(url.as_str(), "https://example.com/beta/users/a");
    }

    #[test]
    fn client_request_ids_are_unique_guids() {
        let (a, b) = (new_client_request_id(), new_client_request_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn every_attempt_has_a_timeout_by_default() {
        assert_eq!(Client::new("t").timeout(), Some(super::DEFAULT_TIMEOUT));
        let built: Client = Client::builder().bearer_token("t").build().expect("client");
        assert_eq!(built.timeout(), Some(super::DEFAULT_TIMEOUT));
        let unbounded: Client = Client::builder()
            .bearer_token("t")
            .no_timeout()
            .build()
            .expect("client");
        assert_eq!(unbounded.timeout(), None);
    }

    #[tokio::test]
    async fn a_slow_attempt_times_out() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/slow"))
            .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(500)))
            .mount(&server)
            .await;
        let client: Client = Client::builder()
            .base_url(server.uri())
            .bearer_token("t")
            .retry_policy(super::super::RetryPolicy::none())
            .timeout(Duration::from_millis(50))
            .build()
            .expect("client");
        let started = std::time::Instant::now();
        let err = Request::new(client, Method::GET, "/slow".into())
            .await
            .expect_err("times out");
        assert!(
            matches!(&err, Error::Transport(e) if e.is_timeout()),
            "{err}"
        );
        assert!(started.elapsed() < Duration::from_millis(450));
    }

    #[tokio::test]
    async fn token_provider_is_called_per_request() {
        let server = MockServer::start().await;
        for n in 1..=2 {
            Mock::given(method("GET"))
                .and(path("/me"))
                .and(header("authorization", format!("Bearer tok-{n}").as_str()))
                .respond_with(ResponseTemplate::new(204))
                .expect(1)
                .mount(&server)
                .await;
        }
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let client = Client::builder()
            .base_url(server.uri())
            .token_provider(FnTokenProvider(move || {
                let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                async move { Ok(format!("tok-{n}")) }
            }))
            .build()
            .expect("client");
        for _ in 0..2 {
            Request::new(client.clone(), Method::GET, "/me".into())
                .await
                .expect("204");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    /// A provider that counts how often it is asked.
    fn counting_provider(calls: &Arc<AtomicUsize>) -> impl TokenProvider + 'static {
        let counter = calls.clone();
        FnTokenProvider(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async { Ok("secret".to_owned()) }
        })
    }

    #[tokio::test]
    async fn the_token_goes_only_to_the_base_origin_unless_allowed() {
        let (base, other) = (MockServer::start().await, MockServer::start().await);
        for server in [&base, &other] {
            Mock::given(method("PUT"))
                .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
                .mount(server)
                .await;
        }
        async fn last_authorization(server: &MockServer) -> Option<String> {
            let received = server.received_requests().await.expect("recorded");
            let last = received.last().expect("a request");
            last.headers
                .get("authorization")
                .map(|v| v.to_str().expect("text").to_owned())
        }
        let upload_url = format!("{}/upload/session-1?sig=abc", other.uri());
        let calls = Arc::new(AtomicUsize::new(0));
        let client: Client = Client::builder()
            .base_url(format!("{}/v1.0", base.uri()))
            .token_provider(counting_provider(&calls))
            .build()
            .expect("client");
        client
            .put("/me/drive/root:/a.txt:/content")
            .await
            .expect("base");
        assert_eq!(
            last_authorization(&base).await.as_deref(),
            Some("Bearer secret")
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // Same host, another port: another origin, so no token, and the
        // provider is not even asked.
        client.put(upload_url.clone()).await.expect("upload");
        assert_eq!(last_authorization(&other).await, None);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // A request's own Authorization header is sent as is, without the token.
        client
            .put(upload_url.clone())
            .header("Authorization", "SharedKey abc")
            .await
            .expect("own header");
        assert_eq!(
            last_authorization(&other).await.as_deref(),
            Some("SharedKey abc")
        );
        client
            .put(format!("{}/v1.0/me", base.uri()))
            .header("authorization", "Bearer mine")
            .await
            .expect("own token");
        assert_eq!(
            last_authorization(&base).await.as_deref(),
            Some("Bearer mine")
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        // Once the application allows the other origin, it gets the token too.
        let trusting: Client = Client::builder()
            .base_url(format!("{}/v1.0", base.uri()))
            .token_provider(counting_provider(&calls))
            .allow_token_for_origin(format!("{}/any/path", other.uri()))
            .allow_token_for_origin("https://contoso.sharepoint.com")
            .build()
            .expect("client");
        trusting.put(upload_url).await.expect("upload");
        assert_eq!(
            last_authorization(&other).await.as_deref(),
            Some("Bearer secret")
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn origins_allowed_to_get_the_token_are_validated_and_compared_by_origin() {
        for bad in [
            "not a url",
            "contoso.sharepoint.com",
            "ftp://contoso.com",
            "data:text/plain,x",
        ] {
            let built = Client::builder()
                .bearer_token("t")
                .allow_token_for_origin(bad)
                .build();
            assert!(
                matches!(built, Err(Error::InvalidUrl(ref m)) if m.starts_with(bad)),
                "{bad}: {built:?}"
            );
        }
        let client: Client = Client::builder()
            .bearer_token("t")
            .allow_token_for_origin("https://Contoso.SharePoint.com:443/sites/x")
            .allow_token_for_origin("http://localhost:8080")
            .build()
            .expect("client");
        assert!(client.sends_token_to("https://graph.microsoft.com/beta/me"));
        assert!(client.sends_token_to("https://GRAPH.microsoft.com:443/v1.0/me"));
        assert!(!client.sends_token_to("http://graph.microsoft.com/v1.0/me"));
        assert!(!client.sends_token_to("https://graph.microsoft.com:8443/v1.0/me"));
        assert!(!client.sends_token_to("https://graph.microsoft.com.evil.example/v1.0/me"));
        assert!(client.sends_token_to("https://contoso.sharepoint.com/_api/web"));
        assert!(!client.sends_token_to("https://contoso-my.sharepoint.com/upload"));
        assert!(client.sends_token_to("http://localhost:8080/x"));
        assert!(!client.sends_token_to("http://localhost:8081/x"));
        assert!(!client.sends_token_to("/relative"));
        assert!(Client::new("t").sends_token_to("https://graph.microsoft.com/v1.0/me"));
        assert!(!Client::new("t").sends_token_to("https://contoso.sharepoint.com/"));
    }

    #[tokio::test]
    async fn token_provider_failure_is_reported() {
        let client = Client::builder()
            .base_url("http://127.0.0.1:9")
            .token_provider(FnTokenProvider(|| async {
                Err(Error::Auth("expired".into()))
            }))
            .build()
            .expect("client");
        let err = Request::new(client, Method::GET, "/me".into())
            .await
            .expect_err("auth fails");
        assert!(matches!(err, Error::Auth(ref m) if m == "expired"));
        assert!(err.is_unauthorized());
    }

    #[test]
    fn a_redirect_never_goes_down_to_plain_http() {
        let url = |u: &str| reqwest::Url::parse(u).expect("a URL");
        let graph = url("https://graph.microsoft.com/v1.0/me/drive/items/1/content");
        assert!(super::redirect_allowed(
            &graph,
            &url("https://contoso.sharepoint.com/download?x=1")
        ));
        assert!(!super::redirect_allowed(
            &graph,
            &url("http://contoso.sharepoint.com/download?x=1")
        ));
        // Plain HTTP throughout (a local test server) stays allowed.
        assert!(super::redirect_allowed(
            &url("http://127.0.0.1:1/a"),
            &url("http://127.0.0.1:2/b")
        ));
    }
}
