//! `--demo`: documented accounts and a few filings in different stages, so a
//! newcomer can click through every console at once (see README).

use crate::app::accounts::{add_user, NewUser};
use crate::app::commands::execute;
use crate::app::media::store_media;
use crate::app::state::AppState;
use crate::http::error::{ApiError, ApiResult};
use beian_domain::filing::{mask_mobile, Actor, Command, Filing, Kind};
use beian_domain::fixtures::enterprise_document;
use beian_domain::validate::{FaceFacts, ValidationFacts};
use beian_store::{AppRow, FaceTaskRow, Preconditions};
use chrono::Duration;

/// Demo accounts: (username, password, role, province).
pub const ACCOUNTS: [(&str, &str, &str, Option<&str>); 3] = [
    ("demo", "demo-applicant", "applicant", None),
    ("reviewer", "demo-reviewer", "platform_reviewer", None),
    (
        "guangdong",
        "demo-authority",
        "authority_reviewer",
        Some("44"),
    ),
];

/// How far each demo app's filing goes.
#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum Stage {
    Draft,
    PlatformReview,
    SmsVerification,
    Filed,
}

/// Demo apps: (appid, name, credit code, listed, stage, principal mobile). Each subject has
/// its own principal mobile: one mobile may not serve two subjects (V-PER-011).
const APPS: [(&str, &str, &str, bool, Stage, &str); 4] = [
    (
        "wxdemo0000000001",
        "星河记账",
        "91440300708461136T",
        false,
        Stage::Filed,
        "13800138010",
    ),
    (
        "wxdemo0000000002",
        "星河天气",
        "91110108MA01ABC17L",
        false,
        Stage::SmsVerification,
        "13800138000",
    ),
    (
        "wxdemo0000000003",
        "星河日历",
        "91350100M000100Y43",
        false,
        Stage::PlatformReview,
        "13800138020",
    ),
    (
        "wxdemo0000000004",
        "星河相册",
        "91110000600037341L",
        true,
        Stage::Draft,
        "13800138030",
    ),
];

/// A stand-in colour scan that passes the photo checks, as a real upload would.
fn png(width: u32, height: u32) -> ApiResult<Vec<u8>> {
    Ok(crate::adapters::photo::sample_document(width, height))
}

/// Uploads the demo order's materials as the applicant would: the licence, the ID card
/// photo (both sides) and Guangdong's signed forms. Returns (licence, id photo, form).
async fn upload_materials(s: &AppState, owner: &str) -> ApiResult<(String, String, String)> {
    let licence = store_media(s, owner, "subject_certificate", png(1100, 1500)?).await?;
    s.store.set_media_certificate_type(&licence.id, 1).await?;
    let id_photo = store_media(s, owner, "certificate_front", png(720, 1280)?).await?;
    s.store.set_media_certificate_type(&id_photo.id, 2).await?;
    let form = store_media(s, owner, "signed_form", png(720, 1280)?).await?;
    Ok((licence.id, id_photo.id, form.id))
}

/// The SMS code used by demo rounds, so the verification page can be tried.
pub const DEMO_SMS_CODE: &str = "123456";

/// Seeds an empty database; does nothing if the demo applicant exists.
pub async fn seed(s: &AppState) -> ApiResult<()> {
    if s.store.user_by_username("demo").await?.is_some() {
        return Ok(());
    }
    let mut ids = vec![];
    for (username, password, role, province) in ACCOUNTS {
        let u = NewUser {
            username: username.into(),
            password: password.into(),
            role: role.into(),
            province: province.map(String::from),
        };
        ids.push(add_user(s, u).await?.id);
    }
    let applicant = Actor::Applicant(ids[0].clone());
    let reviewer = Actor::PlatformReviewer(ids[1].clone());
    let authority = Actor::AuthorityReviewer(ids[2].clone());
    for (i, (appid, name, credit_code, listed, stage, mobile)) in APPS.into_iter().enumerate() {
        let now = s.now();
        let subject = format!("深圳市星河科技{}号有限公司", i + 1);
        s.store
            .insert_app(&AppRow {
                appid: appid.into(),
                name: name.into(),
                owner_id: ids[0].clone(),
                listed,
                owner_name: Some(subject.clone()),
                registered_at: now,
                preconditions: Preconditions::default(),
                created_at: now,
            })
            .await?;
        let id = crate::http::auth::new_id(now.timestamp_millis() + i as i64);
        let (f, created) = Filing::create(
            id.clone(),
            Kind::New,
            appid.into(),
            &applicant,
            None,
            None,
            now,
        )?;
        s.store.create_filing(&f, &created).await?;
        let face_id = format!("{id}-face");
        let (licence, id_photo, form) = upload_materials(s, &ids[0]).await?;
        let mut doc = enterprise_document(&subject, credit_code, name, &face_id, &id_photo);
        doc.subject.certificate.photo = Some(licence);
        doc.materials.signed_forms = vec![form];
        doc.subject_principal.mobile = Some(mobile.into());
        let task = FaceTaskRow {
            id: face_id.clone(),
            filing_id: id.clone(),
            owner_id: ids[0].clone(),
            status: "succeeded".into(),
            created_at: now,
            identity_type: Some(2),
            identity_number: doc.subject_principal.identity().map(|i| i.1),
            name: doc.subject_principal.name.clone(),
            photo: None,
            consumed_by: None,
        };
        s.store.insert_face_task(&task).await?;
        let (mut f, _) = execute(
            s,
            &f,
            Command::Save {
                document: Box::new(doc.clone()),
            },
            &applicant,
        )
        .await?;
        if stage >= Stage::PlatformReview {
            let facts = ValidationFacts {
                app_name: Some(name.into()),
                owner_name: Some(subject.clone()),
                face: Some(FaceFacts {
                    id: face_id,
                    succeeded: true,
                    expires_at: now + Duration::days(3),
                    consumed_by: None,
                    identity: task.identity_number.clone().map(|n| (2, n)),
                    name: task.name.clone(),
                }),
                ..ValidationFacts::default()
            };
            f = execute(
                s,
                &f,
                Command::Submit {
                    facts: Box::new(facts),
                    codes: vec![],
                },
                &applicant,
            )
            .await?
            .0;
        }
        if stage >= Stage::SmsVerification {
            let codes = vec![DEMO_SMS_CODE.to_string()];
            f = execute(s, &f, Command::PlatformApprove { codes }, &reviewer)
                .await?
                .0;
        }
        if stage >= Stage::Filed {
            let verify = Command::SmsVerify {
                mobile: mobile.into(),
                last6: "311238".into(),
                code: DEMO_SMS_CODE.into(),
            };
            f = execute(s, &f, verify, &Actor::Recipient(mask_mobile(mobile)))
                .await?
                .0;
            execute(
                s,
                &f,
                Command::AuthorityApprove { numbers: None },
                &authority,
            )
            .await?;
        }
    }
    tracing::info!("demo data seeded");
    Ok::<(), ApiError>(())
}
