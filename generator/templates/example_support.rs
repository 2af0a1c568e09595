//! Helpers of the example tests: a mock Graph that answers with an
//! example's response and records what the client sent, and a comparison of
//! JSON that names every difference by its path.

use __CRATE__::{Client, RetryPolicy};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A mock server that answers every request with `status` and `body`.
pub async fn serve(status: u16, body: Option<Value>) -> MockServer {
    let server = MockServer::start().await;
    let mut response = ResponseTemplate::new(status);
    if let Some(body) = body {
        response = response.set_body_json(body);
    }
    Mock::given(wiremock::matchers::any())
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

/// A client of `server` that never retries, so one call is one request.
pub fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token("example-token")
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("a client")
}

/// An example's JSON, as the docs wrote it.
pub fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("the example's JSON")
}

/// The example's request body, decoded into the type the client sends.
pub fn body<T: DeserializeOwned>(json: Value) -> T {
    serde_json::from_value(json)
        .unwrap_or_else(|e| panic!("the example's request body does not decode: {e}"))
}

/// What the example request asks for.
pub struct Sent<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// The path, percent-decoded, without host or version.
    pub path: &'a str,
    /// The query pairs, decoded.
    pub query: &'a [(&'a str, &'a str)],
    /// The JSON body.
    pub body: Option<Value>,
}

impl Sent<'_> {
    /// Checks that `server` received exactly this request, once.
    pub async fn check(self, server: &MockServer) {
        let requests = server
            .received_requests()
            .await
            .expect("the mock server records requests");
        assert_eq!(requests.len(), 1, "the client sent {} requests", requests.len());
        let request = &requests[0];
        assert_eq!(request.method.as_str(), self.method, "the method");
        let path = percent_encoding::percent_decode_str(request.url.path()).decode_utf8_lossy();
        assert_eq!(path, self.path, "the path");
        let mut got: Vec<(String, String)> = request
            .url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let mut want: Vec<(String, String)> = self
            .query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "the query");
        match self.body {
            Some(want) => {
                let got: Value = serde_json::from_slice(&request.body).expect("a JSON body");
                same(&want, &got);
            }
            None => assert!(request.body.is_empty(), "the client sent a body"),
        }
    }
}

/// Writes `value` back as JSON and checks that it says what the example
/// said: nothing lost, nothing added, nothing changed.
pub fn round_trip<T: Serialize>(value: &T, example: &Value) {
    let written = serde_json::to_value(value).expect("the response serializes");
    same(example, &written);
}

/// Asserts that `got` says what `want` says: the same keys and equal
/// values, numbers compared as numbers and date-times as instants.
pub fn same(want: &Value, got: &Value) {
    let mut differences = Vec::new();
    compare("", want, got, &mut differences);
    assert!(
        differences.is_empty(),
        "the JSON differs:\n{}",
        differences.join("\n")
    );
}

fn compare(at: &str, want: &Value, got: &Value, out: &mut Vec<String>) {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (key, value) in w {
                match g.get(key) {
                    Some(other) => compare(&format!("{at}/{key}"), value, other, out),
                    None => out.push(format!("{at}/{key}: lost")),
                }
            }
            for key in g.keys().filter(|k| !w.contains_key(*k)) {
                out.push(format!("{at}/{key}: added"));
            }
        }
        (Value::Array(w), Value::Array(g)) if w.len() == g.len() => {
            for (i, (a, b)) in w.iter().zip(g).enumerate() {
                compare(&format!("{at}/{i}"), a, b, out);
            }
        }
        (Value::Number(w), Value::Number(g)) if w.as_f64() == g.as_f64() => {}
        (Value::String(w), Value::String(g)) if same_instant(w, g) => {}
        _ if want == got => {}
        _ => out.push(format!("{at}: {want} became {got}")),
    }
}

/// Whether two strings are the same date-time or the same time of day,
/// however many fractional digits each writes.
fn same_instant(a: &str, b: &str) -> bool {
    let time = |s: &str| chrono::NaiveTime::parse_from_str(s, "%H:%M:%S%.f");
    match (
        chrono::DateTime::parse_from_rfc3339(a),
        chrono::DateTime::parse_from_rfc3339(b),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => matches!((time(a), time(b)), (Ok(x), Ok(y)) if x == y),
    }
}
