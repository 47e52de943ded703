//! A submission's validation facts in one statement.
//!
//! Read one statement at a time, the ten facts of a submission would each queue on
//! SQLite's one connection and cross sqlx's worker thread, and each be a round trip on
//! PostgreSQL. Here every part is a branch of one `UNION ALL` whose rows carry a tag and
//! ten text columns, in SQL both dialects accept; [`rows_to_facts`] sorts the answers
//! back into [`FactsRows`]. The trait's default method (the single-purpose reads) is the
//! reference: a store test holds both to equal answers.
//!
//! May import: `codec`, `keys`.

use super::codec::{failed_checks, json, time, Binder, Open};
use super::keys::{blind_mobile, blind_subject, fetch_on, ids_of, opener};
use crate::vault::Vault;
use crate::{
    AppRow, FaceTaskRow, FactsQuery, FactsRows, MediaInfo, OpenOrder, StoreError, StoreResult,
    SubjectRecord,
};
use beian_domain::gating::RecordStatus;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{AnyPool, Row};
use std::collections::HashMap;

const COLUMNS: usize = 10;

/// Where principal mobiles live, as blind indexes (`sql::keys::blind_mobile`):
/// (table, subject key column, blind index column, live rows). Each is indexed (0010).
pub(crate) const MOBILE_SOURCES: [(&str, &str, &str, &str); 4] = [
    (
        "service_records",
        "subject_key",
        "sp_mobile",
        "status = 'active'",
    ),
    (
        "service_records",
        "subject_key",
        "mp_mobile",
        "status = 'active'",
    ),
    (
        "filings",
        "open_subject_key",
        "sp_mobile",
        "open_subject_key IS NOT NULL",
    ),
    (
        "filings",
        "open_subject_key",
        "mp_mobile",
        "open_subject_key IS NOT NULL",
    ),
];

/// The blind indexes of `mobiles`, and the mobile each stands for.
pub(crate) fn blinded(vault: &Vault, mobiles: &[String]) -> (Vec<String>, HashMap<String, String>) {
    let mut back = HashMap::new();
    let blinds = mobiles
        .iter()
        .map(|m| {
            let b = blind_mobile(vault, m);
            back.insert(b.clone(), m.clone());
            b
        })
        .collect();
    (blinds, back)
}

/// The expressions of a comma-separated select list (none of them holds ", ").
fn columns(list: &str) -> Vec<&str> {
    list.split(", ").collect()
}

/// One branch: the tag, up to ten column expressions (padded with NULL), the rest.
fn branch(tag: &str, cols: &[&str], rest: &str) -> String {
    let cols: Vec<String> = (0..COLUMNS)
        .map(|i| format!("{} AS c{i}", cols.get(i).copied().unwrap_or("NULL")))
        .collect();
    format!("SELECT '{tag}' AS k, {} {rest}", cols.join(", "))
}

/// The statement and its arguments; `None` when the query asks nothing.
fn statement(q: &FactsQuery, blinds: &[String]) -> Option<(String, AnyArguments<'static>)> {
    let mut p = Binder::default();
    let mut parts = vec![];
    if let Some(appid) = &q.appid {
        let a = p.text(appid);
        parts.push(branch(
            "app",
            &columns(
                "appid, name, owner_id, CAST(listed AS TEXT), owner_name, CAST(registered_at AS TEXT), \
                 preconditions, CAST(created_at AS TEXT)",
            ),
            &format!("FROM apps WHERE appid = {a}"),
        ));
        let a = p.text(appid);
        parts.push(branch(
            "service",
            &["status"],
            &format!("FROM service_records WHERE appid = {a}"),
        ));
        if let Some(since) = q.submissions_since {
            let (a, t) = (p.text(appid), p.int(since.timestamp_millis()));
            parts.push(branch(
                "subs",
                &["CAST(COUNT(*) AS TEXT)"],
                &format!(
                    "FROM filing_events e JOIN filings f ON f.id = e.filing_id \
                     WHERE f.appid = {a} AND e.name IN ('submitted', 'sms_restarted') AND e.at >= {t}"
                ),
            ));
        }
    }
    if let Some(id) = &q.face_task {
        let i = p.text(id);
        parts.push(branch(
            "face",
            &columns(
                "id, filing_id, owner_id, status, CAST(created_at AS TEXT), CAST(identity_type AS TEXT), \
                 identity_number, name, photo, consumed_by",
            ),
            &format!("FROM face_tasks WHERE id = {i}"),
        ));
    }
    if let Some(key) = &q.subject_key {
        if q.quota {
            let (k1, k2, e) = (p.text(key), p.text(key), p.text(&q.except_filing));
            let count = format!(
                "CAST((SELECT COUNT(*) FROM service_records WHERE subject_key = {k1} AND status = 'active') \
                 + (SELECT COUNT(*) FROM filings WHERE open_subject_key = {k2} AND kind = 'new' AND id <> {e}) AS TEXT)"
            );
            parts.push(branch("quota", &[&count], ""));
        }
        let (k, e) = (p.text(key), p.text(&q.except_filing));
        parts.push(branch(
            "open",
            &["id", "appid", "kind", "province"],
            &format!("FROM filings WHERE open_subject_key = {k} AND id <> {e}"),
        ));
        let k = p.text(key);
        parts.push(branch(
            "subject",
            &columns(
                "subject_key, province, subject_number, subject_name, CAST(next_service_index AS TEXT), status, \
                 sealed_name",
            ),
            &format!("FROM subject_records WHERE subject_key = {k}"),
        ));
        let (k, a) = (p.text(key), p.text(q.appid.as_deref().unwrap_or("")));
        parts.push(branch(
            "name",
            &["mini_program_name", "appid"],
            &format!("FROM service_records WHERE subject_key = {k} AND status = 'active' AND appid <> {a}"),
        ));
        if !blinds.is_empty() {
            for (table, key_col, m, live) in MOBILE_SOURCES {
                let (k, list) = (p.text(key), p.list(blinds));
                parts.push(branch(
                    "mobile",
                    &[m],
                    &format!("FROM {table} WHERE {live} AND {key_col} <> {k} AND {m} IN ({list})"),
                ));
            }
        }
    }
    if !q.media.is_empty() {
        let list = p.list(&q.media);
        parts.push(branch(
            "media",
            &columns("id, owner_id, content_type, CAST(certificate_type AS TEXT), checks, reading"),
            &format!("FROM media WHERE id IN ({list})"),
        ));
    }
    (!parts.is_empty()).then(|| (parts.join(" UNION ALL "), p.into_args()))
}

/// Asks every part of `q` in one statement.
pub(crate) async fn submission_facts(
    pool: &AnyPool,
    vault: &Vault,
    q: &FactsQuery,
) -> StoreResult<FactsRows> {
    let (blinds, back) = blinded(vault, &q.mobiles);
    // Subjects are stored under their blind index.
    let blind_q = FactsQuery {
        subject_key: q.subject_key.as_deref().map(|k| blind_subject(vault, k)),
        ..q.clone()
    };
    let rows = match statement(&blind_q, &blinds) {
        Some((sql, args)) => sqlx::query_with(&sql, args).fetch_all(pool).await?,
        None => vec![],
    };
    // Sealed: the face task's identity (its c6 and c7), a person's name (subject's c6),
    // the app owner's name (app's c4), a photo's reading (media's c5).
    let mut sealed = vec![];
    for r in &rows {
        match r.try_get::<String, _>("k")?.as_str() {
            "face" | "subject" => sealed.extend(r.try_get::<Option<String>, _>("c6")?),
            "app" => sealed.extend(r.try_get::<Option<String>, _>("c4")?),
            "media" => sealed.extend(
                r.try_get::<Option<String>, _>("c5")?
                    .filter(|v| v != super::retention::ERASED_READING),
            ),
            _ => {}
        }
    }
    let ring = fetch_on(pool, vault, &ids_of(&sealed)).await?;
    let mut out = rows_to_facts(&rows, &opener(&ring), &back)?;
    if let (Some(r), Some(k)) = (out.subject_record.as_mut(), &q.subject_key) {
        r.subject_key = k.clone();
    }
    // Parts asked that found no row still have an answer.
    if q.appid.is_some() {
        out.app_filed.get_or_insert(false);
        if q.submissions_since.is_some() {
            out.submissions.get_or_insert(0);
        }
    }
    Ok(out)
}

fn int(v: &Option<String>) -> StoreResult<Option<i64>> {
    v.as_deref()
        .map(|s| {
            s.parse::<i64>()
                .map_err(|e| StoreError::Corrupt(format!("facts column {s:?}: {e}")))
        })
        .transpose()
}

fn text(v: &Option<String>) -> StoreResult<String> {
    v.clone()
        .ok_or_else(|| StoreError::Corrupt("facts column unexpectedly NULL".into()))
}

fn rows_to_facts(
    rows: &[AnyRow],
    open: Open,
    back: &HashMap<String, String>,
) -> StoreResult<FactsRows> {
    let mut out = FactsRows::default();
    let mut names: Vec<(String, String)> = vec![];
    for r in rows {
        let k: String = r.try_get("k")?;
        let c: Vec<Option<String>> = (0..COLUMNS)
            .map(|i| r.try_get::<Option<String>, _>(format!("c{i}").as_str()))
            .collect::<Result<_, _>>()?;
        match k.as_str() {
            "app" => {
                out.app = Some(AppRow {
                    appid: text(&c[0])?,
                    name: text(&c[1])?,
                    owner_id: text(&c[2])?,
                    // BIGINT / INTEGER 0 or 1.
                    listed: int(&c[3])?.unwrap_or(0) != 0,
                    owner_name: c[4].clone().map(|n| open("owner_name", n)).transpose()?,
                    registered_at: time(int(&c[5])?.unwrap_or(0)),
                    preconditions: json(&text(&c[6])?)?,
                    created_at: time(int(&c[7])?.unwrap_or(0)),
                })
            }
            "service" => {
                let active = c[0].as_deref() == Some("active");
                out.app_filed = Some(out.app_filed.unwrap_or(false) || active);
            }
            "subs" => {
                out.submissions = Some(u32::try_from(int(&c[0])?.unwrap_or(0)).unwrap_or(u32::MAX))
            }
            "face" => {
                out.face_task = Some(FaceTaskRow {
                    id: text(&c[0])?,
                    filing_id: text(&c[1])?,
                    owner_id: text(&c[2])?,
                    status: text(&c[3])?,
                    created_at: time(int(&c[4])?.unwrap_or(0)),
                    identity_type: int(&c[5])?,
                    identity_number: c[6].clone().map(|v| open("face", v)).transpose()?,
                    name: c[7].clone().map(|v| open("face", v)).transpose()?,
                    photo: c[8].clone(),
                    consumed_by: c[9].clone(),
                })
            }
            "quota" => out.quota_used = Some(int(&c[0])?.unwrap_or(0) as u32),
            "open" => out.open_orders.push(OpenOrder {
                id: text(&c[0])?,
                appid: text(&c[1])?,
                kind: text(&c[2])?,
                province: c[3].clone(),
            }),
            "subject" => {
                out.subject_record = Some(SubjectRecord {
                    subject_key: text(&c[0])?,
                    province: text(&c[1])?,
                    subject_number: text(&c[2])?,
                    // A person's full name is sealed beside the masked one.
                    subject_name: match c[6].clone() {
                        Some(sealed) => open("subject_name", sealed)?,
                        None => text(&c[3])?,
                    },
                    next_service_index: int(&c[4])?.unwrap_or(0),
                    status: RecordStatus::parse(&text(&c[5])?),
                })
            }
            "name" => names.push((text(&c[1])?, text(&c[0])?)),
            "mobile" => {
                let blind = text(&c[0])?;
                let mobile = back.get(&blind).cloned().unwrap_or(blind);
                out.mobiles_elsewhere.push(mobile);
            }
            "media" => {
                let checks: serde_json::Value = json(&text(&c[4])?)?;
                out.media.push(MediaInfo {
                    id: text(&c[0])?,
                    owner_id: text(&c[1])?,
                    content_type: text(&c[2])?,
                    certificate_type: int(&c[3])?,
                    failed_checks: failed_checks(&checks),
                    reading: c[5]
                        .clone()
                        .filter(|v| v != super::retention::ERASED_READING)
                        .map(|v| open("reading", v).and_then(|j| json(&j)))
                        .transpose()?,
                });
            }
            other => return Err(StoreError::Corrupt(format!("facts row {other:?}"))),
        }
    }
    // The orders the single-purpose reads give.
    out.open_orders.sort_by(|a, b| a.id.cmp(&b.id));
    names.sort();
    out.service_names = names.into_iter().map(|(_, n)| n).collect();
    out.mobiles_elsewhere.sort();
    out.mobiles_elsewhere.dedup();
    out.media.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}
