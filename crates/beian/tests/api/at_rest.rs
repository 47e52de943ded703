//! Personal data at rest: after an order is filed through the API, with a second order
//! waiting for its SMS, no file of the SQLite data directory (database, WAL, uploads,
//! keys) holds a principal's mobile, certificate number or name in clear, while the API
//! still shows them to the applicant (issue 16).

use crate::harness::{Backend, Flow, TestApp};
use std::path::{Path, PathBuf};

/// Every file under `dir` with its bytes.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((path, bytes));
        }
    }
    out
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_personal_data_in_clear_in_the_data_directory() {
    let mut dir = PathBuf::new();
    let app = TestApp::spawn_with(Backend::Sqlite, |c| dir = c.data_dir.clone()).await;
    let applicant = app.user("applicant", None).await;
    let reviewer = app.user("platform_reviewer", None).await;
    let authority = app.user("authority_reviewer", Some("44")).await;
    let filed = Flow::prepare(&app, &applicant, 9501).await;
    filed.file(&reviewer, &authority).await;
    let waiting = Flow::prepare(&app, &applicant, 9502).await;
    waiting.to_sms(&reviewer).await;

    // The applicant still reads them.
    let shown = app
        .get(&format!("/api/v1/filings/{}", waiting.filing), &applicant)
        .await
        .expect(200);
    assert_eq!(
        shown["document"]["subject_principal"]["mobile"],
        waiting.mobile.as_str()
    );

    let mut secrets = vec![];
    for flow in [&filed, &waiting] {
        let p = &flow.document["subject_principal"];
        for field in [
            &p["mobile"],
            &p["emergency_mobile"],
            &p["certificate"]["number"],
            &p["name"],
        ] {
            secrets.push(field.as_str().unwrap().to_string());
        }
    }
    assert_eq!(secrets.len(), 8);
    let files = files(&dir);
    assert!(
        files.iter().any(|(p, _)| p.ends_with("beian.db")),
        "the database is in the data directory: {dir:?}"
    );
    // The scan sees what is stored in clear: the public filing data is.
    assert!(
        files.iter().any(|(_, b)| holds(b, &filed.appid)),
        "the appid is stored in clear"
    );
    for (path, bytes) in &files {
        for s in &secrets {
            assert!(!holds(bytes, s), "{s} in clear in {}", path.display());
        }
    }
}

/// `beian keys rotate` on a running deployment: a server started with the new key and the
/// previous one serves on while the CLI wraps every data key again; afterwards a server
/// with the new key alone reads the orders, serves the uploads and checks the SMS codes
/// sent before, and a server with the old key alone refuses to start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_master_key_rotates_online() {
    let mut dir = PathBuf::new();
    let app = TestApp::spawn_with(Backend::Sqlite, |c| dir = c.data_dir.clone()).await;
    let applicant = app.user("applicant", None).await;
    let reviewer = app.user("platform_reviewer", None).await;
    let flow = Flow::prepare(&app, &applicant, 9503).await;
    flow.to_sms(&reviewer).await;
    let old_key = dir.join("keys/master.key");
    // Later servers on this database start at the test's time: on the real clock, their
    // first worker turn would expire the order's SMS round.
    let start = chrono::DateTime::parse_from_rfc3339(crate::harness::START)
        .unwrap()
        .with_timezone(&chrono::Utc);
    let new_key = dir.join("keys/new.key");
    std::fs::write(&new_key, format!("{}\n", "4e".repeat(32))).unwrap();

    // Servers restarted with both keys: the new one wraps, both are read.
    let both = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.data_dir = dir.clone();
        c.clock_start = Some(start);
        c.security.master_key_file = Some(new_key.clone());
        c.security.previous_master_key_file = Some(old_key.clone());
    })
    .await;
    let during = Flow::prepare(&both, &applicant, 9504).await;

    let rotate = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_beian"))
            .args(["keys", "rotate", "--data-dir"])
            .arg(&dir)
            .env("BEIAN_MASTER_KEY_FILE", &new_key)
            .env("BEIAN_PREVIOUS_MASTER_KEY_FILE", &old_key)
            .env("BEIAN_LOG", "error")
            .output()
            .expect("beian runs")
    };
    let out = rotate();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("rotated"), "{text}");
    // Run again: nothing left to do.
    let again = rotate();
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("rotated: 0 data keys"));

    // The new key alone.
    let new = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.data_dir = dir.clone();
        c.clock_start = Some(start);
        c.security.master_key_file = Some(new_key.clone());
    })
    .await;
    for f in [&flow, &during] {
        let shown = new
            .get(&format!("/api/v1/filings/{}", f.filing), &applicant)
            .await
            .expect(200);
        assert_eq!(
            shown["document"]["subject_principal"]["mobile"],
            f.mobile.as_str()
        );
        let photo = f.document["subject"]["certificate"]["photo"]
            .as_str()
            .unwrap();
        let (status, _, bytes) = new
            .get_bytes(&format!("/api/v1/media/{photo}"), &applicant)
            .await;
        assert_eq!(status, 200, "the upload is served");
        assert!(bytes.len() > 1000);
    }
    let code = new.latest_code(&flow.mobile).await;
    let moved = Flow { app: &new, ..flow };
    let verified = moved.verify(&code).await.expect(200);
    assert_eq!(verified["filing_status"], "authority_review");

    // The old key alone no longer opens the database.
    let mut config = beian_server::config::Config::new(dir.clone());
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.security.master_key_file = Some(old_key);
    match beian_server::startup::Application::build(config).await {
        Err(e) => assert!(e.to_string().contains("主密钥与数据库不符"), "{e}"),
        Ok(_) => panic!("started with the old key"),
    }
}
