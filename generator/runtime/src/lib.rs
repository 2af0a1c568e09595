//! Hand-written runtime shared by all generated Microsoft Graph endpoints.
//!
//! Generated code builds a [`Request`] with [`Request::new`], picks a response
//! decoder ([`Request::json_response`], [`Request::value_response`],
//! [`Request::empty_response`] or [`Request::bytes_response`]) and hands it to
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
//! Every file is self-contained relative to the crate root (`super::...`), so
//! a generated crate can also carry the files as its `runtime` module.

mod auth;
mod client;
mod error;
mod nullable;
mod odata;
mod paging;
mod query;
mod request;
mod retry;

pub use auth::{FnTokenProvider, TokenFuture, TokenProvider};
pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_TIMEOUT};
pub use error::{ApiError, Error};
pub use nullable::Nullable;
pub use odata::{ODataType, Reference, cast};
pub use paging::{DEFAULT_MAX_PAGES, Delta, Page, Removed};
pub use query::{QueryOptions, encode_function_arg, encode_path_segment};
pub use request::{Request, Response};
pub use retry::RetryPolicy;

/// HTTP types a caller may need to name, re-exported so that an application
/// needs no direct `reqwest` dependency.
pub use reqwest::{Method, StatusCode, header::HeaderMap};
