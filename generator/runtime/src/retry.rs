//! Retry policy for throttling (429), transient 503/504 answers and transport failures.

use std::time::Duration;

use reqwest::Method;

use super::client::{Prepared, RawResponse, new_client_request_id};
use super::{ApiError, Client, Error};

/// How failed attempts are retried.
///
/// * 429 is retried for every method, honouring `Retry-After`.
/// * 503, 504, connect errors and timeouts are retried only for idempotent
///   methods (GET, PUT, DELETE, HEAD, OPTIONS), never for POST or PATCH.
///
/// The delay is `Retry-After` when the server sent one, otherwise
/// `initial_backoff * 2^attempt`; both are capped at `max_backoff`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retrying).
    pub max_retries: u32,
    /// Delay before the first retry.
    pub initial_backoff: Duration,
    /// Upper bound for any single delay, including `Retry-After`.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// 3 retries, 500 ms initial backoff, 30 s maximum.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
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

    /// Exponential delay before retry number `attempt + 1`, capped at `max_backoff`.
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
            _ => false,
        };
        if !retryable {
            return None;
        }
        let server_delay = error.api().and_then(|api| api.retry_after);
        Some(server_delay.map_or_else(|| self.backoff(attempt), |d| d.min(self.max_backoff)))
    }
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
pub(super) async fn execute(client: &Client, req: &Prepared) -> Result<RawResponse, Error> {
    let policy = client.retry_policy();
    let request_id = new_client_request_id();
    let mut attempt = 0;
    loop {
        let error = match client.attempt(req, &request_id).await {
            Ok(raw) if raw.status.is_success() => return Ok(raw),
            Ok(raw) => Error::from(ApiError::from_response(raw.status, &raw.headers, &raw.body)),
            Err(e) => e,
        };
        match policy.retry_delay(&req.method, &error, attempt) {
            Some(delay) => tokio::time::sleep(delay).await,
            None => return Err(error),
        }
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::super::Request;
    use super::*;
    use std::time::Instant;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    #[test]
    fn backoff_is_exponential_and_capped() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.backoff(0), Duration::from_millis(500));
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
