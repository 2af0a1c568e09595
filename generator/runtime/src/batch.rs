//! Typed JSON batching (`POST /$batch`); see [`Batch`].

use std::collections::{BTreeMap, BTreeSet};
use std::marker::PhantomData;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::request::Decoder;
use super::{ApiError, Client, Error, Request};

/// The most requests Graph takes in one `$batch`.
pub const MAX_BATCH: usize = 20;

/// Requests sent together as JSON batches (`POST /$batch`): the same
/// [`Request`]s the fluent client builds go into one batch, and each answer
/// comes back decoded into that request's type, through a [`Handle`].
///
/// ```no_run
/// # use graph_sdk_runtime::{Client, Error};
/// # async fn example(client: Client) -> Result<(), Error> {
/// let mut batch = client.batch();
/// let me = batch.add(client.get("/me"));
/// let renamed = batch.add_after(
///     client.patch("/me").json_body(&serde_json::json!({"jobTitle": "Auditor"})),
///     &[me.id()],
/// );
/// let mut answers = batch.send().await?;
/// let me: serde_json::Value = answers.take(me)?;
/// answers.take(renamed)?;
/// # let _ = me;
/// # Ok(())
/// # }
/// ```
///
/// - Graph takes at most [`MAX_BATCH`] requests per batch; more are sent
///   as several batches, in order. A dependency on a request of an earlier
///   batch is honoured here: the request is sent only if that one
///   succeeded, and otherwise answers `424 Failed Dependency`, as Graph
///   would.
/// - An item answered with a status the client's [`RetryPolicy`] retries
///   (429, and 503/504 for idempotent methods) is sent again in a later
///   batch after its `Retry-After`, with the items that failed only
///   because they depended on it.
/// - An item's failure is its own: [`Answers::take`] gives the same
///   [`Error`] a single request would, and the other answers are unaffected.
///
/// [`RetryPolicy`]: super::RetryPolicy
#[derive(Debug)]
#[must_use = "a Batch does nothing until it is sent"]
pub struct Batch {
    client: Client,
    items: Vec<Item>,
}

/// The typed ticket for one request of a [`Batch`]: give it to
/// [`Answers::take`] for the answer.
#[derive(Debug)]
#[must_use = "the answer can only be read with its handle"]
pub struct Handle<T> {
    id: ItemId,
    decode: Decoder<T>,
    _answer: PhantomData<fn() -> T>,
}

/// Which request of a batch a [`Handle`] stands for, to name in
/// [`Batch::add_after`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemId(usize);

impl<T> Handle<T> {
    /// The request's place in the batch, for `depends_on`.
    pub fn id(&self) -> ItemId {
        self.id
    }
}

#[derive(Debug)]
struct Item {
    method: Method,
    /// The URL relative to the client's base URL, with its query.
    url: String,
    headers: BTreeMap<String, String>,
    body: Option<Value>,
    depends_on: Vec<usize>,
    /// Why the request cannot be sent (found when it was added).
    error: Option<Error>,
}

/// One answer, before it is decoded.
#[derive(Debug)]
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

/// The answers of a sent [`Batch`].
#[derive(Debug)]
pub struct Answers {
    answers: Vec<Option<Result<Answer, Error>>>,
}

impl Answers {
    /// The answer to `handle`'s request, decoded as that request would be
    /// on its own; a non-2xx answer is an [`Error::Api`].
    pub fn take<T>(&mut self, handle: Handle<T>) -> Result<T, Error> {
        let answer = self
            .answers
            .get_mut(handle.id.0)
            .and_then(Option::take)
            .ok_or_else(|| Error::Batch(format!("no answer for request {}", handle.id.0 + 1)))??;
        if !answer.status.is_success() {
            return Err(Error::Api(Box::new(ApiError::from_response(
                answer.status,
                &answer.headers,
                &answer.body,
            ))));
        }
        (handle.decode)(answer.body)
    }

    /// The HTTP status of each answer, in the order the requests were added
    /// (`None` for a request that was never sent or already taken).
    pub fn statuses(&self) -> Vec<Option<StatusCode>> {
        self.answers
            .iter()
            .map(|a| a.as_ref().and_then(|a| a.as_ref().ok()).map(|a| a.status))
            .collect()
    }
}

impl Client {
    /// An empty batch of requests sent through this client.
    pub fn batch(&self) -> Batch {
        Batch {
            client: self.clone(),
            items: Vec::new(),
        }
    }
}

impl Batch {
    /// Adds a request; its answer is read with the returned handle.
    pub fn add<T>(&mut self, request: Request<T>) -> Handle<T> {
        self.add_after(request, &[])
    }

    /// Adds a request that Graph runs only after the requests `depends_on`
    /// name have succeeded.
    pub fn add_after<T>(&mut self, mut request: Request<T>, depends_on: &[ItemId]) -> Handle<T> {
        let id = ItemId(self.items.len());
        let mut item = Item {
            method: request.method.clone(),
            url: String::new(),
            headers: BTreeMap::new(),
            body: None,
            depends_on: depends_on
                .iter()
                .map(|d| d.0)
                .filter(|d| *d < id.0)
                .collect(),
            error: None,
        };
        match self.describe(&mut request, &mut item) {
            Ok(()) => {}
            Err(e) => item.error = Some(e),
        }
        self.items.push(item);
        Handle {
            id,
            decode: request.decode,
            _answer: PhantomData,
        }
    }

    /// How many requests the batch holds.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the batch holds no request.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn describe<T>(&self, request: &mut Request<T>, item: &mut Item) -> Result<(), Error> {
        let prepared = request.prepare()?;
        let base = self.client.base_url().trim_end_matches('/');
        item.url = prepared
            .url
            .as_str()
            .strip_prefix(base)
            .filter(|rest| rest.starts_with('/'))
            .ok_or_else(|| {
                Error::Batch(format!(
                    "{} is not below the client's base URL {base}",
                    prepared.url
                ))
            })?
            .to_owned();
        for (name, value) in &prepared.headers {
            let value = value
                .to_str()
                .map_err(|_| Error::InvalidHeader(name.to_string()))?;
            item.headers.insert(name.to_string(), value.to_owned());
        }
        if let Some(body) = &prepared.body {
            let in_memory = body.in_memory().ok_or_else(|| {
                Error::Batch("a file or a stream cannot go into a batch".to_owned())
            })?;
            let json = serde_json::from_slice(in_memory)
                .map_err(|_| Error::Batch("only JSON bodies can go into a batch".to_owned()))?;
            item.body = Some(json);
            item.headers
                .entry("content-type".to_owned())
                .or_insert_with(|| "application/json".to_owned());
        }
        Ok(())
    }

    /// Sends the requests, [`MAX_BATCH`] at a time, retrying throttled
    /// items; fails only when a whole batch fails (the network, the
    /// token, a batch-level error status).
    pub async fn send(self) -> Result<Answers, Error> {
        let Batch { client, mut items } = self;
        let mut answers: Vec<Slot> = items.iter_mut().map(|i| i.error.take().map(Err)).collect();
        let mut pending: Vec<usize> = (0..items.len()).filter(|i| answers[*i].is_none()).collect();
        let mut attempt = 0;
        while !pending.is_empty() {
            let mut retry = Retry::default();
            for chunk in pending.chunks(MAX_BATCH) {
                send_chunk(&client, &items, chunk, attempt, &mut answers, &mut retry).await?;
            }
            retry_dependents(&items, &mut answers, &mut retry.items);
            if retry.items.is_empty() {
                break;
            }
            tokio::time::sleep(retry.delay).await;
            attempt += 1;
            pending = retry.items.into_iter().collect();
        }
        Ok(Answers { answers })
    }
}

/// One request's answer while a batch is sent: none yet, the answer, or
/// why there is none.
type Slot = Option<Result<Answer, Error>>;

/// The items a round of batches sends again, and how long to wait first.
#[derive(Default)]
struct Retry {
    /// The items, by index.
    items: BTreeSet<usize>,
    /// The longest wait any of them asks for.
    delay: Duration,
}

/// Sends the items `chunk` names as one `$batch` and records each answer:
/// in `answers`, or in `retry` when the client's retry policy retries it.
async fn send_chunk(
    client: &Client,
    items: &[Item],
    chunk: &[usize],
    attempt: u32,
    answers: &mut [Slot],
    retry: &mut Retry,
) -> Result<(), Error> {
    let in_chunk: BTreeSet<usize> = chunk.iter().copied().collect();
    let sent = without_failed_dependencies(items, chunk, &in_chunk, answers);
    if sent.is_empty() {
        return Ok(());
    }
    let body = batch_body(items, &sent, &in_chunk);
    let reply: BatchReply = Request::new(client.clone(), Method::POST, "/$batch".into())
        .template("/$batch")
        .json_body(&body)
        .json_response()
        .send()
        .await?;
    let mut got = BTreeSet::new();
    for response in reply.responses {
        let Some(i) = response
            .id
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .filter(|i| in_chunk.contains(i))
        else {
            continue;
        };
        got.insert(i);
        let answer = response.into_answer();
        match retry_after(client, &items[i].method, &answer, attempt) {
            Some(wait) => {
                retry.delay = retry.delay.max(wait);
                retry.items.insert(i);
            }
            None => answers[i] = Some(Ok(answer)),
        }
    }
    for &i in &sent {
        if !got.contains(&i) {
            answers[i] = Some(Err(Error::Batch(format!(
                "the batch's answer has no response for request {}",
                i + 1
            ))));
        }
    }
    Ok(())
}

/// Answers `424 Failed Dependency` for each item of `chunk` that depends on
/// one answered in an earlier batch without success; returns the others,
/// to send.
fn without_failed_dependencies(
    items: &[Item],
    chunk: &[usize],
    in_chunk: &BTreeSet<usize>,
    answers: &mut [Slot],
) -> Vec<usize> {
    let mut sent = Vec::new();
    for &i in chunk {
        // A dependency answered in an earlier batch: go on only if it succeeded.
        let failed = items[i].depends_on.iter().find(|d| {
            !in_chunk.contains(d) && !matches!(&answers[**d], Some(Ok(a)) if a.status.is_success())
        });
        match failed {
            Some(d) => answers[i] = Some(Ok(failed_dependency(*d))),
            None => sent.push(i),
        }
    }
    sent
}

/// The `$batch` body for the items `sent`, each `dependsOn` the items it
/// depends on in the same batch (`in_chunk`).
fn batch_body<'a>(items: &'a [Item], sent: &[usize], in_chunk: &BTreeSet<usize>) -> BatchBody<'a> {
    BatchBody {
        requests: sent
            .iter()
            .map(|&i| {
                let item = &items[i];
                BatchItem {
                    id: (i + 1).to_string(),
                    method: item.method.as_str(),
                    url: &item.url,
                    headers: &item.headers,
                    body: item.body.as_ref(),
                    depends_on: item
                        .depends_on
                        .iter()
                        .filter(|d| in_chunk.contains(d))
                        .map(|d| (d + 1).to_string())
                        .collect(),
                }
            })
            .collect(),
    }
}

/// How long to wait before sending again a request of `method` answered
/// with `answer`, when the client's retry policy retries it.
fn retry_after(
    client: &Client,
    method: &Method,
    answer: &Answer,
    attempt: u32,
) -> Option<Duration> {
    let error = Error::Api(Box::new(ApiError::from_response(
        answer.status,
        &answer.headers,
        &answer.body,
    )));
    (!answer.status.is_success())
        .then(|| client.retry_policy().retry_delay(method, &error, attempt))
        .flatten()
}

/// Items that failed only because a retried item failed go again with it:
/// their answers are cleared and they join `retry`.
fn retry_dependents(items: &[Item], answers: &mut [Slot], retry: &mut BTreeSet<usize>) {
    let dependents: Vec<usize> = (0..items.len())
        .filter(|i| {
            matches!(&answers[*i], Some(Ok(a)) if a.status == StatusCode::FAILED_DEPENDENCY)
                && items[*i].depends_on.iter().any(|d| retry.contains(d))
        })
        .collect();
    for i in dependents {
        answers[i] = None;
        retry.insert(i);
    }
}

/// The local answer for a request whose dependency failed.
fn failed_dependency(dependency: usize) -> Answer {
    let body = serde_json::json!({"error": {
        "code": "FailedDependency",
        "message": format!("request {} of the batch failed", dependency + 1),
    }});
    Answer {
        status: StatusCode::FAILED_DEPENDENCY,
        headers: HeaderMap::new(),
        body: Bytes::from(body.to_string()),
    }
}

#[derive(Serialize)]
struct BatchBody<'a> {
    requests: Vec<BatchItem<'a>>,
}

#[derive(Serialize)]
struct BatchItem<'a> {
    id: String,
    method: &'a str,
    url: &'a str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    headers: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<&'a Value>,
    #[serde(rename = "dependsOn", skip_serializing_if = "Vec::is_empty")]
    depends_on: Vec<String>,
}

#[derive(Deserialize)]
struct BatchReply {
    #[serde(default)]
    responses: Vec<BatchResponse>,
}

#[derive(Deserialize)]
struct BatchResponse {
    id: String,
    status: u16,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    body: Option<Value>,
}

impl BatchResponse {
    fn into_answer(self) -> Answer {
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                headers.insert(name, value);
            }
        }
        Answer {
            status: StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_GATEWAY),
            headers,
            body: self
                .body
                .map(|b| Bytes::from(b.to_string()))
                .unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use serde_json::json;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

    use super::*;
    use crate::Page;

    /// A mock `$batch` endpoint: records every batch it gets and answers
    /// each item by its method and path; `/groups` is throttled the first
    /// time it is asked for.
    #[derive(Clone, Default)]
    struct Graph {
        batches: Arc<Mutex<Vec<Value>>>,
    }

    impl Respond for Graph {
        fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
            let batch: Value = serde_json::from_slice(&request.body).expect("a JSON batch");
            let mut seen = self.batches.lock().expect("lock");
            let groups_before = seen
                .iter()
                .flat_map(|b| b["requests"].as_array().cloned().unwrap_or_default())
                .any(|i| i["url"] == "/groups");
            seen.push(batch.clone());
            let answers: Vec<Value> = batch["requests"]
                .as_array()
                .expect("requests")
                .iter()
                .map(|item| {
                    let id = item["id"].clone();
                    let url = item["url"].as_str().unwrap_or_default();
                    let path = url.split('?').next().unwrap_or_default();
                    match (item["method"].as_str().unwrap_or_default(), path) {
                        ("GET", "/me") => {
                            json!({"id": id, "status": 200, "body": {"displayName": "Ada", "id": "u1"}})
                        }
                        ("PATCH", "/me") => json!({"id": id, "status": 204}),
                        ("GET", "/groups") if !groups_before => json!({
                            "id": id, "status": 429, "headers": {"Retry-After": "0"},
                            "body": {"error": {"code": "TooManyRequests", "message": "slow down"}}
                        }),
                        ("GET", "/groups") => {
                            json!({"id": id, "status": 200, "body": {"value": [{"id": "g1"}]}})
                        }
                        ("GET", p) if p.starts_with("/users/ok") => {
                            json!({"id": id, "status": 200, "body": {"id": p}})
                        }
                        _ => json!({
                            "id": id, "status": 404,
                            "headers": {"request-id": "r-404"},
                            "body": {"error": {"code": "Request_ResourceNotFound", "message": "no such object"}}
                        }),
                    }
                })
                .collect();
            ResponseTemplate::new(200).set_body_json(json!({ "responses": answers }))
        }
    }

    async fn graph() -> (MockServer, Graph) {
        let server = MockServer::start().await;
        let graph = Graph::default();
        Mock::given(method("POST"))
            .and(path("/$batch"))
            .respond_with(graph.clone())
            .mount(&server)
            .await;
        (server, graph)
    }

    #[derive(Debug, Deserialize)]
    struct User {
        #[serde(rename = "displayName")]
        display_name: String,
    }

    #[tokio::test]
    async fn a_mixed_batch_answers_each_request_typed_and_retries_the_throttled_one() {
        let (server, graph) = graph().await;
        let client = Client::test_client(&server.uri());
        let mut batch = client.batch();
        let me = batch.add(
            client
                .get("/me")
                .select(["displayName"])
                .json_response::<User>(),
        );
        let update = batch.add_after(
            client
                .patch("/me")
                .json_body(&json!({"jobTitle": "Auditor"}))
                .empty_response(),
            &[me.id()],
        );
        let missing = batch.add(client.get("/users/missing"));
        let groups = batch.add(client.get("/groups").json_response::<Page<Value>>());
        assert_eq!(batch.len(), 4);
        let mut answers = batch.send().await.expect("the batch is sent");

        let me = answers.take(me).expect("the GET succeeds");
        assert_eq!(me.display_name, "Ada");
        answers.take(update).expect("the PATCH succeeds");
        let error = answers.take(missing).expect_err("the missing user fails");
        assert_eq!(error.status(), Some(404));
        assert_eq!(error.code(), Some("Request_ResourceNotFound"));
        assert_eq!(
            error.api().and_then(|a| a.request_id.as_deref()),
            Some("r-404")
        );
        let groups = answers
            .take(groups)
            .expect("the throttled GET succeeds when retried");
        assert_eq!(groups.value, vec![json!({"id": "g1"})]);

        let batches = graph.batches.lock().expect("lock").clone();
        assert_eq!(batches.len(), 2, "one batch, then the retry: {batches:#?}");
        let first = &batches[0]["requests"];
        assert_eq!(first.as_array().map(Vec::len), Some(4));
        assert_eq!(first[0]["url"], "/me?$select=displayName");
        assert_eq!(first[1]["method"], "PATCH");
        assert_eq!(first[1]["body"], json!({"jobTitle": "Auditor"}));
        assert_eq!(first[1]["headers"]["content-type"], "application/json");
        assert_eq!(first[1]["dependsOn"], json!(["1"]));
        assert_eq!(
            batches[1]["requests"],
            json!([{"id": "4", "method": "GET", "url": "/groups"}])
        );
    }

    #[tokio::test]
    async fn more_than_twenty_requests_go_in_several_batches_and_dependencies_carry_over() {
        let (server, graph) = graph().await;
        let client = Client::test_client(&server.uri());
        let mut batch = client.batch();
        let first = batch.add(client.get("/users/missing"));
        let mut handles = Vec::new();
        for n in 1..=44 {
            handles.push(batch.add(client.get(format!("/users/ok{n}"))));
        }
        // In the third batch, after a request of the first that fails.
        let after_failure = batch.add_after(client.get("/users/ok-late"), &[first.id()]);
        let mut answers = batch.send().await.expect("sent");

        let sizes: Vec<usize> = graph
            .batches
            .lock()
            .expect("lock")
            .iter()
            .map(|b| b["requests"].as_array().map_or(0, Vec::len))
            .collect();
        // 46 requests: 20, 20 and 6, of which the dependent one is not sent.
        assert_eq!(sizes, [20, 20, 5], "the dependent request is not sent");
        assert_eq!(
            answers.take(first).map_err(|e| e.status()).err(),
            Some(Some(404))
        );
        for (n, handle) in handles.into_iter().enumerate() {
            let user = answers.take(handle).expect("each user");
            assert_eq!(user["id"], format!("/users/ok{}", n + 1));
        }
        let error = answers
            .take(after_failure)
            .expect_err("its dependency failed");
        assert_eq!(error.status(), Some(424));
        assert_eq!(error.code(), Some("FailedDependency"));
    }

    #[tokio::test]
    async fn a_request_for_another_host_fails_alone() {
        let (server, _graph) = graph().await;
        let client = Client::test_client(&server.uri());
        let mut batch = client.batch();
        let elsewhere = batch.add(client.get("https://example.com/v1.0/me"));
        let me = batch.add(client.get("/me"));
        let mut answers = batch.send().await.expect("sent");
        assert!(matches!(answers.take(elsewhere), Err(Error::Batch(_))));
        assert_eq!(answers.take(me).expect("me")["displayName"], "Ada");
    }
}
