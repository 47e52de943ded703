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

/// A server on a new SQLite data directory, and the directory.
async fn sqlite_app() -> (TestApp, PathBuf) {
    let mut dir = PathBuf::new();
    let app = TestApp::spawn_with(Backend::Sqlite, |c| dir = c.data_dir.clone()).await;
    (app, dir)
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// A filed order and one waiting for its SMS, through the API on `backend`; returns the
/// data directory, the database URL (PostgreSQL), the two orders' principals' mobiles,
/// certificate numbers and names, and a value stored in clear (an appid).
async fn lifecycle(backend: Backend) -> (PathBuf, Option<String>, Vec<String>, String) {
    let (mut dir, mut url) = (PathBuf::new(), None);
    let app = TestApp::spawn_with(backend, |c| {
        dir = c.data_dir.clone();
        url = c.db.clone();
    })
    .await;
    let (applicant, reviewer, authority) = app.filing_roles().await;
    let filed = Flow::prepare(&app, &applicant, 9501).await;
    filed.file(&reviewer, &authority).await;
    let waiting = Flow::prepare(&app, &applicant, 9502).await;
    waiting.to_sms(&reviewer).await;
    // An individual: the subject's name is a person's, its number an ID card's, and the
    // app was registered for that person.
    let person = "欧阳娜娜";
    let appid = format!("wxperson{}", std::process::id());
    let individual = Flow::prepare_individual(&app, &applicant, 9503, person, &appid).await;
    let id_number = crate::harness::resident_id(9503);
    individual.file(&reviewer, &authority).await;
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
    secrets.extend([person.to_string(), id_number]);
    assert_eq!(secrets.len(), 10);
    (dir, url, secrets, filed.appid.clone())
}

/// Asserts that none of `secrets` is in `bytes` (named `what`), and that `public` is:
/// the scan sees what is stored in clear.
fn assert_only_public(what: &[(PathBuf, Vec<u8>)], secrets: &[String], public: &str) {
    assert!(
        what.iter().any(|(_, b)| holds(b, public)),
        "{public} is stored in clear"
    );
    for (path, bytes) in what {
        for s in secrets {
            assert!(!holds(bytes, s), "{s} in clear in {}", path.display());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_personal_data_in_clear_in_the_data_directory() {
    let (dir, _, secrets, appid) = lifecycle(Backend::Sqlite).await;
    let files = files(&dir);
    assert!(
        files.iter().any(|(p, _)| p.ends_with("beian.db")),
        "the database is in the data directory: {dir:?}"
    );
    assert_only_public(&files, &secrets, &appid);
}

/// The same on PostgreSQL: nothing in a `pg_dump` of the database, nor in the data
/// directory (the uploads).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_personal_data_in_clear_in_a_postgresql_dump() {
    let (dir, url, secrets, appid) = lifecycle(Backend::Postgres).await;
    let url = url.expect("a PostgreSQL database");
    let dump = std::process::Command::new("pg_dump")
        .arg(&url)
        .output()
        .expect("pg_dump runs (the PostgreSQL client; scripts/test.sh installs it)");
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let mut all = files(&dir);
    all.push((PathBuf::from("pg_dump"), dump.stdout));
    assert_only_public(&all, &secrets, &appid);
}

/// `beian keys rotate` on a running deployment: a server started with the new key and the
/// previous one serves on while the CLI wraps every data key again; afterwards a server
/// with the new key alone reads the orders, serves the uploads and checks the SMS codes
/// sent before, and a server with the old key alone refuses to start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_master_key_rotates_online() {
    let (app, dir) = sqlite_app().await;
    let (applicant, reviewer, _) = app.filing_roles().await;
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

/// Runs the real binary on `dir`.
fn beian(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_beian"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env("BEIAN_LOG", "error")
        .output()
        .expect("beian runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// `beian retention`: a discarded draft (30 days), a withdrawn order (180 days) and the
/// face photos of every ended order (90 days) are erased once, by destroying the data
/// key or deleting the object; the erased order still shows what it was, its history
/// still verifies, and a second run finds nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_erases_what_is_due_once() {
    let (app, dir) = sqlite_app().await;
    let (applicant, reviewer, authority) = app.filing_roles().await;
    let withdrawn = Flow::prepare(&app, &applicant, 9601).await;
    withdrawn.submit().await.expect(200);
    app.act(&withdrawn.filing, "withdraw", &applicant)
        .await
        .expect(200);
    let discarded = Flow::open(
        &app,
        &applicant,
        "wxretention1",
        "留存测试",
        "深圳市留存科技有限公司",
    )
    .await;
    app.act(&discarded, "discard", &applicant).await.expect(200);
    let filed = Flow::prepare(&app, &applicant, 9602).await;
    filed.file(&reviewer, &authority).await;

    let start = chrono::DateTime::parse_from_rfc3339(crate::harness::START).unwrap();
    let at = |days: i64| (start + chrono::Duration::days(days)).to_rfc3339();
    // After 31 days only the discarded draft is due.
    let (ok, text) = beian(&dir, &["retention", "--preview", "--at", &at(31)]);
    assert!(ok, "{text}");
    assert!(
        text.contains(&discarded) && !text.contains(&withdrawn.filing),
        "{text}"
    );
    assert!(text.contains("1 order(s) due"), "{text}");

    // After 200 days: both orders' keys, and the face photos of all three.
    let (ok, text) = beian(&dir, &["retention", "--at", &at(200)]);
    assert!(ok, "{text}");
    assert!(text.contains("2 order(s) erased"), "{text}");
    assert!(!text.contains(" 0 face photo"), "{text}");
    let (ok, again) = beian(&dir, &["retention", "--at", &at(200)]);
    assert!(
        ok && again.contains("0 order(s) erased, 0 face photo(s)"),
        "{again}"
    );

    // The erased order still shows what it was, without any person's data.
    let shown = app
        .get(&format!("/api/v1/filings/{}", withdrawn.filing), &applicant)
        .await
        .expect(200);
    assert_eq!(shown["status"], "withdrawn");
    assert!(shown["document"].is_null(), "{shown}");
    let kept = app
        .get(&format!("/api/v1/filings/{}", filed.filing), &applicant)
        .await
        .expect(200);
    assert_eq!(
        kept["document"]["subject_principal"]["mobile"],
        filed.mobile.as_str()
    );

    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=rw", dir.join("beian.db").display());
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let (destroyed,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM data_keys WHERE destroyed_at IS NOT NULL AND wrapped = ''",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(destroyed, 2);
    let photos: Vec<(String, Option<i64>)> = sqlx::query_as(
        "SELECT t.photo, m.erased_at FROM face_tasks t JOIN media m ON m.id = t.photo",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(photos.len() >= 2, "{photos:?}");
    assert!(photos.iter().all(|(_, e)| e.is_some()), "{photos:?}");
    let (state,): (String,) = sqlx::query_as("SELECT state FROM filings WHERE id = $1")
        .bind(&withdrawn.filing)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(
        !state.contains(&withdrawn.mobile) && !state.starts_with("e1:"),
        "{state:.200}"
    );
    pool.close().await;

    // The history of every order, erased or not, still verifies.
    let (ok, text) = beian(&dir, &["audit", "verify"]);
    assert!(ok && text.contains("(2 erased"), "{text}");
}
