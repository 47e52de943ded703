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
