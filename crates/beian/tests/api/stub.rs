//! A local HTTP receiver (axum on 127.0.0.1:0) standing in for an
//! integrator's webhook endpoint or an SMS provider: it records every request
//! and answers with a status the test can switch.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One request as received.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HashMap<String, String>,
    pub body: String,
    /// The status it was answered with.
    pub answered: u16,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_default()
    }
}

#[derive(Default)]
struct Inner {
    /// Answers for the next requests, in order; then `status`.
    script: Vec<u16>,
    status: u16,
    requests: Vec<Received>,
}

/// A running receiver.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
}

async fn receive(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, &'static str) {
    let mut i = inner.lock().unwrap();
    let answered = if i.script.is_empty() {
        i.status
    } else {
        i.script.remove(0)
    };
    let headers = headers
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    i.requests.push(Received {
        headers,
        body,
        answered,
    });
    // A body beian must neither keep nor show (it could be anything an address answers).
    (StatusCode::from_u16(answered).unwrap(), RECEIVER_BODY)
}

/// Serves `app` on a free loopback port, in the background; the URL of `path` there.
async fn serve(app: axum::Router, path: &str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}{path}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// What the receiver answers in its body.
pub const RECEIVER_BODY: &str = "receiver-internal-detail";

impl Receiver {
    /// Starts a receiver answering `status` at `http://127.0.0.1:<port>/hook`.
    pub async fn start(status: u16) -> Receiver {
        let inner = Arc::new(Mutex::new(Inner {
            status,
            ..Inner::default()
        }));
        let app = axum::Router::new().route("/hook", post(receive));
        let url = serve(app.with_state(inner.clone()), "/hook").await;
        Receiver { url, inner }
    }

    /// Answers `status` from now on.
    pub fn set_status(&self, status: u16) {
        self.inner.lock().unwrap().status = status;
    }

    /// Answers these statuses to the next requests first.
    pub fn script(&self, statuses: &[u16]) {
        self.inner.lock().unwrap().script = statuses.to_vec();
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Received> {
        self.inner.lock().unwrap().requests.clone()
    }
}
