//! SMS leave through a gateway. The built-in `outbox` gateway delivers into
//! the database table every message is recorded in; production deployments
//! implement [`SmsGateway`] for their provider.

use async_trait::async_trait;
use rand::rngs::OsRng;
use rand::Rng;

/// A failed delivery; the dispatcher retries it later.
#[derive(Debug, thiserror::Error)]
#[error("sms delivery failed: {0}")]
pub struct SmsError(pub String);

/// A provider that delivers one text to one mobile.
#[async_trait]
pub trait SmsGateway: Send + Sync + 'static {
    /// Short name for logs and the admin page.
    fn name(&self) -> &'static str;
    /// Delivers the message; `Ok` means the provider accepted it.
    async fn send(&self, mobile: &str, body: &str) -> Result<(), SmsError>;
}

/// Keeps messages in the outbox table only: the table is the delivery.
pub struct OutboxGateway;

#[async_trait]
impl SmsGateway for OutboxGateway {
    fn name(&self) -> &'static str {
        "outbox"
    }

    async fn send(&self, _mobile: &str, _body: &str) -> Result<(), SmsError> {
        Ok(())
    }
}

/// A fresh 6-digit code from the OS CSPRNG (§3.3).
pub fn new_code() -> String {
    format!("{:06}", OsRng.gen_range(0..1_000_000u32))
}

/// The verification SMS text of §3.3.
pub fn code_message(code: &str, window_hours: i64) -> String {
    format!("【工业和信息化部】您的备案短信核验码为{code}，请于{window_hours}小时内登录工信部备案系统完成短信核验。")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..100 {
            let c = new_code();
            assert_eq!(c.len(), 6);
            assert!(c.bytes().all(|b| b.is_ascii_digit()));
        }
        assert!(code_message("012345", 24).contains("012345"));
    }
}
