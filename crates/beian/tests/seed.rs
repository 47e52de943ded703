//! `beian seed --filings 50` produces a database the API reads: the orders by
//! status add up to every order, and a filed service is found by its number.

use beian_server::config::Config;
use beian_server::Application;
use serde_json::{json, Value};
use std::process::Command;

const STATUSES: [&str; 12] = [
    "draft",
    "platform_review",
    "platform_rejected",
    "sms_verification",
    "authority_review",
    "authority_rejected",
    "filed",
    "withdrawn",
    "discarded",
    "returned",
    "cancelled",
    "abandoned",
];

#[tokio::test]
async fn a_seeded_database_is_read_by_the_api() {
    let dir = std::env::temp_dir().join(format!("beian-seed-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_beian"))
        .args(["seed", "--filings", "50", "--quiet"])
        .arg("--data-dir")
        .arg(&dir)
        .env("BEIAN_LOG", "warn")
        .output()
        .expect("beian seed runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // "seeded 50 new, C change and K cancel orders in …"
    let words: Vec<&str> = stdout
        .lines()
        .last()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let total: usize = [1, 3, 6]
        .iter()
        .map(|&i| words[i].parse::<usize>().unwrap())
        .sum();
    assert_eq!(words[1], "50");

    let mut config = Config::new(dir.clone());
    config.addr = "127.0.0.1:0".parse().unwrap();
    let app = Application::build(config).await.unwrap();
    let base = format!("http://{}", app.addr());
    tokio::spawn(app.run());
    let http = reqwest::Client::new();
    let session = json_of(
        http.post(format!("{base}/api/v1/sessions"))
            .json(&json!({"username": "seed-reviewer", "password": "seed-password"})),
    )
    .await;
    let token = session["token"].as_str().expect("seeded reviewer signs in");
    let list = |query: String| {
        let (http, base) = (http.clone(), base.clone());
        async move {
            let v = json_of(
                http.get(format!("{base}/api/v1/filings?limit=500{query}"))
                    .bearer_auth(token),
            )
            .await;
            v["items"].as_array().cloned().unwrap_or_default()
        }
    };
    let all = list(String::new()).await;
    assert_eq!(all.len(), total);
    let mut by_status = 0;
    let mut stages = 0;
    for status in STATUSES {
        let n = list(format!("&status={status}")).await.len();
        by_status += n;
        stages += usize::from(n > 0);
    }
    assert_eq!(by_status, total, "counts by status add up");
    assert!(stages >= 5, "the seed spans the stages");

    // The review queue, oldest due date first.
    let queue = list("&status=platform_review&sort=due".into()).await;
    let due: Vec<&str> = queue.iter().filter_map(|f| f["due_at"].as_str()).collect();
    assert!(due.windows(2).all(|w| w[0] <= w[1]));

    let filed = all
        .iter()
        .find_map(|f| f["service_number"].as_str())
        .expect("a filed service");
    let found = json_of(
        http.get(format!("{base}/api/v1/public/filings"))
            .query(&[("q", filed)]),
    )
    .await;
    assert_eq!(found["items"][0]["service_number"], filed);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Sends `request` and reads its answer as JSON.
async fn json_of(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}
