//! Large files through an upload session: [`LargeFileUpload`] sends a file
//! a slice at a time to the session's upload URL, retries a slice that
//! fails, and resumes where the server says it stopped.

use std::fmt;
use std::io::SeekFrom;
use std::path::Path;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use reqwest::Method;
use reqwest::header::{CONTENT_RANGE, CONTENT_TYPE, HeaderValue};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeek, AsyncSeekExt};

use super::client::{Prepared, RawResponse};
use super::content::Payload;
use super::{Client, Error, retry};

/// Slices are a whole number of these: 320 KiB, as upload sessions ask.
pub const UPLOAD_SLICE_UNIT: usize = 320 * 1024;

/// The slice size unless [`LargeFileUpload::slice_size`] sets another:
/// 5 MiB (16 units), as Microsoft's Graph SDKs send.
pub const DEFAULT_UPLOAD_SLICE: usize = 16 * UPLOAD_SLICE_UNIT;

/// The largest slice: upload sessions take less than 60 MiB per request.
const MAX_SLICE: usize = 187 * UPLOAD_SLICE_UNIT;

/// Sends a large file to an upload session (made by a `createUploadSession`
/// call: drive items, mail attachments, print documents), a slice at a time.
///
/// - The file is read from an `AsyncRead` one slice at a time: memory stays
///   bounded by one slice, whatever the size of the file.
/// - Each slice is a `PUT` of its bytes with `Content-Range` to the
///   session's upload URL, **without** the `Authorization` header (the URL
///   is itself the credential).
/// - A slice that fails with a `5xx`, is throttled (`429`, honouring
///   `Retry-After`) or meets a network error is sent again, as the client's
///   [`RetryPolicy`](super::RetryPolicy) allows.
/// - When a slice still fails, the session's status is asked and the
///   upload goes on from its `nextExpectedRanges` if those bytes are still
///   in hand; otherwise the error is returned, and [`resume`](Self::resume)
///   (with a reader that can seek, such as a file) goes on later, in this
///   process or another, until the session expires.
/// - Dropping the future stops the upload; the session stays, to be
///   resumed, until [`cancel`](Self::cancel) deletes it.
/// - The last slice's answer is the uploaded item, decoded as `T`.
///
/// ```no_run
/// # use graph_sdk_runtime::{Client, Error, LargeFileUpload};
/// # async fn example(client: Client, upload_url: String) -> Result<(), Error> {
/// let upload = LargeFileUpload::new(&client, upload_url)
///     .on_progress(|p| println!("{} of {} bytes", p.sent, p.total));
/// let item: serde_json::Value = match upload.upload_file("video.mp4").await {
///     Ok(item) => item,
///     // The network went away: go on from where the session stopped.
///     Err(_) => upload.upload_file("video.mp4").await?,
/// };
/// println!("uploaded {}", item["id"]);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct LargeFileUpload {
    client: Client,
    upload_url: String,
    slice: usize,
    progress: Option<Arc<dyn Fn(UploadProgress) + Send + Sync>>,
}

/// How far an upload is, as [`LargeFileUpload::on_progress`] reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadProgress {
    /// Bytes the session has: every byte before this offset.
    pub sent: u64,
    /// The file's size.
    pub total: u64,
}

/// What an upload session says about itself (a `GET` of its upload URL).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UploadStatus {
    /// When the session expires, as sent (`2026-12-05T10:00:00Z`).
    pub expiration_date_time: Option<String>,
    /// The byte ranges the session is missing (`["1310720-"]`).
    #[serde(default)]
    pub next_expected_ranges: Vec<String>,
}

impl UploadStatus {
    /// The first byte the session is missing, if it says.
    pub fn next_offset(&self) -> Option<u64> {
        let first = self.next_expected_ranges.first()?;
        first.split('-').next()?.trim().parse().ok()
    }
}

impl LargeFileUpload {
    /// An upload to the session at `upload_url` (its `uploadUrl`), sent
    /// through `client`'s connection pool and retry policy.
    pub fn new(client: &Client, upload_url: impl Into<String>) -> Self {
        LargeFileUpload {
            client: client.clone(),
            upload_url: upload_url.into(),
            slice: DEFAULT_UPLOAD_SLICE,
            progress: None,
        }
    }

    /// Sends slices of `bytes` (default [`DEFAULT_UPLOAD_SLICE`]): a
    /// positive multiple of [`UPLOAD_SLICE_UNIT`] (320 KiB) below 60 MiB,
    /// else [`Error::Content`].
    pub fn slice_size(mut self, bytes: usize) -> Result<Self, Error> {
        if bytes == 0 || bytes % UPLOAD_SLICE_UNIT != 0 || bytes > MAX_SLICE {
            return Err(Error::Content(format!(
                "an upload slice of {bytes} bytes: it must be a positive multiple of 320 KiB \
                 ({UPLOAD_SLICE_UNIT} bytes) of at most {MAX_SLICE} bytes"
            )));
        }
        self.slice = bytes;
        Ok(self)
    }

    /// Calls `report` each time the session has taken a slice.
    #[must_use]
    pub fn on_progress(mut self, report: impl Fn(UploadProgress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(report));
        self
    }

    /// The session's upload URL.
    pub fn upload_url(&self) -> &str {
        &self.upload_url
    }

    /// Asks the session what it has and when it expires.
    pub async fn status(&self) -> Result<UploadStatus, Error> {
        let raw = retry::execute(&self.client, &self.request(Method::GET)?).await?;
        decode(&raw)
    }

    /// Deletes the session, with what it has received.
    pub async fn cancel(&self) -> Result<(), Error> {
        retry::execute(&self.client, &self.request(Method::DELETE)?)
            .await
            .map(drop)
    }

    /// Uploads the `total` bytes `reader` gives, from the first.
    pub async fn upload<T, R>(&self, reader: R, total: u64) -> Result<T, Error>
    where
        T: DeserializeOwned,
        R: AsyncRead + Unpin,
    {
        self.upload_from(reader, 0, total).await
    }

    /// Uploads bytes `offset..total` of a file, which `reader` gives from
    /// `offset` on.
    pub async fn upload_from<T, R>(
        &self,
        mut reader: R,
        offset: u64,
        total: u64,
    ) -> Result<T, Error>
    where
        T: DeserializeOwned,
        R: AsyncRead + Unpin,
    {
        if total == 0 {
            return Err(Error::Content(
                "an upload session cannot take an empty file; upload it with a plain PUT".into(),
            ));
        }
        let mut pending = Pending {
            start: offset,
            bytes: Bytes::new(),
        };
        loop {
            if pending.start >= total {
                return Err(Error::Content(format!(
                    "the upload session has all {total} bytes but did not answer with the \
                     uploaded item (a session made with deferCommit waits for a commit)"
                )));
            }
            let len = usize::try_from(total.saturating_sub(pending.start))
                .unwrap_or(usize::MAX)
                .min(self.slice);
            pending.fill(&mut reader, len, total).await?;
            let slice = pending.bytes.slice(..len.min(pending.bytes.len()));
            match self.send_slice(slice, pending.start, total).await? {
                Sent::Done(raw) => {
                    self.report(total, total);
                    return decode(&raw);
                }
                Sent::Next(next) => {
                    pending.advance(&mut reader, next).await?;
                    self.report(next, total);
                }
            }
        }
    }

    /// Asks the session where it stopped, seeks `reader` there, and
    /// uploads the rest of the `total` bytes; from the first byte when the
    /// session has none.
    pub async fn resume<T, R>(&self, mut reader: R, total: u64) -> Result<T, Error>
    where
        T: DeserializeOwned,
        R: AsyncRead + AsyncSeek + Unpin,
    {
        let offset = self.status().await?.next_offset().unwrap_or(0);
        reader
            .seek(SeekFrom::Start(offset))
            .await
            .map_err(Error::Io)?;
        self.upload_from(reader, offset, total).await
    }

    /// Uploads the file at `path`, going on from where the session stopped
    /// if it has some of it already ([`resume`](Self::resume)).
    pub async fn upload_file<T: DeserializeOwned>(
        &self,
        path: impl AsRef<Path>,
    ) -> Result<T, Error> {
        let path = path.as_ref();
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|e| Error::io(path, e))?;
        let total = file.metadata().await.map_err(|e| Error::io(path, e))?.len();
        self.resume(file, total).await
    }

    /// A request to the upload URL, which never carries the token.
    fn request(&self, method: Method) -> Result<Prepared, Error> {
        let url = self.client.resolve(&self.upload_url)?;
        let mut request = Prepared::plain(method, "(upload session)".into(), url);
        request.anonymous = true;
        request.retry_server_errors = true;
        Ok(request)
    }

    /// Sends `slice`, bytes `start..` of `total`, retrying as the policy
    /// allows; when it still fails, the session's status may say where to
    /// go on from.
    async fn send_slice(&self, slice: Bytes, start: u64, total: u64) -> Result<Sent, Error> {
        let end = start + slice.len() as u64;
        let mut request = self.request(Method::PUT)?;
        let range = format!("bytes {start}-{}/{total}", end.saturating_sub(1));
        let range = HeaderValue::from_str(&range).map_err(|_| Error::InvalidHeader(range))?;
        request.headers.insert(CONTENT_RANGE, range);
        request.headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        request.body = Some(Payload::Bytes(slice));
        match retry::execute(&self.client, &request).await {
            Ok(raw) if raw.status.as_u16() == 202 => {
                let status: UploadStatus = decode(&raw)?;
                Ok(Sent::Next(status.next_offset().unwrap_or(end)))
            }
            Ok(raw) => Ok(Sent::Done(raw)),
            Err(error) => match self.status().await.ok().and_then(|s| s.next_offset()) {
                // The session took some of the slice (or all of it, and
                // the answer was lost): go on from there. Without any
                // progress, the error stands, for a later resume.
                Some(next) if next > start && next <= end && next < total => {
                    tracing::debug!(
                        next,
                        "upload slice failed; the session goes on from its status"
                    );
                    Ok(Sent::Next(next))
                }
                _ => Err(error),
            },
        }
    }

    fn report(&self, sent: u64, total: u64) {
        if let Some(report) = &self.progress {
            report(UploadProgress { sent, total });
        }
    }
}

/// Where a slice left the upload.
enum Sent {
    /// The session wants the bytes from this offset on.
    Next(u64),
    /// The last slice: the answer is the uploaded item.
    Done(RawResponse),
}

/// Bytes read from the file that the session has not taken yet.
struct Pending {
    /// The offset of `bytes` in the file.
    start: u64,
    bytes: Bytes,
}

impl Pending {
    /// Reads until `len` bytes are in hand, or the file's `total` is.
    async fn fill<R: AsyncRead + Unpin>(
        &mut self,
        reader: &mut R,
        len: usize,
        total: u64,
    ) -> Result<(), Error> {
        if self.bytes.len() >= len {
            return Ok(());
        }
        let mut buffer = BytesMut::with_capacity(len);
        buffer.extend_from_slice(&self.bytes);
        while buffer.len() < len {
            let read = (&mut *reader)
                .take((len - buffer.len()) as u64)
                .read_buf(&mut buffer)
                .await
                .map_err(Error::Io)?;
            if read == 0 {
                return Err(Error::Content(format!(
                    "the file ended at byte {} of the {total} the upload was told",
                    self.start + buffer.len() as u64
                )));
            }
        }
        self.bytes = buffer.freeze();
        Ok(())
    }

    /// Drops what the session has taken: it wants the bytes from `next` on.
    async fn advance<R: AsyncRead + Unpin>(
        &mut self,
        reader: &mut R,
        next: u64,
    ) -> Result<(), Error> {
        if next < self.start {
            return Err(Error::Content(format!(
                "the upload session wants byte {next} again, which was read already; \
                 resume the upload with a reader that can seek"
            )));
        }
        let skip = next - self.start;
        let in_hand = self.bytes.len() as u64;
        if skip <= in_hand {
            let _ = self
                .bytes
                .split_to(usize::try_from(skip).unwrap_or(usize::MAX));
        } else {
            self.bytes = Bytes::new();
            let beyond = skip - in_hand;
            let skipped = tokio::io::copy(&mut (&mut *reader).take(beyond), &mut tokio::io::sink())
                .await
                .map_err(Error::Io)?;
            if skipped < beyond {
                return Err(Error::Content(format!(
                    "the upload session wants byte {next}, past the end of the file"
                )));
            }
        }
        self.start = next;
        Ok(())
    }
}

/// Decodes an upload answer's JSON, as any other answer is.
fn decode<T: DeserializeOwned>(raw: &RawResponse) -> Result<T, Error> {
    super::request::decode_json(raw.body.clone())
}

impl fmt::Debug for LargeFileUpload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The upload URL is a credential: only its host is shown.
        let host = reqwest::Url::parse(&self.upload_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned));
        f.debug_struct("LargeFileUpload")
            .field("host", &host)
            .field("slice", &self.slice)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::super::RetryPolicy;
    use super::*;
    use std::sync::{Mutex, PoisonError};
    use std::time::Duration;
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, Request as Received, Respond, ResponseTemplate};

    /// An upload session as a storage host keeps it: the bytes it has,
    /// and the slices it is told to fail.
    #[derive(Clone, Default)]
    struct Session(Arc<Mutex<SessionState>>);

    #[derive(Default)]
    struct SessionState {
        total: u64,
        received: Vec<u8>,
        /// Slices starting at this offset fail with this status, this many times.
        fail_at: Option<(u64, u16, usize)>,
        /// Take the slice at this offset, then answer 500 as if the answer were lost.
        lose_answer_at: Option<u64>,
        /// Every `Content-Range` sent, and whether it carried a token.
        log: Vec<(String, bool)>,
    }

    impl Session {
        fn state(&self) -> std::sync::MutexGuard<'_, SessionState> {
            self.0.lock().unwrap_or_else(PoisonError::into_inner)
        }
    }

    impl Respond for Session {
        fn respond(&self, request: &Received) -> ResponseTemplate {
            let mut state = self.state();
            let status = || {
                serde_json::json!({
                    "expirationDateTime": "2026-12-05T10:00:00Z",
                    "nextExpectedRanges": [format!("{}-", 0)],
                })
            };
            match request.method.as_str() {
                "GET" => {
                    let mut body = status();
                    body["nextExpectedRanges"] =
                        serde_json::json!([format!("{}-", state.received.len())]);
                    return ResponseTemplate::new(200).set_body_json(body);
                }
                "DELETE" => return ResponseTemplate::new(204),
                _ => {}
            }
            let range = request.headers["content-range"]
                .to_str()
                .expect("text")
                .to_owned();
            state
                .log
                .push((range.clone(), request.headers.contains_key("authorization")));
            let (span, total) = range
                .trim_start_matches("bytes ")
                .split_once('/')
                .expect("range");
            let (start, end) = span.split_once('-').expect("span");
            let (start, end): (u64, u64) =
                (start.parse().expect("start"), end.parse().expect("end"));
            state.total = total.parse().expect("total");
            if let Some((at, code, times)) = state.fail_at {
                if at == start && times > 0 {
                    state.fail_at = Some((at, code, times - 1));
                    return ResponseTemplate::new(code);
                }
            }
            if start != state.received.len() as u64 || end + 1 - start != request.body.len() as u64
            {
                return ResponseTemplate::new(416);
            }
            state.received.extend_from_slice(&request.body);
            if state.lose_answer_at == Some(start) {
                state.lose_answer_at = None;
                return ResponseTemplate::new(500);
            }
            if state.received.len() as u64 == state.total {
                return ResponseTemplate::new(201).set_body_json(
                    serde_json::json!({"id": "01NEWITEM", "name": "video.mp4", "size": state.total}),
                );
            }
            let mut body = status();
            body["nextExpectedRanges"] = serde_json::json!([format!("{}-", state.received.len())]);
            ResponseTemplate::new(202).set_body_json(body)
        }
    }

    /// A storage host with `session` at `/upload`, and a client whose base
    /// URL (where the token goes) is another server.
    async fn storage(session: &Session) -> (MockServer, Client) {
        let server = MockServer::start().await;
        for verb in ["PUT", "GET", "DELETE"] {
            Mock::given(method(verb))
                .respond_with(session.clone())
                .mount(&server)
                .await;
        }
        let client = Client::builder()
            .base_url("https://graph.example.com/v1.0")
            .bearer_token("graph-token")
            .retry_policy(
                RetryPolicy::default()
                    .with_max_retries(2)
                    .with_backoff(Duration::from_millis(1), Duration::from_millis(5)),
            )
            .build()
            .expect("client");
        (server, client)
    }

    /// A file of `len` bytes that do not repeat with a short period.
    fn file(len: usize) -> Vec<u8> {
        (0..len)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect()
    }

    #[tokio::test]
    async fn slices_go_without_the_token_and_a_failed_slice_is_sent_again() {
        let session = Session::default();
        session.state().fail_at = Some((2 * UPLOAD_SLICE_UNIT as u64, 500, 1));
        let (server, client) = storage(&session).await;
        let content = file(4 * UPLOAD_SLICE_UNIT + 1000);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let seen_by = Arc::clone(&seen);
        let upload = LargeFileUpload::new(&client, format!("{}/upload?tempauth=x", server.uri()))
            .slice_size(UPLOAD_SLICE_UNIT)
            .expect("a valid slice")
            .on_progress(move |p| seen_by.lock().expect("lock").push(p.sent));
        let item: serde_json::Value = upload
            .upload(&content[..], content.len() as u64)
            .await
            .expect("uploaded");
        assert_eq!(item["id"], "01NEWITEM");
        let state = session.state();
        assert_eq!(state.received, content);
        let ranges: Vec<&str> = state.log.iter().map(|(r, _)| r.as_str()).collect();
        let unit = UPLOAD_SLICE_UNIT;
        let total = content.len();
        assert_eq!(
            ranges,
            [
                format!("bytes 0-{}/{total}", unit - 1),
                format!("bytes {unit}-{}/{total}", 2 * unit - 1),
                format!("bytes {}-{}/{total}", 2 * unit, 3 * unit - 1),
                format!("bytes {}-{}/{total}", 2 * unit, 3 * unit - 1),
                format!("bytes {}-{}/{total}", 3 * unit, 4 * unit - 1),
                format!("bytes {}-{}/{total}", 4 * unit, total - 1),
            ]
        );
        assert!(
            state.log.iter().all(|(_, token)| !token),
            "no slice carries the token"
        );
        let progress = seen.lock().expect("lock").clone();
        let total = total as u64;
        assert_eq!(
            progress,
            [1, 2, 3, 4]
                .map(|n| n * unit as u64)
                .into_iter()
                .chain([total])
                .collect::<Vec<_>>()
        );
    }

    #[tokio::test]
    async fn an_interrupted_upload_resumes_from_the_next_expected_range() {
        let session = Session::default();
        // The third slice fails more often than the policy retries.
        session.state().fail_at = Some((2 * UPLOAD_SLICE_UNIT as u64, 503, 10));
        let (server, client) = storage(&session).await;
        let content = file(5 * UPLOAD_SLICE_UNIT);
        let upload = LargeFileUpload::new(&client, format!("{}/upload", server.uri()))
            .slice_size(UPLOAD_SLICE_UNIT)
            .expect("a valid slice");
        let err = upload
            .upload::<serde_json::Value, _>(&content[..], content.len() as u64)
            .await
            .expect_err("interrupted");
        assert_eq!(err.status(), Some(503));
        assert_eq!(session.state().received.len(), 2 * UPLOAD_SLICE_UNIT);
        // The host recovers; the upload goes on from the session's status.
        session.state().fail_at = None;
        let sent_before = session.state().log.len();
        let item: serde_json::Value = upload
            .resume(std::io::Cursor::new(content.clone()), content.len() as u64)
            .await
            .expect("resumed");
        assert_eq!(item["size"], content.len());
        let state = session.state();
        assert_eq!(state.received, content);
        let resent: Vec<&str> = state.log[sent_before..]
            .iter()
            .map(|(r, _)| r.as_str())
            .collect();
        assert_eq!(resent.len(), 3, "only the missing slices: {resent:?}");
        assert!(resent[0].starts_with(&format!("bytes {}-", 2 * UPLOAD_SLICE_UNIT)));
    }

    #[tokio::test]
    async fn a_slice_taken_whose_answer_was_lost_is_not_sent_twice() {
        let session = Session::default();
        session.state().lose_answer_at = Some(UPLOAD_SLICE_UNIT as u64);
        let (server, client) = storage(&session).await;
        let content = file(3 * UPLOAD_SLICE_UNIT);
        let upload = LargeFileUpload::new(&client, format!("{}/upload", server.uri()))
            .slice_size(UPLOAD_SLICE_UNIT)
            .expect("a valid slice");
        let _: serde_json::Value = upload
            .upload(&content[..], content.len() as u64)
            .await
            .expect("uploaded");
        assert_eq!(session.state().received, content);
    }

    #[tokio::test]
    async fn an_upload_dropped_midway_goes_on_from_a_file_and_cancel_deletes_the_session() {
        let session = Session::default();
        let (server, client) = storage(&session).await;
        let content = file(6 * UPLOAD_SLICE_UNIT + 7);
        let path = std::env::temp_dir().join(format!(
            "graph-large-{:x}",
            super::super::client::random_u64()
        ));
        std::fs::write(&path, &content).expect("file");
        let upload = LargeFileUpload::new(&client, format!("{}/upload", server.uri()))
            .slice_size(UPLOAD_SLICE_UNIT)
            .expect("a valid slice");
        // The application stops after two slices (a shutdown, a cancel button).
        let stop = Arc::new(tokio::sync::Notify::new());
        let stopper = Arc::clone(&stop);
        let watched = upload.clone().on_progress(move |p| {
            if p.sent >= 2 * UPLOAD_SLICE_UNIT as u64 {
                stopper.notify_one();
            }
        });
        tokio::select! {
            _ = watched.upload_file::<serde_json::Value>(&path) => panic!("it was to be stopped"),
            () = stop.notified() => {}
        }
        // A slice sent just before the stop may still reach the server (the
        // request was on the wire when the upload was dropped): wait until
        // what the session holds stops changing.
        let mut had = session.state().received.len();
        let mut still = 0;
        while still < 5 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            let now = session.state().received.len();
            still = if now == had { still + 1 } else { 0 };
            had = now;
        }
        assert!(had >= 2 * UPLOAD_SLICE_UNIT && had < content.len());
        let status = upload.status().await.expect("status");
        assert_eq!(status.next_offset(), Some(had as u64));
        let item: serde_json::Value = upload.upload_file(&path).await.expect("finished");
        assert_eq!(item["id"], "01NEWITEM");
        assert_eq!(session.state().received, content);
        upload.cancel().await.expect("deleted");
        let requests = server.received_requests().await.expect("recorded");
        assert!(requests.iter().any(|r| r.method.as_str() == "DELETE"));
        assert!(
            requests
                .iter()
                .all(|r| !r.headers.contains_key("authorization"))
        );
        std::fs::remove_file(&path).expect("clean up");
    }

    /// A file that counts what has been read of it.
    struct Counted {
        bytes: std::io::Cursor<Vec<u8>>,
        read: Arc<std::sync::atomic::AtomicU64>,
    }

    impl AsyncRead for Counted {
        fn poll_read(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            let before = buf.filled().len();
            let polled = std::pin::Pin::new(&mut self.bytes).poll_read(cx, buf);
            let read = (buf.filled().len() - before) as u64;
            self.read
                .fetch_add(read, std::sync::atomic::Ordering::SeqCst);
            polled
        }
    }

    #[tokio::test]
    async fn the_file_is_read_at_most_one_slice_ahead_of_the_session() {
        let session = Session::default();
        let (server, client) = storage(&session).await;
        let content = file(8 * UPLOAD_SLICE_UNIT + 99);
        let read = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let ahead = Arc::new(Mutex::new(Vec::new()));
        let (counter, seen) = (Arc::clone(&read), Arc::clone(&ahead));
        let upload = LargeFileUpload::new(&client, format!("{}/upload", server.uri()))
            .slice_size(2 * UPLOAD_SLICE_UNIT)
            .expect("a valid slice")
            .on_progress(move |p| {
                let read = counter.load(std::sync::atomic::Ordering::SeqCst);
                seen.lock().expect("lock").push(read - p.sent);
            });
        let reader = Counted {
            bytes: std::io::Cursor::new(content.clone()),
            read: Arc::clone(&read),
        };
        let _: serde_json::Value = upload
            .upload(reader, content.len() as u64)
            .await
            .expect("uploaded");
        // When the session has taken a slice, nothing more has been read:
        // the only bytes in memory are the slice being sent.
        let ahead = ahead.lock().expect("lock").clone();
        assert_eq!(ahead.len(), 5);
        assert!(ahead.iter().all(|a| *a == 0), "{ahead:?}");
        assert_eq!(session.state().received, content);
    }

    #[test]
    fn slices_are_whole_units_below_60_mib() {
        let client = Client::new("t");
        let upload = LargeFileUpload::new(&client, "https://up.example.com/s");
        assert_eq!(upload.slice, DEFAULT_UPLOAD_SLICE);
        assert_eq!(DEFAULT_UPLOAD_SLICE, 5 * 1024 * 1024);
        for bad in [0, 1000, UPLOAD_SLICE_UNIT + 1, 192 * UPLOAD_SLICE_UNIT] {
            assert!(upload.clone().slice_size(bad).is_err(), "{bad}");
        }
        assert!(upload.clone().slice_size(187 * UPLOAD_SLICE_UNIT).is_ok());
        assert!(format!("{upload:?}").contains("up.example.com"));
        assert!(!format!("{upload:?}").contains("/s"));
    }

    #[test]
    fn a_status_names_the_first_missing_byte() {
        let status: UploadStatus = serde_json::from_value(serde_json::json!({
            "expirationDateTime": "2026-12-05T10:00:00Z",
            "nextExpectedRanges": ["12345-55232", "77829-99375"]
        }))
        .expect("status");
        assert_eq!(status.next_offset(), Some(12345));
        assert_eq!(UploadStatus::default().next_offset(), None);
    }
}
