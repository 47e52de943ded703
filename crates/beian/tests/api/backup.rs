//! `beian backup` of a running SQLite deployment while requests are written, and
//! `beian restore` into a new data directory: every order acknowledged before the
//! backup began is served again, with its uploads, by a server on the restored copy.

use crate::harness::{Backend, Flow, TestApp, ADMIN_PASSWORD};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

fn beian(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_beian"))
        .args(args)
        .env("BEIAN_LOG", "error")
        .output()
        .expect("beian runs")
}

/// `beian restore` of `archive` into the data directory `into`.
fn restore(archive: &Path, into: &Path) -> std::process::Output {
    beian(&[
        "restore",
        &archive.display().to_string(),
        "--data-dir",
        &into.display().to_string(),
    ])
}

/// Asserts that a `beian` command succeeded; its error output otherwise.
#[track_caller]
fn assert_succeeded(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The media ids an order's document names.
fn photos(document: &Value) -> Vec<String> {
    [
        &document["subject"]["certificate"]["photo"],
        &document["subject_principal"]["certificate"]["front"],
    ]
    .iter()
    .filter_map(|v| v.as_str().map(str::to_string))
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_under_load_restores_every_acknowledged_order() {
    let mut dir = PathBuf::new();
    let app = TestApp::spawn_with(Backend::Sqlite, |c| dir = c.data_dir.clone()).await;
    let admin = app.login("admin", ADMIN_PASSWORD).await;
    let applicant = app.user("applicant", None).await;
    let mut acknowledged = vec![];
    for n in 0..3 {
        let flow = Flow::prepare(&app, &applicant, 9300 + n).await;
        flow.submit().await.expect(200);
        acknowledged.push(flow.view(&admin).await);
    }

    // Writers keep registering apps and opening orders while the backup runs.
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (stop, written) = (stop.clone(), written.clone());
        let app = TestApp {
            base: app.base.clone(),
            client: app.client.clone(),
        };
        let token = applicant.clone();
        tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                let appid = format!("wxbackup{}x{i}", std::process::id());
                let name = format!("备份中写入{i}");
                Flow::open(&app, &token, &appid, &name, "深圳市星河科技有限公司").await;
                written.fetch_add(1, Ordering::SeqCst);
                i += 1;
            }
        })
    };
    while written.load(Ordering::SeqCst) < 2 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let archive = dir.with_extension("backup.tar");
    let (d, a) = (dir.display().to_string(), archive.display().to_string());
    let out = tokio::task::spawn_blocking(move || beian(&["backup", "--data-dir", &d, &a]))
        .await
        .unwrap();
    assert_succeeded(&out);
    let during = written.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    assert!(during >= 2, "writes went on during the backup");

    let restored_dir = dir.with_extension("restored");
    let out = restore(&archive, &restored_dir);
    assert_succeeded(&out);
    // Restoring over a database is refused; nothing is overwritten.
    let again = restore(&archive, &restored_dir);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds a database"));

    // The master key is not in the backup: started with another key, the restored
    // database says so; with the original key (kept apart by the operator) it serves.
    assert!(
        !restored_dir.join("keys").exists(),
        "the master key is never in a backup"
    );
    let mut wrong = beian_server::Config::new(restored_dir.clone());
    wrong.addr = "127.0.0.1:0".parse().unwrap();
    let refused = beian_server::Application::build(wrong)
        .await
        .err()
        .expect("refused");
    assert!(refused.to_string().contains("master key"), "{refused}");
    let key = dir.join("keys/master.key");
    let restored = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.data_dir = restored_dir.clone();
        c.security.master_key_file = Some(key);
    })
    .await;
    let restored_admin = restored.login("admin", ADMIN_PASSWORD).await;
    for view in &acknowledged {
        let id = view["id"].as_str().unwrap();
        let back = restored
            .get(&format!("/api/v1/filings/{id}"), &restored_admin)
            .await
            .expect(200);
        assert_eq!(back["status"], view["status"], "{id}");
        assert_eq!(back["document"], view["document"], "{id}");
        for photo in photos(&view["document"]) {
            let path = format!("/api/v1/media/{photo}");
            let (status, _, original) = app.get_bytes(&path, &admin).await;
            assert_eq!(status, 200);
            assert_eq!(restored.get_bytes(&path, &restored_admin).await.2, original);
        }
    }
}

/// A cut-off archive is refused with a clear message, and the directory stays empty.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_backup_is_refused_and_nothing_restored() {
    let mut dir = PathBuf::new();
    let app = TestApp::spawn_with(Backend::Sqlite, |c| dir = c.data_dir.clone()).await;
    let applicant = app.user("applicant", None).await;
    Flow::prepare(&app, &applicant, 9310).await;
    let archive = dir.with_extension("backup.tar");
    let out = beian(&[
        "backup",
        "--data-dir",
        &dir.display().to_string(),
        &archive.display().to_string(),
    ]);
    assert_succeeded(&out);
    let whole = std::fs::read(&archive).unwrap();
    let cut = dir.with_extension("cut.tar");
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
    let target = dir.with_extension("never");
    let out = restore(&cut, &target);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a usable beian backup"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(empty(&target), "nothing restored");
}

fn empty(dir: &Path) -> bool {
    std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_none())
}
