//! SMS leave through a gateway. The built-in `outbox` gateway delivers into
//! the database table every message is recorded in; [`HttpGateway`] posts to
//! a provider's HTTP API with signed requests.

use crate::config::HttpSmsConfig;
use async_trait::async_trait;
use beian_domain::filing::Time;
use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use rand::{Rng, RngCore};
use serde_json::json;
use sha2::Sha256;
use std::collections::BTreeMap;
use std::time::Duration;

/// One outbox message handed to a gateway.
#[derive(Debug, Clone, Copy)]
pub struct SmsMessage<'a> {
    /// The outbox id: providers may use it to drop duplicates.
    pub id: i64,
    pub mobile: &'a str,
    /// Our template key (`verification_code`, `filed`, …).
    pub template: &'a str,
    /// The template's placeholder values (the code, for a verification SMS).
    pub params: &'a BTreeMap<String, String>,
    /// The rendered text, as the outbox shows it.
    pub body: &'a str,
}

/// A failed delivery.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SmsError {
    pub message: String,
    /// The provider refused the message itself: retrying cannot help.
    pub permanent: bool,
}

impl SmsError {
    fn retryable(message: impl Into<String>) -> SmsError {
        SmsError {
            message: message.into(),
            permanent: false,
        }
    }

    fn permanent(message: impl Into<String>) -> SmsError {
        SmsError {
            message: message.into(),
            permanent: true,
        }
    }
}

/// A provider that delivers one text to one mobile.
#[async_trait]
pub trait SmsGateway: Send + Sync + 'static {
    /// Short name for logs and the admin page.
    fn name(&self) -> &'static str;
    /// Whether the outbox may show the verification code: only when the
    /// outbox itself is the delivery (api.md).
    fn keeps_codes(&self) -> bool {
        false
    }
    /// Delivers the message at `now`; `Ok` means the provider accepted it.
    async fn send(&self, msg: &SmsMessage<'_>, now: Time) -> Result<(), SmsError>;
}

/// Keeps messages in the outbox table only: the table is the delivery.
pub struct OutboxGateway;

#[async_trait]
impl SmsGateway for OutboxGateway {
    fn name(&self) -> &'static str {
        "outbox"
    }

    fn keeps_codes(&self) -> bool {
        true
    }

    async fn send(&self, _msg: &SmsMessage<'_>, _now: Time) -> Result<(), SmsError> {
        Ok(())
    }
}

/// Headers of a signed provider request.
pub const ACCESS_KEY_HEADER: &str = "x-beian-access-key";
pub const TIMESTAMP_HEADER: &str = "x-beian-timestamp";
pub const NONCE_HEADER: &str = "x-beian-nonce";
pub const SIGNATURE_HEADER: &str = "x-beian-signature";

/// Hex HMAC-SHA256 over `access_key \n timestamp \n nonce \n body`: the
/// provider recomputes it with the shared secret, rejects stale timestamps and
/// remembers nonces against replays.
pub fn request_signature(
    secret: &str,
    access_key: &str,
    timestamp: i64,
    nonce: &str,
    body: &str,
) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("{access_key}\n{timestamp}\n{nonce}\n{body}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// A provider's HTTP API: one signed JSON POST per message, retried with
/// exponential backoff on transport errors, timeouts, 429 and 5xx.
///
/// The request body is `{"message_id", "to", "template", "template_id",
/// "params"}`; the provider renders its own copy of the template, so the
/// verification code travels in `params` only.
#[derive(Debug)]
pub struct HttpGateway {
    config: HttpSmsConfig,
    client: reqwest::Client,
}

impl HttpGateway {
    /// Checks the configuration and builds the client.
    pub fn new(config: HttpSmsConfig) -> Result<HttpGateway, String> {
        let url = reqwest::Url::parse(&config.url)
            .map_err(|e| format!("短信网关地址无效 / invalid SMS gateway URL: {e}"))?;
        if url.scheme() != "http" {
            return Err(format!(
                "短信网关地址须为 http:// （本构建不含 TLS，请经本机或内网的出口代理访问 https 服务商） / \
                 the SMS gateway URL must be http:// (this build has no TLS; reach an https provider \
                 through an egress proxy): {}",
                config.url
            ));
        }
        if config.access_key.is_empty() || config.secret.0.is_empty() {
            return Err(
                "短信网关需要 access key 与 secret / the SMS gateway needs an access key and a secret"
                    .into(),
            );
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(config.timeout_ms))
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(HttpGateway { config, client })
    }

    async fn attempt(&self, body: &str, now: Time) -> Result<(), SmsError> {
        let timestamp = now.timestamp();
        let mut nonce = [0u8; 16];
        OsRng.fill_bytes(&mut nonce);
        let nonce = hex::encode(nonce);
        let signature = request_signature(
            &self.config.secret.0,
            &self.config.access_key,
            timestamp,
            &nonce,
            body,
        );
        let response = self
            .client
            .post(&self.config.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(ACCESS_KEY_HEADER, &self.config.access_key)
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(NONCE_HEADER, &nonce)
            .header(SIGNATURE_HEADER, signature)
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| {
                let kind = if e.is_timeout() {
                    "timeout"
                } else {
                    "transport"
                };
                SmsError::retryable(format!("{kind}: {e}"))
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let text: String = response
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        let message = format!("HTTP {}: {text}", status.as_u16());
        if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408 {
            Err(SmsError::retryable(message))
        } else {
            Err(SmsError::permanent(message))
        }
    }
}

#[async_trait]
impl SmsGateway for HttpGateway {
    fn name(&self) -> &'static str {
        "http"
    }

    async fn send(&self, msg: &SmsMessage<'_>, now: Time) -> Result<(), SmsError> {
        let template_id = self
            .config
            .templates
            .get(msg.template)
            .map_or(msg.template, String::as_str);
        let body = json!({
            "message_id": msg.id.to_string(),
            "to": msg.mobile,
            "template": msg.template,
            "template_id": template_id,
            "params": msg.params,
        })
        .to_string();
        let mut delay = Duration::from_millis(self.config.backoff_ms);
        let mut tries = 0;
        loop {
            match self.attempt(&body, now).await {
                Err(e) if !e.permanent && tries < self.config.retries => {
                    tracing::debug!(id = msg.id, error = %e, "sms provider retry");
                    tokio::time::sleep(delay).await;
                    delay = delay.saturating_mul(2);
                    tries += 1;
                }
                other => return other,
            }
        }
    }
}

/// A fresh 6-digit code from the OS CSPRNG (§3.3).
pub fn new_code() -> String {
    format!("{:06}", OsRng.gen_range(0..1_000_000u32))
}

#[cfg(test)]
mod tests;
