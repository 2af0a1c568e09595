//! Content that is not JSON: [`Content`], a request body of bytes, a file
//! or a stream with its media type, and [`Download`], a response body read
//! whole, as a stream of chunks, or straight into a writer or a file.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt, TryStreamExt};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderMap};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::Error;

/// How much a [`Content::reader`] reads at a time.
const READ_CHUNK: usize = 64 * 1024;

/// A request body as each HTTP attempt sends it.
#[derive(Clone)]
pub(super) enum Payload {
    /// In memory; a retry sends it again.
    Bytes(Bytes),
    /// A file, opened again by each attempt, so that a retry sends it whole.
    File(Arc<PathBuf>),
    /// A stream, which can be sent once: a retry that needs it again gives
    /// up with the error that asked for the retry.
    Once(Arc<Mutex<Option<reqwest::Body>>>),
}

impl Payload {
    /// The body, when it is in memory (a `$batch` item needs it as JSON).
    pub(super) fn in_memory(&self) -> Option<&Bytes> {
        match self {
            Payload::Bytes(bytes) => Some(bytes),
            Payload::File(_) | Payload::Once(_) => None,
        }
    }

    /// Whether a retry can send the body again.
    pub(super) fn replayable(&self) -> bool {
        !matches!(self, Payload::Once(_))
    }

    /// The body for one attempt, and its length when known before sending.
    pub(super) async fn body(&self) -> Result<(reqwest::Body, Option<u64>), Error> {
        match self {
            Payload::Bytes(bytes) => Ok((bytes.clone().into(), Some(bytes.len() as u64))),
            Payload::File(path) => {
                let file = tokio::fs::File::open(path.as_ref())
                    .await
                    .map_err(|e| Error::io(path.as_ref(), e))?;
                let length = file
                    .metadata()
                    .await
                    .map_err(|e| Error::io(path.as_ref(), e))?
                    .len();
                Ok((file.into(), Some(length)))
            }
            Payload::Once(slot) => slot
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
                .map(|body| (body, None))
                .ok_or_else(|| Error::Content("a streamed body cannot be sent twice".into())),
        }
    }
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Payload::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
            Payload::File(path) => f.debug_tuple("File").field(path).finish(),
            Payload::Once(_) => f.write_str("Stream"),
        }
    }
}

/// A request body that is not JSON: bytes, a file or a stream, and the
/// media type it is sent as.
///
/// Endpoints that upload content (`PUT /me/drive/items/{id}/content`,
/// `PUT /me/photo/$value`) take `impl Into<Content>`, so bytes, a `Vec<u8>`
/// or a `String` work as they are, and the documented media type applies
/// unless [`content_type`](Self::content_type) says otherwise:
///
/// ```no_run
/// # use graph_sdk_runtime::{Client, Content, Error};
/// # async fn example(client: Client) -> Result<(), Error> {
/// // From memory, with its media type:
/// client
///     .put("/me/drive/root:/notes.md:/content")
///     .content_body(Content::bytes("# Notes\n").content_type("text/markdown"), "application/octet-stream")
///     .await?;
/// // A file is read as it is sent, and read again by a retry:
/// client
///     .put("/me/drive/root:/report.pdf:/content")
///     .content_body(Content::file("report.pdf"), "application/pdf")
///     .await?;
/// # Ok(())
/// # }
/// ```
pub struct Content {
    pub(super) payload: Payload,
    pub(super) media_type: Option<String>,
    pub(super) length: Option<u64>,
}

impl Content {
    /// Bytes in memory.
    pub fn bytes(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        Content {
            length: Some(bytes.len() as u64),
            payload: Payload::Bytes(bytes),
            media_type: None,
        }
    }

    /// The file at `path`, read while it is sent (memory stays bounded)
    /// and opened again if the request is retried. Its length is sent as
    /// `Content-Length`.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Content {
            payload: Payload::File(Arc::new(path.into())),
            media_type: None,
            length: None,
        }
    }

    /// A stream of chunks, sent as it is read. It can be sent once: a
    /// request that fails is not retried. Give its length with
    /// [`length`](Self::length) where the service needs one.
    pub fn stream<S, E>(stream: S) -> Self
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
    {
        Content {
            payload: Payload::Once(Arc::new(Mutex::new(Some(reqwest::Body::wrap_stream(
                stream,
            ))))),
            media_type: None,
            length: None,
        }
    }

    /// Anything that reads bytes (a socket, a child process's output, a
    /// decompressor), read 64 KiB at a time while it is sent; as
    /// [`stream`](Self::stream), it can be sent once.
    pub fn reader(reader: impl AsyncRead + Send + 'static) -> Self {
        Self::stream(reader_stream(reader, READ_CHUNK))
    }

    /// Sends the content as `media_type` (`text/plain`, `image/png`)
    /// instead of the endpoint's documented type.
    #[must_use]
    pub fn content_type(mut self, media_type: impl Into<String>) -> Self {
        self.media_type = Some(media_type.into());
        self
    }

    /// Sends `Content-Length: bytes` with a stream, which some hosts need.
    #[must_use]
    pub fn length(mut self, bytes: u64) -> Self {
        self.length = Some(bytes);
        self
    }

    /// The media type set with [`content_type`](Self::content_type).
    pub fn media_type(&self) -> Option<&str> {
        self.media_type.as_deref()
    }
}

impl fmt::Debug for Content {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Content")
            .field("payload", &self.payload)
            .field("media_type", &self.media_type)
            .field("length", &self.length)
            .finish()
    }
}

impl From<Bytes> for Content {
    fn from(bytes: Bytes) -> Self {
        Content::bytes(bytes)
    }
}

impl From<Vec<u8>> for Content {
    fn from(bytes: Vec<u8>) -> Self {
        Content::bytes(bytes)
    }
}

impl From<&'static [u8]> for Content {
    fn from(bytes: &'static [u8]) -> Self {
        Content::bytes(bytes)
    }
}

impl From<String> for Content {
    fn from(text: String) -> Self {
        Content::bytes(text)
    }
}

impl From<&'static str> for Content {
    fn from(text: &'static str) -> Self {
        Content::bytes(text)
    }
}

/// `reader` as a stream of chunks of at most `chunk` bytes.
pub(super) fn reader_stream(
    reader: impl AsyncRead + Send + 'static,
    chunk: usize,
) -> impl Stream<Item = io::Result<Bytes>> + Send + 'static {
    futures_util::stream::try_unfold(Box::pin(reader), move |mut reader| async move {
        let mut buffer = BytesMut::with_capacity(chunk);
        let read = reader.read_buf(&mut buffer).await?;
        Ok((read > 0).then(|| (buffer.freeze(), reader)))
    })
}

/// The content of a response: a file's bytes, a photo, a report.
///
/// It is what a content endpoint (`GET /me/drive/items/{id}/content`,
/// `GET /me/messages/{id}/$value`) answers once the status and headers are
/// in; the body is read by one of [`bytes`](Self::bytes),
/// [`text`](Self::text), [`stream`](Self::stream),
/// [`write_to`](Self::write_to) or [`save`](Self::save). A download that
/// Graph redirects to another host (a pre-authenticated URL) is followed
/// without the `Authorization` header.
///
/// The client's timeout bounds the wait for the response headers, and then
/// each wait for the next chunk, so a large file may take as long as it
/// takes while a stalled one fails.
///
/// ```no_run
/// # use graph_sdk_runtime::{Client, Download, Error, Method, Request};
/// # async fn example(client: Client) -> Result<(), Error> {
/// let file: Download = Request::new(client, Method::GET, "/me/drive/root:/big.iso:/content".into())
///     .download_response()
///     .await?;
/// println!("{:?} bytes of {:?}", file.content_length(), file.content_type());
/// file.save("big.iso").await?;
/// # Ok(())
/// # }
/// ```
pub struct Download {
    status: StatusCode,
    headers: HeaderMap,
    source: Source,
}

/// Where a [`Download`]'s body comes from.
enum Source {
    /// Still on the connection.
    Live {
        response: reqwest::Response,
        idle: Option<Duration>,
    },
    /// Already read (a `$batch` answer).
    Read(Bytes),
}

impl Download {
    /// A download read from the connection as it is consumed; each wait
    /// for a chunk may take at most `idle`.
    pub(super) fn live(response: reqwest::Response, idle: Option<Duration>) -> Self {
        Download {
            status: response.status(),
            headers: response.headers().clone(),
            source: Source::Live { response, idle },
        }
    }

    /// A download whose body is already in memory.
    pub(super) fn read(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        Download {
            status,
            headers,
            source: Source::Read(body),
        }
    }

    /// The status of the response (`200 OK`, or `206 Partial Content` for
    /// a `Range` request).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Every response header.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The `Content-Type` of the content, if the server sent one.
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(CONTENT_TYPE)?.to_str().ok()
    }

    /// The `Content-Length` of the content, if the server sent one.
    pub fn content_length(&self) -> Option<u64> {
        match &self.source {
            Source::Read(bytes) => Some(bytes.len() as u64),
            Source::Live { .. } => self
                .headers
                .get(CONTENT_LENGTH)?
                .to_str()
                .ok()?
                .parse()
                .ok(),
        }
    }

    /// Reads the whole content into memory.
    pub async fn bytes(self) -> Result<Bytes, Error> {
        match self.source {
            Source::Read(bytes) => Ok(bytes),
            Source::Live { .. } => {
                let mut all = BytesMut::new();
                let mut chunks = self.stream();
                while let Some(chunk) = chunks.try_next().await? {
                    all.extend_from_slice(&chunk);
                }
                Ok(all.freeze())
            }
        }
    }

    /// Reads the whole content as UTF-8 text (a CSV report, a MIME
    /// message); [`Error::Content`] if it is not UTF-8.
    pub async fn text(self) -> Result<String, Error> {
        let bytes = self.bytes().await?;
        String::from_utf8(bytes.to_vec())
            .map_err(|e| Error::Content(format!("the content is not UTF-8: {e}")))
    }

    /// The content as a stream of chunks, as they arrive: memory stays
    /// bounded by one chunk, whatever the size of the file.
    pub fn stream(self) -> impl Stream<Item = Result<Bytes, Error>> + Send + Unpin + 'static {
        match self.source {
            Source::Read(bytes) => {
                futures_util::stream::iter((!bytes.is_empty()).then_some(Ok(bytes))).boxed()
            }
            Source::Live { response, idle } => {
                futures_util::stream::try_unfold(response, move |mut response| async move {
                    let next = match idle {
                        Some(idle) => tokio::time::timeout(idle, response.chunk())
                            .await
                            .map_err(|_| Error::timed_out(idle))?,
                        None => response.chunk().await,
                    };
                    Ok(next?.map(|chunk| (chunk, response)))
                })
                .boxed()
            }
        }
    }

    /// Writes the content to `out` as it arrives, and flushes it; returns
    /// the number of bytes written.
    pub async fn write_to<W: AsyncWrite + Unpin + ?Sized>(self, out: &mut W) -> Result<u64, Error> {
        let mut written = 0;
        let mut chunks = self.stream();
        while let Some(chunk) = chunks.try_next().await? {
            out.write_all(&chunk).await.map_err(Error::Io)?;
            written += chunk.len() as u64;
        }
        out.flush().await.map_err(Error::Io)?;
        Ok(written)
    }

    /// Saves the content as the file `path`, as it arrives. It is written
    /// to a temporary file beside `path` that replaces `path` once whole,
    /// so `path` is never left half-written; returns the number of bytes.
    pub async fn save(self, path: impl AsRef<Path>) -> Result<u64, Error> {
        let path = path.as_ref();
        let partial = partial_name(path);
        let mut file = tokio::fs::File::create(&partial)
            .await
            .map_err(|e| Error::io(&partial, e))?;
        let written = match self.write_to(&mut file).await {
            Ok(written) => file.sync_all().await.map(|()| written).map_err(Error::Io),
            Err(e) => Err(e),
        };
        drop(file);
        let renamed = match written {
            Ok(written) => tokio::fs::rename(&partial, path)
                .await
                .map(|()| written)
                .map_err(|e| Error::io(path, e)),
            Err(e) => Err(e),
        };
        if renamed.is_err() {
            let _ = tokio::fs::remove_file(&partial).await;
        }
        renamed
    }
}

/// `dir/.name.partial-<random>`: where [`Download::save`] writes before the rename.
fn partial_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "download".into(), |n| n.to_string_lossy());
    let random = super::client::random_u64();
    path.with_file_name(format!(".{name}.partial-{random:016x}"))
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("status", &self.status)
            .field("content_type", &self.content_type())
            .field("content_length", &self.content_length())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Client, Method, Request, RetryPolicy};
    use super::*;
    use std::time::Duration;
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    /// A client for `server` that retries quickly.
    fn client(server: &MockServer) -> Client {
        Client::builder()
            .base_url(server.uri())
            .bearer_token("graph-token")
            .retry_policy(
                RetryPolicy::default()
                    .with_backoff(Duration::from_millis(1), Duration::from_millis(5)),
            )
            .build()
            .expect("client")
    }

    /// 3 MiB that do not repeat with a short period.
    fn file_bytes() -> Vec<u8> {
        (0..3 * 1024 * 1024_u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect()
    }

    /// Downloads `content`, which Graph redirects to a storage host that
    /// gets no token.
    async fn redirected_download(
        graph: &MockServer,
        storage: &MockServer,
        content: &[u8],
    ) -> Download {
        Mock::given(method("GET"))
            .and(path("/me/drive/items/42/content"))
            .and(header("authorization", "Bearer graph-token"))
            .respond_with(
                ResponseTemplate::new(302)
                    .insert_header("location", format!("{}/download/42?sig=abc", storage.uri())),
            )
            .expect(1)
            .mount(graph)
            .await;
        Mock::given(method("GET"))
            .and(path("/download/42"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("content-type", "application/octet-stream")
                    .set_body_bytes(content.to_vec()),
            )
            .expect(1)
            .mount(storage)
            .await;
        Request::new(
            client(graph),
            Method::GET,
            "/me/drive/items/42/content".into(),
        )
        .download_response()
        .await
        .expect("download")
    }

    #[tokio::test]
    async fn a_download_streams_in_chunks_from_the_redirect_without_the_token() {
        let (graph, storage) = (MockServer::start().await, MockServer::start().await);
        let content = file_bytes();
        let download = redirected_download(&graph, &storage, &content).await;
        assert_eq!(download.content_length(), Some(content.len() as u64));
        assert_eq!(download.content_type(), Some("application/octet-stream"));
        let mut chunks = download.stream();
        let (mut received, mut largest, mut count) = (Vec::new(), 0, 0);
        while let Some(chunk) = chunks.try_next().await.expect("chunk") {
            largest = largest.max(chunk.len());
            count += 1;
            received.extend_from_slice(&chunk);
        }
        assert_eq!(received, content);
        // Memory is bounded by a chunk, not by the file.
        assert!(count > 10, "{count} chunks");
        assert!(largest <= 1024 * 1024, "a chunk of {largest} bytes");
        let storage_requests = storage.received_requests().await.expect("recorded");
        assert!(storage_requests[0].headers.get("authorization").is_none());
    }

    #[tokio::test]
    async fn a_download_saves_to_a_file_with_nothing_left_beside_it() {
        let (graph, storage) = (MockServer::start().await, MockServer::start().await);
        let content = file_bytes();
        let dir = std::env::temp_dir().join(format!(
            "graph-save-{:x}",
            super::super::client::random_u64()
        ));
        std::fs::create_dir_all(&dir).expect("dir");
        let target = dir.join("report.bin");
        let written = redirected_download(&graph, &storage, &content)
            .await
            .save(&target)
            .await
            .expect("saved");
        assert_eq!(written, content.len() as u64);
        assert_eq!(std::fs::read(&target).expect("file"), content);
        let names: Vec<_> = std::fs::read_dir(&dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("report.bin")]);
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    #[tokio::test]
    async fn a_download_writes_to_any_async_writer() {
        let (graph, storage) = (MockServer::start().await, MockServer::start().await);
        let content = file_bytes();
        let mut out = Vec::new();
        let download = redirected_download(&graph, &storage, &content).await;
        let written = download.write_to(&mut out).await.expect("written");
        assert_eq!((written, out), (content.len() as u64, content));
    }

    #[tokio::test]
    async fn a_failed_download_is_an_api_error_before_any_content() {
        let graph = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(404).set_body_json(
                serde_json::json!({"error": {"code": "itemNotFound", "message": "gone"}}),
            ))
            .mount(&graph)
            .await;
        let err = Request::new(
            client(&graph),
            Method::GET,
            "/me/drive/items/9/content".into(),
        )
        .download_response()
        .await
        .expect_err("not found");
        assert_eq!(err.code(), Some("itemNotFound"));
    }

    #[tokio::test]
    async fn a_file_upload_is_read_again_by_a_retry_and_a_stream_is_not_retried() {
        let graph = MockServer::start().await;
        Mock::given(method("PUT"))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .mount(&graph)
            .await;
        Mock::given(method("PUT"))
            .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({"id": "f"})))
            .mount(&graph)
            .await;
        let content = file_bytes();
        let file = std::env::temp_dir().join(format!(
            "graph-upload-{:x}",
            super::super::client::random_u64()
        ));
        std::fs::write(&file, &content).expect("file");
        let item = Request::new(
            client(&graph),
            Method::PUT,
            "/me/drive/root:/a.bin:/content".into(),
        )
        .content_body(
            Content::file(&file).content_type("image/png"),
            "application/octet-stream",
        )
        .json_response::<serde_json::Value>()
        .await
        .expect("uploaded");
        assert_eq!(item["id"], "f");
        let sent = graph.received_requests().await.expect("recorded");
        assert_eq!(sent.len(), 2);
        for request in &sent {
            assert_eq!(request.body, content);
            assert_eq!(request.headers["content-type"], "image/png");
            assert_eq!(
                request.headers["content-length"],
                content.len().to_string().as_str()
            );
        }
        std::fs::remove_file(&file).expect("clean up");

        graph.reset().await;
        Mock::given(method("PUT"))
            .respond_with(ResponseTemplate::new(503))
            .mount(&graph)
            .await;
        let err = Request::new(client(&graph), Method::PUT, "/me/photo/$value".into())
            .content_body(Content::reader(&b"not twice"[..]), "image/jpeg")
            .await
            .expect_err("not retried");
        assert_eq!(err.status(), Some(503));
        let sent = graph.received_requests().await.expect("recorded");
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].body, b"not twice");
        assert_eq!(sent[0].headers["content-type"], "image/jpeg");
    }

    #[tokio::test]
    async fn a_downloaded_text_must_be_utf8() {
        let ok = Download::read(
            StatusCode::OK,
            HeaderMap::new(),
            Bytes::from_static(b"a,b\n1,2\n"),
        );
        assert_eq!(ok.text().await.expect("text"), "a,b\n1,2\n");
        let bad = Download::read(
            StatusCode::OK,
            HeaderMap::new(),
            Bytes::from_static(b"\xff\xfe"),
        );
        assert!(matches!(bad.text().await, Err(Error::Content(_))));
    }
}
