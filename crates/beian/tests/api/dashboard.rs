//! The operations dashboard on a database seeded through the API: five
//! filings driven on the manual clock, then every figure checked.

use crate::harness::*;
use serde_json::{json, Value};

crate::both_backends!(dashboard_figures_come_from_the_event_log);

async fn at(app: &TestApp, admin: &str, time: &str) {
    app.post("/api/v1/admin/clock", admin, json!({"set": time}))
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
    at(&app, &admin, "2026-03-02T12:00:00+08:00").await;
    f1.decide("platform", &reviewer, "approve", json!([]))
        .await
        .expect(200);
    at(&app, &admin, "2026-03-02T13:00:00+08:00").await;
    f1.verify_latest().await;
    // f2: rejected after 4 h.
    at(&app, &admin, "2026-03-02T14:00:00+08:00").await;
    let reason = json!([{"field": "subject.certificate.photo", "error": "证件照片模糊、不完整或有遮挡", "suggestion": "重新上传清晰、四角完整的原件彩色照片"}]);
    f2.decide("platform", &reviewer, "reject", reason)
        .await
        .expect(200);
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
