//! Long-running operations: a `202 Accepted` whose `Location` is a monitor
//! URL to poll ([`Operation`]), and what the monitor says ([`OperationStatus`]).

use std::fmt;
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::{HeaderMap, LOCATION, RETRY_AFTER};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::client::Prepared;
use super::{Client, Error, ErrorDetail, Request, retry};

/// How long [`Operation::wait`] waits by default before it gives up.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// The first wait between two polls when the monitor sends no
/// `Retry-After`; each next one is twice as long, up to [`MAX_POLL`].
const FIRST_POLL: Duration = Duration::from_secs(1);

/// The longest wait between two polls without a `Retry-After`.
const MAX_POLL: Duration = Duration::from_secs(30);

/// A long-running operation that Graph accepted (`202 Accepted`) and
/// reports on at a monitor URL: copying a drive item, cloning a team,
/// restoring a site.
///
/// [`wait`](Self::wait) polls the monitor until the operation ends,
/// waiting between polls as long as its `Retry-After` asks (or 1 s, then
/// twice as long each time, up to 30 s), for at most
/// [`timeout`](Self::timeout). A monitor on another host than Graph's (a
/// drive item copy's is pre-authenticated) gets no `Authorization` header.
///
/// ```no_run
/// # use graph_sdk_runtime::{Client, Error};
/// # async fn example(client: Client) -> Result<(), Error> {
/// let copy = client
///     .post("/me/drive/items/01ABC/copy")
///     .json_body(&serde_json::json!({"name": "report (copy).docx"}))
///     .start_operation()
///     .await?;
/// let done = copy.wait().await?;
/// println!("the copy is {:?}", done.resource_id);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Operation {
    client: Client,
    monitor: String,
    timeout: Duration,
    poll: Option<Duration>,
}

impl Operation {
    /// The operation reported on at `monitor`, an absolute URL or a path
    /// below the client's base URL (a team's `/teams('…')/operations('…')`).
    pub fn new(client: &Client, monitor: impl Into<String>) -> Self {
        Operation {
            client: client.clone(),
            monitor: monitor.into(),
            timeout: DEFAULT_OPERATION_TIMEOUT,
            poll: None,
        }
    }

    /// The operation a `202 Accepted` answer started, from its `Location`
    /// header (or `Operation-Location`, as OneNote and Universal Print
    /// send); `None` for any other answer.
    pub fn from_response<T>(client: &Client, response: &super::Response<T>) -> Option<Self> {
        (response.status == reqwest::StatusCode::ACCEPTED)
            .then(|| monitor_of(response))
            .flatten()
            .map(|monitor| Operation::new(client, monitor))
    }

    /// Gives up waiting after `timeout` (default: [`DEFAULT_OPERATION_TIMEOUT`]).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Polls every `interval` when the monitor sends no `Retry-After`,
    /// instead of backing off from 1 s to 30 s.
    #[must_use]
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll = Some(interval);
        self
    }

    /// The monitor URL.
    pub fn monitor(&self) -> &str {
        &self.monitor
    }

    /// Asks the monitor once.
    pub async fn status(&self) -> Result<OperationStatus, Error> {
        self.poll_once().await.map(|(status, _)| status)
    }

    /// Polls the monitor until the operation ends. It is the last status
    /// when the operation succeeded; [`Error::Operation`] with the last
    /// status when it failed or did not end within the timeout.
    pub async fn wait(self) -> Result<OperationStatus, Error> {
        let started = Instant::now();
        let mut backoff = self.poll.unwrap_or(FIRST_POLL);
        loop {
            let (status, retry_after) = self.poll_once().await?;
            match status.state {
                OperationState::Succeeded => return Ok(status),
                OperationState::Failed => return Err(Error::Operation(Box::new(status))),
                OperationState::NotStarted | OperationState::Running => {}
            }
            let delay = retry_after.unwrap_or(backoff);
            if started.elapsed() + delay > self.timeout {
                let mut status = status;
                status.timed_out = true;
                return Err(Error::Operation(Box::new(status)));
            }
            tokio::time::sleep(delay).await;
            if self.poll.is_none() {
                backoff = (backoff * 2).min(MAX_POLL);
            }
        }
    }

    /// [`wait`](Self::wait)s, then reads the resource the operation made
    /// from the `resourceLocation` its monitor gave ([`Error::Content`]
    /// when it gave none).
    pub async fn wait_for<T: DeserializeOwned>(self) -> Result<T, Error> {
        let client = self.client.clone();
        let done = self.wait().await?;
        let Some(location) = done.resource_location else {
            return Err(Error::Content(format!(
                "the operation at {} ended without a resource location{}",
                done.monitor,
                done.resource_id
                    .map(|id| format!(" (its resource id is {id})"))
                    .unwrap_or_default()
            )));
        };
        Request::new(client, Method::GET, location)
            .json_response::<T>()
            .send()
            .await
    }

    /// One poll: the status, and the wait the monitor asks for.
    async fn poll_once(&self) -> Result<(OperationStatus, Option<Duration>), Error> {
        let url = self.client.resolve(&self.monitor)?;
        let request = Prepared::plain(Method::GET, "(operation monitor)".into(), url);
        match retry::execute(&self.client, &request).await {
            Ok(raw) => {
                let body: Value = serde_json::from_slice(&raw.body).unwrap_or(Value::Null);
                let status = OperationStatus::read(&self.monitor, &raw.headers, body);
                Ok((status, retry_after(&raw.headers)))
            }
            // `303 See Other`: done, and the result is at `Location`.
            Err(Error::Api(api)) if api.status == 303 => {
                let mut status = OperationStatus::read(&self.monitor, &api.headers, Value::Null);
                status.state = OperationState::Succeeded;
                Ok((status, None))
            }
            Err(e) => Err(e),
        }
    }
}

impl<T> Request<T> {
    /// Sends a request that starts a long-running operation, and returns
    /// the [`Operation`] from the `202 Accepted` answer's `Location` (or
    /// `Operation-Location`); [`Error::Content`] when the answer has neither.
    pub async fn start_operation(self) -> Result<Operation, Error> {
        let client = self.client.clone();
        let answer = self.empty_response().send_with_response().await?;
        match monitor_of(&answer) {
            Some(monitor) => Ok(Operation::new(&client, monitor)),
            None => Err(Error::Content(format!(
                "the answer ({}) has no Location to monitor the operation at",
                answer.status
            ))),
        }
    }
}

/// Where an answer says to monitor the operation it started.
fn monitor_of<T>(answer: &super::Response<T>) -> Option<&str> {
    answer
        .location()
        .or_else(|| answer.header("operation-location"))
}

/// The `Retry-After` of an answer, in seconds.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

/// Where an operation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OperationState {
    /// Accepted, not begun (`notStarted`, `waiting`).
    NotStarted,
    /// Under way (`inProgress`, `running`, `updating`, and any status
    /// this runtime does not know).
    Running,
    /// Done (`completed`, `succeeded`).
    Succeeded,
    /// Ended without doing it (`failed`, `deleteFailed`, `cancelled`).
    Failed,
}

impl OperationState {
    /// The state a monitor's `status` names.
    fn from_status(status: &str) -> Self {
        match status.to_ascii_lowercase().as_str() {
            "notstarted" | "waiting" => OperationState::NotStarted,
            "completed" | "succeeded" => OperationState::Succeeded,
            "failed" | "deletefailed" | "cancelled" | "canceled" => OperationState::Failed,
            _ => OperationState::Running,
        }
    }
}

/// What an operation's monitor reported, read from the shapes Graph uses:
/// a drive item's (`status`, `percentageComplete`, `resourceId`), a
/// `longRunningOperation`'s (`resourceLocation`, `error`) and a Teams
/// operation's (`targetResourceId`, `targetResourceLocation`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct OperationStatus {
    /// The monitor URL.
    pub monitor: String,
    /// Where the operation is.
    pub state: OperationState,
    /// The `status` as the monitor wrote it (`inProgress`).
    pub status: String,
    /// How far it is, from 0 to 100, if the monitor says.
    pub percentage_complete: Option<f64>,
    /// The id of the resource it made or changed (the copy).
    pub resource_id: Option<String>,
    /// Where that resource is.
    pub resource_location: Option<String>,
    /// Why it failed.
    pub error: Option<ErrorDetail>,
    /// Whether [`Operation::wait`] gave up waiting before it ended.
    pub timed_out: bool,
    /// The monitor's whole answer.
    pub body: Value,
}

impl OperationStatus {
    /// Reads one answer of the monitor at `monitor`.
    fn read(monitor: &str, headers: &HeaderMap, body: Value) -> Self {
        let text = |names: &[&str]| {
            names
                .iter()
                .find_map(|name| body.get(*name)?.as_str().map(str::to_owned))
        };
        let status = text(&["status"]).unwrap_or_default();
        let error = body.get("error").filter(|e| e.is_object()).map(|e| {
            let field = |name: &str| e.get(name).and_then(Value::as_str).map(str::to_owned);
            ErrorDetail {
                code: field("code"),
                message: field("message"),
                target: field("target"),
            }
        });
        let location = headers.get(LOCATION).and_then(|v| v.to_str().ok());
        OperationStatus {
            monitor: monitor.to_owned(),
            state: OperationState::from_status(&status),
            percentage_complete: body.get("percentageComplete").and_then(Value::as_f64),
            resource_id: text(&["resourceId", "targetResourceId"]),
            resource_location: text(&["resourceLocation", "targetResourceLocation"])
                .or_else(|| location.map(str::to_owned)),
            error,
            timed_out: false,
            status,
            body,
        }
    }
}

impl fmt::Display for OperationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.timed_out {
            write!(
                f,
                "the operation at {} did not end in time; it was `{}`",
                self.monitor, self.status
            )?;
            if let Some(done) = self.percentage_complete {
                write!(f, " ({done}% done)")?;
            }
            return Ok(());
        }
        write!(f, "the operation at {} is `{}`", self.monitor, self.status)?;
        if let Some(error) = &self.error {
            let code = error.code.as_deref().unwrap_or("error");
            write!(f, ": {code}")?;
            if let Some(message) = &error.message {
                write!(f, ": {message}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::RetryPolicy;
    use super::*;
    use serde_json::json;
    use wiremock::matchers::{body_json, header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn client(graph: &MockServer) -> Client {
        Client::builder()
            .base_url(format!("{}/v1.0", graph.uri()))
            .bearer_token("graph-token")
            .retry_policy(RetryPolicy::none())
            .build()
            .expect("client")
    }

    /// `POST /copy` on Graph answers 202 with a monitor on `monitor_host`.
    async fn copy_accepted(graph: &MockServer, monitor_host: &MockServer) {
        Mock::given(method("POST"))
            .and(path("/v1.0/me/drive/items/42/copy"))
            .and(body_json(json!({"name": "copy.docx"})))
            .respond_with(ResponseTemplate::new(202).insert_header(
                "location",
                format!("{}/monitor/7?sig=s", monitor_host.uri()),
            ))
            .expect(1)
            .mount(graph)
            .await;
    }

    fn copy(client: &Client) -> Request<Option<Value>> {
        client
            .post("/me/drive/items/42/copy")
            .json_body(&json!({"name": "copy.docx"}))
    }

    #[tokio::test]
    async fn a_copy_is_polled_as_retry_after_asks_until_it_completes() {
        let (graph, monitor) = (MockServer::start().await, MockServer::start().await);
        copy_accepted(&graph, &monitor).await;
        Mock::given(method("GET"))
            .and(path("/monitor/7"))
            .respond_with(
                ResponseTemplate::new(202)
                    .insert_header("retry-after", "1")
                    .set_body_json(json!({"operation": "ItemCopy", "status": "inProgress", "percentageComplete": 40.0})),
            )
            .up_to_n_times(2)
            .mount(&monitor)
            .await;
        Mock::given(method("GET"))
            .and(path("/monitor/7"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"operation": "ItemCopy", "status": "completed", "resourceId": "01COPY"}),
            ))
            .mount(&monitor)
            .await;
        let client = client(&graph);
        let operation = copy(&client).start_operation().await.expect("accepted");
        let first = operation.status().await.expect("status");
        assert_eq!(first.state, OperationState::Running);
        assert_eq!(first.percentage_complete, Some(40.0));
        let started = Instant::now();
        let done = operation
            .poll_interval(Duration::from_millis(10))
            .wait()
            .await
            .expect("completed");
        assert!(
            started.elapsed() >= Duration::from_secs(1),
            "Retry-After: 1 is honoured"
        );
        assert_eq!(done.state, OperationState::Succeeded);
        assert_eq!(done.resource_id.as_deref(), Some("01COPY"));
        let polls = monitor.received_requests().await.expect("recorded");
        assert_eq!(polls.len(), 3);
        assert!(
            polls
                .iter()
                .all(|p| !p.headers.contains_key("authorization"))
        );
    }

    #[tokio::test]
    async fn a_failed_operation_is_a_typed_error_with_its_reason() {
        let (graph, monitor) = (MockServer::start().await, MockServer::start().await);
        copy_accepted(&graph, &monitor).await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "status": "failed",
                "error": {"code": "nameAlreadyExists", "message": "copy.docx exists"}
            })))
            .mount(&monitor)
            .await;
        let client = client(&graph);
        let err = copy(&client)
            .start_operation()
            .await
            .expect("accepted")
            .wait()
            .await
            .expect_err("failed");
        let Error::Operation(status) = &err else {
            panic!("{err:?}");
        };
        assert_eq!(status.state, OperationState::Failed);
        assert!(!status.timed_out);
        let detail = status.error.as_ref().expect("a reason");
        assert_eq!(detail.code.as_deref(), Some("nameAlreadyExists"));
        assert!(
            err.to_string()
                .contains("nameAlreadyExists: copy.docx exists"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn an_operation_that_does_not_end_times_out_with_its_last_status() {
        let (graph, monitor) = (MockServer::start().await, MockServer::start().await);
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(202)
                    .set_body_json(json!({"status": "inProgress", "percentageComplete": 10})),
            )
            .mount(&monitor)
            .await;
        let err = Operation::new(&client(&graph), format!("{}/monitor/9", monitor.uri()))
            .poll_interval(Duration::from_millis(20))
            .timeout(Duration::from_millis(150))
            .wait()
            .await
            .expect_err("timed out");
        let Error::Operation(status) = &err else {
            panic!("{err:?}");
        };
        assert!(status.timed_out);
        assert_eq!(status.state, OperationState::Running);
        assert!(err.to_string().contains("did not end in time"), "{err}");
        let polls = monitor.received_requests().await.expect("recorded").len();
        assert!((3..=9).contains(&polls), "{polls} polls");
    }

    #[tokio::test]
    async fn a_graph_monitor_gets_the_token_and_a_see_other_leads_to_the_result() {
        let graph = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1.0/teams/t1/clone"))
            .respond_with(
                ResponseTemplate::new(202)
                    .insert_header("location", "/teams('t1')/operations('op1')"),
            )
            .mount(&graph)
            .await;
        Mock::given(method("GET"))
            .and(path("/v1.0/teams('t1')/operations('op1')"))
            .and(header("authorization", "Bearer graph-token"))
            .respond_with(
                ResponseTemplate::new(303)
                    .insert_header("location", format!("{}/v1.0/teams/t2", graph.uri())),
            )
            .mount(&graph)
            .await;
        Mock::given(method("GET"))
            .and(path("/v1.0/teams/t2"))
            .and(header("authorization", "Bearer graph-token"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"id": "t2", "displayName": "Clone"})),
            )
            .mount(&graph)
            .await;
        let client = client(&graph);
        let team: Value = client
            .post("/teams/t1/clone")
            .json_body(&json!({"displayName": "Clone"}))
            .start_operation()
            .await
            .expect("accepted")
            .wait_for()
            .await
            .expect("the clone");
        assert_eq!(team["displayName"], "Clone");
    }

    #[test]
    fn teams_and_long_running_operation_shapes_are_read() {
        let teams = OperationStatus::read(
            "m",
            &HeaderMap::new(),
            json!({"status": "succeeded", "targetResourceId": "t2", "targetResourceLocation": "/teams('t2')"}),
        );
        assert_eq!(teams.state, OperationState::Succeeded);
        assert_eq!(teams.resource_id.as_deref(), Some("t2"));
        assert_eq!(teams.resource_location.as_deref(), Some("/teams('t2')"));
        let site = OperationStatus::read("m", &HeaderMap::new(), json!({"status": "notStarted"}));
        assert_eq!(site.state, OperationState::NotStarted);
        let other = OperationStatus::read(
            "m",
            &HeaderMap::new(),
            json!({"status": "unknownFutureValue"}),
        );
        assert_eq!(other.state, OperationState::Running);
    }
}
