//! [`AzureCredential`]: a credential of the Azure SDK for Rust as a
//! [`TokenProvider`] (the `azure-identity` feature).

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use azure_core::credentials::TokenCredential;

use super::{Cloud, Error, TokenFuture, TokenProvider};

/// Any credential of the Azure SDK for Rust as a [`TokenProvider`]:
/// `azure_identity`'s `ManagedIdentityCredential`,
/// `WorkloadIdentityCredential`, `DeveloperToolsCredential` (the Azure CLI's
/// and the Azure Developer CLI's sign-in), `ClientSecretCredential`, and
/// any other `TokenCredential`. The credential caches and renews its
/// tokens; this asks it for Graph's `/.default` scope, in the cloud of the
/// client it is given to unless [`scopes`](Self::scopes) says otherwise.
///
/// ```ignore
/// let credential = azure_identity::ManagedIdentityCredential::new(None)?;
/// let client = graph_sdk_runtime::Client::builder()
///     .token_provider(graph_sdk_runtime::AzureCredential::new(credential))
///     .build()?;
/// ```
pub struct AzureCredential {
    credential: Arc<dyn TokenCredential>,
    /// Set by [`AzureCredential::scopes`].
    scopes: Option<Vec<String>>,
    /// The cloud's `/.default` scope, from [`TokenProvider::prefer_cloud`].
    cloud_scope: Mutex<Option<String>>,
}

impl AzureCredential {
    /// Asks `credential` for tokens.
    pub fn new(credential: Arc<dyn TokenCredential>) -> Self {
        AzureCredential {
            credential,
            scopes: None,
            cloud_scope: Mutex::new(None),
        }
    }

    /// Asks for these scopes instead of the cloud's Graph `/.default`.
    #[must_use]
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// The scopes a token is asked for.
    fn asked(&self) -> Vec<String> {
        if let Some(scopes) = &self.scopes {
            return scopes.clone();
        }
        let cloud = self
            .cloud_scope
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        vec![cloud.unwrap_or_else(|| Cloud::global().default_scope())]
    }
}

impl TokenProvider for AzureCredential {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async move {
            let scopes = self.asked();
            let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
            let token = self
                .credential
                .get_token(&scopes, None)
                .await
                .map_err(|e| Error::Auth(format!("the Azure credential failed: {e}")))?;
            Ok(token.token.secret().to_owned())
        })
    }

    fn prefer_cloud(&self, cloud: &Cloud) {
        *self
            .cloud_scope
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(cloud.default_scope());
    }
}

impl fmt::Debug for AzureCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureCredential")
            .field("credential", &self.credential)
            .field("scopes", &self.asked())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Client, Method, Request};
    use super::*;
    use azure_core::credentials::{AccessToken, TokenRequestOptions};
    use azure_core::time::{Duration, OffsetDateTime};
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    /// A credential that hands out one token and records the scopes asked.
    #[derive(Debug, Default)]
    struct Recording {
        asked: Mutex<Vec<Vec<String>>>,
    }

    #[async_trait::async_trait]
    impl TokenCredential for Recording {
        async fn get_token(
            &self,
            scopes: &[&str],
            _: Option<TokenRequestOptions<'_>>,
        ) -> azure_core::Result<AccessToken> {
            self.asked
                .lock()
                .expect("lock")
                .push(scopes.iter().map(|s| (*s).to_owned()).collect());
            Ok(AccessToken::new(
                "managed-identity-token",
                OffsetDateTime::now_utc() + Duration::hours(1),
            ))
        }
    }

    #[tokio::test]
    async fn an_azure_credential_signs_requests_for_the_clouds_graph() {
        let graph = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v1.0/me"))
            .and(header("authorization", "Bearer managed-identity-token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "u1"})))
            .expect(1)
            .mount(&graph)
            .await;
        let credential = Arc::new(Recording::default());
        let client: Client = Client::builder()
            .cloud(Cloud::custom("https://login.example.com", graph.uri()))
            .token_provider(AzureCredential::new(credential.clone()))
            .build()
            .expect("client");
        let me: serde_json::Value = Request::new(client, Method::GET, "/me".into())
            .json_response()
            .send()
            .await
            .expect("me");
        assert_eq!(me["id"], "u1");
        let asked = credential.asked.lock().expect("lock").clone();
        assert_eq!(asked, [vec![format!("{}/.default", graph.uri())]]);
    }

    #[test]
    fn explicit_scopes_win_over_the_cloud() {
        let credential = AzureCredential::new(Arc::new(Recording::default()))
            .scopes(["https://graph.microsoft.us/User.Read.All"]);
        credential.prefer_cloud(&Cloud::china());
        assert_eq!(
            credential.asked(),
            ["https://graph.microsoft.us/User.Read.All"]
        );
        let plain = AzureCredential::new(Arc::new(Recording::default()));
        assert_eq!(plain.asked(), ["https://graph.microsoft.com/.default"]);
    }
}
