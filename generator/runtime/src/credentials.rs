//! Sign-in without a user: [`ClientCredentials`], the OAuth 2.0
//! client-credentials flow of the Microsoft identity platform, and
//! [`Cloud`], the national clouds it and Graph live in.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::{Error, TokenFuture, TokenProvider};

/// A Microsoft cloud: the identity platform that issues tokens and the
/// Graph endpoint they are for. Set both at once with
/// [`ClientBuilder::cloud`](super::ClientBuilder::cloud).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cloud {
    authority: String,
    graph: String,
}

impl Cloud {
    /// The global cloud: `login.microsoftonline.com` and `graph.microsoft.com`.
    pub fn global() -> Self {
        Cloud::custom(
            "https://login.microsoftonline.com",
            "https://graph.microsoft.com",
        )
    }

    /// Microsoft Graph for US Government L4: `login.microsoftonline.us`
    /// and `graph.microsoft.us`.
    pub fn us_government() -> Self {
        Cloud::custom(
            "https://login.microsoftonline.us",
            "https://graph.microsoft.us",
        )
    }

    /// Microsoft Graph for US Government L5 (DOD):
    /// `login.microsoftonline.us` and `dod-graph.microsoft.us`.
    pub fn us_government_dod() -> Self {
        Cloud::custom(
            "https://login.microsoftonline.us",
            "https://dod-graph.microsoft.us",
        )
    }

    /// Microsoft Graph China operated by 21Vianet:
    /// `login.chinacloudapi.cn` and `microsoftgraph.chinacloudapi.cn`.
    pub fn china() -> Self {
        Cloud::custom(
            "https://login.chinacloudapi.cn",
            "https://microsoftgraph.chinacloudapi.cn",
        )
    }

    /// Any other pair of hosts (a private cloud, a test server), each as
    /// `scheme://host[:port]`.
    pub fn custom(authority_host: impl Into<String>, graph_host: impl Into<String>) -> Self {
        Cloud {
            authority: authority_host.into().trim_end_matches('/').to_owned(),
            graph: graph_host.into().trim_end_matches('/').to_owned(),
        }
    }

    /// The identity platform's host (`https://login.microsoftonline.com`).
    pub fn authority_host(&self) -> &str {
        &self.authority
    }

    /// Graph's host (`https://graph.microsoft.com`).
    pub fn graph_host(&self) -> &str {
        &self.graph
    }

    /// The base URL of Graph's v1.0 endpoint in this cloud.
    pub fn graph_v1(&self) -> String {
        format!("{}/v1.0", self.graph)
    }

    /// The scope that asks for every application permission granted to
    /// the app on this cloud's Graph (`https://graph.microsoft.com/.default`).
    pub fn default_scope(&self) -> String {
        format!("{}/.default", self.graph)
    }
}

impl Default for Cloud {
    fn default() -> Self {
        Cloud::global()
    }
}

/// Boxed future of a [`ClientCredentials::with_assertion`] callback.
pub type AssertionFuture = Pin<Box<dyn Future<Output = Result<String, Error>> + Send>>;

/// How the app proves who it is.
#[derive(Clone)]
enum Proof {
    /// A client secret.
    Secret(String),
    /// A signed client assertion (a JWT), made anew for each token request:
    /// signed with a certificate, or a federated token (workload identity).
    Assertion(Arc<dyn Fn() -> AssertionFuture + Send + Sync>),
}

/// Tokens for an app that acts as itself (a daemon, a service), from the
/// identity platform's client-credentials flow; a [`TokenProvider`].
///
/// It caches the token and fetches a new one before the cached one
/// expires (5 minutes before, or halfway through a shorter lifetime).
/// Requests that need a token while one is being fetched wait for that
/// one: there is one token request at a time, however many calls run at
/// once. Clones share the cache.
///
/// ```no_run
/// # use graph_sdk_runtime::{Client, ClientCredentials, Cloud, Error};
/// # fn example() -> Result<(), Error> {
/// // The tenant, the app (client) id and a secret from its registration:
/// let client: Client = Client::builder()
///     .token_provider(ClientCredentials::with_secret("contoso.onmicrosoft.com", "app-id", "secret"))
///     .build()?;
/// // In a national cloud, `cloud` sets the Graph endpoint and the authority together:
/// let us_gov: Client = Client::builder()
///     .cloud(Cloud::us_government())
///     .token_provider(ClientCredentials::with_secret("contoso.onmicrosoft.us", "app-id", "secret"))
///     .build()?;
/// # let _ = (client, us_gov);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct ClientCredentials {
    inner: Arc<Inner>,
}

struct Inner {
    tenant: String,
    client_id: String,
    proof: Proof,
    /// Set by [`ClientCredentials::cloud`], or by the client builder's
    /// cloud when it was not.
    cloud: Mutex<Option<Cloud>>,
    scopes: Mutex<Option<Vec<String>>>,
    http: reqwest::Client,
    cached: Mutex<Option<Cached>>,
    /// Held while a token is fetched, so that only one fetch runs.
    fetching: tokio::sync::Mutex<()>,
}

/// A token and when to stop using it.
#[derive(Clone)]
struct Cached {
    token: String,
    /// When to fetch a new one: some time before it expires.
    renew_at: Instant,
}

/// The identity platform's answer to a token request.
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    expires_in: Option<u64>,
    error: Option<String>,
    error_description: Option<String>,
}

impl ClientCredentials {
    /// The app `client_id` of `tenant` (its id or a domain), proving
    /// itself with a client secret.
    pub fn with_secret(
        tenant: impl Into<String>,
        client_id: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        Self::with_proof(
            tenant.into(),
            client_id.into(),
            Proof::Secret(secret.into()),
        )
    }

    /// The app `client_id` of `tenant`, proving itself with a client
    /// assertion that `assertion` makes for each token request: a JWT
    /// signed with the app's certificate, or a federated token (a
    /// Kubernetes service account's, read from the file
    /// `AZURE_FEDERATED_TOKEN_FILE` names).
    pub fn with_assertion<F, Fut>(
        tenant: impl Into<String>,
        client_id: impl Into<String>,
        assertion: F,
    ) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<String, Error>> + Send + 'static,
    {
        let make: Arc<dyn Fn() -> AssertionFuture + Send + Sync> =
            Arc::new(move || Box::pin(assertion()));
        Self::with_proof(tenant.into(), client_id.into(), Proof::Assertion(make))
    }

    fn with_proof(tenant: String, client_id: String, proof: Proof) -> Self {
        ClientCredentials {
            inner: Arc::new(Inner {
                tenant,
                client_id,
                proof,
                cloud: Mutex::new(None),
                scopes: Mutex::new(None),
                http: reqwest::Client::new(),
                cached: Mutex::new(None),
                fetching: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// Signs in to `cloud`'s identity platform, for its Graph. Without
    /// it, the cloud of the client builder it is given to, else the
    /// global cloud.
    #[must_use]
    pub fn cloud(self, cloud: Cloud) -> Self {
        *lock(&self.inner.cloud) = Some(cloud);
        self
    }

    /// Asks for these scopes instead of the cloud's Graph `/.default`.
    #[must_use]
    pub fn scopes<S: Into<String>>(self, scopes: impl IntoIterator<Item = S>) -> Self {
        *lock(&self.inner.scopes) = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// Uses the cloud of a client builder, unless one was set already.
    pub(super) fn default_cloud(&self, cloud: &Cloud) {
        lock(&self.inner.cloud).get_or_insert_with(|| cloud.clone());
    }

    /// The token endpoint: `{authority}/{tenant}/oauth2/v2.0/token`.
    pub fn token_url(&self) -> String {
        let cloud = lock(&self.inner.cloud).clone().unwrap_or_default();
        format!(
            "{}/{}/oauth2/v2.0/token",
            cloud.authority_host(),
            self.inner.tenant
        )
    }

    /// The cached token if it is not due for renewal, else a new one.
    async fn current(&self, rejected: Option<&str>) -> Result<String, Error> {
        if let Some(token) = self.cached(rejected) {
            return Ok(token);
        }
        let _fetching = self.inner.fetching.lock().await;
        // Another call may have fetched one while this one waited.
        if let Some(token) = self.cached(rejected) {
            return Ok(token);
        }
        let fetched = self.fetch().await?;
        *lock(&self.inner.cached) = Some(fetched.clone());
        Ok(fetched.token)
    }

    /// The cached token, unless it is due for renewal or is `rejected`.
    fn cached(&self, rejected: Option<&str>) -> Option<String> {
        let cached = lock(&self.inner.cached);
        cached
            .as_ref()
            .filter(|c| Instant::now() < c.renew_at && Some(c.token.as_str()) != rejected)
            .map(|c| c.token.clone())
    }

    /// Asks the identity platform for a token, retrying twice when it is
    /// busy (`429`, `5xx`) or unreachable.
    async fn fetch(&self) -> Result<Cached, Error> {
        let mut attempt = 0;
        loop {
            match self.fetch_once().await {
                Err(Retry::Again(_)) if attempt < 2 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(200) * attempt).await;
                }
                Err(Retry::Again(e) | Retry::Never(e)) => return Err(e),
                Ok(cached) => return Ok(cached),
            }
        }
    }

    async fn fetch_once(&self) -> Result<Cached, Retry> {
        let cloud = lock(&self.inner.cloud).clone().unwrap_or_default();
        let scope = lock(&self.inner.scopes)
            .clone()
            .map_or_else(|| cloud.default_scope(), |s| s.join(" "));
        let mut form = vec![
            ("grant_type", "client_credentials".to_owned()),
            ("client_id", self.inner.client_id.clone()),
            ("scope", scope),
        ];
        match &self.inner.proof {
            Proof::Secret(secret) => form.push(("client_secret", secret.clone())),
            Proof::Assertion(make) => {
                let assertion = make().await.map_err(Retry::Never)?;
                form.push((
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned(),
                ));
                form.push(("client_assertion", assertion));
            }
        }
        let sent = Instant::now();
        let response = self
            .inner
            .http
            .post(self.token_url())
            .form(&form)
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .map_err(|e| Retry::Again(Error::Auth(format!("token request failed: {e}"))))?;
        let status = response.status();
        let body = response.bytes().await.unwrap_or_default();
        let answer: Option<TokenAnswer> = serde_json::from_slice(&body).ok();
        match answer {
            Some(TokenAnswer {
                access_token: Some(token),
                expires_in,
                ..
            }) if status.is_success() => {
                let lifetime = Duration::from_secs(expires_in.unwrap_or(3600));
                let early = (lifetime / 2).min(Duration::from_secs(300));
                Ok(Cached {
                    token,
                    renew_at: sent + lifetime - early,
                })
            }
            answer => {
                let (error, description) = answer
                    .map(|a| (a.error, a.error_description))
                    .unwrap_or_default();
                let message = format!(
                    "the identity platform answered {status}: {}{}",
                    error.as_deref().unwrap_or("no token"),
                    description.map(|d| format!(" ({d})")).unwrap_or_default()
                );
                let busy = status.as_u16() == 429 || status.is_server_error();
                Err(if busy {
                    Retry::Again(Error::Auth(message))
                } else {
                    Retry::Never(Error::Auth(message))
                })
            }
        }
    }
}

/// Whether a failed token request is worth another try.
enum Retry {
    Again(Error),
    Never(Error),
}

impl TokenProvider for ClientCredentials {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(self.current(None))
    }

    fn fresh_token(&self, rejected: &str) -> TokenFuture<'_> {
        let rejected = rejected.to_owned();
        Box::pin(async move { self.current(Some(&rejected)).await })
    }

    fn prefer_cloud(&self, cloud: &Cloud) {
        self.default_cloud(cloud);
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let proof = match self.inner.proof {
            Proof::Secret(_) => "secret",
            Proof::Assertion(_) => "assertion",
        };
        f.debug_struct("ClientCredentials")
            .field("tenant", &self.inner.tenant)
            .field("client_id", &self.inner.client_id)
            .field("proof", &proof)
            .field("cloud", &*lock(&self.inner.cloud))
            .finish_non_exhaustive()
    }
}

/// Locks `mutex`, whether or not a panic poisoned it.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::super::{Client, Method, Request, RetryPolicy};
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use wiremock::matchers::{body_string_contains, header, method, path};
    use wiremock::{Mock, MockServer, Request as Received, Respond, ResponseTemplate};

    /// A token endpoint that hands out `token-1`, `token-2`, ... living
    /// `lifetime` seconds, after `delay`.
    struct Issuer {
        issued: Arc<AtomicUsize>,
        lifetime: u64,
        delay: Duration,
    }

    impl Respond for Issuer {
        fn respond(&self, _: &Received) -> ResponseTemplate {
            let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
            ResponseTemplate::new(200)
                .set_delay(self.delay)
                .set_body_json(serde_json::json!({
                    "token_type": "Bearer",
                    "expires_in": self.lifetime,
                    "access_token": format!("token-{n}"),
                }))
        }
    }

    /// Mounts an [`Issuer`] for the tenant `contoso` and counts its tokens.
    async fn issuer(server: &MockServer, lifetime: u64, delay: Duration) -> Arc<AtomicUsize> {
        let issued = Arc::new(AtomicUsize::new(0));
        Mock::given(method("POST"))
            .and(path("/contoso/oauth2/v2.0/token"))
            .and(header("content-type", "application/x-www-form-urlencoded"))
            .and(body_string_contains("grant_type=client_credentials"))
            .and(body_string_contains("client_id=app-id"))
            .respond_with(Issuer {
                issued: Arc::clone(&issued),
                lifetime,
                delay,
            })
            .mount(server)
            .await;
        issued
    }

    fn credentials(authority: &MockServer) -> ClientCredentials {
        ClientCredentials::with_secret("contoso", "app-id", "s3cret")
            .cloud(Cloud::custom(authority.uri(), "https://graph.example.com"))
    }

    #[tokio::test]
    async fn concurrent_requests_share_one_token_request() {
        let authority = MockServer::start().await;
        let issued = issuer(&authority, 3600, Duration::from_millis(200)).await;
        let credentials = credentials(&authority);
        let tokens = futures_util::future::join_all((0..20).map(|_| credentials.token())).await;
        assert!(
            tokens.iter().all(|t| t.as_deref().ok() == Some("token-1")),
            "{tokens:?}"
        );
        assert_eq!(issued.load(Ordering::SeqCst), 1);
        let sent = authority.received_requests().await.expect("recorded");
        let form = String::from_utf8_lossy(&sent[0].body).into_owned();
        assert!(form.contains("client_secret=s3cret"), "{form}");
        assert!(
            form.contains("scope=https%3A%2F%2Fgraph.example.com%2F.default"),
            "{form}"
        );
    }

    #[tokio::test]
    async fn a_token_is_renewed_before_it_expires_and_when_rejected() {
        let authority = MockServer::start().await;
        // Lives 2 s: renewed after 1 s, halfway.
        let issued = issuer(&authority, 2, Duration::ZERO).await;
        let credentials = credentials(&authority);
        assert_eq!(credentials.token().await.expect("first"), "token-1");
        assert_eq!(credentials.token().await.expect("cached"), "token-1");
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_eq!(credentials.token().await.expect("renewed"), "token-2");
        assert_eq!(
            credentials.fresh_token("token-2").await.expect("fresh"),
            "token-3"
        );
        // A rejection of a token already replaced does not fetch again.
        assert_eq!(
            credentials.fresh_token("token-2").await.expect("current"),
            "token-3"
        );
        assert_eq!(issued.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_refused_sign_in_says_why_and_is_not_retried() {
        let authority = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
                "error": "invalid_client",
                "error_description": "AADSTS7000215: Invalid client secret provided."
            })))
            .expect(1)
            .mount(&authority)
            .await;
        let err = credentials(&authority).token().await.expect_err("refused");
        assert!(matches!(err, Error::Auth(_)));
        let message = err.to_string();
        assert!(
            message.contains("invalid_client") && message.contains("AADSTS7000215"),
            "{message}"
        );
    }

    #[tokio::test]
    async fn a_busy_authority_is_asked_again() {
        let authority = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .mount(&authority)
            .await;
        let issued = issuer(&authority, 3600, Duration::ZERO).await;
        assert_eq!(
            credentials(&authority).token().await.expect("second try"),
            "token-1"
        );
        assert_eq!(issued.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_client_in_a_national_cloud_signs_in_there_for_its_graph() {
        let (authority, graph) = (MockServer::start().await, MockServer::start().await);
        let issued = issuer(&authority, 3600, Duration::ZERO).await;
        Mock::given(method("GET"))
            .and(path("/v1.0/organization"))
            .and(header("authorization", "Bearer token-1"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(serde_json::json!({"value": []})),
            )
            .expect(2)
            .mount(&graph)
            .await;
        let client: Client = Client::builder()
            .cloud(Cloud::custom(authority.uri(), graph.uri()))
            .token_provider(ClientCredentials::with_secret(
                "contoso", "app-id", "s3cret",
            ))
            .sdk_version("my-sdk/1.0.0")
            .retry_policy(RetryPolicy::none())
            .build()
            .expect("client");
        assert_eq!(client.base_url(), format!("{}/v1.0", graph.uri()));
        for _ in 0..2 {
            Request::new(client.clone(), Method::GET, "/organization".into())
                .json_response::<serde_json::Value>()
                .send()
                .await
                .expect("listed");
        }
        assert_eq!(issued.load(Ordering::SeqCst), 1);
        let sent = authority.received_requests().await.expect("recorded");
        let form = String::from_utf8_lossy(&sent[0].body).into_owned();
        let scope = format!("{}/.default", graph.uri())
            .replace(':', "%3A")
            .replace('/', "%2F");
        assert!(form.contains(&format!("scope={scope}")), "{form}");
        let calls = graph.received_requests().await.expect("recorded");
        let version = format!(
            "my-sdk/1.0.0, graph-rust-core/{}",
            env!("CARGO_PKG_VERSION")
        );
        assert!(
            calls
                .iter()
                .all(|c| c.headers["sdkversion"] == version.as_str())
        );
    }

    #[tokio::test]
    async fn an_assertion_is_made_for_each_token_request() {
        let authority = MockServer::start().await;
        let issued = issuer(&authority, 3600, Duration::ZERO).await;
        let made = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&made);
        let credentials = ClientCredentials::with_assertion("contoso", "app-id", move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            async move { Ok(format!("signed.jwt.{n}")) }
        })
        .cloud(Cloud::custom(authority.uri(), "https://graph.example.com"));
        credentials.token().await.expect("token");
        credentials.fresh_token("token-1").await.expect("fresh");
        assert_eq!(
            (made.load(Ordering::SeqCst), issued.load(Ordering::SeqCst)),
            (2, 2)
        );
        let sent = authority.received_requests().await.expect("recorded");
        let form = String::from_utf8_lossy(&sent[1].body).into_owned();
        assert!(form.contains("client_assertion=signed.jwt.1"), "{form}");
        assert!(form.contains("client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"), "{form}");
        assert!(!form.contains("client_secret"));
        assert!(!format!("{credentials:?}").contains("jwt"));
    }

    #[test]
    fn national_clouds_pair_an_authority_with_a_graph() {
        let us = Cloud::us_government();
        assert_eq!(us.graph_v1(), "https://graph.microsoft.us/v1.0");
        assert_eq!(us.default_scope(), "https://graph.microsoft.us/.default");
        assert_eq!(
            Cloud::china().authority_host(),
            "https://login.chinacloudapi.cn"
        );
        assert_eq!(
            Cloud::us_government_dod().graph_host(),
            "https://dod-graph.microsoft.us"
        );
        let credentials = ClientCredentials::with_secret("t", "c", "s");
        credentials.default_cloud(&us);
        credentials.default_cloud(&Cloud::china());
        assert_eq!(
            credentials.token_url(),
            "https://login.microsoftonline.us/t/oauth2/v2.0/token"
        );
        let secret = ClientCredentials::with_secret("t", "c", "hunter2");
        assert!(!format!("{secret:?}").contains("hunter2"));
    }
}
