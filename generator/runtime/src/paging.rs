//! [`Page`] (a Graph collection response) and `@odata.nextLink` pagination.

use std::collections::HashSet;
use std::pin::Pin;

use futures_util::stream::{self, Stream, StreamExt, TryStreamExt};
use reqwest::Method;
use reqwest::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::client::Prepared;
use super::request::Decoder;
use super::{AdditionalProperties, Client, Error, Key, Request, read_unknown, retry};

/// Default upper bound on the number of pages one paging stream fetches.
pub const DEFAULT_MAX_PAGES: usize = 10_000;

/// One page of a collection: `{"value": [...], "@odata.nextLink": "..."}`.
///
/// Read in one pass: each item straight into `value`, the page's other
/// properties into their fields or `additional_properties` as they come.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// Items of this page.
    pub value: Vec<T>,
    /// Absolute URL of the next page, if any (`@odata.nextLink`).
    pub next_link: Option<String>,
    /// Delta link returned on the last page of a delta query
    /// (`@odata.deltaLink`).
    pub delta_link: Option<String>,
    /// Total item count when `$count=true` was requested (`@odata.count`).
    pub count: Option<i64>,
    /// OData context URL (`@odata.context`).
    pub context: Option<String>,
    /// Other top-level properties of the page (`@odata.type`, annotations a
    /// later version of Graph adds), kept so that nothing the server sent is
    /// lost.
    pub additional_properties: AdditionalProperties,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Page {
            value: Vec::new(),
            next_link: None,
            delta_link: None,
            count: None,
            context: None,
            additional_properties: AdditionalProperties::new(),
        }
    }
}

impl<T: Serialize> Serialize for Page<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("value", &self.value)?;
        let links = [
            ("@odata.nextLink", &self.next_link),
            ("@odata.deltaLink", &self.delta_link),
        ];
        for (name, link) in links {
            if let Some(link) = link {
                map.serialize_entry(name, link)?;
            }
        }
        if let Some(count) = &self.count {
            map.serialize_entry("@odata.count", count)?;
        }
        if let Some(context) = &self.context {
            map.serialize_entry("@odata.context", context)?;
        }
        self.additional_properties.write_into(&mut map)?;
        map.end()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Page<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PageVisitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for PageVisitor<T> {
            type Value = Page<T>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a page of a collection (an object with `value`)")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Page<T>, A::Error> {
                let mut page = Page::default();
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    match key.as_str() {
                        "value" => page.value = map.next_value()?,
                        "@odata.nextLink" => page.next_link = map.next_value()?,
                        "@odata.deltaLink" => page.delta_link = map.next_value()?,
                        "@odata.count" => page.count = map.next_value()?,
                        "@odata.context" => page.context = map.next_value()?,
                        _ => read_unknown(&mut map, key, &mut page.additional_properties)?,
                    }
                }
                Ok(page)
            }
        }

        deserializer.deserialize_map(PageVisitor(std::marker::PhantomData))
    }
}

/// Boxed, `Unpin` stream type returned by the paging methods.
type BoxedStream<I> = Pin<Box<dyn Stream<Item = Result<I, Error>> + Send>>;

/// Paging state carried between pages.
struct Cursor<T> {
    client: Client,
    next: Option<Prepared>,
    decode: Decoder<Page<T>>,
    seen_links: HashSet<String>,
    remaining: usize,
}

impl<T: DeserializeOwned + Send + 'static> Request<Page<T>> {
    /// Stops paging after `max` pages (default [`DEFAULT_MAX_PAGES`]).
    pub fn max_pages(mut self, max: usize) -> Self {
        self.max_pages = max;
        self
    }

    /// Streams whole pages, following `@odata.nextLink` until it is absent.
    ///
    /// Follow-up requests are GETs to the link exactly as returned, with this
    /// request's custom headers. Paging stops after `max_pages` pages or when
    /// a link repeats one already followed. The first error ends the stream.
    pub fn pages(mut self) -> impl Stream<Item = Result<Page<T>, Error>> + Send + Unpin + 'static {
        let start = self.prepare().map(|first| Cursor {
            client: self.client.clone(),
            next: Some(first),
            decode: self.decode,
            seen_links: HashSet::new(),
            remaining: self.max_pages,
        });
        let pages = stream::unfold(Some(start), |state| async move {
            let mut cursor = match state? {
                Ok(cursor) => cursor,
                Err(error) => return Some((Err(error), None)),
            };
            let request = cursor.next.take()?;
            if cursor.remaining == 0 {
                return None;
            }
            cursor.remaining -= 1;
            let page = match retry::execute(&cursor.client, &request).await {
                Ok(raw) => (cursor.decode)(raw.body),
                Err(error) => Err(error),
            };
            let page = match page {
                Ok(page) => page,
                Err(error) => return Some((Err(error), None)),
            };
            let fresh_link = page
                .next_link
                .as_ref()
                .filter(|link| cursor.seen_links.insert((*link).clone()));
            if let Some(link) = fresh_link {
                match cursor.client.resolve(link) {
                    Ok(url) => cursor.next = Some(follow_up(request, url)),
                    Err(error) => return Some((Ok(page), Some(Err(error)))),
                }
            }
            Some((Ok(page), Some(Ok(cursor))))
        });
        Box::pin(pages) as BoxedStream<Page<T>>
    }

    /// Streams individual items across all pages.
    pub fn into_stream(self) -> impl Stream<Item = Result<T, Error>> + Send + Unpin + 'static {
        let items = self
            .pages()
            .map_ok(|page| stream::iter(page.value.into_iter().map(Ok)))
            .try_flatten();
        Box::pin(items) as BoxedStream<T>
    }

    /// Fetches every page and returns all items.
    pub async fn collect_all(self) -> Result<Vec<T>, Error> {
        let mut pages = self.pages();
        let mut items = Vec::new();
        while let Some(page) = pages.next().await {
            items.extend(page?.value);
        }
        Ok(items)
    }
}

/// The outcome of a delta round: what changed, what was removed, and the
/// link that starts the next round.
#[derive(Debug, Clone, PartialEq)]
pub struct Delta<T> {
    /// Items added or changed since the last round.
    pub items: Vec<T>,
    /// Items removed since the last round (`"@removed"` entries).
    pub removed: Vec<Removed>,
    /// `@odata.deltaLink` of the last page: save it, and pass it to
    /// [`Client::delta_from`] for the next round.
    pub delta_link: Option<String>,
}

/// An entry of a delta response that says an item is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    /// The item's id.
    pub id: String,
    /// Why: `changed` (moved out of scope) or `deleted`.
    pub reason: String,
}

impl<T: DeserializeOwned + Serialize + Send + 'static> Request<Page<T>> {
    /// Runs a delta round: follows every `@odata.nextLink`, sorts out the
    /// `@removed` entries, and keeps the final `@odata.deltaLink`.
    pub async fn collect_delta(self) -> Result<Delta<T>, Error> {
        let mut pages = self.pages();
        let mut delta = Delta {
            items: Vec::new(),
            removed: Vec::new(),
            delta_link: None,
        };
        while let Some(page) = pages.next().await {
            let page = page?;
            for item in page.value {
                let json = serde_json::to_value(&item).map_err(Error::Serialize)?;
                match json.get("@removed") {
                    Some(removed) => delta.removed.push(Removed {
                        id: json
                            .get("id")
                            .and_then(|v| v.as_str())
                            .unwrap_or_default()
                            .to_owned(),
                        reason: removed
                            .get("reason")
                            .and_then(|v| v.as_str())
                            .unwrap_or_default()
                            .to_owned(),
                    }),
                    None => delta.items.push(item),
                }
            }
            if page.delta_link.is_some() {
                delta.delta_link = page.delta_link;
            }
        }
        Ok(delta)
    }
}

impl Client {
    /// The next delta round, from a saved `@odata.deltaLink`.
    pub fn delta_from<T: DeserializeOwned>(
        &self,
        delta_link: impl Into<String>,
    ) -> Request<Page<T>> {
        Request::new(self.clone(), Method::GET, delta_link.into()).json_response()
    }
}

/// Turns the previous page's request into a plain GET of `url`.
fn follow_up(previous: Prepared, url: reqwest::Url) -> Prepared {
    let mut next = Prepared::plain(Method::GET, previous.template, url);
    next.headers = previous.headers;
    next.headers.remove(CONTENT_TYPE);
    next
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    #[test]
    fn a_page_keeps_unknown_top_level_properties() {
        let body = json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
            "@odata.type": "#microsoft.graph.userCollection",
            "@vendor.note": {"a": 1},
            "value": [1, 2],
        });
        let page: Page<i32> = serde_json::from_value(body.clone()).expect("a page");
        assert_eq!(page.value, [1, 2]);
        assert_eq!(
            page.additional_properties.get("@odata.type"),
            Some(json!("#microsoft.graph.userCollection"))
        );
        assert_eq!(serde_json::to_value(&page).expect("writes"), body);
    }

    /// Mounts `/items` → `?$skiptoken=2` → `?$skiptoken=3` (last page).
    async fn three_pages() -> MockServer {
        let server = MockServer::start().await;
        let uri = server.uri();
        let link = |n: u32| format!("{uri}/items?$skiptoken={n}");
        let pages = [
            (
                None,
                json!({"value": [1, 2], "@odata.nextLink": link(2), "@odata.count": 5}),
            ),
            (
                Some("2"),
                json!({"value": [3, 4], "@odata.nextLink": link(3)}),
            ),
            (Some("3"), json!({"value": [5], "@odata.deltaLink": "d"})),
        ];
        for (token, body) in pages {
            let mock = Mock::given(method("GET"))
                .and(path("/items"))
                .and(header("consistencylevel", "eventual"));
            let mock = match token {
                None => mock.and(query_param_is_missing("$skiptoken")),
                Some(t) => mock.and(query_param("$skiptoken", t)),
            };
            mock.respond_with(ResponseTemplate::new(200).set_body_json(body))
                .mount(&server)
                .await;
        }
        server
    }

    fn list(client: &Client) -> Request<Page<u32>> {
        Request::new(client.clone(), Method::GET, "/items".into())
            .json_response()
            .header("ConsistencyLevel", "eventual")
    }

    #[tokio::test]
    async fn collect_all_follows_next_links() {
        let server = three_pages().await;
        let client = Client::test_client(&server.uri());
        let items = list(&client).collect_all().await.expect("all pages");
        assert_eq!(items, vec![1, 2, 3, 4, 5]);
        let received = server.received_requests().await.unwrap_or_default();
        assert_eq!(received.len(), 3);
    }

    #[tokio::test]
    async fn streams_items_and_pages() {
        let server = three_pages().await;
        let client = Client::test_client(&server.uri());
        let items: Vec<u32> = list(&client)
            .into_stream()
            .try_collect()
            .await
            .expect("stream");
        assert_eq!(items, vec![1, 2, 3, 4, 5]);
        let pages: Vec<Page<u32>> = list(&client).pages().try_collect().await.expect("pages");
        assert_eq!(pages.len(), 3);
        assert_eq!(pages[0].count, Some(5));
        assert_eq!(pages[2].delta_link.as_deref(), Some("d"));
        let capped = list(&client)
            .max_pages(2)
            .collect_all()
            .await
            .expect("capped");
        assert_eq!(capped, vec![1, 2, 3, 4]);
    }

    #[tokio::test]
    async fn repeated_next_link_stops_paging() {
        let server = MockServer::start().await;
        let looping = format!("{}/loop?$skiptoken=x", server.uri());
        Mock::given(path("/loop"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"value": [1], "@odata.nextLink": looping})),
            )
            .expect(2)
            .mount(&server)
            .await;
        let client = Client::test_client(&server.uri());
        let items = Request::new(client, Method::GET, "/loop".into())
            .json_response::<Page<u32>>()
            .collect_all()
            .await
            .expect("stops");
        assert_eq!(items, vec![1, 1]);
    }

    #[tokio::test]
    async fn error_on_later_page_ends_stream() {
        let server = MockServer::start().await;
        let next = format!("{}/gone", server.uri());
        Mock::given(path("/items"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"value": [1], "@odata.nextLink": next})),
            )
            .mount(&server)
            .await;
        Mock::given(path("/gone"))
            .respond_with(ResponseTemplate::new(404))
            .mount(&server)
            .await;
        let client = Client::test_client(&server.uri());
        let mut stream = Request::new(client, Method::GET, "/items".into())
            .json_response::<Page<u32>>()
            .into_stream();
        assert_eq!(stream.next().await.and_then(Result::ok), Some(1));
        let err = stream.next().await.and_then(Result::err);
        assert!(err.is_some_and(|e| e.is_not_found()));
        assert!(stream.next().await.is_none());
    }
}
