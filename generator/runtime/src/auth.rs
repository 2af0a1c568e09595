//! Access-token acquisition: the [`TokenProvider`] trait and its basic implementations.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::Error;

/// Boxed future returned by [`TokenProvider::token`].
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<String, Error>> + Send + 'a>>;

/// Source of OAuth bearer tokens, asked once per HTTP attempt so tokens can refresh.
///
/// The trait is object safe; implementations should cache tokens and only
/// contact the identity platform when the cached token is about to expire.
/// Failures should be reported as [`Error::Auth`].
pub trait TokenProvider: Send + Sync {
    /// Returns the access token to send as `Authorization: Bearer <token>`.
    fn token(&self) -> TokenFuture<'_>;
}

impl TokenProvider for String {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(std::future::ready(Ok(self.clone())))
    }
}

impl TokenProvider for &'static str {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(std::future::ready(Ok((*self).to_owned())))
    }
}

impl<P: TokenProvider + ?Sized> TokenProvider for Arc<P> {
    fn token(&self) -> TokenFuture<'_> {
        (**self).token()
    }
}

impl<P: TokenProvider + ?Sized> TokenProvider for Box<P> {
    fn token(&self) -> TokenFuture<'_> {
        (**self).token()
    }
}

/// Adapts an async closure `Fn() -> impl Future<Output = Result<String, Error>>` into a [`TokenProvider`].
#[derive(Clone)]
pub struct FnTokenProvider<F>(pub F);

impl<F, Fut> TokenProvider for FnTokenProvider<F>
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = Result<String, Error>> + Send + 'static,
{
    fn token(&self) -> TokenFuture<'_> {
        Box::pin((self.0)())
    }
}

impl<F> std::fmt::Debug for FnTokenProvider<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FnTokenProvider")
    }
}
