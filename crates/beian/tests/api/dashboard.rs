//! The operations dashboard on a database seeded through the API: five
//! filings driven on the manual clock, then every figure checked.

use crate::harness::*;
use serde_json::{json, Value};

crate::both_backends!(
    dashboard_figures_come_from_the_event_log,
    dashboard_trends_agree_with_a_direct_count
);

async fn at(app: &TestApp, admin: &str, time: &str) {
    app.post("/api/v1/admin/clock", admin, json!({"set": time}))
        .await
        .expect(200);
}

/// Monday 2 March: `f` approved by the platform at 12:00, verified at 13:00.
async fn approve_at_noon_verify_at_one(app: &TestApp, admin: &str, f: &Flow<'_>, reviewer: &str) {
    at(app, admin, "2026-03-02T12:00:00+08:00").await;
    f.decide("platform", reviewer, "approve", json!([]))
        .await
        .expect(200);
    at(app, admin, "2026-03-02T13:00:00+08:00").await;
    f.verify_latest().await;
}

/// The platform sends `f` back for a blurred certificate photo.
async fn reject_for_a_blurred_photo(f: &Flow<'_>, reviewer: &str) {
    let reason = json!([{"field": "subject.certificate.photo", "error": "证件照片模糊、不完整或有遮挡", "suggestion": "重新上传清晰、四角完整的原件彩色照片"}]);
    f.decide("platform", reviewer, "reject", reason)
        .await
        .expect(200);
}

fn count(figure: &Value, key: &str) -> u64 {
    figure
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == key)
        .unwrap_or_else(|| panic!("{key} in {figure}"))["count"]
        .as_u64()
        .unwrap()
}

/// GET with the raw response: (status, content type, body text).
async fn raw(app: &TestApp, path: &str, token: &str) -> (u16, String, String) {
    let (status, ct, body) = app.get_bytes(path, token).await;
    (status, ct, String::from_utf8(body).expect("UTF-8"))
}

async fn dashboard_figures_come_from_the_event_log(app: TestApp) {
    let admin = app.login("admin", ADMIN_PASSWORD).await;
    let (applicant, reviewer, authority) = app.filing_roles().await;
    let f1 = Flow::prepare(&app, &applicant, 61).await;
    let f2 = Flow::prepare(&app, &applicant, 62).await;
    let f3 = Flow::prepare(&app, &applicant, 63).await;
    let f4 = Flow::prepare(&app, &applicant, 64).await;
    let f5 = Flow::prepare(&app, &applicant, 65).await;

    // Monday 10:00: four submissions; f3 and f4 approved at once.
    for f in [&f1, &f2, &f3, &f4] {
        f.submit().await.expect(200);
    }
    for f in [&f3, &f4] {
        f.decide("platform", &reviewer, "approve", json!([]))
            .await
            .expect(200);
    }
    // f4: six wrong entries return it.
    let code = app.latest_code(&f4.mobile).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        f4.verify(wrong).await.expect_error(422, "WRONG_CODE");
    }
    f4.verify(wrong).await.expect_error(409, "RETURNED");
    // f1: approved after 2 h, verified 1 h later, filed 6 h after that.
    approve_at_noon_verify_at_one(&app, &admin, &f1, &reviewer).await;
    // f2: rejected after 4 h.
    at(&app, &admin, "2026-03-02T14:00:00+08:00").await;
    reject_for_a_blurred_photo(&f2, &reviewer).await;
    at(&app, &admin, "2026-03-02T19:00:00+08:00").await;
    f1.decide("authority", &authority, "approve", json!([]))
        .await
        .expect(200);
    // f5 submitted Monday 19:00: its platform review is due by Wednesday's end.
    f5.submit().await.expect(200);
    // f3's SMS window lapses; the timer returns it when the clock passes (34 h).
    at(&app, &admin, "2026-03-03T20:00:00+08:00").await;
    assert_eq!(f3.view(&applicant).await["status"], "returned");
    // Thursday: f5 is still waiting, past its due time.
    at(&app, &admin, "2026-03-05T10:00:00+08:00").await;

    app.get("/api/v1/admin/dashboard", &applicant)
        .await
        .expect_error(403, "FORBIDDEN");
    app.get("/api/v1/admin/dashboard", &reviewer)
        .await
        .expect(200);
    let d = app.get("/api/v1/admin/dashboard", &admin).await.expect(200);
    assert_eq!(d["total_filings"], 5);
    let stages = &d["by_stage"];
    assert_eq!(
        (
            count(stages, "fill_in"),
            count(stages, "platform_review"),
            count(stages, "sms_verification"),
            count(stages, "authority_review"),
            count(stages, "filed"),
        ),
        (0, 2, 2, 0, 1),
        "{stages}"
    );
    // Platform review took 2, 4, 0 and 0 hours; SMS 1, 34 and 0; authority 6.
    let times = &d["stage_times"];
    assert_eq!(
        times,
        &json!([
            {"stage": "platform_review", "label": "平台初审", "samples": 4, "median_hours": 1.0, "p90_hours": 3.4},
            {"stage": "sms_verification", "label": "工信部短信核验", "samples": 3, "median_hours": 1.0, "p90_hours": 27.4},
            {"stage": "authority_review", "label": "通管局审核", "samples": 1, "median_hours": 6.0, "p90_hours": 6.0},
        ])
    );
    assert_eq!(
        d["sla_breaches"],
        json!([{"stage": "platform_review", "province": "44", "closed_late": 0, "open_overdue": 1, "count": 1}])
    );
    assert_eq!(
        d["rejection_reasons"],
        json!([{"reason": "证件照片模糊、不完整或有遮挡", "platform": 1, "authority": 0, "count": 1}])
    );
    let sms = &d["sms_outcomes"];
    assert_eq!(
        (
            count(sms, "verified"),
            count(sms, "timed_out"),
            count(sms, "too_many_attempts"),
            count(sms, "pending"),
        ),
        (1, 1, 1, 0)
    );

    // The same numbers as charts and as CSV.
    let (status, ct, svg) = raw(&app, "/api/v1/admin/dashboard/by-stage.svg", &admin).await;
    assert_eq!((status, ct.as_str()), (200, "image/svg+xml; charset=utf-8"));
    assert!(svg.starts_with("<svg") && svg.contains("平台初审") && !svg.contains("<script"));
    for chart in [
        "stage-times",
        "sla-breaches",
        "rejection-reasons",
        "sms-outcomes",
        "by-status",
    ] {
        let (status, _, svg) = raw(
            &app,
            &format!("/api/v1/admin/dashboard/{chart}.svg"),
            &reviewer,
        )
        .await;
        assert_eq!(status, 200, "{chart}");
        assert!(svg.contains("</svg>"), "{chart}");
    }
    let (status, ct, csv) = raw(&app, "/api/v1/admin/dashboard/stage-times.csv", &admin).await;
    assert_eq!((status, ct.as_str()), (200, "text/csv; charset=utf-8"));
    assert!(
        csv.contains("platform_review,平台初审,4,1,3.4\r\n"),
        "{csv}"
    );
    assert!(
        csv.contains("sms_verification,工信部短信核验,3,1,27.4\r\n"),
        "{csv}"
    );
    let (_, _, csv) = raw(&app, "/api/v1/admin/dashboard/sla-breaches.csv", &admin).await;
    assert!(csv.contains("platform_review,44,0,1,1\r\n"), "{csv}");
    let (_, _, csv) = raw(&app, "/api/v1/admin/dashboard/sms-outcomes.csv", &admin).await;
    assert!(
        csv.contains("too_many_attempts,错误次数过多,1\r\n"),
        "{csv}"
    );
    app.get("/api/v1/admin/dashboard/nope.svg", &admin)
        .await
        .expect_error(404, "NOT_FOUND");
    app.get("/api/v1/admin/dashboard/by-stage.png", &admin)
        .await
        .expect_error(404, "NOT_FOUND");
    let (status, _, _) = raw(&app, "/api/v1/admin/dashboard/by-stage.csv", &applicant).await;
    assert_eq!(status, 403);
}

/// One field of every period of a trends answer.
fn series(t: &Value, key: &str) -> Vec<Value> {
    t["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[key].clone())
        .collect()
}

fn counts(t: &Value, key: &str) -> Vec<u64> {
    series(t, key)
        .iter()
        .map(|v| v.as_u64().unwrap_or_else(|| panic!("{key}: {v}")))
        .collect()
}

/// The cells of a CSV column, by its header (no quoted cells in these files).
fn column(csv: &str, name: &str) -> Vec<String> {
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let i = header
        .iter()
        .position(|h| *h == name)
        .unwrap_or_else(|| panic!("{name} in {header:?}"));
    lines
        .map(|l| l.split(',').nth(i).unwrap().to_string())
        .collect()
}

/// Eight China days, Monday 2 March to Monday 9 March 2026, driven on the manual clock;
/// what the test does is written down as it happens and the series must say the same.
async fn dashboard_trends_agree_with_a_direct_count(app: TestApp) {
    let admin = app.login("admin", ADMIN_PASSWORD).await;
    let (applicant, reviewer, authority) = app.filing_roles().await;
    let f1 = Flow::prepare(&app, &applicant, 71).await;
    let f2 = Flow::prepare(&app, &applicant, 72).await;
    let f3 = Flow::prepare(&app, &applicant, 73).await;
    let f4 = Flow::prepare(&app, &applicant, 74).await;

    // Mon 2 March 10:00: three submissions; the reviewer claims f3 (a claim is no decision).
    for f in [&f1, &f2, &f3] {
        f.submit().await.expect(200);
    }
    at(&app, &admin, "2026-03-02T11:00:00+08:00").await;
    app.post(
        &format!("/api/v1/filings/{}/claim", f3.filing),
        &reviewer,
        json!({}),
    )
    .await
    .expect(200);
    // 12:00 f1 approved by the platform (2 h, on time); 13:00 verified: authority review.
    approve_at_noon_verify_at_one(&app, &admin, &f1, &reviewer).await;
    // Tue 09:00: f2 rejected (23 h, on time).
    at(&app, &admin, "2026-03-03T09:00:00+08:00").await;
    reject_for_a_blurred_photo(&f2, &reviewer).await;
    // Wed 07:00 in China (still Tuesday in UTC): f4 submitted, due Friday.
    at(&app, &admin, "2026-03-04T07:00:00+08:00").await;
    f4.submit().await.expect(200);
    // Thu 10:00: f3 approved, due Wednesday: late (72 h).
    at(&app, &admin, "2026-03-05T10:00:00+08:00").await;
    f3.decide("platform", &reviewer, "approve", json!([]))
        .await
        .expect(200);
    // Fri 11:00: f3's SMS window has lapsed; the timer returns it.
    at(&app, &admin, "2026-03-06T11:00:00+08:00").await;
    assert_eq!(f3.view(&applicant).await["status"], "returned");
    // Sun 23:30 in China (15:30 UTC): f5 submitted, still in the first week.
    at(&app, &admin, "2026-03-08T23:00:00+08:00").await;
    let f5 = Flow::prepare(&app, &applicant, 75).await;
    at(&app, &admin, "2026-03-08T23:30:00+08:00").await;
    f5.submit().await.expect(200);
    // Mon 9 March 10:00: f1 filed (on time, 165 h); f4 approved, late (123 h).
    at(&app, &admin, "2026-03-09T10:00:00+08:00").await;
    f1.decide("authority", &authority, "approve", json!([]))
        .await
        .expect(200);
    f4.decide("platform", &reviewer, "approve", json!([]))
        .await
        .expect(200);
    at(&app, &admin, "2026-03-09T18:00:00+08:00").await;

    // Per day, Mon 2 … Mon 9 March.
    let q = "from=2026-03-02&to=2026-03-09";
    let t = app
        .get(&format!("/api/v1/admin/dashboard/trends?{q}"), &reviewer)
        .await
        .expect(200);
    assert_eq!(
        (&t["from"], &t["to"], &t["period"]),
        (&json!("2026-03-02"), &json!("2026-03-09"), &json!("day"))
    );
    assert_eq!(series(&t, "start")[1], "2026-03-03");
    assert_eq!(series(&t, "label")[0], "3月2日");
    assert_eq!(counts(&t, "arrivals"), [3, 0, 1, 0, 0, 0, 1, 0]);
    assert_eq!(counts(&t, "platform_approved"), [1, 0, 0, 1, 0, 0, 0, 1]);
    assert_eq!(counts(&t, "platform_rejected"), [0, 1, 0, 0, 0, 0, 0, 0]);
    assert_eq!(counts(&t, "authority_approved"), [0, 0, 0, 0, 0, 0, 0, 1]);
    assert_eq!(counts(&t, "authority_rejected"), [0; 8]);
    // Waiting at the end of each day: f3 stays in platform review through its claim.
    assert_eq!(
        counts(&t, "backlog_platform_review"),
        [2, 1, 2, 1, 1, 1, 2, 1]
    );
    assert_eq!(
        counts(&t, "backlog_sms_verification"),
        [0, 0, 0, 1, 0, 0, 0, 1]
    );
    assert_eq!(
        counts(&t, "backlog_authority_review"),
        [1, 1, 1, 1, 1, 1, 1, 0]
    );
    assert_eq!(
        counts(&t, "platform_sla_decisions"),
        [1, 1, 0, 1, 0, 0, 0, 1]
    );
    assert_eq!(counts(&t, "platform_sla_met"), [1, 1, 0, 0, 0, 0, 0, 0]);
    assert_eq!(counts(&t, "authority_sla_met"), [0, 0, 0, 0, 0, 0, 0, 1]);
    assert_eq!(
        series(&t, "median_platform_review_hours"),
        [
            json!(2.0),
            json!(23.0),
            Value::Null,
            json!(72.0),
            Value::Null,
            Value::Null,
            Value::Null,
            json!(123.0)
        ]
    );
    assert_eq!(series(&t, "median_authority_review_hours")[7], 165.0);
    assert_eq!(series(&t, "sla_attainment_percent")[7], 50.0);
    assert_eq!(t["total"]["arrivals"], 5);
    assert_eq!(t["total"]["platform_sla_percent"], 50.0);
    assert_eq!(
        t["csv"],
        format!("/api/v1/admin/dashboard/trends.csv?{q}&period=day")
    );

    // Per week: 2–8 March, then Monday 9 March alone.
    let w = app
        .get(
            &format!("/api/v1/admin/dashboard/trends?{q}&period=week"),
            &admin,
        )
        .await
        .expect(200);
    assert_eq!(series(&w, "label"), ["3月2日–3月8日", "3月9日"]);
    assert_eq!(counts(&w, "arrivals"), [5, 0]);
    assert_eq!(counts(&w, "platform_approved"), [2, 1]);
    assert_eq!(counts(&w, "platform_sla_decisions"), [3, 1]);
    assert_eq!(counts(&w, "platform_sla_met"), [2, 0]);
    assert_eq!(
        series(&w, "platform_sla_percent"),
        [json!(66.67), json!(0.0)]
    );
    assert_eq!(
        series(&w, "authority_sla_percent"),
        [Value::Null, json!(100.0)]
    );
    assert_eq!(counts(&w, "backlog_platform_review"), [2, 1]);
    assert_eq!(counts(&w, "backlog_authority_review"), [1, 0]);

    // The CSV of the same range and period.
    let (status, ct, csv) = raw(
        &app,
        &format!("/api/v1/admin/dashboard/trends.csv?{q}&period=week"),
        &admin,
    )
    .await;
    assert_eq!((status, ct.as_str()), (200, "text/csv; charset=utf-8"));
    assert!(
        csv.starts_with("\u{feff}开始日期,结束日期,提交数,"),
        "{csv}"
    );
    assert_eq!(column(&csv, "开始日期"), ["2026-03-02", "2026-03-09"]);
    assert_eq!(column(&csv, "结束日期"), ["2026-03-08", "2026-03-09"]);
    assert_eq!(column(&csv, "提交数"), ["5", "0"]);
    assert_eq!(column(&csv, "平台初审驳回"), ["1", "0"]);
    assert_eq!(column(&csv, "期末积压·短信核验"), ["0", "1"]);
    assert_eq!(column(&csv, "平台初审时限达成率（%）"), ["66.67", "0"]);
    assert_eq!(column(&csv, "通管局时限达成率（%）"), ["", "100"]);

    // The page: the picker keeps the range, the charts are inline SVG that scale, the table
    // and the CSV link carry the same numbers.
    let cookie = app.page_session("admin", ADMIN_PASSWORD).await;
    let (status, html) = app
        .page(&format!("/dashboard?{q}&period=week"), &cookie)
        .await;
    assert_eq!(status, 200);
    assert!(
        html.contains(r#"id="from" name="from" value="2026-03-02""#),
        "{html}"
    );
    assert!(html.contains(r#"<option value="week" selected>按周</option>"#));
    assert!(html.contains(r#"<strong id="total-arrivals">5</strong>"#));
    assert!(html.contains("每周末积压（按阶段）"));
    assert_eq!(
        html.matches(r#"<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="#)
            .count(),
        4
    );
    assert!(
        html.contains("<th scope=\"row\">3月2日–3月8日</th><td>5</td><td>2</td><td>1</td>"),
        "{html}"
    );
    assert!(
        html.replace("&#38;", "&")
            .replace("&amp;", "&")
            .contains(&format!("href=\"/dashboard/trends.csv?{q}&period=week\"")),
        "{html}"
    );
    let (status, page_csv) = app
        .page(&format!("/dashboard/trends.csv?{q}&period=week"), &cookie)
        .await;
    assert_eq!((status, page_csv.as_str()), (200, csv.as_str()));
    // A bad range: a Chinese message, and the last 28 days instead.
    let (status, html) = app
        .page("/dashboard?from=2026-03-09&to=2026-03-02", &cookie)
        .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("role=\"alert\">日期范围有误：开始日期 2026-03-09 晚于结束日期 2026-03-02"),
        "{html}"
    );
    assert!(html.contains(r#"id="from" name="from" value="2026-02-10""#));

    // Defaults: the 28 days up to today on the clock.
    let d = app
        .get("/api/v1/admin/dashboard/trends", &admin)
        .await
        .expect(200);
    assert_eq!(
        (&d["from"], &d["to"]),
        (&json!("2026-02-10"), &json!("2026-03-09"))
    );
    assert_eq!(d["periods"].as_array().unwrap().len(), 28);
    assert_eq!(d["total"]["arrivals"], 5);
    // Refused ranges, with Chinese messages; only admins and platform reviewers may look.
    for bad in [
        "from=2026-03-02&to=2026-03-10",
        "from=2026-03-05&to=2026-03-04",
        "from=2025-03-01&to=2026-03-09",
        "from=2026-02-30",
        "period=month",
    ] {
        let e = app
            .get(&format!("/api/v1/admin/dashboard/trends?{bad}"), &admin)
            .await
            .expect_error(422, "INVALID_RANGE");
        assert!(!e["error"]["message"].as_str().unwrap().is_ascii(), "{e}");
        let (status, _, _) = raw(
            &app,
            &format!("/api/v1/admin/dashboard/trends.csv?{bad}"),
            &admin,
        )
        .await;
        assert_eq!(status, 422, "{bad}");
    }
    app.get("/api/v1/admin/dashboard/trends", &applicant)
        .await
        .expect_error(403, "FORBIDDEN");
    app.get("/api/v1/admin/dashboard/trends", &authority)
        .await
        .expect_error(403, "FORBIDDEN");
    let (status, _, _) = raw(&app, "/api/v1/admin/dashboard/trends.csv", &applicant).await;
    assert_eq!(status, 403);
}
