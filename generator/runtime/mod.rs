//! Hand-written runtime shared by all generated Microsoft Graph endpoints.
//!
//! Generated code builds a [`Request`] with [`Request::new`], picks a response
//! decoder ([`Request::json_response`], [`Request::empty_response`] or
//! [`Request::bytes_response`]) and hands it to the user, who refines it with
//! query options and awaits it:
//!
//! ```ignore
//! let client = Client::new("access-token");
//! let users: Vec<User> = Request::new(client.clone(), Method::GET, "/users".into())
//!     .json_response::<Page<User>>()
//!     .select(["id", "displayName"])
//!     .top(50)
//!     .collect_all()
//!     .await?;
//! ```
//!
//! Every file is self-contained relative to this module (`super::...`), so the
//! folder can be copied into any crate.

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
pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL};
pub use error::{ApiError, Error};
pub use nullable::Nullable;
pub use odata::{ODataType, Reference, cast};
pub use paging::{DEFAULT_MAX_PAGES, Page};
pub use query::{QueryOptions, encode_function_arg, encode_path_segment};
pub use request::Request;
pub use retry::RetryPolicy;
