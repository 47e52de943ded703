//! The tamper-evident history: `beian audit verify` passes on a real order's events and
//! finds a changed byte, a deleted event, two swapped events and a deleted last event,
//! each made directly in the database, on SQLite and on PostgreSQL.

use crate::harness::{Backend, Flow, TestApp};
use serde_json::json;
use sqlx::any::AnyPoolOptions;
use std::path::PathBuf;

type Row = (i64, i64, String, String, String, Option<String>);

struct Db {
    pool: sqlx::AnyPool,
    args: Vec<String>,
}

impl Db {
    fn verify(&self) -> (bool, String) {
        let mut args = vec!["audit".to_string(), "verify".to_string()];
        args.extend(self.args.iter().cloned());
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_beian"))
            .args(&args)
            .env("BEIAN_LOG", "error")
            .output()
            .expect("beian runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }

    async fn exec(&self, sql: &str, filing: &str) {
        sqlx::query(sql)
            .bind(filing)
            .execute(&self.pool)
            .await
            .unwrap();
    }

    /// Runs `sql` with the text `value` as `$1` and the order `filing` as `$2`.
    async fn set(&self, sql: &str, value: String, filing: &str) {
        sqlx::query(sql)
            .bind(value)
            .bind(filing)
            .execute(&self.pool)
            .await
            .unwrap();
    }

    async fn row(&self, filing: &str, seq: i64) -> Row {
        sqlx::query_as(
            "SELECT seq, at, name, actor, body, hash FROM filing_events WHERE filing_id = $1 AND seq = $2",
        )
        .bind(filing)
        .bind(seq)
        .fetch_one(&self.pool)
        .await
        .unwrap()
    }

    async fn put_back(&self, filing: &str, r: &Row) {
        sqlx::query(
            "INSERT INTO filing_events (filing_id, seq, at, name, actor, body, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(filing)
        .bind(r.0)
        .bind(r.1)
        .bind(r.2.clone())
        .bind(r.3.clone())
        .bind(r.4.clone())
        .bind(r.5.clone())
        .execute(&self.pool)
        .await
        .unwrap();
    }

    #[track_caller]
    fn expect_broken(&self, filing: &str, event: &str) {
        let (ok, text) = self.verify();
        assert!(!ok, "audit verify must fail: {text}");
        assert!(
            text.contains(filing) && text.contains(event),
            "names {filing} and {event}: {text}"
        );
    }

    #[track_caller]
    fn expect_ok(&self) {
        let (ok, text) = self.verify();
        assert!(ok && text.contains("audit ok"), "{text}");
    }
}

async fn tampering_is_found(backend: Backend) {
    let (mut dir, mut url) = (PathBuf::new(), None);
    let app = TestApp::spawn_with(backend, |c| {
        dir = c.data_dir.clone();
        url = c.db.clone();
    })
    .await;
    // Anchors go forward from the last anchored day, and the server anchored "yesterday"
    // on the real clock at start: the order's events happen on a day after that.
    let admin = app.login("admin", crate::harness::ADMIN_PASSWORD).await;
    let day = (chrono::Utc::now() + chrono::Duration::days(2))
        .with_timezone(&beian_domain::calendar::china_offset())
        .date_naive();
    app.post(
        "/api/v1/admin/clock",
        &admin,
        json!({"set": format!("{day}T10:00:00+08:00")}),
    )
    .await
    .expect(200);
    let day = day.to_string();
    let applicant = app.user("applicant", None).await;
    let reviewer = app.user("platform_reviewer", None).await;
    let flow = Flow::prepare(&app, &applicant, 9400).await;
    flow.to_sms(&reviewer).await;
    let id = flow.filing.as_str();
    sqlx::any::install_default_drivers();
    // The data directory holds the master key the CLI opens the database with.
    let (url, args) = match url {
        Some(u) => (
            u.clone(),
            vec![
                "--db".to_string(),
                u,
                "--data-dir".to_string(),
                dir.display().to_string(),
            ],
        ),
        None => (
            format!("sqlite://{}?mode=rw", dir.join("beian.db").display()),
            vec!["--data-dir".to_string(), dir.display().to_string()],
        ),
    };
    let db = Db {
        pool: AnyPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .unwrap(),
        args,
    };
    db.expect_ok();
    let (_, text) = db.verify();
    assert!(
        !text.contains("(0 chained)"),
        "new events are chained: {text}"
    );

    // One byte of the second event (sealed: one character of its ciphertext).
    let second = db.row(id, 2).await;
    let changed = flip_one(&second.4);
    assert_ne!(changed, second.4);
    let set_second = "UPDATE filing_events SET body = $1 WHERE filing_id = $2 AND seq = 2";
    db.set(set_second, changed, id).await;
    db.expect_broken(id, "event 2");
    db.set(set_second, second.4.clone(), id).await;
    db.expect_ok();

    // A deleted event in the middle.
    let third = db.row(id, 3).await;
    db.exec(
        "DELETE FROM filing_events WHERE filing_id = $1 AND seq = 3",
        id,
    )
    .await;
    db.expect_broken(id, "event 3");
    db.put_back(id, &third).await;
    db.expect_ok();

    // Two events swapped.
    db.exec(
        "DELETE FROM filing_events WHERE filing_id = $1 AND seq IN (2, 3)",
        id,
    )
    .await;
    let swap = |r: &Row, seq: i64| (seq, r.1, r.2.clone(), r.3.clone(), r.4.clone(), r.5.clone());
    db.put_back(id, &swap(&third, 2)).await;
    db.put_back(id, &swap(&second, 3)).await;
    db.expect_broken(id, "event 2");
    db.exec(
        "DELETE FROM filing_events WHERE filing_id = $1 AND seq IN (2, 3)",
        id,
    )
    .await;
    db.put_back(id, &second).await;
    db.put_back(id, &third).await;
    db.expect_ok();

    // A chain rebuilt after its day was anchored: every link and the head recomputed,
    // so the chains verify, but the day's anchor does not.
    app.advance_hours(15.0).await;
    app.get("/api/v1/admin/audit-anchors", &applicant)
        .await
        .expect_error(403, "FORBIDDEN");
    let anchors = app.items("/api/v1/admin/audit-anchors", &admin).await;
    let anchored = anchors
        .iter()
        .find(|a| a["day"] == day.as_str())
        .unwrap_or_else(|| panic!("{day} is anchored: {anchors:?}"));
    assert!(anchored["orders"].as_i64().unwrap() >= 1, "{anchored}");
    db.expect_ok();
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT seq, at, name, actor, body, hash FROM filing_events WHERE filing_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    // Someone who can read the history (here: with the master key) writes it again in
    // clear, one event changed, every link recomputed.
    let plain = plain_history(&dir, &url, id).await;
    let mut previous = String::new();
    for (i, r) in rows.iter().enumerate() {
        let body = if i == 1 {
            plain.1[i].replacen("星河", "星海", 1)
        } else {
            plain.1[i].clone()
        };
        previous = beian_domain::audit::link(&previous, &body);
        sqlx::query(
            "UPDATE filing_events SET body = $1, hash = $2 WHERE filing_id = $3 AND seq = $4",
        )
        .bind(body)
        .bind(previous.clone())
        .bind(id)
        .bind(r.0)
        .execute(&db.pool)
        .await
        .unwrap();
    }
    let mut state: serde_json::Value = serde_json::from_str(&plain.0).unwrap();
    state["chain_head"] = json!(previous);
    let set_state = "UPDATE filings SET state = $1 WHERE id = $2";
    db.set(set_state, state.to_string(), id).await;
    db.expect_broken(&day, "anchor");

    // The last event deleted.
    let (last,): (i64,) = sqlx::query_as("SELECT MAX(seq) FROM filing_events WHERE filing_id = $1")
        .bind(id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM filing_events WHERE filing_id = $1 AND seq = $2")
        .bind(id)
        .bind(last)
        .execute(&db.pool)
        .await
        .unwrap();
    let (ok, text) = db.verify();
    assert!(
        !ok && text.contains(id),
        "a deleted last event is found: {text}"
    );
}

/// `stored` with one character of its sealed part changed.
fn flip_one(stored: &str) -> String {
    let mut chars: Vec<char> = stored.chars().collect();
    let i = chars.len() - 5;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

/// The order's state and event bodies in clear, read with the data directory's master key.
async fn plain_history(dir: &std::path::Path, url: &str, id: &str) -> (String, Vec<String>) {
    use beian_store::prelude::*;
    let keys = beian_server::adapters::keys::Keys::load(None, None, dir)
        .unwrap()
        .0;
    let vault = beian_store::vault::Vault::new(keys.data_key_wrap(), vec![]);
    let store = beian_store::SqlStore::connect(url, chrono::Utc::now(), std::sync::Arc::new(vault))
        .await
        .unwrap();
    let f = store.filing(id).await.unwrap().unwrap();
    let events = store.events(id).await.unwrap();
    (
        serde_json::to_string(&f).unwrap(),
        events
            .iter()
            .map(|e| serde_json::to_string(e).unwrap())
            .collect(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampering_is_found_on_sqlite() {
    tampering_is_found(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampering_is_found_on_postgres() {
    tampering_is_found(Backend::Postgres).await;
}
