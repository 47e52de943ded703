//! `beian seed --filings N`: fills a database with realistic orders for
//! benchmarks and demos at scale.
//!
//! Every order goes through the real domain (`Filing::create`, `decide`,
//! `apply` and `record_effects`, via `commands::build_commit`) and is written by
//! `Store::seed_batch`, which runs the same row writers as the single commit
//! path (projection, events, timers, SMS lookup, records, number counters,
//! outbox, notices) with many orders per transaction.

use beian_domain::filing::{
    mask_mobile, Actor, CancelReason, CancelType, Command, Event, Filing, Kind, Reason,
    RecordFacts, Time,
};
use beian_domain::fixtures::enterprise_document;
use beian_domain::ids::{CreditCode, OrgCode};
use beian_domain::validate::{FaceFacts, ValidationFacts};
use beian_server::commands::{build_commit, numbered_approval};
use beian_server::state::AppState;
use beian_store::{AppRow, FaceTaskRow, MediaRow, Preconditions, SeedOp, UserRow};
use chrono::Duration;

mod names;

/// The SMS code of every seeded round, so benchmarks can verify.
pub const SEED_SMS_CODE: &str = "246810";
/// The password of every seeded account.
pub const SEED_PASSWORD: &str = "seed-password";
/// Orders written per transaction.
const BATCH: usize = 500;
/// Applications per applicant account.
const APPS_PER_OWNER: u64 = 20;

/// (province, city, district, city name) of one city per province, from
/// data/reference/regions.json.
const PROVINCES: [(&str, &str, &str, &str); 31] = [
    ("110000", "110100", "110101", "北京市"),
    ("120000", "120100", "120101", "天津市"),
    ("130000", "130100", "130102", "石家庄市"),
    ("140000", "140100", "140105", "太原市"),
    ("150000", "150100", "150102", "呼和浩特市"),
    ("210000", "210100", "210102", "沈阳市"),
    ("220000", "220100", "220102", "长春市"),
    ("230000", "230100", "230102", "哈尔滨市"),
    ("310000", "310100", "310101", "上海市"),
    ("320000", "320100", "320102", "南京市"),
    ("330000", "330100", "330102", "杭州市"),
    ("340000", "340100", "340102", "合肥市"),
    ("350000", "350100", "350102", "福州市"),
    ("360000", "360100", "360102", "南昌市"),
    ("370000", "370100", "370102", "济南市"),
    ("410000", "410100", "410102", "郑州市"),
    ("420000", "420100", "420102", "武汉市"),
    ("430000", "430100", "430102", "长沙市"),
    ("440000", "440100", "440103", "广州市"),
    ("450000", "450100", "450102", "南宁市"),
    ("460000", "460100", "460105", "海口市"),
    ("500000", "500100", "500101", "重庆市"),
    ("510000", "510100", "510104", "成都市"),
    ("520000", "520100", "520102", "贵阳市"),
    ("530000", "530100", "530102", "昆明市"),
    ("540000", "540100", "540102", "拉萨市"),
    ("610000", "610100", "610102", "西安市"),
    ("620000", "620100", "620102", "兰州市"),
    ("630000", "630100", "630102", "西宁市"),
    ("640000", "640100", "640104", "银川市"),
    ("650000", "650100", "650102", "乌鲁木齐市"),
];

/// How far a new order goes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Stage {
    Draft,
    PlatformReview,
    PlatformRejected,
    Withdrawn,
    SmsVerification,
    AuthorityReview,
    AuthorityRejected,
    Filed,
}

/// What to seed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Profile {
    /// Every stage, kind and province, in realistic proportions.
    Mixed,
    /// Every order in SMS verification with its deadline already passed: the
    /// timer benchmark (N expiries due at once).
    SmsExpired,
    /// Every order filed: added with `--start` to a mixed database, it brings the
    /// public query to a given number of filed services (BENCHMARKS.md measures 1 M).
    Filed,
    /// Every order in authority review, verified minutes before the seed's clock: its
    /// 20-working-day due date is provisional when it runs into a projected year (seed with
    /// `--clock-start` in December before such a year). The calendar benchmark:
    /// a loaded notice recomputes every one of them.
    Provisional,
}

/// The seeding options.
pub struct SeedArgs {
    pub filings: u64,
    pub profile: Profile,
    /// First index; lets a second run add to a seeded database.
    pub start: u64,
    pub progress: bool,
}

/// What was written.
#[derive(Debug, Default)]
pub struct SeedSummary {
    pub new_orders: u64,
    pub change_orders: u64,
    pub cancel_orders: u64,
}

/// The stage of new order `i` in the mixed profile (deterministic).
fn stage_of(i: u64) -> Stage {
    match mix(i) % 100 {
        0..=7 => Stage::Draft,
        8..=22 => Stage::PlatformReview,
        23..=27 => Stage::PlatformRejected,
        28..=29 => Stage::Withdrawn,
        30..=37 => Stage::SmsVerification,
        38..=45 => Stage::AuthorityReview,
        46..=47 => Stage::AuthorityRejected,
        _ => Stage::Filed,
    }
}

/// A cheap deterministic scramble, so stages do not follow provinces.
fn mix(i: u64) -> u64 {
    let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 29;
    x.wrapping_mul(0xBF58_476D_1CE4_E5B9) >> 32
}

/// ISO 7064 MOD 11-2 check character of a resident ID's first 17 digits.
fn resident_check(first17: &str) -> char {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    b"10X98765432"[(sum % 11) as usize] as char
}

/// A face verification the principal passed at `at`, and the validation facts a
/// submission of the seeded order reads with it.
fn passed_face(
    who: &Identity,
    face_id: String,
    filing_id: String,
    owner_id: String,
    name: Option<String>,
    at: Time,
) -> (FaceTaskRow, ValidationFacts) {
    let task = FaceTaskRow {
        id: face_id.clone(),
        filing_id,
        owner_id,
        status: "succeeded".into(),
        created_at: at,
        identity_type: Some(2),
        identity_number: Some(who.resident_id.clone()),
        name: name.clone(),
        photo: None,
        consumed_by: None,
    };
    let facts = ValidationFacts {
        app_name: Some(who.mp_name.clone()),
        owner_name: Some(who.subject_name.clone()),
        face: Some(FaceFacts {
            id: face_id,
            succeeded: true,
            expires_at: at + Duration::days(3),
            consumed_by: None,
            identity: Some((2, who.resident_id.clone())),
            name,
        }),
        ..ValidationFacts::default()
    };
    (task, facts)
}

/// The identity numbers and names of applicant `i`.
pub struct Identity {
    pub appid: String,
    pub province: &'static (&'static str, &'static str, &'static str, &'static str),
    pub credit_code: String,
    pub subject_name: String,
    pub mp_name: String,
    pub resident_id: String,
    pub mobile: String,
    pub emergency: String,
}

/// Deterministic, valid identities for index `i` (unique per index).
pub fn identity(i: u64) -> Identity {
    let province = &PROVINCES[(i % 31) as usize];
    let body8 = format!("{:08}", i % 100_000_000);
    let org = format!("{body8}{}", OrgCode::check_char(&body8).unwrap_or('0'));
    let first17 = format!("91{}{org}", province.1);
    let credit_code = format!(
        "{first17}{}",
        CreditCode::check_char(&first17).unwrap_or('0')
    );
    let born = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
        + Duration::days((i % 10_000) as i64);
    let id17 = format!(
        "{}{}{:03}",
        province.2,
        born.format("%Y%m%d"),
        (i / 10_000) % 1000
    );
    let resident_id = format!("{id17}{}", resident_check(&id17));
    Identity {
        appid: format!("wxbe{:014x}", i),
        province,
        credit_code,
        subject_name: names::company(i, province.3),
        mp_name: names::mini_program(i),
        resident_id,
        mobile: format!("13{:09}", i % 1_000_000_000),
        emergency: format!("15{:09}", i % 1_000_000_000),
    }
}

/// Accounts and media shared by many orders.
struct Accounts {
    reviewer: Actor,
    authorities: Vec<Actor>,
}

fn owner_id(i: u64) -> String {
    format!("seed-owner-{}", i / APPS_PER_OWNER)
}

fn media_id(owner: &str, what: &str) -> String {
    format!("{owner}-{what}")
}

/// Seeds `args.filings` orders into the state's store.
pub async fn seed(s: &AppState, args: &SeedArgs) -> Result<SeedSummary, String> {
    let now = s.now();
    let hash = beian_server::auth::hash_password_async(SEED_PASSWORD.into(), s.argon2_memory_kib)
        .await
        .map_err(|e| e.message)?;
    let mut ops = vec![];
    let user = |id: String, role: &str, province: Option<String>| UserRow {
        username: id.clone(),
        id,
        password_hash: hash.clone(),
        role: role.into(),
        province,
        created_at: now,
    };
    let mut authorities = vec![];
    let fresh = s
        .store
        .user_by_username("seed-reviewer")
        .await
        .map_err(|e| e.to_string())?
        .is_none();
    if fresh {
        ops.push(SeedOp::User(user(
            "seed-reviewer".into(),
            "platform_reviewer",
            None,
        )));
    }
    for p in PROVINCES {
        let code2 = &p.0[..2];
        let id = format!("seed-authority-{code2}");
        if fresh {
            ops.push(SeedOp::User(user(
                id.clone(),
                "authority_reviewer",
                Some(code2.into()),
            )));
        }
        authorities.push(Actor::AuthorityReviewer(id));
    }
    let accounts = Accounts {
        reviewer: Actor::PlatformReviewer("seed-reviewer".into()),
        authorities,
    };
    let total = args.filings;
    let bar = crate::progress::bar(total, "orders", args.progress);
    let mut summary = SeedSummary::default();
    let mut filed = vec![];
    let mut orders = 0;
    for i in args.start..args.start + total {
        let owner = owner_id(i);
        if i % APPS_PER_OWNER == 0 || i == args.start {
            // Only the first owner of a resumed run may exist already.
            let exists = i == args.start
                && s.store
                    .user_by_id(&owner)
                    .await
                    .map_err(|e| e.to_string())?
                    .is_some();
            if !exists {
                ops.push(SeedOp::User(user(owner.clone(), "applicant", None)));
                for (what, purpose, cert) in [
                    ("licence", "subject_certificate", Some(1)),
                    ("idcard", "certificate_front", Some(2)),
                    ("form", "signed_form", None),
                    ("other", "other", None),
                ] {
                    ops.push(SeedOp::Media(
                        MediaRow {
                            id: media_id(&owner, what),
                            owner_id: owner.clone(),
                            purpose: purpose.into(),
                            content_type: "image/png".into(),
                            size: 48_213,
                            sha256: format!("{:064x}", mix(i) as u128 * 31 + cert.unwrap_or(3)),
                            width: Some(1100),
                            height: Some(1500),
                            checks: serde_json::json!([]),
                            created_at: now,
                        },
                        cert.map(|c| c as i64),
                    ));
                }
            }
        }
        let stage = match args.profile {
            Profile::Mixed => stage_of(i),
            Profile::SmsExpired => Stage::SmsVerification,
            Profile::Filed => Stage::Filed,
            Profile::Provisional => Stage::AuthorityReview,
        };
        // Orders whose timers matter are recent (their SMS rounds and fix windows
        // still open); the rest spread over the last 60 days.
        let at = match (args.profile, stage) {
            (Profile::SmsExpired, _) => now - Duration::hours(30),
            // Verified (at + 8 min) between 2 and 111 minutes before now.
            (Profile::Provisional, _) => now - Duration::minutes((mix(i) % 110) as i64 + 10),
            (_, Stage::SmsVerification) => now - Duration::minutes((mix(i) % 120) as i64 + 10),
            (_, Stage::Draft | Stage::PlatformRejected | Stage::AuthorityRejected) => {
                now - Duration::hours((mix(i) % 48) as i64 + 4)
            }
            _ => now - Duration::days(60) + Duration::minutes((mix(i) % (58 * 24 * 60)) as i64),
        };
        new_order(s, &accounts, &mut ops, i, stage, at)?;
        summary.new_orders += 1;
        orders += 1;
        if stage == Stage::Filed && args.profile == Profile::Mixed && i % 10 < 2 {
            filed.push(i);
        }
        if orders >= BATCH {
            s.store
                .seed_batch(std::mem::take(&mut ops))
                .await
                .map_err(|e| e.to_string())?;
            bar.inc(orders as u64);
            orders = 0;
        }
    }
    s.store
        .seed_batch(std::mem::take(&mut ops))
        .await
        .map_err(|e| e.to_string())?;
    bar.inc(orders as u64);
    bar.finish();
    // Changes and cancellations start from the stored records.
    for chunk in filed.chunks(BATCH) {
        for &i in chunk {
            if i % 10 == 0 {
                later_order(s, &accounts, &mut ops, i, Kind::Change, now).await?;
                summary.change_orders += 1;
            } else {
                later_order(s, &accounts, &mut ops, i, Kind::Cancel, now).await?;
                summary.cancel_orders += 1;
            }
        }
        s.store
            .seed_batch(std::mem::take(&mut ops))
            .await
            .map_err(|e| e.to_string())?;
    }
    // History: what the outbox dispatcher would long have sent.
    s.store
        .seed_settle_outbox(now)
        .await
        .map_err(|e| e.to_string())?;
    Ok(summary)
}

/// Decides `cmd` on `f` at `at` and queues the commit; returns the new state.
fn step(
    s: &AppState,
    ops: &mut Vec<SeedOp>,
    f: &Filing,
    cmd: Command,
    actor: &Actor,
    at: Time,
) -> Result<Filing, String> {
    let codes = match &cmd {
        Command::Submit { codes, .. } | Command::PlatformApprove { codes } => codes.clone(),
        _ => vec![],
    };
    let events = f
        .decide(cmd, &s.env(&s.calendar(), actor, at))
        .map_err(|e| format!("{} ({}): {e:?}", f.id, f.appid))?;
    let commit = build_commit(s, f, events, &codes, at);
    let after = commit.filing.clone();
    ops.push(SeedOp::Commit(Box::new(commit)));
    Ok(after)
}

fn reasons() -> Vec<Reason> {
    vec![Reason {
        field: Some("mini_program.remark".into()),
        error: "服务内容描述过于简单".into(),
        suggestion: "请补充小程序提供的具体服务".into(),
    }]
}

fn codes(f: &Filing) -> Vec<String> {
    vec![SEED_SMS_CODE.to_string(); f.recipients().len().max(1)]
}

fn verify_all(
    s: &AppState,
    ops: &mut Vec<SeedOp>,
    mut f: Filing,
    at: Time,
) -> Result<Filing, String> {
    let recipients = f
        .sms
        .as_ref()
        .map(|r| r.recipients.clone())
        .unwrap_or_default();
    for r in recipients {
        let cmd = Command::SmsVerify {
            mobile: r.mobile.clone(),
            last6: r.last6.clone(),
            code: SEED_SMS_CODE.into(),
        };
        f = step(
            s,
            ops,
            &f,
            cmd,
            &Actor::Recipient(mask_mobile(&r.mobile)),
            at,
        )?;
    }
    Ok(f)
}

/// Queues the authority's approval of a new order, with its numbers (T19).
fn file(
    s: &AppState,
    ops: &mut Vec<SeedOp>,
    f: Filing,
    actor: &Actor,
    at: Time,
) -> Result<(), String> {
    let (req, build) =
        numbered_approval(s, f, actor, at).ok_or("filing without a valid province")?;
    ops.push(SeedOp::Numbered(req, build));
    Ok(())
}

fn created(ops: &mut Vec<SeedOp>, f: &Filing, e: Event) {
    ops.push(SeedOp::Create(Box::new(f.clone()), Box::new(e)));
}

fn new_order(
    s: &AppState,
    accounts: &Accounts,
    ops: &mut Vec<SeedOp>,
    i: u64,
    stage: Stage,
    at: Time,
) -> Result<(), String> {
    let who = identity(i);
    let owner = owner_id(i);
    let applicant = Actor::Applicant(owner.clone());
    ops.push(SeedOp::App(AppRow {
        appid: who.appid.clone(),
        name: who.mp_name.clone(),
        owner_id: owner.clone(),
        listed: i.is_multiple_of(3),
        owner_name: Some(who.subject_name.clone()),
        registered_at: at - Duration::days(30),
        preconditions: Preconditions::default(),
        created_at: at - Duration::days(30),
    }));
    let id = format!("seed{:012}", i);
    let (f, e) = Filing::create(
        id.clone(),
        Kind::New,
        who.appid.clone(),
        &applicant,
        None,
        None,
        at,
    )
    .map_err(|e| e.to_string())?;
    created(ops, &f, e);
    let face_id = format!("{id}-face");
    let id_photo = media_id(&owner, "idcard");
    let mut doc = enterprise_document(
        &who.subject_name,
        &who.credit_code,
        &who.mp_name,
        &face_id,
        &id_photo,
    );
    let (p, c, d, city) = *who.province;
    doc.subject.province = Some(p.into());
    doc.subject.city = Some(c.into());
    doc.subject.district = Some(d.into());
    doc.subject.certificate.address = Some(format!("{city}星河路{}号", i % 999 + 1));
    doc.subject.address = Some(format!("星河路{}号", i % 999 + 1));
    doc.subject.certificate.photo = Some(media_id(&owner, "licence"));
    doc.materials.signed_forms = vec![media_id(&owner, "form")];
    // The materials the province's rule pack requires (§9).
    if let Some(rule) = s.reference.data.province(&p[..2]) {
        for slot in &rule.required_materials {
            if slot != "signed_forms" {
                doc.materials
                    .province_slots
                    .insert(slot.clone(), media_id(&owner, "other").into());
            }
        }
    }
    doc.subject_principal.certificate.number = Some(who.resident_id.clone());
    doc.subject_principal.mobile = Some(who.mobile.clone());
    doc.subject_principal.emergency_mobile = Some(who.emergency.clone());
    let t = |n: i64| at + Duration::minutes(n);
    let mut f = step(
        s,
        ops,
        &f,
        Command::Save {
            document: Box::new(doc.clone()),
        },
        &applicant,
        t(1),
    )?;
    // The face verification is done before submitting, drafts included.
    let (task, facts) = passed_face(
        &who,
        face_id,
        id.clone(),
        owner.clone(),
        doc.subject_principal.name.clone(),
        t(2),
    );
    ops.push(SeedOp::FaceTask(task));
    if stage == Stage::Draft {
        return Ok(());
    }
    let submit = Command::Submit {
        facts: Box::new(facts),
        codes: vec![],
    };
    f = step(s, ops, &f, submit, &applicant, t(3))?;
    match stage {
        Stage::PlatformReview => return Ok(()),
        Stage::Withdrawn => {
            step(s, ops, &f, Command::Withdraw, &applicant, t(10))?;
            return Ok(());
        }
        Stage::PlatformRejected => {
            let cmd = Command::PlatformReject { reasons: reasons() };
            step(s, ops, &f, cmd, &accounts.reviewer, t(60))?;
            return Ok(());
        }
        _ => {}
    }
    let approve = Command::PlatformApprove { codes: codes(&f) };
    f = step(s, ops, &f, approve, &accounts.reviewer, t(5))?;
    if stage == Stage::SmsVerification {
        return Ok(());
    }
    f = verify_all(s, ops, f, t(8))?;
    let authority = &accounts.authorities[(i % 31) as usize];
    match stage {
        Stage::AuthorityReview => Ok(()),
        Stage::AuthorityRejected => {
            let cmd = Command::AuthorityReject { reasons: reasons() };
            step(s, ops, &f, cmd, authority, t(120))?;
            Ok(())
        }
        _ => file(s, ops, f, authority, t(180)),
    }
}

/// A change or cancellation of the filed mini program of index `i`.
async fn later_order(
    s: &AppState,
    accounts: &Accounts,
    ops: &mut Vec<SeedOp>,
    i: u64,
    kind: Kind,
    now: Time,
) -> Result<(), String> {
    let who = identity(i);
    let owner = owner_id(i);
    let applicant = Actor::Applicant(owner);
    let err = |e: beian_store::StoreError| e.to_string();
    let Some(record) = s.store.service_record(&who.appid).await.map_err(err)? else {
        return Ok(());
    };
    let subject = s
        .store
        .subject_record(&record.subject_key)
        .await
        .map_err(err)?;
    let facts = RecordFacts {
        province: subject.map(|x| x.province).unwrap_or_default(),
        subject_key: record.subject_key,
        subject_number: Some(record.subject_number),
        service_number: Some(record.service_number),
        document: Some(record.document),
    };
    let at = now - Duration::minutes((mix(i) % 90) as i64 + 10);
    let t = |n: i64| at + Duration::minutes(n);
    let cancel =
        (kind == Kind::Cancel).then_some((CancelType::MiniProgram, CancelReason::NotOperating));
    let id = format!("seed{:012}-{}", i, kind.as_str());
    let (f, e) = Filing::create(
        id,
        kind,
        who.appid.clone(),
        &applicant,
        cancel,
        Some(facts),
        at,
    )
    .map_err(|e| e.to_string())?;
    created(ops, &f, e);
    let authority = &accounts.authorities[(i % 31) as usize];
    let finish = mix(i).is_multiple_of(2);
    if kind == Kind::Cancel {
        let submit = Command::Submit {
            facts: Box::default(),
            codes: codes(&f),
        };
        let f = step(s, ops, &f, submit, &applicant, t(1))?;
        if finish {
            let f = verify_all(s, ops, f, t(3))?;
            step(
                s,
                ops,
                &f,
                Command::AuthorityApprove { numbers: None },
                authority,
                t(5),
            )?;
        }
        return Ok(());
    }
    let face_id = format!("{}-face", f.id);
    let mut doc = f.document_or_default();
    doc.mini_program.remark =
        Some("为个人用户提供记账、账单分类、预算提醒与月度统计功能，不涉及支付与理财。".into());
    doc.mini_program_principal.face_verification = Some(face_id.clone());
    let name = doc.subject_principal.name.clone();
    let save = Command::Save {
        document: Box::new(doc),
    };
    let f = step(s, ops, &f, save, &applicant, t(1))?;
    let (task, facts) = passed_face(&who, face_id, f.id.clone(), owner_id(i), name, t(1));
    ops.push(SeedOp::FaceTask(task));
    let submit = Command::Submit {
        facts: Box::new(facts),
        codes: vec![],
    };
    let f = step(s, ops, &f, submit, &applicant, t(2))?;
    if finish {
        let approve = Command::PlatformApprove { codes: codes(&f) };
        let f = step(s, ops, &f, approve, &accounts.reviewer, t(3))?;
        let f = verify_all(s, ops, f, t(4))?;
        step(
            s,
            ops,
            &f,
            Command::AuthorityApprove { numbers: None },
            authority,
            t(6),
        )?;
    }
    Ok(())
}
