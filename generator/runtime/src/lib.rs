//! Hand-written runtime shared by all generated Microsoft Graph endpoints.
//!
//! Generated code builds a [`Request`] with [`Request::new`], picks a response
//! decoder ([`Request::json_response`], [`Request::object_response`],
//! [`Request::value_response`], [`Request::empty_response`] or
//! [`Request::bytes_response`]) and hands it to
//! the user, who refines it with query options and awaits it:
//!
//! ```no_run
//! use graph_sdk_runtime::{Client, Error, Method, Page, Request};
//!
//! #[derive(serde::Deserialize)]
//! struct User {
//!     id: String,
//! }
//!
//! # async fn example() -> Result<(), Error> {
//! let client = Client::new("access-token");
//! let users: Vec<User> = Request::new(client.clone(), Method::GET, "/users".into())
//!     .json_response::<Page<User>>()
//!     .select(["id", "displayName"])
//!     .top(50)
//!     .collect_all()
//!     .await?;
//! # let _ = users;
//! # Ok(())
//! # }
//! ```
//!
//! # Raw requests
//!
//! For an endpoint no page describes, [`Client::get`], [`Client::post`],
//! [`Client::patch`], [`Client::put`] and [`Client::delete`] take a path or
//! an absolute URL and share the client's auth, retries, errors and query
//! options:
//!
//! ```no_run
//! # use graph_sdk_runtime::{Client, Error};
//! # async fn example(client: Client) -> Result<(), Error> {
//! let trending = client.get("/me/insights/trending").top(5).await?;
//! println!("{}", trending["value"][0]["id"]);
//! client
//!     .post("/me/sendMail")
//!     .json_body(&serde_json::json!({"message": {"subject": "Hi"}}))
//!     .await?;
//! # Ok(())
//! # }
//! ```
//!
//! # Delta queries
//!
//! [`Request::collect_delta`] runs a round and keeps the delta link;
//! [`Client::delta_from`] runs the next one:
//!
//! ```no_run
//! # use graph_sdk_runtime::{Client, Error, Page};
//! #[derive(Debug, serde::Serialize, serde::Deserialize)]
//! struct User {
//!     id: String,
//! }
//!
//! # async fn example(client: Client, saved: Option<String>) -> Result<(), Error> {
//! let round = match saved {
//!     Some(link) => client.delta_from::<User>(link).collect_delta().await?,
//!     None => client.get("/users/delta").json_response::<Page<User>>().collect_delta().await?,
//! };
//! for gone in &round.removed {
//!     println!("{} was {}", gone.id, gone.reason);
//! }
//! let _save_for_next_time = round.delta_link;
//! # Ok(())
//! # }
//! ```
//!
//! # Polymorphic results
//!
//! A value read as a base type keeps its derived fields; [`cast`] turns it
//! into the derived type, after checking its `@odata.type`:
//!
//! ```
//! # use graph_sdk_runtime::{Error, ODataType, cast};
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct DirectoryObject {
//!     #[serde(rename = "@odata.type")]
//!     odata_type: Option<String>,
//!     #[serde(flatten)]
//!     rest: serde_json::Map<String, serde_json::Value>,
//! }
//! #[derive(serde::Deserialize)]
//! struct User {
//!     #[serde(rename = "displayName")]
//!     display_name: String,
//! }
//! impl ODataType for User {
//!     const ODATA_TYPE: &'static str = "#microsoft.graph.user";
//! }
//!
//! let member: DirectoryObject = serde_json::from_str(
//!     r##"{"@odata.type": "#microsoft.graph.user", "displayName": "Ada"}"##,
//! ).unwrap();
//! let user: User = cast(&member)?;
//! assert_eq!(user.display_name, "Ada");
//! # Ok::<(), Error>(())
//! ```
//!
//! # Response metadata
//!
//! [`Request::send_with_response`] returns the body with the status and the
//! headers ([`Response::etag`], [`Response::location`],
//! [`Response::request_id`]).
//!
//! Every file is self-contained relative to the crate root (`super::...`), so
//! a generated crate can also carry the files as its `runtime` module.

mod additional;
mod auth;
#[cfg(feature = "azure-identity")]
mod azure;
mod batch;
mod client;
mod content;
mod credentials;
mod error;
mod macros;
mod nullable;
mod object;
mod odata;
mod operation;
mod paging;
mod query;
mod request;
mod retry;
mod upload;

pub use additional::AdditionalProperties;
pub use auth::{AuthChallenge, FnTokenProvider, TokenFuture, TokenProvider};
#[cfg(feature = "azure-identity")]
pub use azure::AzureCredential;
pub use batch::{Answers, Batch, Handle, ItemId, MAX_BATCH};
pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_TIMEOUT};
pub use content::{Content, Download};
pub use credentials::{AssertionFuture, ClientCredentials, Cloud};
pub use error::{ApiError, Error, ErrorDetail, InnerError};
pub use nullable::Nullable;
pub use object::{
    Fields, Key, MaybeAbsent, ObjectReader, ObjectWriter, Tagged, read_fields, read_tagged,
    read_unknown, read_value,
};
pub use odata::{ODataType, Reference, cast, changes};
pub use operation::{DEFAULT_OPERATION_TIMEOUT, Operation, OperationState, OperationStatus};
pub use paging::{DEFAULT_MAX_PAGES, Delta, Page, Removed};
pub use query::{FieldName, QueryOptions, encode_function_arg, encode_path_segment};
pub use request::{Request, Response};
pub use retry::RetryPolicy;
pub use upload::{
    DEFAULT_UPLOAD_SLICE, LargeFileUpload, UPLOAD_SLICE_UNIT, UploadProgress, UploadStatus,
};

/// HTTP types a caller may need to name, re-exported so that an application
/// needs no direct `reqwest` dependency.
pub use reqwest::{Method, StatusCode, header::HeaderMap};

/// Cheaply cloneable bytes: raw response bodies ([`Request::bytes_response`],
/// [`ApiError::body`]) and upload bodies ([`Request::bytes_body`]).
pub use bytes::Bytes;
