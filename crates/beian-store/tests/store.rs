//! The store's guarantees, on a real SQLite file and a real PostgreSQL database:
//! optimistic concurrency, the one-open-order constraint, rolled-back number
//! allocation, timer leases and idempotency keys.

use beian_domain::filing::{Actor, Command, Filing, IssuedNumbers, Kind, Refusal, Time, TimerKind};
use beian_domain::fixtures::enterprise_document;
use beian_store::*;
use chrono::{Duration, TimeZone, Utc};

#[macro_use]
mod common;
use common::Rules;

fn t0() -> Time {
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap()
}

struct Fx {
    store: SqlStore,
    rules: Rules,
}

impl Fx {
    async fn new(store: SqlStore) -> Fx {
        store.insert_user(&common::dev_user(t0())).await.unwrap();
        Fx {
            store,
            rules: Rules::embedded(),
        }
    }

    async fn app(&self, appid: &str) {
        let app = common::app_row(appid, "星河记账", t0());
        self.store.insert_app(&app).await.unwrap();
    }

    /// A new order for `appid` with a saved document of subject `credit`.
    async fn draft(&self, id: &str, appid: &str, credit: &str) -> Filing {
        let doc = enterprise_document("深圳市星河科技有限公司", credit, "星河记账", "face", "m");
        self.draft_with(id, appid, doc).await
    }

    /// A new order for `appid` with `doc` saved.
    async fn draft_with(
        &self,
        id: &str,
        appid: &str,
        doc: beian_domain::document::Document,
    ) -> Filing {
        let actor = Actor::Applicant("u1".into());
        let (f, created) =
            Filing::create(id.into(), Kind::New, appid.into(), &actor, None, None, t0()).unwrap();
        self.store.create_filing(&f, &created).await.unwrap();
        self.run(
            &f,
            Command::Save {
                document: Box::new(doc),
            },
            &actor,
        )
        .await
        .unwrap()
    }

    /// Those of `mobiles` another subject than `subject_key` uses.
    async fn mobiles_elsewhere(&self, mobiles: &[String], subject_key: &str) -> Vec<String> {
        self.store
            .mobiles_of_other_subjects(mobiles, subject_key)
            .await
            .unwrap()
    }

    /// The subject's open orders other than `except`.
    async fn open_orders(&self, subject_key: &str, except: &str) -> Vec<OpenOrder> {
        self.store
            .open_orders_of_subject(subject_key, except)
            .await
            .unwrap()
    }

    fn decide(&self, f: &Filing, cmd: Command, actor: &Actor) -> Result<Commit, Refusal> {
        decide_under(&self.rules, f, cmd, actor)
    }

    async fn run(&self, f: &Filing, cmd: Command, actor: &Actor) -> StoreResult<Filing> {
        let c = self.decide(f, cmd, actor)?;
        let after = c.filing.clone();
        self.store.commit(c).await?;
        Ok(after)
    }
}

/// The commit of `actor`'s `cmd` on `f` at [`t0`], with the record effects its events
/// have.
fn decide_under(rules: &Rules, f: &Filing, cmd: Command, actor: &Actor) -> Result<Commit, Refusal> {
    let events = f.decide(cmd, &rules.env(t0(), actor))?;
    let mut c = common::commit(f, events, t0());
    c.effects = c.filing.record_effects(&c.events, &rules.policy);
    Ok(c)
}

/// Guangdong's 2026 numbers for order `f1` of the subject `subject_key`.
fn number_request(subject_key: &str) -> NumberRequest {
    NumberRequest {
        filing_id: "f1".into(),
        province: "44".into(),
        abbr: "粤".into(),
        year: 2026,
        subject_key: subject_key.into(),
    }
}

/// A platform-review order whose document passes the submit checks.
fn submit_cmd() -> Command {
    Command::Submit {
        facts: Box::new(beian_domain::validate::ValidationFacts {
            app_name: Some("星河记账".into()),
            face: Some(beian_domain::validate::FaceFacts {
                id: "face".into(),
                succeeded: true,
                expires_at: t0() + Duration::days(3),
                consumed_by: None,
                identity: Some((2, "440300198512311238".into())),
                name: Some("张三".into()),
            }),
            ..Default::default()
        }),
        codes: vec![],
    }
}

both!(
    stores "beian_store" at t0;
    stale_commits_change_nothing,
    one_open_order_per_subject,
    refused_allocation_consumes_no_number,
    timers_are_leased,
    idempotency_keys,
    validation_facts,
    a_commit_keeps_any_text,
    commits_at_once_answer_each
);

async fn stale_commits_change_nothing(store: SqlStore) {
    let fx = Fx::new(store).await;
    fx.app("wx1").await;
    let f = fx.draft("f1", "wx1", "91440300708461136T").await;
    let actor = Actor::Applicant("u1".into());
    // Two decisions on the same version: the second loses.
    let a = fx.decide(&f, Command::Discard, &actor).unwrap();
    let b = fx.decide(&f, submit_cmd(), &actor).unwrap();
    fx.store.commit(a).await.unwrap();
    assert!(matches!(
        fx.store.commit(b).await,
        Err(StoreError::VersionConflict)
    ));
    let stored = fx.store.filing("f1").await.unwrap().unwrap();
    assert_eq!(stored.status.as_str(), "discarded");
    assert_eq!(
        fx.store.events("f1").await.unwrap().len() as i64,
        stored.version
    );
}

async fn one_open_order_per_subject(store: SqlStore) {
    let fx = Fx::new(store).await;
    fx.app("wx1").await;
    fx.app("wx2").await;
    let actor = Actor::Applicant("u1".into());
    let first = fx.draft("f1", "wx1", "91440300708461136T").await;
    let second = fx.draft("f2", "wx2", "91440300708461136T").await;
    // A second draft of the same app is refused by the store.
    let (dup, created) = Filing::create(
        "f3".into(),
        Kind::New,
        "wx1".into(),
        &actor,
        None,
        None,
        t0(),
    )
    .unwrap();
    assert!(matches!(
        fx.store.create_filing(&dup, &created).await,
        Err(StoreError::OrderExists)
    ));
    fx.run(&first, submit_cmd(), &actor).await.unwrap();
    assert!(matches!(
        fx.run(&second, submit_cmd(), &actor).await,
        Err(StoreError::SubjectBusy)
    ));
    assert_eq!(
        fx.store
            .filing("f2")
            .await
            .unwrap()
            .unwrap()
            .status
            .as_str(),
        "draft"
    );
}

async fn refused_allocation_consumes_no_number(store: SqlStore) {
    let fx = Fx::new(store).await;
    fx.app("wx1").await;
    let f = fx.draft("f1", "wx1", "91440300708461136T").await;
    let req = || number_request("1:91440300708461136T");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(vec![]));
    let s2 = seen.clone();
    let refuse: NumberedCommit = Box::new(move |n: IssuedNumbers| {
        s2.lock().unwrap().push(n.service_number);
        Err(Refusal::NumbersRequired)
    });
    assert!(fx.store.commit_with_numbers(req(), refuse).await.is_err());
    let s3 = seen.clone();
    let (before, rules) = (f.clone(), fx.rules.clone());
    // The build step may commit anything; here a discard stands in for T19.
    let accept: NumberedCommit = Box::new(move |n: IssuedNumbers| {
        s3.lock().unwrap().push(n.service_number);
        let actor = Actor::Applicant("u1".into());
        decide_under(&rules, &before, Command::Discard, &actor)
    });
    fx.store.commit_with_numbers(req(), accept).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![
            "粤ICP备2026000001号-1X".to_string(),
            "粤ICP备2026000001号-1X".to_string()
        ],
        "the refused number was reused"
    );
}

async fn timers_are_leased(store: SqlStore) {
    let fx = Fx::new(store).await;
    fx.app("wx1").await;
    let f = fx.draft("f1", "wx1", "91440300708461136T").await;
    let actor = Actor::Applicant("u1".into());
    let f = fx.run(&f, submit_cmd(), &actor).await.unwrap();
    let reasons = vec![beian_domain::filing::Reason {
        field: None,
        error: "x".into(),
        suggestion: String::new(),
    }];
    fx.run(
        &f,
        Command::PlatformReject { reasons },
        &Actor::PlatformReviewer("r".into()),
    )
    .await
    .unwrap();
    let due = t0() + Duration::days(45);
    // Claims with a one-minute lease.
    let store = &fx.store;
    let claim = |at: Time| async move { store.claim_due_timers(at, 60_000, 10).await.unwrap() };
    assert!(
        claim(due - Duration::seconds(1)).await.is_empty(),
        "not due yet"
    );
    let claimed = claim(due).await;
    assert_eq!(claimed, vec![("f1".to_string(), TimerKind::FixWindow)]);
    assert!(claim(due).await.is_empty(), "leased to the first claimer");
    let later = due + Duration::seconds(61);
    assert_eq!(
        claim(later).await.len(),
        1,
        "an expired lease is claimable again"
    );
}

async fn idempotency_keys(store: SqlStore) {
    assert_eq!(
        store.idempotency_begin("u", "k", t0()).await.unwrap(),
        IdempotencyState::Started
    );
    assert_eq!(
        store.idempotency_begin("u", "k", t0()).await.unwrap(),
        IdempotencyState::InProgress
    );
    assert_eq!(
        store.idempotency_begin("v", "k", t0()).await.unwrap(),
        IdempotencyState::Started,
        "scoped per caller"
    );
    store.idempotency_finish("u", "k", 201, "{}").await.unwrap();
    assert_eq!(
        store.idempotency_begin("u", "k", t0()).await.unwrap(),
        IdempotencyState::Done {
            status: 201,
            body: "{}".into()
        }
    );
    store.idempotency_abort("v", "k").await.unwrap();
    assert_eq!(
        store.idempotency_begin("v", "k", t0()).await.unwrap(),
        IdempotencyState::Started,
        "an aborted key is free again"
    );
}

/// The read-only lookups behind `ValidationFacts` (issue 3).
async fn validation_facts(store: SqlStore) {
    let fx = Fx::new(store).await;
    for appid in ["wx1", "wx2"] {
        fx.app(appid).await;
    }
    let actor = Actor::Applicant("u1".into());
    let (a, b) = ("1:91440300708461136T", "1:91110108MA01ABC17L");
    // Subject A files wx1; its document keeps the mobile as typed.
    let mut doc = enterprise_document(
        "深圳市星河科技有限公司",
        "91440300708461136T",
        "星河记账",
        "face",
        "m",
    );
    doc.subject_principal.mobile = Some("+86 138-0013-8000".into());
    let f1 = fx.draft_with("f1", "wx1", doc).await;
    let f1 = fx.run(&f1, submit_cmd(), &actor).await.unwrap();
    let mobile = vec!["13800138000".to_string()];
    // Open (in review): another subject sees the mobile as used, the subject itself not.
    assert_eq!(fx.mobiles_elsewhere(&mobile, b).await, mobile);
    assert_eq!(fx.mobiles_elsewhere(&mobile, a).await, Vec::<String>::new());
    let open = fx.open_orders(a, "f9").await;
    assert_eq!(
        open.iter()
            .map(|o| (o.id.as_str(), o.province.as_deref()))
            .collect::<Vec<_>>(),
        vec![("f1", Some("44"))]
    );
    assert!(fx.open_orders(a, "f1").await.is_empty());
    assert_eq!(fx.store.submissions_since("wx1", t0()).await.unwrap(), 1);
    assert_eq!(
        fx.store
            .submissions_since("wx1", t0() + Duration::hours(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(fx.store.submissions_since("wx2", t0()).await.unwrap(), 0);

    // Filed: the active record keeps the mobile and the service name.
    let reviewer = Actor::PlatformReviewer("r1".into());
    let f1 = fx
        .run(
            &f1,
            Command::PlatformApprove {
                codes: vec!["111111".into()],
            },
            &reviewer,
        )
        .await
        .unwrap();
    let verify = Command::SmsVerify {
        mobile: "13800138000".into(),
        last6: "311238".into(),
        code: "111111".into(),
    };
    let f1 = fx
        .run(&f1, verify, &Actor::Recipient("138****8000".into()))
        .await
        .unwrap();
    let (before, rules) = (f1.clone(), fx.rules.clone());
    let approve: NumberedCommit = Box::new(move |n: IssuedNumbers| {
        let actor = Actor::AuthorityReviewer("g1".into());
        let cmd = Command::AuthorityApprove { numbers: Some(n) };
        decide_under(&rules, &before, cmd, &actor)
    });
    fx.store
        .commit_with_numbers(number_request(a), approve)
        .await
        .unwrap();
    assert!(fx.open_orders(a, "f9").await.is_empty());
    assert_eq!(fx.mobiles_elsewhere(&mobile, b).await, mobile);
    let unused = vec!["13900139000".to_string()];
    assert!(fx.mobiles_elsewhere(&unused, b).await.is_empty());
    assert_eq!(
        fx.store.active_service_names(a, "wx2").await.unwrap(),
        vec!["星河记账".to_string()]
    );
    assert!(fx
        .store
        .active_service_names(a, "wx1")
        .await
        .unwrap()
        .is_empty());

    // Media: unknown ids are left out; the declared certificate type comes back.
    let media = MediaRow {
        id: "m1".into(),
        owner_id: "u1".into(),
        purpose: "certificate_front".into(),
        content_type: "image/png".into(),
        size: 1,
        sha256: "0".into(),
        width: Some(720),
        height: Some(1280),
        checks: serde_json::json!([
            {"code": "IMAGE_BLURRY", "ok": false, "message": "照片不清晰"},
            {"code": "RESOLUTION", "ok": true, "message": ""}
        ]),
        created_at: t0(),
    };
    fx.store.insert_media(&media).await.unwrap();
    fx.store.set_media_certificate_type("m1", 2).await.unwrap();
    // A photo's reading: none of the certificate purposes' uploads has one yet.
    assert_eq!(unread_fronts(&fx).await, vec![(media.clone(), Some(2))]);
    let reading = id_reading();
    fx.store.set_media_reading("m1", &reading).await.unwrap();
    assert!(unread_fronts(&fx).await.is_empty());
    assert_eq!(
        fx.store.media_readings(&["m1".into()]).await.unwrap(),
        vec![("m1".to_string(), reading.clone())]
    );
    // Retention: readings of uploads before the cut-off go, once; the photo is not read again.
    assert_eq!(fx.store.erase_readings(t0()).await.unwrap(), 0);
    let later = t0() + Duration::days(31);
    fx.store
        .insert_media(&MediaRow {
            id: "m-old".into(),
            ..media.clone()
        })
        .await
        .unwrap();
    fx.store.set_media_reading("m-old", &reading).await.unwrap();
    assert_eq!(fx.store.erase_readings(later).await.unwrap(), 2);
    assert_eq!(fx.store.erase_readings(later).await.unwrap(), 0);
    assert!(fx
        .store
        .media_readings(&["m-old".into()])
        .await
        .unwrap()
        .is_empty());
    assert!(unread_fronts(&fx).await.is_empty());
    fx.store.set_media_reading("m1", &reading).await.unwrap();
    let info = fx
        .store
        .media_info(&["m1".into(), "nope".into()])
        .await
        .unwrap();
    assert_eq!(
        info,
        vec![MediaInfo {
            id: "m1".into(),
            owner_id: "u1".into(),
            content_type: "image/png".into(),
            certificate_type: Some(2),
            failed_checks: vec!["IMAGE_BLURRY".into()],
            reading: Some(reading.clone()),
        }]
    );
    assert!(fx.store.media_info(&[]).await.unwrap().is_empty());

    // All of it in one statement gives what the reads one by one give (issue 7).
    let task = face_task();
    fx.store.insert_face_task(&task).await.unwrap();
    let full = FactsQuery {
        appid: Some("wx2".into()),
        face_task: Some("face".into()),
        subject_key: Some(a.into()),
        except_filing: "f2".into(),
        quota: true,
        mobiles: vec!["13800138000".into(), "13900139000".into()],
        media: vec!["m1".into(), "nope".into()],
        submissions_since: Some(t0()),
    };
    let queries = [
        full.clone(),
        // From the other subject: the mobile is used elsewhere, no names, no record.
        FactsQuery {
            subject_key: Some(b.into()),
            ..full.clone()
        },
        // The filed app itself, no quota, no daily count.
        FactsQuery {
            appid: Some("wx1".into()),
            except_filing: "f1".into(),
            quota: false,
            submissions_since: None,
            ..full.clone()
        },
        // Unknown everything.
        FactsQuery {
            appid: Some("wx9".into()),
            face_task: Some("none".into()),
            subject_key: Some("1:none".into()),
            media: vec!["nope".into()],
            ..FactsQuery::default()
        },
        FactsQuery::default(),
    ];
    for q in &queries {
        let one = fx.store.submission_facts(q).await.unwrap();
        let reference = facts_one_by_one(&fx.store, q).await.unwrap();
        assert_eq!(one, reference, "{q:?}");
    }
    // The full query found every part (so the comparison above compared something).
    let one = fx.store.submission_facts(&full).await.unwrap();
    assert_eq!(one.app.as_ref().map(|a| a.appid.as_str()), Some("wx2"));
    assert_eq!(
        one.face_task.as_ref().map(|t| t.status.as_str()),
        Some("succeeded")
    );
    assert_eq!(one.quota_used, Some(1));
    assert_eq!(
        one.subject_record.as_ref().map(|r| r.province.as_str()),
        Some("44")
    );
    assert_eq!(one.service_names, vec!["星河记账".to_string()]);
    assert_eq!(one.app_filed, Some(false));
    assert_eq!(one.submissions, Some(0));
    assert_eq!(one.media.len(), 1);
    let other = fx.store.submission_facts(&queries[1]).await.unwrap();
    assert_eq!(other.mobiles_elsewhere, vec!["13800138000".to_string()]);
    let filed = fx.store.submission_facts(&queries[2]).await.unwrap();
    assert_eq!(filed.app_filed, Some(true));
}

/// A commit's writes go as one script on SQLite (parameters numbered across it). Text
/// that looks like SQL or like parameter marks comes back byte for byte, and a stale
/// commit still writes nothing.
async fn a_commit_keeps_any_text(store: SqlStore) {
    let fx = Fx::new(store).await;
    fx.app("wx1").await;
    let f = fx.draft("f1", "wx1", "91440300708461136T").await;
    let nasty = "it's $v$ $v0$ $$ $1 \\ '); DROP TABLE filings; -- 星河\n";
    let actor = Actor::Applicant("u1".into());
    let mut c = fx.decide(&f, submit_cmd(), &actor).unwrap();
    c.notices = vec![beian_domain::notify::Notice {
        channel: beian_domain::notify::Channel::Inbox,
        to: "u1".into(),
        template: "t".into(),
        title: nasty.into(),
        body: format!("{nasty}{nasty}"),
        params: Default::default(),
        filing_id: Some("f1".into()),
        appid: None,
    }];
    let stale = c.clone();
    fx.store.commit(c).await.unwrap();
    let inbox = fx.store.inbox("u1", None, 10).await.unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].title, nasty);
    assert_eq!(inbox[0].body, format!("{nasty}{nasty}"));
    assert_eq!(inbox[0].appid, None);
    assert_eq!(fx.store.events("f1").await.unwrap().len(), 3);
    assert!(matches!(
        fx.store.commit(stale).await,
        Err(StoreError::VersionConflict)
    ));
    assert_eq!(fx.store.inbox("u1", None, 10).await.unwrap().len(), 1);
    assert_eq!(fx.store.events("f1").await.unwrap().len(), 3);
}

/// Commits sent at once, as concurrent requests send them, and their answers by label.
async fn commit_at_once(
    store: &SqlStore,
    commits: Vec<(&'static str, Commit)>,
) -> std::collections::BTreeMap<&'static str, StoreResult<()>> {
    let mut set = tokio::task::JoinSet::new();
    for (label, c) in commits {
        let store = store.clone();
        set.spawn(async move { (label, store.commit(c).await) });
    }
    let mut out = std::collections::BTreeMap::new();
    while let Some(done) = set.join_next().await {
        let (label, result) = done.unwrap();
        out.insert(label, result);
    }
    out
}

/// Commits arriving together (SQLite writes them as one group, in one transaction) each
/// get the answer they would get alone: the fresh ones are written, the second of two
/// decisions on one version loses, and a commit breaking the one-open-order rule is
/// refused without taking the rest of its group down with it.
async fn commits_at_once_answer_each(store: SqlStore) {
    let fx = Fx::new(store).await;
    let actor = Actor::Applicant("u1".into());
    let mut drafts = vec![];
    for i in 1..=8 {
        let (id, appid) = (format!("f{i}"), format!("wx{i}"));
        fx.app(&appid).await;
        drafts.push(fx.draft(&id, &appid, "91440300708461136T").await);
    }
    let save = |f: &Filing| {
        let document = Box::new(f.document_or_default());
        fx.decide(f, Command::Save { document }, &actor).unwrap()
    };
    // A group without a constraint broken: f1 twice on the same version, f2-f6 once.
    let labels = ["f1", "f2", "f3", "f4", "f5", "f6"];
    let mut first: Vec<(&'static str, Commit)> = labels
        .iter()
        .zip(&drafts)
        .map(|(l, f)| (*l, save(f)))
        .collect();
    first.push(("f1 again", save(&drafts[0])));
    let answers = commit_at_once(&fx.store, first).await;
    let f1_won = [&answers["f1"], &answers["f1 again"]]
        .iter()
        .filter(|r| r.is_ok())
        .count();
    assert_eq!(f1_won, 1, "{answers:?}");
    assert!(
        [&answers["f1"], &answers["f1 again"]]
            .iter()
            .any(|r| matches!(r, Err(StoreError::VersionConflict))),
        "{answers:?}"
    );
    for l in &labels[1..] {
        assert!(answers[l].is_ok(), "{l}: {answers:?}");
    }
    // A group with f7 and f8 submitted for one subject, and f2 saved again: one
    // submission is refused as SUBJECT_BUSY, the other and the save are written.
    let f2 = fx.store.filing("f2").await.unwrap().unwrap();
    let second = vec![
        ("f7", fx.decide(&drafts[6], submit_cmd(), &actor).unwrap()),
        ("f8", fx.decide(&drafts[7], submit_cmd(), &actor).unwrap()),
        ("f2", save(&f2)),
    ];
    let answers = commit_at_once(&fx.store, second).await;
    assert!(answers["f2"].is_ok(), "{answers:?}");
    let busy = [&answers["f7"], &answers["f8"]];
    assert_eq!(busy.iter().filter(|r| r.is_ok()).count(), 1, "{answers:?}");
    assert!(
        busy.iter()
            .any(|r| matches!(r, Err(StoreError::SubjectBusy))),
        "{answers:?}"
    );
    // What is stored matches the answers: one version per accepted commit, and an
    // event for each version.
    let expected = [
        ("f1", drafts[0].version + 1),
        ("f2", drafts[1].version + 2),
        ("f3", drafts[2].version + 1),
        ("f6", drafts[5].version + 1),
    ];
    for (id, version) in expected {
        let stored = fx.store.filing(id).await.unwrap().unwrap();
        assert_eq!(stored.version, version, "{id}");
        assert_eq!(
            fx.store.events(id).await.unwrap().len() as i64,
            version,
            "{id}"
        );
    }
    let mut statuses = vec![];
    for id in ["f7", "f8"] {
        let stored = fx.store.filing(id).await.unwrap().unwrap();
        statuses.push(stored.status.as_str().to_string());
    }
    statuses.sort();
    assert_eq!(statuses, ["draft", "platform_review"]);
}

// --- personal data at rest (issue 16) ---

/// The succeeded face task `face` of order `f1`, for the principal of
/// `enterprise_document`.
fn face_task() -> FaceTaskRow {
    FaceTaskRow {
        id: "face".into(),
        filing_id: "f1".into(),
        owner_id: "u1".into(),
        status: "succeeded".into(),
        created_at: t0(),
        identity_type: Some(2),
        identity_number: Some("440300198512311238".into()),
        name: Some("张三".into()),
        photo: None,
        consumed_by: None,
    }
}

/// The mobile, certificate number and name the at-rest tests look for.
/// (The subject principal of `enterprise_document`.)
const MOBILE: &str = "13800138000";
const ID_NUMBER: &str = "440300198512311238";
const NAME: &str = "张三";

/// An order of `u1` with a principal's mobile, identity and name, submitted and
/// approved by the platform (so an SMS and its look-up exist), its face task and a
/// cached idempotent answer holding the same data.
async fn personal_order(fx: &Fx) -> Filing {
    fx.app("wx1").await;
    let f = fx.draft("f1", "wx1", "91440300708461136T").await;
    let task = face_task();
    fx.store.insert_face_task(&task).await.unwrap();
    let actor = Actor::Applicant("u1".into());
    let f = fx.run(&f, submit_cmd(), &actor).await.unwrap();
    let reviewer = Actor::PlatformReviewer("r1".into());
    let approve = Command::PlatformApprove {
        codes: vec!["111111".into()],
    };
    // The code SMS of the approval, as the application layer adds it, and a notice SMS
    // of no order (sealed with the system key).
    let mut c = fx.decide(&f, approve, &reviewer).unwrap();
    let params: std::collections::BTreeMap<String, String> =
        [("code".to_string(), "111111".to_string())].into();
    c.sms = vec![OutboundSms {
        mobile: MOBILE.into(),
        body: format!("{NAME}，验证码 111111"),
        template: "verification_code".into(),
        params: params.clone(),
    }];
    let f = c.filing.clone();
    fx.store.commit(c).await.unwrap();
    let notice = beian_domain::notify::Notice {
        channel: beian_domain::notify::Channel::Sms,
        to: MOBILE.into(),
        template: "account".into(),
        title: String::new(),
        body: format!("{NAME}，您的账号已开通"),
        params,
        filing_id: None,
        appid: None,
    };
    fx.store.insert_notices(&[notice], t0()).await.unwrap();
    let body = format!("{{\"mobile\":\"{MOBILE}\",\"name\":\"{NAME}\"}}");
    fx.store.idempotency_begin("u1", "k", t0()).await.unwrap();
    fx.store
        .idempotency_finish("u1", "k", 200, &body)
        .await
        .unwrap();
    fx.store
        .sms_count_daily(MOBILE, "2026-03-02", 10)
        .await
        .unwrap();
    // The reading of the principal's ID photo holds the name and number too.
    let photo = MediaRow {
        id: "m-id".into(),
        owner_id: "u1".into(),
        purpose: "certificate_front".into(),
        content_type: "image/png".into(),
        size: 1,
        sha256: "1".into(),
        width: Some(1280),
        height: Some(808),
        checks: serde_json::json!([]),
        created_at: t0(),
    };
    fx.store.insert_media(&photo).await.unwrap();
    fx.store
        .set_media_reading("m-id", &id_reading())
        .await
        .unwrap();
    f
}

/// The ID fronts uploaded since `t0` that have no reading.
async fn unread_fronts(fx: &Fx) -> Vec<(MediaRow, Option<i64>)> {
    fx.store
        .media_unread(&["certificate_front"], t0(), 10)
        .await
        .unwrap()
}

/// What a photo of [`NAME`]'s ID card reads.
fn id_reading() -> beian_domain::ocr::Reading {
    use beian_domain::ocr::{CardKind, FieldName, ReadField};
    let field = |f, v: &str| ReadField {
        field: f,
        value: v.into(),
        confidence: 0.9,
        area: None,
        checked: false,
    };
    beian_domain::ocr::Reading {
        kind: CardKind::IdFront,
        fields: vec![
            field(FieldName::Name, NAME),
            field(FieldName::Number, ID_NUMBER),
        ],
        rotation: 0,
        skew: 0.0,
        elapsed_ms: 700,
        error: None,
    }
}

/// The subject of the filed order of the at-rest tests (its key in clear).
const FILED_SUBJECT: &str = "1:91110108MA01ABC17L";

/// Order `f2` of app `wx2`, filed for the subject [`FILED_SUBJECT`]: a subject record
/// and a service record exist.
async fn filed_order(fx: &Fx) {
    fx.app("wx2").await;
    let f = fx.draft("f2", "wx2", "91110108MA01ABC17L").await;
    let f = fx
        .run(&f, submit_cmd(), &Actor::Applicant("u1".into()))
        .await
        .unwrap();
    let approve = Command::PlatformApprove {
        codes: vec!["111111".into()],
    };
    let reviewer = Actor::PlatformReviewer("r1".into());
    let f = fx.run(&f, approve, &reviewer).await.unwrap();
    let verify = Command::SmsVerify {
        mobile: MOBILE.into(),
        last6: "311238".into(),
        code: "111111".into(),
    };
    let recipient = Actor::Recipient("138****8000".into());
    let f = fx.run(&f, verify, &recipient).await.unwrap();
    let rules = fx.rules.clone();
    let approve: NumberedCommit = Box::new(move |n: IssuedNumbers| {
        let actor = Actor::AuthorityReviewer("g1".into());
        let cmd = Command::AuthorityApprove { numbers: Some(n) };
        decide_under(&rules, &f, cmd, &actor)
    });
    let mut req = number_request(FILED_SUBJECT);
    req.filing_id = "f2".into();
    fx.store.commit_with_numbers(req, approve).await.unwrap();
}

/// The filed subject is found by its key in clear, stored under its blind index.
async fn subject_found(fx: &Fx, url: &str) {
    let s = &fx.store;
    let record = s.service_record("wx2").await.unwrap().unwrap();
    assert_eq!(record.subject_key, FILED_SUBJECT);
    let subject = s.subject_record(FILED_SUBJECT).await.unwrap().unwrap();
    assert_eq!(subject.subject_key, FILED_SUBJECT);
    assert_eq!(s.quota_used(FILED_SUBJECT, "none").await.unwrap(), 1);
    let open = fx.open_orders("1:91440300708461136T", "f9").await;
    assert_eq!(open.len(), 1, "f1 is open: {open:?}");
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    for sql in [
        "SELECT subject_key FROM filings WHERE subject_key IS NOT NULL",
        "SELECT subject_key FROM subject_records",
        "SELECT subject_key FROM service_records",
    ] {
        let keys: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&pool).await.unwrap();
        assert!(!keys.is_empty(), "{sql}");
        assert!(
            keys.iter().all(|(k,)| k.starts_with("b1:")),
            "{sql}: {keys:?}"
        );
    }
    pool.close().await;
}

/// What the store reads back is what was written, in clear.
async fn reads_back_in_clear(fx: &Fx, f: &Filing) {
    let s = &fx.store;
    let back = s.filing("f1").await.unwrap().unwrap();
    let principal = &back.document.as_ref().unwrap().subject_principal;
    assert_eq!(principal.mobile.as_deref(), Some(MOBILE));
    assert_eq!(back.version, f.version);
    let events = s.events("f1").await.unwrap();
    assert_eq!(events.len() as i64, f.version);
    assert_eq!(s.filings_awaiting_sms(MOBILE).await.unwrap(), vec!["f1"]);
    let sms = s.outbox_list(Some(MOBILE), 10).await.unwrap();
    assert!(!sms.is_empty() && sms.iter().all(|m| m.mobile == MOBILE));
    let task = s.face_task("face").await.unwrap().unwrap();
    assert_eq!(
        (task.identity_number.as_deref(), task.name.as_deref()),
        (Some(ID_NUMBER), Some(NAME))
    );
    match s.idempotency_begin("u1", "k", t0()).await.unwrap() {
        IdempotencyState::Done { body, .. } => assert!(body.contains(MOBILE)),
        other => panic!("{other:?}"),
    }
    // The cross-subject rule finds the mobile through its blind index.
    let elsewhere = fx
        .mobiles_elsewhere(&[MOBILE.to_string()], "1:91110108MA01ABC17L")
        .await;
    assert_eq!(elsewhere, vec![MOBILE.to_string()]);
}

/// The personal columns as stored, one string per value.
async fn stored_personal_values(url: &str) -> Vec<String> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let mut out = vec![];
    for sql in [
        "SELECT state FROM filings",
        "SELECT body FROM filing_events",
        "SELECT mobile FROM sms_outbox",
        "SELECT body FROM sms_outbox",
        "SELECT params FROM sms_outbox WHERE params IS NOT NULL",
        "SELECT mobile FROM sms_lookup",
        "SELECT mobile FROM sms_daily_counts",
        "SELECT identity_number FROM face_tasks",
        "SELECT name FROM face_tasks",
        "SELECT body FROM idempotency WHERE body IS NOT NULL",
        "SELECT reading FROM media WHERE reading IS NOT NULL",
    ] {
        let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&pool).await.unwrap();
        assert!(!rows.is_empty(), "{sql} found nothing to check");
        out.extend(rows.into_iter().map(|(v,)| v));
    }
    pool.close().await;
    out
}

/// A person's name, for an individual's subject record.
const PERSON: &str = "欧阳娜娜";

fn assert_nothing_in_clear(values: &[String]) {
    for v in values {
        for secret in [MOBILE, ID_NUMBER, NAME, PERSON] {
            assert!(!v.contains(secret), "{secret} in clear: {v:.120}");
        }
    }
}

/// Every personal column is sealed (or a blind index) in the database, and read back.
async fn sealed_at_rest(url: String) {
    let (fx, f) = with_personal_order(&url).await;
    filed_order(&fx).await;
    reads_back_in_clear(&fx, &f).await;
    subject_found(&fx, &url).await;
    let stored = stored_personal_values(&url).await;
    assert_nothing_in_clear(&stored);
    assert!(
        stored.iter().any(|v| v.starts_with("e1:f1:")),
        "sealed with the order's key"
    );
    // Another master key does not open this database.
    let other = std::sync::Arc::new(beian_store::vault::Vault::new(
        beian_store::vault::MasterKey {
            id: "other".into(),
            wrap: [9; 32],
        },
        vec![],
    ));
    refused(&url, other, "test-master").await;
}

/// Opening `url` with `vault` is refused: its data keys are wrapped by `wrapped_by`.
async fn refused(url: &str, vault: std::sync::Arc<beian_store::vault::Vault>, wrapped_by: &str) {
    match SqlStore::connect(url, t0(), vault).await {
        Err(StoreError::Vault(beian_store::vault::VaultError::OtherMaster(_, id))) => {
            assert_eq!(id, wrapped_by)
        }
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("opened with a key that does not wrap its data keys"),
    }
}

/// A store on `url` with the test keys, and its order [`personal_order`].
async fn with_personal_order(url: &str) -> (Fx, Filing) {
    let store = SqlStore::connect(url, t0(), common::vault()).await.unwrap();
    let fx = Fx::new(store).await;
    let f = personal_order(&fx).await;
    (fx, f)
}

/// A database written in clear (by an earlier version) is sealed when opened, and
/// reads and look-ups work as before.
async fn sealed_when_opened(url: String) {
    let (fx, f) = with_personal_order(&url).await;
    filed_order(&fx).await;
    let events = fx.store.events("f1").await.unwrap();
    drop(fx);
    // Back to what the earlier version wrote: every value in clear, no blind index.
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let state = serde_json::to_string(&f).unwrap();
    let clear = [
        (
            "UPDATE filings SET state = $1, sp_mobile = NULL, mp_mobile = NULL",
            state,
        ),
        (
            "UPDATE face_tasks SET identity_number = $1",
            ID_NUMBER.to_string(),
        ),
        ("UPDATE face_tasks SET name = $1", NAME.to_string()),
        (
            "UPDATE sms_outbox SET mobile = $1, mobile_index = NULL",
            MOBILE.to_string(),
        ),
        ("UPDATE sms_lookup SET mobile = $1", MOBILE.to_string()),
        (
            "UPDATE sms_daily_counts SET mobile = $1",
            MOBILE.to_string(),
        ),
        (
            "UPDATE idempotency SET body = $1",
            format!("{{\"m\":\"{MOBILE}\"}}"),
        ),
    ];
    for (sql, v) in clear {
        sqlx::query(sql).bind(v).execute(&pool).await.unwrap();
    }
    for (i, e) in events.iter().enumerate() {
        sqlx::query("UPDATE filing_events SET body = $1 WHERE filing_id = 'f1' AND seq = $2")
            .bind(serde_json::to_string(e).unwrap())
            .bind(i as i64 + 1)
            .execute(&pool)
            .await
            .unwrap();
    }
    // Subject keys in clear: a subject record and its service record change together.
    let mut tx = pool.begin().await.unwrap();
    let defer = if url.starts_with("postgres") {
        "SET CONSTRAINTS ALL DEFERRED"
    } else {
        "PRAGMA defer_foreign_keys = ON"
    };
    sqlx::query(defer).execute(&mut *tx).await.unwrap();
    for sql in [
        "UPDATE subject_records SET subject_key = $1",
        "UPDATE service_records SET subject_key = $1",
    ] {
        sqlx::query(sql)
            .bind(FILED_SUBJECT)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    sqlx::query("UPDATE filings SET subject_key = $1, open_subject_key = $1 WHERE id = 'f1'")
        .bind("1:91440300708461136T")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("UPDATE filings SET subject_key = $1 WHERE id = 'f2'")
        .bind(FILED_SUBJECT)
        .execute(&mut *tx)
        .await
        .unwrap();
    // The filed subject as an individual's, its name and the app owner's in clear.
    sqlx::query("UPDATE subject_records SET nature = 5, subject_name = $1, sealed_name = NULL")
        .bind(PERSON)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("UPDATE apps SET owner_name = $1")
        .bind(PERSON)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    sqlx::query("DELETE FROM settings WHERE name = 'sealed_v1'")
        .execute(&pool)
        .await
        .unwrap();
    assert!(stored_personal_values(&url)
        .await
        .iter()
        .any(|v| v.contains(MOBILE)));
    let store = SqlStore::connect(&url, t0(), common::vault())
        .await
        .unwrap();
    let fx = Fx {
        store,
        rules: Rules::embedded(),
    };
    assert_nothing_in_clear(&stored_personal_values(&url).await);
    if let Some(file) = url.strip_prefix("sqlite://") {
        // Nor in the file's free pages or the WAL.
        let db = std::path::PathBuf::from(file.split('?').next().unwrap());
        for path in [db.clone(), db.with_extension("db-wal")] {
            let bytes = std::fs::read(&path).unwrap_or_default();
            for secret in [MOBILE, ID_NUMBER, PERSON] {
                let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
                assert!(!found, "{secret} in {}", path.display());
            }
        }
    }
    reads_back_in_clear(&fx, &f).await;
    subject_found(&fx, &url).await;
    assert_eq!(fx.store.events("f1").await.unwrap(), events);
    // A person's name: masked where the public query reads it, whole for the store's readers.
    let subject = fx
        .store
        .subject_record(FILED_SUBJECT)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(subject.subject_name, PERSON);
    let app = fx.store.app("wx2").await.unwrap().unwrap();
    assert_eq!(app.owner_name.as_deref(), Some(PERSON));
    let (shown, sealed): (String, String) =
        sqlx::query_as("SELECT subject_name, sealed_name FROM subject_records")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(shown, "欧***");
    let (owner,): (String,) = sqlx::query_as("SELECT owner_name FROM apps WHERE appid = 'wx2'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_nothing_in_clear(&[sealed, owner]);
    pool.close().await;
}

fn master(id: &str, byte: u8) -> beian_store::vault::MasterKey {
    beian_store::vault::MasterKey {
        id: id.into(),
        wrap: [byte; 32],
    }
}

/// Rotation: with the new master key and the previous one, every data key is wrapped
/// again, batch by batch; then the new key alone reads everything and the old one
/// nothing.
async fn keys_rotate(url: String) {
    use beian_store::vault::Vault;
    use std::sync::Arc;
    let (fx, f) = with_personal_order(&url).await;
    filed_order(&fx).await;
    drop(fx);
    let both = Vault::new(master("second", 8), vec![master("test-master", 7)]);
    let store = SqlStore::connect(&url, t0(), Arc::new(both)).await.unwrap();
    let before = store.keys_to_rotate().await.unwrap();
    assert!(
        before >= 4,
        "order keys, the system and index keys: {before}"
    );
    // Not all rotated yet: the database keeps its master key.
    assert_eq!(store.rotate_keys(1).await.unwrap(), 1);
    assert_eq!(store.keys_to_rotate().await.unwrap(), before - 1);
    assert_eq!(store.adopt_master_key().await.unwrap(), before - 1);
    while store.rotate_keys(2).await.unwrap() > 0 {}
    assert_eq!(store.adopt_master_key().await.unwrap(), 0);
    assert_eq!(store.claim_key_id("x").await.unwrap(), "second");
    drop(store);
    let alone = Vault::new(master("second", 8), vec![]);
    let store = SqlStore::connect(&url, t0(), Arc::new(alone))
        .await
        .unwrap();
    let fx = Fx {
        store,
        rules: Rules::embedded(),
    };
    reads_back_in_clear(&fx, &f).await;
    subject_found(&fx, &url).await;
    refused(&url, common::vault(), "second").await;
}

/// Erasure: the order's data key destroyed and its state redacted, once; what was sealed
/// with the key reads no more, the links still verify, and the store opens again.
async fn an_erased_order_stays_verifiable(url: String) {
    let (fx, f) = with_personal_order(&url).await;
    let s = &fx.store;
    assert!(s.erase_order(&f.redacted(), t0()).await.unwrap());
    assert!(!s.erase_order(&f.redacted(), t0()).await.unwrap(), "once");
    let kept = s.filing("f1").await.unwrap().unwrap();
    assert_eq!((kept.status, kept.version), (f.status, f.version));
    assert!(kept.document.is_none() && kept.sms.is_none() && kept.subject_key.is_none());
    assert!(s.events("f1").await.unwrap().is_empty());
    assert!(s.filings_awaiting_sms(MOBILE).await.unwrap().is_empty());
    assert!(s
        .outbox_list(Some(MOBILE), 10)
        .await
        .unwrap()
        .iter()
        .all(|m| m.filing_id.is_none()));
    let task = s.face_task("face").await.unwrap().unwrap();
    assert_eq!((task.identity_number, task.name), (None, None));
    let chain = s.audit_chain("f1").await.unwrap().unwrap();
    assert!(chain.erased);
    beian_domain::audit::verify_erased(&chain.events, &chain.head, chain.version).unwrap();
    // A deleted event is still found.
    let short = &chain.events[..chain.events.len() - 1];
    assert!(beian_domain::audit::verify_erased(short, &chain.head, chain.version).is_err());
    let rows = s
        .retention_candidates(t0() + chrono::Duration::days(1))
        .await
        .unwrap();
    assert!(rows.iter().any(|r| r.filing_id == "f1" && r.erased));
    drop(fx);
    // Opening again, even with the sealing of clear values to do, leaves it as it is.
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    sqlx::query("DELETE FROM settings WHERE name = 'sealed_v1'")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let store = SqlStore::connect(&url, t0(), common::vault())
        .await
        .unwrap();
    assert!(store
        .filing("f1")
        .await
        .unwrap()
        .unwrap()
        .document
        .is_none());
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let (state,): (String,) = sqlx::query_as("SELECT state FROM filings WHERE id = 'f1'")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert_nothing_in_clear(&[state]);
}

both_urls!(
    "beian_store";
    sealed_at_rest,
    sealed_when_opened,
    keys_rotate,
    an_erased_order_stays_verifiable,
);
