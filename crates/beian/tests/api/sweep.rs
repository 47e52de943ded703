//! The deadline sweep of §13 under the manual clock, and `beian sweep`
//! (preview, then run) against the same database.

use crate::harness::*;
use crate::stub::Receiver;
use serde_json::{json, Value};
use std::collections::BTreeSet;

crate::both_backends!(
    sweep_warns_ahead_and_clears_after_the_deadline_once_a_day,
    sms_expiries_fire_in_one_batch_exactly_once
);

/// Registers a listed or unlisted app with a registration date.
async fn app_row(app: &TestApp, token: &str, appid: &str, listed: bool, registered: &str) {
    app.post(
        "/api/v1/apps",
        token,
        json!({"appid": appid, "name": format!("应用{appid}"), "listed": listed,
               "registered_at": format!("{registered}T10:00:00+08:00")}),
    )
    .await
    .expect(201);
}

async fn set_clock(app: &TestApp, admin: &str, time: &str) -> Value {
    app.post("/api/v1/admin/clock", admin, json!({"set": time}))
        .await
        .expect(200)
}

async fn clearance(app: &TestApp, token: &str, appid: &str) -> Value {
    app.get(&format!("/api/v1/apps/{appid}"), token)
        .await
        .expect(200)["clearance"]
        .clone()
}

async fn inbox_events(app: &TestApp, token: &str, event: &str) -> Vec<Value> {
    let inbox = app.items("/api/v1/inbox?limit=500", token).await;
    inbox.into_iter().filter(|m| m["event"] == event).collect()
}

async fn sweep_warns_ahead_and_clears_after_the_deadline_once_a_day(app: TestApp) {
    let admin = app.login("admin", ADMIN_PASSWORD).await;
    let applicant = app.user("applicant", None).await;
    let receiver = Receiver::start(200).await;
    app.post(
        "/api/v1/admin/webhooks",
        &admin,
        json!({"url": receiver.url, "events": ["app.cleared"]}),
    )
    .await
    .expect(201);
    app_row(&app, &applicant, "wxlegacya", true, "2023-05-01").await;
    app_row(&app, &applicant, "wxlegacyb", true, "2023-06-01").await;
    app_row(&app, &applicant, "wxfreshc", true, "2023-10-01").await;
    app_row(&app, &applicant, "wxunlistedd", false, "2023-05-01").await;

    // 40 days ahead: nothing to say.
    set_clock(&app, &admin, "2024-02-20T10:00:00+08:00").await;
    assert!(inbox_events(&app, &applicant, "release_deadline_warning")
        .await
        .is_empty());
    // 30 days ahead: the listed legacy apps' owners are warned, once.
    set_clock(&app, &admin, "2024-03-01T10:00:00+08:00").await;
    set_clock(&app, &admin, "2024-03-01T18:00:00+08:00").await;
    set_clock(&app, &admin, "2024-03-05T18:00:00+08:00").await;
    let warnings = inbox_events(&app, &applicant, "release_deadline_warning").await;
    assert_eq!(warnings.len(), 2);
    let warned: BTreeSet<&str> = warnings
        .iter()
        .filter_map(|w| w["appid"].as_str())
        .collect();
    assert_eq!(warned, BTreeSet::from(["wxlegacya", "wxlegacyb"]));
    assert!(warnings[0]["body"]
        .as_str()
        .unwrap()
        .contains("2024年3月31日"));
    let a = clearance(&app, &applicant, "wxlegacya").await;
    assert_eq!(
        (a["state"].as_str(), a["warnings_sent"].clone()),
        (Some("warned"), json!([30]))
    );
    assert_eq!(
        clearance(&app, &applicant, "wxfreshc").await["state"],
        "none"
    );

    // A week ahead: the 7-day warning.
    set_clock(&app, &admin, "2024-03-24T10:00:00+08:00").await;
    assert_eq!(
        inbox_events(&app, &applicant, "release_deadline_warning")
            .await
            .len(),
        4
    );
    assert_eq!(
        clearance(&app, &applicant, "wxlegacyb").await["warnings_sent"],
        json!([30, 7])
    );

    // From the clearance date: cleared, releases blocked, owners told, integrators called.
    set_clock(&app, &admin, "2024-04-01T00:30:00+08:00").await;
    let a = clearance(&app, &applicant, "wxlegacya").await;
    assert_eq!(
        (
            a["state"].as_str(),
            a["delisted"].as_bool(),
            a["action"].as_str()
        ),
        (Some("cleared"), Some(true), Some("unlist"))
    );
    assert_eq!(a["cleared_at"], "2024-04-01T00:30:00.000+08:00");
    for other in ["wxfreshc", "wxunlistedd"] {
        assert_eq!(clearance(&app, &applicant, other).await["state"], "none");
    }
    let refused = app
        .post(
            "/api/v1/apps/wxlegacya/releases",
            &applicant,
            json!({"version": "3.3"}),
        )
        .await
        .expect_error(409, "NOT_FILED");
    assert_eq!(refused["error"]["gate"], "cleared");
    assert_eq!(
        inbox_events(&app, &applicant, "release_cleared")
            .await
            .len(),
        2
    );
    let hooks: BTreeSet<String> = receiver
        .requests()
        .iter()
        .map(|r| r.json()["data"]["appid"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        hooks,
        BTreeSet::from(["wxlegacya".into(), "wxlegacyb".into()])
    );

    // The next day has nothing left to clear, and nothing is repeated.
    set_clock(&app, &admin, "2024-04-02T09:00:00+08:00").await;
    assert_eq!(
        clearance(&app, &applicant, "wxlegacyb").await["state"],
        "cleared"
    );
    assert_eq!(
        inbox_events(&app, &applicant, "release_cleared")
            .await
            .len(),
        2
    );
    assert_eq!(receiver.requests().len(), 2);
}

/// Runs the real binary on `data_dir` with warnings logged and a font that is not there, so
/// every start logs a warning, which must not reach the command's output on stdout.
fn beian_output(args: &[&str], data_dir: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_beian"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env("BEIAN_LOG", "warn")
        .env("BEIAN_PDF_FONT", "/nonexistent/beian-test-font.ttc")
        .output()
        .expect("beian runs")
}

/// [`beian_output`]'s stdout, the command having succeeded.
fn beian(args: &[&str], data_dir: &std::path::Path) -> String {
    let out = beian_output(args, data_dir);
    assert!(
        out.status.success(),
        "beian {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A command's logs go to stderr, as plain text when stderr is not a terminal; stdout
/// is the command's own output.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_logs_to_stderr_in_plain_text() {
    let mut data_dir = std::path::PathBuf::new();
    let _app = TestApp::spawn_with(Backend::Sqlite, |c| data_dir = c.data_dir.clone()).await;
    let out = beian_output(&["sweep", "--preview", "--date", "2024-04-01"], &data_dir);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.starts_with("sweep 2024-04-01 preview"), "{stdout}");
    assert!(!stdout.contains("WARN"), "{stdout}");
    assert!(
        stderr.contains("WARN") && stderr.contains("no CJK font"),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\u{1b}'),
        "no colour codes in a pipe: {stderr:?}"
    );
}

fn cleared_in(output: &str) -> BTreeSet<String> {
    output
        .lines()
        .filter_map(|l| l.strip_prefix("clear\t"))
        .map(|l| l.split('\t').next().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_sweep_clears_exactly_the_apps_it_previewed() {
    let mut data_dir = std::path::PathBuf::new();
    let app = TestApp::spawn_with(Backend::Sqlite, |c| data_dir = c.data_dir.clone()).await;
    let applicant = app.user("applicant", None).await;
    app_row(&app, &applicant, "wxclia", true, "2023-05-01").await;
    app_row(&app, &applicant, "wxclib", true, "2023-08-31").await;
    app_row(&app, &applicant, "wxclic", true, "2023-09-01").await;
    app_row(&app, &applicant, "wxclid", false, "2023-01-01").await;

    let preview = beian(&["sweep", "--preview", "--date", "2024-04-01"], &data_dir);
    assert!(
        preview.starts_with("sweep 2024-04-01 preview: 2 clearance(s)"),
        "{preview}"
    );
    let previewed = cleared_in(&preview);
    assert_eq!(
        previewed,
        BTreeSet::from(["wxclia".to_string(), "wxclib".to_string()])
    );
    // A preview changes nothing.
    assert_eq!(clearance(&app, &applicant, "wxclia").await["state"], "none");
    assert_eq!(
        cleared_in(&beian(
            &["sweep", "--preview", "--date", "2024-04-01"],
            &data_dir
        )),
        previewed
    );

    let ran = beian(&["sweep", "--date", "2024-04-01"], &data_dir);
    assert_eq!(cleared_in(&ran), previewed, "{ran}");
    let mut actually = BTreeSet::new();
    for appid in ["wxclia", "wxclib", "wxclic", "wxclid"] {
        if clearance(&app, &applicant, appid).await["state"] == "cleared" {
            actually.insert(appid.to_string());
        }
    }
    assert_eq!(actually, previewed, "exactly the previewed apps");
    assert_eq!(
        inbox_events(&app, &applicant, "release_cleared")
            .await
            .len(),
        2
    );
    let again = beian(&["sweep", "--date", "2024-04-01"], &data_dir);
    assert!(again.contains("already ran"), "{again}");
    // The server's own sweep of that day finds the day done.
    let admin = app.login("admin", ADMIN_PASSWORD).await;
    let at = set_clock(&app, &admin, "2024-04-01T08:00:00+08:00").await;
    assert_eq!(at["sweep"], Value::Null);
    assert_eq!(
        inbox_events(&app, &applicant, "release_cleared")
            .await
            .len(),
        2
    );
}

/// Due SMS deadlines are fired in batches (one transaction, a savepoint per
/// order; on PostgreSQL split across connections). Every due order returns exactly
/// once, an order that moved on before its deadline is left alone, and a second pass
/// fires nothing.
async fn sms_expiries_fire_in_one_batch_exactly_once(app: TestApp) {
    let applicant = app.user("applicant", None).await;
    let reviewer = app.user("platform_reviewer", None).await;
    let mut waiting = vec![];
    for n in 0..12u32 {
        let flow = Flow::prepare(&app, &applicant, 300 + n).await;
        flow.to_sms(&reviewer).await;
        waiting.push(flow.filing.clone());
    }
    // One more order reaches the authority before the deadline: its timer is gone.
    let verified = Flow::prepare(&app, &applicant, 320).await;
    verified.to_authority(&reviewer).await;

    let advanced = app.advance_hours(25.0).await;
    assert_eq!(advanced["timers_fired"], 12, "{advanced}");
    for id in &waiting {
        let events = app.event_names(id, &applicant).await;
        let returned = events.iter().filter(|e| *e == "returned").count();
        assert_eq!(returned, 1, "filing {id} returned exactly once");
        let f = app
            .get(&format!("/api/v1/filings/{id}"), &applicant)
            .await
            .expect(200);
        assert_eq!(f["status"], "returned", "{id}");
        // The version counts the events: nothing was written twice.
        assert_eq!(f["version"].as_u64().unwrap() as usize, events.len());
    }
    // The batch wrote each order's notice once, as a single commit would.
    let notices = inbox_events(&app, &applicant, "returned").await;
    let mut noticed: Vec<&str> = notices
        .iter()
        .filter_map(|m| m["filing_id"].as_str())
        .collect();
    noticed.sort_unstable();
    let mut expected: Vec<&str> = waiting.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(noticed, expected, "one returned notice per order");
    let still = app
        .get(&format!("/api/v1/filings/{}", verified.filing), &applicant)
        .await
        .expect(200);
    assert_eq!(still["status"], "authority_review");
    assert_eq!(app.advance_hours(25.0).await["timers_fired"], 0);
}

/// A clock move waits for the due-work pass in progress, then moves the clock and runs
/// its own pass under the same lock: a background pass never sees the new time before
/// the move's pass, so the clock's answer counts the timers the move made due. (A CI
/// run once got `timers_fired: 0` when the background pass fired them in between.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clock_move_waits_for_the_pass_in_progress_and_reports_its_own_work() {
    let (app, state) = TestApp::spawn_keeping_state(Backend::Sqlite, |_| {}).await;
    let applicant = app.user("applicant", None).await;
    let reviewer = app.user("platform_reviewer", None).await;
    let admin = app.login("admin", ADMIN_PASSWORD).await;
    let flow = Flow::prepare(&app, &applicant, 400).await;
    flow.to_sms(&reviewer).await;
    let before = state.now();

    // A background pass is in progress: it holds the pass lock.
    let pass = state.work.clone().lock_owned().await;
    let mover = {
        let (app, admin) = (app.clone(), admin.clone());
        tokio::spawn(async move {
            app.post("/api/v1/admin/clock", &admin, json!({"advance_hours": 25}))
                .await
                .expect(200)
        })
    };
    for _ in 0..20 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        assert_eq!(
            state.now(),
            before,
            "the clock moved under a pass in progress"
        );
    }
    assert!(!mover.is_finished(), "the move waits for the pass");
    drop(pass);
    let advanced = mover.await.unwrap();
    assert_eq!(advanced["timers_fired"], 1, "{advanced}");
    assert_eq!(state.now() - before, chrono::Duration::hours(25));
    assert_eq!(
        app.get(&format!("/api/v1/filings/{}", flow.filing), &applicant)
            .await
            .expect(200)["status"],
        "returned"
    );
}
