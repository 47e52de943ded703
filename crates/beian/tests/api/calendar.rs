//! The calendar at a year's edge (domain.md §11.4–11.5): the whole flow at dates
//! inside projected years, provisional due dates, and a notice loaded at run time that
//! moves them once, in every process.

use crate::concurrency::start;
use crate::harness::*;
use beian_domain::notice::samples::NOTICE_2027;
use beian_server::config::Config;
use serde_json::{json, Value};

/// The dates the issue names: early December (the SLA reaches into a year without a
/// notice), New Year's Eve late at night, the eve of the Spring Festival, and 2031.
const DATES: [&str; 4] = [
    "2026-12-03T10:00:00+08:00",
    "2026-12-31T23:30:00+08:00",
    "2027-02-04T10:00:00+08:00",
    "2031-06-01T10:00:00+08:00",
];

/// The sample 2027 notice with New Year's Day changed: 1 January alone, and Monday 4
/// January as its 补休 — so deadlines running through early January move by a day.
fn notice_moving_january() -> String {
    let changed = beian_domain::notice::samples::notice_2027_moving_january();
    assert_ne!(
        changed, NOTICE_2027,
        "the sample still has its New Year line"
    );
    changed
}

async fn set_clock(app: &TestApp, at: &str) {
    let admin = app.login("admin", ADMIN_PASSWORD).await;
    app.post("/api/v1/admin/clock", &admin, json!({"set": at}))
        .await
        .expect(200);
}

/// Loads (or with `"dry_run": true` previews) a notice for 2027 as `token`.
async fn load_2027_notice(app: &TestApp, token: &str, body: Value) -> Resp {
    app.post("/api/v1/admin/calendar/2027/notice", token, body)
        .await
}

fn date(v: &Value) -> &str {
    &v.as_str().expect("a timestamp")[..10]
}

/// submit → platform → SMS → authority → number, at each date on the real code paths.
async fn the_flow_reaches_a_number_at_every_date(app: TestApp) {
    let (applicant, reviewer, authority) = app.filing_roles().await;
    // (platform due date, provisional) for each date, and whether the authority's 20 working
    // days reach a projected year (from 12-03 they end on Thursday 2026-12-31, just inside).
    let authority_provisional = [false, true, true, true];
    let platform = [
        ("2026-12-07", false),
        ("2027-01-05", true),
        ("2027-02-16", true),
        ("2031-06-03", true),
    ];
    for (i, at) in DATES.iter().enumerate() {
        set_clock(&app, at).await;
        let flow = Flow::prepare(&app, &applicant, 3100 + i as u32).await;
        let submitted = flow.submit().await.expect(200);
        assert_eq!(submitted["status"], "platform_review", "{at}");
        assert_eq!(date(&submitted["due_at"]), platform[i].0, "{at}");
        assert_eq!(submitted["due_provisional"], json!(platform[i].1), "{at}");
        flow.decide("platform", &reviewer, "approve", json!([]))
            .await
            .expect(200);
        let verified = flow.verify_latest().await;
        assert_eq!(verified["filing_status"], "authority_review", "{at}");
        let view = flow.view(&authority).await;
        assert_eq!(
            view["due_provisional"],
            json!(authority_provisional[i]),
            "{at}: {view}"
        );
        let filed = flow
            .decide("authority", &authority, "approve", json!([]))
            .await
            .expect(200);
        assert_eq!(filed["status"], "filed", "{at}");
        let year = &at[..4];
        assert!(
            filed["service_number"]
                .as_str()
                .unwrap()
                .starts_with(&format!("粤ICP备{year}")),
            "{at}: {filed}"
        );
        assert_eq!(
            filed["due_provisional"], false,
            "a filed order has no due date"
        );
    }
}

/// Orders whose due dates run over the projected 2027, then the notice: refused when
/// unreadable (nothing stored), previewed, loaded; each date moves once, with its event.
async fn a_loaded_notice_moves_provisional_due_dates_once(app: TestApp) {
    let applicant = app.user("applicant", None).await;
    let reviewer = app.user("platform_reviewer", None).await;
    let admin = app.login("admin", ADMIN_PASSWORD).await;
    set_clock(&app, "2026-12-10T10:00:00+08:00").await;
    let mut at_authority = vec![];
    for n in 0..3 {
        let flow = Flow::prepare(&app, &applicant, 3200 + n).await;
        flow.to_authority(&reviewer).await;
        let view = flow.view(&applicant).await;
        // §11.4: 2026-12-10 + 20 working days on the projected 2027.
        assert_eq!(date(&view["due_at"]), "2027-01-08");
        assert_eq!(view["due_provisional"], true);
        at_authority.push(flow);
    }
    set_clock(&app, "2026-12-31T10:00:00+08:00").await;
    let in_review = Flow::prepare(&app, &applicant, 3210).await;
    let submitted = in_review.submit().await.expect(200);
    assert_eq!(date(&submitted["due_at"]), "2027-01-05");
    assert_eq!(submitted["due_provisional"], true);

    // The alert: from 1 October while next year is projected; never a failing status.
    let overview = app.get("/api/v1/admin/calendar", &admin).await.expect(200);
    assert_eq!(overview["projected_alert"], json!([2027]));
    let ready = app.call(reqwest::Method::GET, "/readyz", None, None).await;
    assert_eq!(ready.status.as_u16(), 200);
    assert!(
        ready.body.as_str().unwrap_or("").contains("2027"),
        "{}",
        ready.body
    );

    // A notice with a line that cannot be read is refused with that line; nothing stored.
    let garbled = notice_moving_january().replace(
        "四、劳动节：5月1日（周六）至5日（周三）",
        "四、劳动节：五月一日（周六）至5日（周三）",
    );
    let refused = load_2027_notice(&app, &admin, json!({"text": garbled}))
        .await
        .expect_error(422, "CALENDAR_NOTICE_UNREADABLE");
    assert!(
        refused["error"]["line"]
            .as_str()
            .unwrap()
            .contains("劳动节"),
        "{refused}"
    );
    assert!(refused["error"]["line_no"].as_u64().unwrap() > 0);
    let year = app
        .get("/api/v1/admin/calendar/2027", &admin)
        .await
        .expect(200);
    assert_eq!(year["basis"], "projected");
    // A notice of another year is refused too.
    app.post(
        "/api/v1/admin/calendar/2028/notice",
        &admin,
        json!({"text": NOTICE_2027}),
    )
    .await
    .expect_error(422, "CALENDAR_NOTICE_UNREADABLE");
    // A body far longer than any notice is refused before it is read.
    let padded = format!("{}{}", NOTICE_2027, "节假日期间注意安全。\n".repeat(4_000));
    load_2027_notice(&app, &admin, json!({"text": padded, "dry_run": true}))
        .await
        .expect_error(413, "CALENDAR_NOTICE_TOO_LONG");
    // Only an admin loads notices.
    load_2027_notice(
        &app,
        &applicant,
        json!({"text": NOTICE_2027, "dry_run": true}),
    )
    .await
    .expect_error(403, "FORBIDDEN");

    // The preview: the notice's days beside the projection, and the dates that would move.
    let text = notice_moving_january();
    let preview = load_2027_notice(&app, &admin, json!({"text": text, "dry_run": true}))
        .await
        .expect(200);
    let p = &preview["preview"];
    assert_eq!(p["provisional_orders"], 4, "{p}");
    assert_eq!(p["moves"].as_array().unwrap().len(), 4, "{p}");
    assert!(p["makeup_workdays"]
        .as_array()
        .unwrap()
        .contains(&json!("2027-01-31")));
    assert!(p["added_rest_days"]
        .as_array()
        .unwrap()
        .contains(&json!("2027-01-04")));
    assert_eq!(
        app.get("/api/v1/admin/calendar/2027", &admin)
            .await
            .expect(200)["basis"],
        "projected",
        "a dry run stores nothing"
    );

    let loaded = load_2027_notice(&app, &admin, json!({"text": text}))
        .await
        .expect(200);
    assert_eq!(loaded["loaded"]["scheduled"], 4, "{loaded}");
    assert_eq!(loaded["loaded"]["recomputed"], 4, "{loaded}");
    for (flow, expected) in at_authority
        .iter()
        .map(|f| (f, "2027-01-11"))
        .chain([(&in_review, "2027-01-06")])
    {
        let view = flow.view(&applicant).await;
        assert_eq!(date(&view["due_at"]), expected, "{}", flow.filing);
        assert_eq!(view["due_provisional"], false);
        let events = app.events(&flow.filing, &applicant).await;
        let moved: Vec<&Value> = events
            .iter()
            .filter(|e| e["event"] == "due_recomputed")
            .collect();
        assert_eq!(moved.len(), 1, "recomputed exactly once: {events:?}");
        assert_eq!(date(&moved[0]["due_at"]), expected);
        assert!(
            moved[0]["previous_due_at"].as_str().unwrap() < moved[0]["due_at"].as_str().unwrap()
        );
    }
    // The year is official now: loading it again is refused, and the worker's later passes
    // find nothing to recompute.
    load_2027_notice(&app, &admin, json!({"text": text}))
        .await
        .expect_error(409, "CALENDAR_YEAR_OFFICIAL");
    let year = app
        .get("/api/v1/admin/calendar/2027", &admin)
        .await
        .expect(200);
    assert_eq!(
        (year["basis"].as_str(), year["origin"].as_str()),
        (Some("official"), Some("loaded"))
    );
    assert!(year["makeup_workdays"]
        .as_array()
        .unwrap()
        .contains(&json!("2027-01-31")));
    let tick = app.advance_hours(1.0).await;
    assert_eq!(tick["timers_fired"], 0, "{tick}");
    // A new submission counts on the official 2027: not provisional.
    let later = Flow::prepare(&app, &applicant, 3211).await;
    let submitted = later.submit().await.expect(200);
    assert_eq!(date(&submitted["due_at"]), "2027-01-06");
    assert_eq!(submitted["due_provisional"], false);
    let overview = app.get("/api/v1/admin/calendar", &admin).await.expect(200);
    assert_eq!(overview["projected_alert"], json!([]), "{overview}");
}

crate::both_backends!(
    the_flow_reaches_a_number_at_every_date,
    a_loaded_notice_moves_provisional_due_dates_once
);

/// Three processes on one PostgreSQL: a notice loaded through one is in force in the
/// others without a restart, and every provisional due date is recomputed exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_switch_to_a_loaded_notice_and_recompute_each_order_once() {
    let db = fresh_pg_database().await;
    let (_servers, apps) = start(3, &db).await;
    for app in &apps {
        set_clock(app, "2026-12-10T10:00:00+08:00").await;
    }
    let applicant = apps[0].user("applicant", None).await;
    let reviewer = apps[0].user("platform_reviewer", None).await;
    let mut flows = vec![];
    for n in 0..12u32 {
        let flow = Flow::prepare(&apps[n as usize % 3], &applicant, 3300 + n).await;
        flow.to_authority(&reviewer).await;
        flows.push(flow.filing.clone());
    }
    let admin = apps[0].login("admin", ADMIN_PASSWORD).await;
    load_2027_notice(&apps[0], &admin, json!({"text": notice_moving_january()}))
        .await
        .expect(200);
    // The other processes see it on their next worker tick (100 ms here).
    for app in &apps[1..] {
        let admin = app.login("admin", ADMIN_PASSWORD).await;
        let mut official = false;
        for _ in 0..100 {
            let year = app
                .get("/api/v1/admin/calendar/2027", &admin)
                .await
                .expect(200);
            if year["basis"] == "official" {
                official = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(official, "{} switched to the loaded notice", app.base);
        // Every process's worker runs its pass; nothing is left or fired twice.
        app.advance_hours(0.5).await;
    }
    for id in &flows {
        let names = apps[2].event_names(id, &applicant).await;
        let moved = names.iter().filter(|e| *e == "due_recomputed").count();
        assert_eq!(moved, 1, "{id}: {names:?}");
        let view = apps[1].filing(id, &applicant).await;
        assert_eq!(date(&view["due_at"]), "2027-01-11");
        assert_eq!(view["due_provisional"], false);
    }
    // A process scheduling while another recomputed can leave a timer behind for a settled
    // order (the race, made here by hand): it is dropped when claimed, not retried forever.
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&db).await.unwrap();
    sqlx::query("INSERT INTO timers (filing_id, kind, due_at, lease_until) VALUES ($1, 'recompute_due', 0, 0)")
        .bind(&flows[0])
        .execute(&mut conn)
        .await
        .unwrap();
    apps[0].advance_hours(0.5).await;
    // The worker claims it on its next pass (every 100 ms here; later on a loaded machine).
    let mut left: i64 = -1;
    for _ in 0..300 {
        (left,) = sqlx::query_as("SELECT COUNT(*) FROM timers WHERE kind = 'recompute_due'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(left, 0, "no recompute timer is left behind");
    let names = apps[0].event_names(&flows[0], &applicant).await;
    assert_eq!(names.iter().filter(|e| *e == "due_recomputed").count(), 1);
}

/// `serve --demo` starts at every date of the issue (the demo seeds orders in every stage
/// through the real domain, so it counts deadlines over the projected years).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_starts_at_every_date() {
    for at in DATES {
        let start = chrono::DateTime::parse_from_rfc3339(at).unwrap();
        // The harness moves the clock to its own start afterwards; the demo ran before.
        let app = TestApp::spawn_with(Backend::Sqlite, |c: &mut Config| {
            c.demo = true;
            c.clock_start = Some(start.with_timezone(&chrono::Utc));
        })
        .await;
        let admin = app.login("admin", ADMIN_PASSWORD).await;
        let list = app
            .get("/api/v1/filings?limit=100", &admin)
            .await
            .expect(200);
        let items = list["items"].as_array().unwrap();
        assert!(items.len() >= 3, "{at}: demo orders seeded: {list}");
        let created = items[0]["created_at"].as_str().unwrap_or_default();
        assert!(
            created.starts_with(&at[..4]),
            "{at}: seeded at the clock: {created}"
        );
    }
}

/// `beian calendar show|load` on a data directory: the projection, a refused text naming its
/// line, a dry run that stores nothing, and the load.
#[test]
fn the_calendar_command_shows_previews_and_loads_a_notice() {
    let dir = temp_dir();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_beian"))
            .arg("calendar")
            .args(args)
            .arg("--data-dir")
            .arg(&dir)
            // Logs go to stderr, errors only: stdout is the command's own output.
            .env("BEIAN_LOG", "error")
            .output()
            .expect("beian runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (ok, shown, err) = run(&["show", "2027"]);
    assert!(ok, "{err}");
    assert!(shown.starts_with("2027: projected"), "{shown}");
    assert!(
        shown.contains("2027-02-05"),
        "除夕 starts the projected Spring Festival: {shown}"
    );

    let file = dir.join("notice-2027.txt");
    std::fs::write(
        &file,
        NOTICE_2027.replace("4月25日（周日）上班", "4月26日（周日）上班"),
    )
    .unwrap();
    let (ok, _, err) = run(&["load", "2027", file.to_str().unwrap()]);
    assert!(!ok, "a wrong weekday is refused");
    assert!(
        err.contains("CALENDAR_NOTICE_UNREADABLE") && err.contains("劳动节"),
        "{err}"
    );

    std::fs::write(&file, NOTICE_2027).unwrap();
    let (ok, preview, err) = run(&["load", "2027", file.to_str().unwrap(), "--dry-run"]);
    assert!(ok, "{err}");
    assert!(
        preview.contains("makeup_workdays\t01-31 02-20 04-25 09-26 10-09"),
        "{preview}"
    );
    assert!(preview.contains("dry run"), "{preview}");
    assert!(
        run(&["show", "2027"]).1.starts_with("2027: projected"),
        "nothing stored"
    );

    let (ok, loaded, err) = run(&["load", "2027", file.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(
        loaded.contains("loaded 2027: 28 rest day(s), 5 make-up day(s)"),
        "{loaded}"
    );
    let (_, shown, _) = run(&["show", "2027"]);
    assert!(shown.starts_with("2027: official"), "{shown}");
    assert!(shown.contains("2027-01-31"), "{shown}");
    let (ok, _, err) = run(&["load", "2027", file.to_str().unwrap()]);
    assert!(!ok && err.contains("CALENDAR_YEAR_OFFICIAL"), "{err}");
}
