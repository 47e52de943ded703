//! The HTTP provider adapter against a stub provider on 127.0.0.1:0 that
//! checks every signature and answers with scripted statuses.

use super::*;
use crate::config::Secret;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use chrono::{TimeZone, Utc};
use std::sync::{Arc, Mutex};

const SECRET: &str = "provider-secret-0123456789";

/// What the stub saw and what it answers next.
#[derive(Default)]
struct Stub {
    /// Statuses to answer, in order; 200 once exhausted.
    script: Vec<u16>,
    /// Delay before answering, to provoke timeouts.
    delay_ms: u64,
    /// (signature valid, headers' timestamp, body) of each request.
    seen: Vec<(bool, String, serde_json::Value)>,
    nonces: Vec<String>,
}

async fn provider(
    State(stub): State<Arc<Mutex<Stub>>>,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    let h = |k: &str| {
        headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let (ts, nonce) = (h(TIMESTAMP_HEADER), h(NONCE_HEADER));
    let expected = request_signature(
        SECRET,
        &h(ACCESS_KEY_HEADER),
        ts.parse().unwrap_or_default(),
        &nonce,
        &body,
    );
    let delay = {
        let mut s = stub.lock().unwrap();
        let valid = h(SIGNATURE_HEADER) == expected && h(ACCESS_KEY_HEADER) == "ak-1";
        let json = serde_json::from_str(&body).unwrap_or_default();
        s.seen.push((valid, ts, json));
        s.nonces.push(nonce);
        s.delay_ms
    };
    tokio::time::sleep(Duration::from_millis(delay)).await;
    let mut s = stub.lock().unwrap();
    let status = if s.script.is_empty() {
        200
    } else {
        s.script.remove(0)
    };
    StatusCode::from_u16(status).unwrap()
}

async fn start(stub: Stub) -> (String, Arc<Mutex<Stub>>) {
    let stub = Arc::new(Mutex::new(stub));
    let app = axum::Router::new()
        .route("/sms/send", post(provider))
        .with_state(stub.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms/send", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, stub)
}

fn gateway(url: String) -> HttpGateway {
    let mut config = HttpSmsConfig::new(url, "ak-1".into(), Secret(SECRET.into()));
    config
        .templates
        .insert("verification_code".into(), "SMS_0001".into());
    config.backoff_ms = 10;
    config.timeout_ms = 300;
    HttpGateway::new(config).unwrap()
}

fn now() -> Time {
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap()
}

fn code_params() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("code".to_string(), "012345".to_string()),
        ("hours".to_string(), "24".to_string()),
    ])
}

async fn send(gw: &HttpGateway, params: &BTreeMap<String, String>) -> Result<(), SmsError> {
    let msg = SmsMessage {
        id: 7,
        mobile: "13800138000",
        template: "verification_code",
        params,
        body: "【工业和信息化部】您的备案短信核验码为******",
    };
    gw.send(&msg, now()).await
}

#[test]
fn signature_vector() {
    // printf 'ak\n1700000000\nn1\n{}' | openssl dgst -sha256 -hmac provider-secret
    assert_eq!(
        request_signature("provider-secret", "ak", 1_700_000_000, "n1", "{}"),
        "0a29bad92e14210f83c844c897ed22732edb49d177e5a2b120c2e6baed4db7e9"
    );
}

#[test]
fn codes_are_six_digits() {
    for _ in 0..100 {
        let c = new_code();
        assert_eq!(c.len(), 6);
        assert!(c.bytes().all(|b| b.is_ascii_digit()));
    }
}

#[tokio::test]
async fn signed_request_carries_template_id_and_params() {
    let (url, stub) = start(Stub::default()).await;
    send(&gateway(url), &code_params()).await.unwrap();
    let s = stub.lock().unwrap();
    assert_eq!(s.seen.len(), 1);
    let (valid, ts, body) = &s.seen[0];
    assert!(valid, "the signature verifies with the shared secret");
    assert_eq!(ts, &now().timestamp().to_string(), "server clock time");
    assert_eq!(body["template_id"], "SMS_0001");
    assert_eq!(body["params"]["code"], "012345");
    assert_eq!(body["to"], "13800138000");
    assert_eq!(body["message_id"], "7");
}

#[tokio::test]
async fn server_errors_are_retried_with_fresh_nonces() {
    let (url, stub) = start(Stub {
        script: vec![500, 503],
        ..Stub::default()
    })
    .await;
    send(&gateway(url), &code_params()).await.unwrap();
    let s = stub.lock().unwrap();
    assert_eq!(s.seen.len(), 3, "two retries, then accepted");
    assert!(s.seen.iter().all(|(valid, _, _)| *valid));
    let mut nonces = s.nonces.clone();
    nonces.dedup();
    assert_eq!(nonces.len(), 3, "each attempt signs a new nonce");
}

#[tokio::test]
async fn retries_are_bounded_and_client_errors_are_permanent() {
    let (url, stub) = start(Stub {
        script: vec![500, 500, 500, 500],
        ..Stub::default()
    })
    .await;
    let err = send(&gateway(url), &code_params()).await.unwrap_err();
    assert!(!err.permanent);
    assert!(err.message.contains("HTTP 500"), "{err}");
    assert_eq!(stub.lock().unwrap().seen.len(), 3, "1 + 2 retries");

    let (url, stub) = start(Stub {
        script: vec![400],
        ..Stub::default()
    })
    .await;
    let err = send(&gateway(url), &code_params()).await.unwrap_err();
    assert!(err.permanent, "a refused message is not retried");
    assert_eq!(stub.lock().unwrap().seen.len(), 1);
}

#[tokio::test]
async fn slow_providers_time_out() {
    let (url, _stub) = start(Stub {
        delay_ms: 2000,
        ..Stub::default()
    })
    .await;
    let err = send(&gateway(url), &code_params()).await.unwrap_err();
    assert!(err.message.starts_with("timeout"), "{err}");
    assert!(!err.permanent);
}

#[test]
fn the_secret_stays_out_of_debug_output_and_https_is_refused() {
    let gw = gateway("http://127.0.0.1:9/sms".into());
    let debug = format!("{gw:?}");
    assert!(!debug.contains(SECRET), "{debug}");
    assert!(debug.contains("ak-1"));
    let https = HttpSmsConfig::new(
        "https://sms.example.com/send".into(),
        "ak".into(),
        Secret("s".into()),
    );
    assert!(HttpGateway::new(https).unwrap_err().contains("http://"));
    let no_secret = HttpSmsConfig::new("http://127.0.0.1:9".into(), "ak".into(), Secret::default());
    assert!(HttpGateway::new(no_secret).is_err());
}
