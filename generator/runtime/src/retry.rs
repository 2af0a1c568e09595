//! Retry policy for throttling (429), transient 503/504 answers and transport failures.

use std::time::Duration;

use reqwest::Method;

use super::client::{Attempted, Prepared, RawResponse, new_client_request_id};
use super::{ApiError, Client, Error};

/// How failed attempts are retried.
///
/// * 429 is retried for every method, honouring `Retry-After`.
/// * 503, 504, connect errors and timeouts are retried only for idempotent
///   methods (GET, PUT, DELETE, HEAD, OPTIONS), never for POST or PATCH.
///
/// The delay is `Retry-After` when the server sent one, otherwise
/// `initial_backoff * 2^attempt` with jitter (a random point in its upper
/// half, so that clients throttled together do not retry together); both
/// are capped at `max_backoff`. No retry starts once `max_elapsed` would be
/// passed: the last error is returned instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retrying).
    pub max_retries: u32,
    /// Delay before the first retry.
    pub initial_backoff: Duration,
    /// Upper bound for any single delay, including `Retry-After`.
    pub max_backoff: Duration,
    /// Upper bound for the whole call, attempts and delays together.
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    /// 3 retries, 500 ms initial backoff, 30 s maximum delay, 2 minutes in all.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_elapsed: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Sets [`RetryPolicy::max_retries`].
    pub fn with_max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// Sets [`RetryPolicy::initial_backoff`] and [`RetryPolicy::max_backoff`].
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max;
        self
    }

    /// Sets [`RetryPolicy::max_elapsed`].
    pub fn with_max_elapsed(mut self, max_elapsed: Duration) -> Self {
        self.max_elapsed = max_elapsed;
        self
    }

    /// Exponential delay before retry number `attempt + 1`, capped at
    /// `max_backoff`, before jitter.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt);
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }

    /// Delay before retrying `error` after `attempt` retries, or `None` to give up.
    pub fn retry_delay(&self, method: &Method, error: &Error, attempt: u32) -> Option<Duration> {
        if attempt >= self.max_retries {
            return None;
        }
        let idempotent = is_idempotent(method);
        let retryable = match error {
            Error::Api(api) => api.status == 429 || (idempotent && matches!(api.status, 503 | 504)),
            Error::Transport(e) => idempotent && (e.is_connect() || e.is_timeout()),
            Error::Io(e) => idempotent && e.kind() == std::io::ErrorKind::TimedOut,
            _ => false,
        };
        if !retryable {
            return None;
        }
        let server_delay = error.api().and_then(|api| api.retry_after);
        Some(server_delay.map_or_else(
            || jitter(self.backoff(attempt)),
            |d| d.min(self.max_backoff),
        ))
    }
}

/// A random delay in the upper half of `delay`: `[delay / 2, delay]`.
pub(super) fn jitter(delay: Duration) -> Duration {
    let random = super::client::random_u64();
    let half = delay / 2;
    let nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
    half + Duration::from_nanos(random % nanos.saturating_add(1))
}

/// `true` for methods that may be repeated safely.
fn is_idempotent(method: &Method) -> bool {
    [
        Method::GET,
        Method::PUT,
        Method::DELETE,
        Method::HEAD,
        Method::OPTIONS,
    ]
    .contains(method)
}

/// Sends `req` with retries; resolves to a 2xx response or the last error.
///
/// Each call is one `tracing` span, `graph.request`, at debug level, with
/// the method, the path template (never the concrete path, which may hold
/// user names, nor any header, so never the token), and once done the
/// status, Graph's `request-id`, the number of attempts and the elapsed
/// milliseconds. Each retry is a debug event in it.
///
/// A `401` that a fresh token may cure (see [`wants_fresh_token`]) is sent
/// once more with [`TokenProvider::fresh_token`](super::TokenProvider::fresh_token),
/// at most once per call and without counting against the policy's retries.
pub(super) async fn execute(client: &Client, req: &Prepared) -> Result<RawResponse, Error> {
    execute_any(client, req).await?.read().await
}

/// [`execute`], but a successful answer to a [`Prepared::live`] request
/// comes back unread.
pub(super) async fn execute_any(client: &Client, req: &Prepared) -> Result<Attempted, Error> {
    use tracing::Instrument;
    let span = tracing::debug_span!(
        "graph.request",
        method = %req.method,
        path = %req.template,
        status = tracing::field::Empty,
        request_id = tracing::field::Empty,
        attempts = tracing::field::Empty,
        elapsed_ms = tracing::field::Empty,
    );
    run(client, req, &span).instrument(span.clone()).await
}

async fn run(client: &Client, req: &Prepared, span: &tracing::Span) -> Result<Attempted, Error> {
    let policy = client.retry_policy();
    let request_id = new_client_request_id();
    let started = std::time::Instant::now();
    // Retries the policy allows for (throttling, transient failures).
    let mut attempt = 0;
    // HTTP requests sent, including the one with a fresh token.
    let mut sent = 0;
    // The fresh token for the next attempt, after a 401.
    let mut fresh: Option<String> = None;
    let mut refreshed = false;
    let finish = |status: Option<u16>, graph_id: Option<&str>, attempts: u32| {
        if let Some(status) = status {
            span.record("status", status);
        }
        if let Some(id) = graph_id {
            span.record("request_id", id);
        }
        span.record("attempts", attempts);
        span.record(
            "elapsed_ms",
            u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        );
    };
    loop {
        let token = match fresh.take() {
            Some(token) => Ok(Some(token)),
            None => client.token_for(req).await,
        };
        let outcome = match token {
            Ok(token) => {
                sent += 1;
                let raw = client.attempt(req, &request_id, token.as_deref()).await;
                raw.map(|raw| (raw, token))
            }
            Err(e) => Err(e),
        };
        let error = match outcome {
            Ok((answer, _)) if answer.status().is_success() => {
                let id = answer
                    .headers()
                    .get("request-id")
                    .and_then(|v| v.to_str().ok());
                finish(Some(answer.status().as_u16()), id, sent);
                return Ok(answer);
            }
            Ok((answer, token)) => match answer.read().await {
                Err(e) => e,
                Ok(raw) => {
                    let api = ApiError::from_response(raw.status, &raw.headers, &raw.body);
                    match token.filter(|_| !refreshed && wants_fresh_token(&api)) {
                        Some(rejected) => {
                            refreshed = true;
                            tracing::debug!(attempt = sent, status = api.status, "fresh token");
                            match client.fresh_token(&rejected).await {
                                Ok(token) => {
                                    fresh = Some(token);
                                    continue;
                                }
                                Err(e) => e,
                            }
                        }
                        None => Error::from(api),
                    }
                }
            },
            Err(e) => e,
        };
        let delay = policy
            .retry_delay(&req.method, &error, attempt)
            .or_else(|| server_error_delay(policy, req, &error, attempt))
            .filter(|delay| started.elapsed() + *delay <= policy.max_elapsed)
            .filter(|_| req.replayable());
        match delay {
            Some(delay) => {
                tracing::debug!(
                    attempt = sent,
                    status = error.status(),
                    delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    "retrying"
                );
                tokio::time::sleep(delay).await;
            }
            None => {
                let api = error.api();
                finish(
                    error.status(),
                    api.and_then(|a| a.request_id.as_deref()),
                    sent,
                );
                return Err(error);
            }
        }
        attempt += 1;
    }
}

/// The wait before retrying a request that retries any `5xx`
/// ([`Prepared::retry_server_errors`]), as the policy waits for a `503`.
fn server_error_delay(
    policy: &RetryPolicy,
    req: &Prepared,
    error: &Error,
    attempt: u32,
) -> Option<Duration> {
    let server_error = error.status().is_some_and(|s| (500..600).contains(&s));
    (req.retry_server_errors && server_error && attempt < policy.max_retries)
        .then(|| jitter(policy.backoff(attempt)))
}

/// `true` for a `401` that a fresh token may cure: a `Bearer` challenge
/// with `error="invalid_token"`, or no `error` at all; never a claims
/// challenge, which needs a token with other claims.
fn wants_fresh_token(api: &ApiError) -> bool {
    if api.status != 401 {
        return false;
    }
    match api.challenge() {
        Some(challenge) if challenge.is_claims_challenge() => false,
        Some(challenge) => challenge
            .error()
            .is_none_or(|e| e.eq_ignore_ascii_case("invalid_token")),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    /// Collects every span's name and fields, as `name: field=value ...`.
    #[derive(Clone, Default)]
    struct Spans(Arc<Mutex<Vec<String>>>);

    struct Fields<'a>(&'a mut String);

    impl tracing::field::Visit for Fields<'_> {
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
            self.0.push_str(&format!(" {}={value:?}", field.name()));
        }
    }

    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Spans {
        fn on_new_span(
            &self,
            attrs: &tracing::span::Attributes<'_>,
            _: &tracing::span::Id,
            _: tracing_subscriber::layer::Context<'_, S>,
        ) {
            let mut line = format!("{}:", attrs.metadata().name());
            attrs.record(&mut Fields(&mut line));
            self.0.lock().expect("lock").push(line);
        }

        fn on_record(
            &self,
            _: &tracing::span::Id,
            values: &tracing::span::Record<'_>,
            _: tracing_subscriber::layer::Context<'_, S>,
        ) {
            let mut line = "record:".to_owned();
            values.record(&mut Fields(&mut line));
            self.0.lock().expect("lock").push(line);
        }

        fn on_event(
            &self,
            event: &tracing::Event<'_>,
            _: tracing_subscriber::layer::Context<'_, S>,
        ) {
            let mut line = "event:".to_owned();
            event.record(&mut Fields(&mut line));
            self.0.lock().expect("lock").push(line);
        }
    }

    #[tokio::test]
    async fn one_span_per_request_with_what_happened_and_no_token() {
        use tracing_subscriber::layer::SubscriberExt;
        use wiremock::matchers::method;
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("request-id", "graph-42")
                    .set_body_json(serde_json::json!({"id": "1"})),
            )
            .mount(&server)
            .await;
        let spans = Spans::default();
        let subscriber = tracing_subscriber::registry().with(spans.clone());
        // `tracing` caches whether a callsite is enabled process-wide; while
        // a single dispatcher exists, a callsite first reached on another
        // test's thread (which has no subscriber) is cached as disabled, and
        // this test would miss its event. With a second live dispatcher,
        // `tracing` asks all of them instead.
        let _second = tracing::Dispatch::new(tracing_subscriber::registry());
        let _guard = tracing::subscriber::set_default(subscriber);
        let client = Client::test_client(&server.uri());
        let user: serde_json::Value =
            crate::Request::new(client, Method::GET, "/users/ada%40contoso.com".into())
                .template("/users/{id}")
                .json_response()
                .await
                .expect("answered after one retry");
        assert_eq!(user["id"], "1");
        let text = spans.0.lock().expect("lock").join("\n");
        assert!(
            text.contains("graph.request: method=GET path=/users/{id}"),
            "{text}"
        );
        assert!(text.contains("status=200"), "{text}");
        assert!(text.contains("request_id=\"graph-42\""), "{text}");
        assert!(text.contains("attempts=2"), "{text}");
        assert!(text.contains("elapsed_ms="), "{text}");
        assert!(
            text.contains("event: message=retrying attempt=1 status=429"),
            "{text}"
        );
        // Neither the token nor the concrete path (a user name) is traced.
        assert!(
            !text.contains("test-token") && !text.contains("Bearer"),
            "{text}"
        );
        assert!(!text.contains("contoso"), "{text}");
    }

    #[tokio::test]
    async fn retries_stop_at_the_time_budget() {
        use wiremock::matchers::method;
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "1"))
            .mount(&server)
            .await;
        let policy = RetryPolicy::default()
            .with_backoff(Duration::from_millis(1), Duration::from_secs(5))
            .with_max_elapsed(Duration::from_millis(200));
        let client = Client::test_client_with(&server.uri(), policy);
        let started = std::time::Instant::now();
        let err = crate::Request::new(client, Method::GET, "/x".into())
            .json_response::<serde_json::Value>()
            .await
            .expect_err("503 every time");
        // A 1 s Retry-After does not fit a 200 ms budget: no retry at all.
        assert_eq!(err.status(), Some(503));
        assert!(started.elapsed() < Duration::from_millis(900));
        assert_eq!(server.received_requests().await.expect("recorded").len(), 1);
    }

    use super::super::Request;
    use super::*;
    use reqwest::StatusCode;
    use std::time::Instant;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    #[test]
    fn backoff_is_exponential_and_capped() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.backoff(0), Duration::from_millis(500));
        for _ in 0..20 {
            let d = jitter(Duration::from_millis(800));
            assert!(
                d >= Duration::from_millis(400) && d <= Duration::from_millis(800),
                "{d:?}"
            );
        }
        assert_eq!(jitter(Duration::ZERO), Duration::ZERO);
        assert_eq!(policy.backoff(2), Duration::from_secs(2));
        assert_eq!(policy.backoff(40), Duration::from_secs(30));
        assert_eq!(RetryPolicy::none().max_retries, 0);
    }

    #[tokio::test]
    async fn throttled_request_honours_retry_after_then_succeeds() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/me/sendMail"))
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "5"))
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/me/sendMail"))
            .respond_with(ResponseTemplate::new(202))
            .expect(1)
            .mount(&server)
            .await;
        let client = Client::test_client(&server.uri());
        let started = Instant::now();
        Request::new(client, Method::POST, "/me/sendMail".into())
            .await
            .expect("retried after 429");
        // Retry-After: 5 is capped at the policy's 20 ms max_backoff.
        assert!(started.elapsed() < Duration::from_secs(2));
        let requests = server.received_requests().await.unwrap_or_default();
        assert_eq!(requests.len(), 2);
        let ids: Vec<_> = requests
            .iter()
            .map(|r| r.headers.get("client-request-id").cloned())
            .collect();
        assert!(ids[0].is_some());
        assert_eq!(ids[0], ids[1], "same logical request keeps its id");
    }

    #[tokio::test]
    async fn service_unavailable_on_post_is_not_retried() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(503))
            .expect(1)
            .mount(&server)
            .await;
        let client = Client::test_client(&server.uri());
        let err = Request::new(client, Method::POST, "/users".into())
            .await
            .expect_err("503");
        assert_eq!(err.status(), Some(503));
    }

    #[tokio::test]
    async fn exhausted_retries_return_last_api_error() {
        let server = MockServer::start().await;
        let envelope =
            |n: u32| serde_json::json!({"error": {"code": format!("busy{n}"), "message": "later"}});
        for n in 1..=3 {
            Mock::given(method("GET"))
                .respond_with(ResponseTemplate::new(504).set_body_json(envelope(n)))
                .up_to_n_times(1)
                .expect(1)
                .mount(&server)
                .await;
        }
        let client = Client::test_client(&server.uri());
        let err = Request::new(client, Method::GET, "/users".into())
            .await
            .expect_err("always 504");
        assert_eq!(err.status(), Some(504));
        assert_eq!(err.code(), Some("busy3"));
    }

    /// A caching provider: hands out its current token until told it was
    /// rejected, then the next one; counts both kinds of call.
    #[derive(Default)]
    struct Rotating {
        generation: std::sync::atomic::AtomicUsize,
        asked: std::sync::atomic::AtomicUsize,
        rejected: Mutex<Vec<String>>,
    }

    impl Rotating {
        fn current(&self) -> String {
            format!("tok-{}", self.generation.load(SeqCst) + 1)
        }

        fn asked(&self) -> usize {
            self.asked.load(SeqCst)
        }
    }

    impl super::super::TokenProvider for Rotating {
        fn token(&self) -> super::super::TokenFuture<'_> {
            self.asked.fetch_add(1, SeqCst);
            Box::pin(std::future::ready(Ok(self.current())))
        }

        fn fresh_token(&self, rejected: &str) -> super::super::TokenFuture<'_> {
            self.asked.fetch_add(1, SeqCst);
            self.rejected
                .lock()
                .expect("lock")
                .push(rejected.to_owned());
            self.generation.fetch_add(1, SeqCst);
            Box::pin(std::future::ready(Ok(self.current())))
        }
    }

    use std::sync::atomic::Ordering::SeqCst;

    const EXPIRED: &str = r#"Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="invalid_token", error_description="Lifetime validation failed, the token is expired.""#;

    fn rotating_client(server: &MockServer, policy: RetryPolicy) -> (Client, Arc<Rotating>) {
        let provider = Arc::new(Rotating::default());
        let client = Client::builder()
            .base_url(server.uri())
            .token_provider(provider.clone())
            .retry_policy(policy.with_backoff(Duration::from_millis(1), Duration::from_millis(5)))
            .build()
            .expect("client");
        (client, provider)
    }

    fn authorizations(requests: &[wiremock::Request]) -> Vec<String> {
        requests
            .iter()
            .map(|r| {
                r.headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    }

    #[tokio::test]
    async fn a_rejected_token_is_replaced_once_with_a_fresh_one() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(wiremock::matchers::header("authorization", "Bearer tok-1"))
            .respond_with(ResponseTemplate::new(401).insert_header("www-authenticate", EXPIRED))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(wiremock::matchers::header("authorization", "Bearer tok-2"))
            .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({"id": "e1"})))
            .mount(&server)
            .await;
        // No throttling retries at all: the fresh-token retry is not one.
        let (client, provider) = rotating_client(&server, RetryPolicy::none());
        let created = client
            .post("/me/events")
            .json_body(&serde_json::json!({"subject": "Lunch"}))
            .await
            .expect("answered with the fresh token");
        assert_eq!(created.expect("a body")["id"], "e1");
        assert_eq!(provider.asked(), 2);
        assert_eq!(*provider.rejected.lock().expect("lock"), ["tok-1"]);
        let received = server.received_requests().await.expect("recorded");
        assert_eq!(authorizations(&received), ["Bearer tok-1", "Bearer tok-2"]);
        assert_eq!(
            received[0].body, received[1].body,
            "the same body is sent again"
        );
        assert_eq!(
            received[0].headers.get("client-request-id"),
            received[1].headers.get("client-request-id")
        );
    }

    #[tokio::test]
    async fn a_401_without_an_error_param_asks_a_plain_provider_again() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(401))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "1"})))
            .mount(&server)
            .await;
        let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = calls.clone();
        let client = Client::builder()
            .base_url(server.uri())
            .token_provider(super::super::FnTokenProvider(move || {
                let n = counter.fetch_add(1, SeqCst) + 1;
                async move { Ok(format!("tok-{n}")) }
            }))
            .build()
            .expect("client");
        let me = client.get("/me").await.expect("second attempt succeeds");
        assert_eq!(me["id"], "1");
        assert_eq!(
            calls.load(SeqCst),
            2,
            "the default fresh_token asks token() again"
        );
        let received = server.received_requests().await.expect("recorded");
        assert_eq!(authorizations(&received), ["Bearer tok-1", "Bearer tok-2"]);
    }

    #[tokio::test]
    async fn a_second_401_is_the_error() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(401)
                    .insert_header("www-authenticate", EXPIRED)
                    .set_body_json(serde_json::json!({"error": {
                        "code": "InvalidAuthenticationToken",
                        "message": "Access token has expired or is not yet valid."
                    }})),
            )
            .mount(&server)
            .await;
        let (client, provider) = rotating_client(&server, RetryPolicy::default());
        let err = client.get("/me").await.expect_err("401 twice");
        assert_eq!(err.status(), Some(401));
        assert_eq!(err.code(), Some("InvalidAuthenticationToken"));
        let challenge = err.api().and_then(ApiError::challenge).expect("challenge");
        assert_eq!(challenge.error(), Some("invalid_token"));
        assert_eq!(err.claims_challenge(), None);
        let received = server.received_requests().await.expect("recorded");
        assert_eq!(authorizations(&received), ["Bearer tok-1", "Bearer tok-2"]);
        assert_eq!(provider.asked(), 2);
    }

    #[tokio::test]
    async fn a_claims_challenge_is_not_retried_and_its_claims_are_readable() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(401)
                    .insert_header(
                        "www-authenticate",
                        r#"Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYwNDEwNjY1MSJ9fX0=""#,
                    )
                    .set_body_json(serde_json::json!({"error": {
                        "code": "InvalidAuthenticationToken",
                        "message": "Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp"
                    }})),
            )
            .expect(1)
            .mount(&server)
            .await;
        let (client, provider) = rotating_client(&server, RetryPolicy::default());
        let err = client
            .get("/me/messages")
            .await
            .expect_err("claims challenge");
        assert_eq!(err.status(), Some(401));
        assert_eq!(
            err.claims_challenge().as_deref(),
            Some(r#"{"access_token":{"nbf":{"essential":true, "value":"1604106651"}}}"#)
        );
        let challenge = err.api().and_then(ApiError::challenge).expect("challenge");
        assert!(challenge.is_claims_challenge());
        assert_eq!(
            challenge.authorization_uri(),
            Some("https://login.microsoftonline.com/common/oauth2/authorize")
        );
        assert_eq!(provider.asked(), 1, "no fresh token was asked for");
    }

    #[tokio::test]
    async fn the_fresh_token_retry_does_not_use_up_throttling_retries() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(401).insert_header("www-authenticate", EXPIRED))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "1"})))
            .mount(&server)
            .await;
        let (client, provider) = rotating_client(&server, RetryPolicy::none().with_max_retries(1));
        client.get("/me").await.expect("429, 401, then 200");
        let received = server.received_requests().await.expect("recorded");
        assert_eq!(
            authorizations(&received),
            ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]
        );
        assert_eq!(provider.asked(), 3);
    }

    #[test]
    fn which_401s_get_a_fresh_token() {
        let answer = |status: StatusCode, challenge: Option<&str>| {
            let mut headers = reqwest::header::HeaderMap::new();
            if let Some(challenge) = challenge {
                headers.insert("www-authenticate", challenge.parse().expect("valid"));
            }
            wants_fresh_token(&ApiError::from_response(status, &headers, b""))
        };
        let unauthorized = StatusCode::UNAUTHORIZED;
        assert!(answer(unauthorized, None));
        assert!(answer(unauthorized, Some(EXPIRED)));
        assert!(answer(
            unauthorized,
            Some(r#"Bearer realm="", client_id="x""#)
        ));
        assert!(answer(
            unauthorized,
            Some(r#"Basic realm="x", Bearer Error="INVALID_TOKEN""#)
        ));
        assert!(!answer(
            unauthorized,
            Some(r#"Bearer error="insufficient_claims""#)
        ));
        assert!(!answer(
            unauthorized,
            Some(r#"Bearer error="invalid_token", claims="e30""#)
        ));
        assert!(!answer(
            unauthorized,
            Some(r#"Bearer error="invalid_request""#)
        ));
        assert!(!answer(StatusCode::FORBIDDEN, None));
        assert!(!answer(StatusCode::FORBIDDEN, Some(EXPIRED)));
    }

    #[tokio::test]
    async fn connect_errors_are_retried_for_get_only() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let client = Client::test_client(&format!("http://127.0.0.1:{port}"));
        let policy = client.retry_policy();
        let err = Request::new(client.clone(), Method::GET, "/x".into())
            .await
            .expect_err("nothing listens");
        assert!(matches!(err, Error::Transport(ref e) if e.is_connect()));
        assert!(policy.retry_delay(&Method::GET, &err, 0).is_some());
        assert!(policy.retry_delay(&Method::GET, &err, 2).is_none());
        assert!(policy.retry_delay(&Method::PATCH, &err, 0).is_none());
    }
}
