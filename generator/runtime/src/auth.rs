//! Access-token acquisition: the [`TokenProvider`] trait and its basic
//! implementations, and [`AuthChallenge`], a parsed `WWW-Authenticate` challenge.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use reqwest::header::{HeaderMap, WWW_AUTHENTICATE};

use super::{Cloud, Error};

/// Boxed future returned by [`TokenProvider::token`].
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<String, Error>> + Send + 'a>>;

/// Source of OAuth bearer tokens, asked once per HTTP attempt so tokens can refresh.
///
/// The trait is object safe; implementations should cache tokens and only
/// contact the identity platform when the cached token is about to expire.
/// Failures should be reported as [`Error::Auth`].
///
/// The client asks for a token only for a request that will carry it: one
/// to the base URL's origin or to an origin allowed with
/// [`ClientBuilder::allow_token_for_origin`](super::ClientBuilder::allow_token_for_origin),
/// and without an `Authorization` header of its own.
pub trait TokenProvider: Send + Sync {
    /// Returns the access token to send as `Authorization: Bearer <token>`.
    fn token(&self) -> TokenFuture<'_>;

    /// Returns a new token after the server rejected `rejected` with
    /// `401 Unauthorized` (revoked, or expired earlier than its cache entry
    /// said). A caching provider drops `rejected` from its cache and fetches
    /// a new token from the identity platform instead of returning the cached
    /// one. The client asks at most once per call, and sends the request once
    /// more with the result; the default asks [`token`](Self::token) again.
    fn fresh_token(&self, rejected: &str) -> TokenFuture<'_> {
        let _ = rejected;
        self.token()
    }

    /// Tells the provider the cloud of the client it is given to
    /// ([`ClientBuilder::cloud`](super::ClientBuilder::cloud)), so that
    /// one that was given no cloud of its own signs in to that cloud, for
    /// that cloud's Graph. The default ignores it.
    fn prefer_cloud(&self, cloud: &Cloud) {
        let _ = cloud;
    }
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

    fn fresh_token(&self, rejected: &str) -> TokenFuture<'_> {
        (**self).fresh_token(rejected)
    }

    fn prefer_cloud(&self, cloud: &Cloud) {
        (**self).prefer_cloud(cloud);
    }
}

impl<P: TokenProvider + ?Sized> TokenProvider for Box<P> {
    fn token(&self) -> TokenFuture<'_> {
        (**self).token()
    }

    fn fresh_token(&self, rejected: &str) -> TokenFuture<'_> {
        (**self).fresh_token(rejected)
    }

    fn prefer_cloud(&self, cloud: &Cloud) {
        (**self).prefer_cloud(cloud);
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

/// One authentication challenge of a `WWW-Authenticate` header (RFC 9110,
/// section 11.6.1), as Graph sends with a `401 Unauthorized`:
///
/// ```
/// # use graph_sdk_runtime::AuthChallenge;
/// let header = r#"Bearer realm="", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZX19fQ==""#;
/// let challenge = &AuthChallenge::parse(header)[0];
/// assert_eq!(challenge.scheme, "Bearer");
/// assert_eq!(challenge.error(), Some("insufficient_claims"));
/// assert!(challenge.is_claims_challenge());
/// assert_eq!(
///     challenge.claims().as_deref(),
///     Some(r#"{"access_token":{"nbf":{"essential":true}}}"#)
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthChallenge {
    /// The authentication scheme as sent (`Bearer`, `Basic`, ...).
    pub scheme: String,
    /// The auth-params in order, names as sent and quoted values unescaped.
    pub params: Vec<(String, String)>,
    /// The `token68` form of credentials some schemes use instead of params.
    pub token68: Option<String>,
}

impl AuthChallenge {
    /// Every challenge in one `WWW-Authenticate` value; a part that does
    /// not follow the grammar ends the list.
    pub fn parse(header: &str) -> Vec<AuthChallenge> {
        ChallengeParser {
            text: header.as_bytes(),
            at: 0,
        }
        .challenges()
    }

    /// The challenge of a response: the `Bearer` one if any
    /// `WWW-Authenticate` header has one, or else the first challenge.
    pub fn from_headers(headers: &HeaderMap) -> Option<AuthChallenge> {
        let mut all = headers
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(AuthChallenge::parse)
            .collect::<Vec<_>>();
        let bearer = all
            .iter()
            .position(|c| c.scheme.eq_ignore_ascii_case("bearer"))
            .unwrap_or(0);
        (bearer < all.len()).then(|| all.swap_remove(bearer))
    }

    /// The value of the auth-param `name` (compared case-insensitively).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `error` param: `invalid_token`, `insufficient_claims`, ...
    pub fn error(&self) -> Option<&str> {
        self.param("error")
    }

    /// The `error_description` param.
    pub fn error_description(&self) -> Option<&str> {
        self.param("error_description")
    }

    /// The `authorization_uri` param: where to get a token.
    pub fn authorization_uri(&self) -> Option<&str> {
        self.param("authorization_uri")
    }

    /// The `realm` param.
    pub fn realm(&self) -> Option<&str> {
        self.param("realm")
    }

    /// The claims the new token must satisfy (continuous access evaluation,
    /// conditional access): the `claims` param decoded from base64
    /// (standard or URL-safe alphabet, padded or not) when it decodes to
    /// JSON, else the param as sent. Pass it to the identity platform's
    /// `claims` request parameter.
    pub fn claims(&self) -> Option<String> {
        let raw = self.param("claims")?;
        let decoded = decode_base64(raw.trim())
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .filter(|text| serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok());
        Some(decoded.unwrap_or_else(|| raw.to_owned()))
    }

    /// `true` for a claims challenge (`error="insufficient_claims"` or a
    /// `claims` param): only a token acquired with [`claims`](Self::claims)
    /// will do, so asking for a fresh token as before does not help.
    pub fn is_claims_challenge(&self) -> bool {
        self.error()
            .is_some_and(|e| e.eq_ignore_ascii_case("insufficient_claims"))
            || self.param("claims").is_some()
    }
}

/// A cursor over a `WWW-Authenticate` value.
struct ChallengeParser<'a> {
    text: &'a [u8],
    at: usize,
}

impl ChallengeParser<'_> {
    fn challenges(mut self) -> Vec<AuthChallenge> {
        let mut found = Vec::new();
        loop {
            self.skip(|c| c == b',' || is_space(c));
            let scheme = self.token();
            if scheme.is_empty() {
                break;
            }
            let mut challenge = AuthChallenge {
                scheme,
                params: Vec::new(),
                token68: None,
            };
            let ok = self.params(&mut challenge);
            found.push(challenge);
            if !ok {
                break;
            }
        }
        found
    }

    /// Reads the token68 or auth-params after a scheme, up to the next
    /// challenge; `false` when the text does not follow the grammar.
    fn params(&mut self, challenge: &mut AuthChallenge) -> bool {
        let mut after_comma = false;
        loop {
            let before = self.at;
            self.skip(is_space);
            if self.at == before && !after_comma && self.peek().is_some_and(|c| c != b',') {
                return false;
            }
            if self.peek() == Some(b',') {
                self.skip(|c| c == b',' || is_space(c));
                after_comma = true;
            }
            let start = self.at;
            let name = self.token();
            if name.is_empty() {
                return self.peek().is_none();
            }
            self.skip(is_space);
            if self.peek() != Some(b'=') {
                if after_comma || !challenge.params.is_empty() {
                    // The scheme of the next challenge.
                    self.at = start;
                    return true;
                }
                // `Scheme token68` (without padding).
                challenge.token68 = Some(name);
                return true;
            }
            self.at += 1;
            self.skip(is_space);
            let value = match self.peek() {
                Some(b'"') => match self.quoted() {
                    Some(value) => {
                        challenge.params.push((name, value));
                        after_comma = false;
                        continue;
                    }
                    None => return false,
                },
                _ => self.token(),
            };
            if value.is_empty() {
                // `Scheme token68==`: the name was credentials with padding.
                if challenge.params.is_empty() && !after_comma {
                    let mut token68 = name;
                    token68.push('=');
                    while self.peek() == Some(b'=') {
                        self.at += 1;
                        token68.push('=');
                    }
                    challenge.token68 = Some(token68);
                    return true;
                }
                return false;
            }
            challenge.params.push((name, value));
            after_comma = false;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn skip(&mut self, what: impl Fn(u8) -> bool) {
        while self.peek().is_some_and(&what) {
            self.at += 1;
        }
    }

    /// A token (or token68 without its padding), possibly empty.
    fn token(&mut self) -> String {
        let start = self.at;
        self.skip(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~/".contains(&c));
        String::from_utf8_lossy(&self.text[start..self.at]).into_owned()
    }

    /// A quoted string, unescaped; `None` when it is not closed.
    fn quoted(&mut self) -> Option<String> {
        let mut value = Vec::new();
        self.at += 1;
        loop {
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    return Some(String::from_utf8_lossy(&value).into_owned());
                }
                b'\\' => {
                    self.at += 1;
                    value.push(self.peek()?);
                }
                c => value.push(c),
            }
            self.at += 1;
        }
    }
}

fn is_space(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// Decodes base64 in the standard or the URL-safe alphabet, with or without
/// padding; `None` for anything else.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    if text.is_empty() || text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let sextet = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(sextet);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from(acc >> bits).ok()?);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Graph sends when continuous access evaluation revokes a session.
    const GRAPH_CAE: &str = r#"Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYwNDEwNjY1MSJ9fX0=""#;

    #[test]
    fn graph_claims_challenge_is_parsed_and_decoded() {
        let all = AuthChallenge::parse(GRAPH_CAE);
        assert_eq!(all.len(), 1, "{all:?}");
        let c = &all[0];
        assert_eq!(c.scheme, "Bearer");
        assert_eq!(c.realm(), Some(""));
        assert_eq!(
            c.authorization_uri(),
            Some("https://login.microsoftonline.com/common/oauth2/authorize")
        );
        assert_eq!(
            c.param("CLIENT_ID"),
            Some("00000003-0000-0000-c000-000000000000")
        );
        assert_eq!(c.error(), Some("insufficient_claims"));
        assert!(c.is_claims_challenge());
        assert_eq!(
            c.claims().as_deref(),
            Some(r#"{"access_token":{"nbf":{"essential":true, "value":"1604106651"}}}"#)
        );
        assert_eq!(c.params.len(), 5);
        assert_eq!(c.token68, None);
    }

    #[test]
    fn claims_in_either_base64_alphabet_with_or_without_padding() {
        let json = r#"{"id_token":{"acrs":{"essential":true,"values":["c1>?~"]}}}"#;
        for encoded in [
            "eyJpZF90b2tlbiI6eyJhY3JzIjp7ImVzc2VudGlhbCI6dHJ1ZSwidmFsdWVzIjpbImMxPj9+Il19fX0=",
            "eyJpZF90b2tlbiI6eyJhY3JzIjp7ImVzc2VudGlhbCI6dHJ1ZSwidmFsdWVzIjpbImMxPj9+Il19fX0",
            "eyJpZF90b2tlbiI6eyJhY3JzIjp7ImVzc2VudGlhbCI6dHJ1ZSwidmFsdWVzIjpbImMxPj9-Il19fX0=",
            "eyJpZF90b2tlbiI6eyJhY3JzIjp7ImVzc2VudGlhbCI6dHJ1ZSwidmFsdWVzIjpbImMxPj9-Il19fX0",
        ] {
            let c = &AuthChallenge::parse(&format!("Bearer claims={encoded}"))[0];
            assert_eq!(c.claims().as_deref(), Some(json), "{encoded}");
        }
        // Raw JSON (quoted, with escapes) and values that are not base64 JSON stay as sent.
        let c = &AuthChallenge::parse(r#"Bearer claims="{\"access_token\":{}}""#)[0];
        assert_eq!(c.claims().as_deref(), Some(r#"{"access_token":{}}"#));
        let c = &AuthChallenge::parse("Bearer claims=abcd")[0];
        assert_eq!(c.claims().as_deref(), Some("abcd"));
        assert_eq!(AuthChallenge::parse("Bearer realm=x")[0].claims(), None);
    }

    #[test]
    fn several_challenges_escapes_and_case() {
        let all = AuthChallenge::parse(
            r#"Basic realm="a \"quoted\" \\ realm", charset=UTF-8, NEGOTIATE abc+/==,  bearer ERROR = "invalid_token" ,Error_Description="The token expired, renew it", Empty"#,
        );
        let schemes: Vec<_> = all.iter().map(|c| c.scheme.as_str()).collect();
        assert_eq!(
            schemes,
            ["Basic", "NEGOTIATE", "bearer", "Empty"],
            "{all:?}"
        );
        assert_eq!(all[0].realm(), Some(r#"a "quoted" \ realm"#));
        assert_eq!(all[0].param("charset"), Some("UTF-8"));
        assert_eq!(all[1].token68.as_deref(), Some("abc+/=="));
        assert!(all[1].params.is_empty());
        assert_eq!(all[2].error(), Some("invalid_token"));
        assert_eq!(
            all[2].error_description(),
            Some("The token expired, renew it")
        );
        assert!(!all[2].is_claims_challenge());
        assert!(all[3].params.is_empty());

        let mut headers = HeaderMap::new();
        headers.append(
            WWW_AUTHENTICATE,
            "Basic realm=\"x\"".parse().expect("valid"),
        );
        headers.append(
            WWW_AUTHENTICATE,
            "Bearer error=\"invalid_token\"".parse().expect("valid"),
        );
        let bearer = AuthChallenge::from_headers(&headers).expect("a challenge");
        assert_eq!(bearer.scheme, "Bearer");
        assert_eq!(bearer.error(), Some("invalid_token"));
        assert_eq!(AuthChallenge::from_headers(&HeaderMap::new()), None);
    }

    #[test]
    fn malformed_values_stop_the_list() {
        let all = AuthChallenge::parse(r#"Bearer realm="unterminated"#);
        assert_eq!(all.len(), 1);
        assert!(all[0].params.is_empty());
        assert!(AuthChallenge::parse("").is_empty());
        assert!(AuthChallenge::parse(" , ").is_empty());
        assert_eq!(decode_base64("a"), None);
        assert_eq!(decode_base64("ab!c"), None);
        assert_eq!(decode_base64("aGk"), Some(b"hi".to_vec()));
    }
}
