//! The record effects of a commit (service and subject records filed, changed or
//! cancelled) and the allocation of filing numbers, inside the commit's transaction.
//!
//! May import: `codec`, `keys`.

use super::codec::{map_err, ms, to_json};
use super::keys::{blind_subject, principal_mobiles, seal, subject_name, Keyring};
use crate::vault::Vault;
use crate::{NumberRequest, StoreError, StoreResult};
use beian_domain::filing::{IssuedNumbers, RecordEffect, Time};
use beian_domain::numbers;
use sqlx::AnyConnection;

/// How a record's document is sealed: the vault, the keys at hand, and the key of the
/// order that filed it.
pub(crate) type Sealing<'a> = (&'a Vault, &'a Keyring, &'a str);

/// Writes one record effect of a commit.
pub(crate) async fn apply_effect(
    tx: &mut AnyConnection,
    (v, ring, key): Sealing<'_>,
    effect: &RecordEffect,
    now: Time,
) -> StoreResult<()> {
    match effect {
        RecordEffect::ServiceFiled {
            appid,
            subject_key,
            province,
            numbers,
            document,
        } => {
            let (sp, mp) = principal_mobiles(v, Some(document));
            let subject_key = &blind_subject(v, subject_key);
            // The allocation step already bumped an active record; this
            // creates the record, or renews a cancelled one with its new number.
            let nature = document.subject.nature.map(i64::from);
            let name = document.subject.name.clone().unwrap_or_default();
            let (shown, sealed) = subject_name(v, ring, key, nature, &name);
            sqlx::query(
                "INSERT INTO subject_records (subject_key, province, subject_number, subject_name, nature, \
                 next_service_index, status, created_at, sealed_name) VALUES ($1, $2, $3, $4, $5, 2, 'active', $6, $7) \
                 ON CONFLICT (subject_key) DO UPDATE SET subject_number = excluded.subject_number, \
                 subject_name = excluded.subject_name, sealed_name = excluded.sealed_name, \
                 province = excluded.province, \
                 next_service_index = 2, status = 'active' WHERE subject_records.status <> 'active'",
            )
            .bind(subject_key)
            .bind(province)
            .bind(&numbers.subject_number)
            .bind(shown)
            .bind(nature)
            .bind(ms(now))
            .bind(sealed)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
            sqlx::query(
                "INSERT INTO service_records (appid, subject_key, subject_number, service_number, mini_program_name, \
                 status, filed_at, document, sp_mobile, mp_mobile) VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $8, $9) \
                 ON CONFLICT (appid) DO UPDATE SET subject_key = excluded.subject_key, \
                 subject_number = excluded.subject_number, service_number = excluded.service_number, \
                 mini_program_name = excluded.mini_program_name, status = 'active', \
                 filed_at = excluded.filed_at, document = excluded.document, \
                 sp_mobile = excluded.sp_mobile, mp_mobile = excluded.mp_mobile",
            )
            .bind(appid)
            .bind(subject_key)
            .bind(&numbers.subject_number)
            .bind(&numbers.service_number)
            .bind(document.mini_program.name.clone().unwrap_or_default())
            .bind(ms(now))
            .bind(seal(v, ring, key, "document", &to_json(document)))
            .bind(sp)
            .bind(mp)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        RecordEffect::ServiceChanged { appid, document } => {
            let subject_key: Option<(String,)> =
                sqlx::query_as("SELECT subject_key FROM service_records WHERE appid = $1")
                    .bind(appid)
                    .fetch_optional(&mut *tx)
                    .await?;
            let (sp, mp) = principal_mobiles(v, Some(document));
            sqlx::query(
                "UPDATE service_records SET document = $1, mini_program_name = $2, sp_mobile = $4, \
                 mp_mobile = $5 WHERE appid = $3",
            )
            .bind(seal(v, ring, key, "document", &to_json(document)))
            .bind(document.mini_program.name.clone().unwrap_or_default())
            .bind(appid)
            .bind(sp)
            .bind(mp)
            .execute(&mut *tx)
            .await?;
            if let Some((subject,)) = subject_key {
                let nature = document.subject.nature.map(i64::from);
                let name = document.subject.name.clone().unwrap_or_default();
                let (shown, sealed) = subject_name(v, ring, key, nature, &name);
                sqlx::query(
                    "UPDATE subject_records SET subject_name = $1, sealed_name = $3 WHERE subject_key = $2",
                )
                .bind(shown)
                .bind(subject)
                .bind(sealed)
                .execute(&mut *tx)
                .await?;
            }
        }
        RecordEffect::SubjectCancelled { subject_key } => {
            cancel_subject(&mut *tx, &blind_subject(v, subject_key)).await?
        }
        RecordEffect::ServiceCancelled {
            appid,
            subject_key,
            access_only,
            cancel_empty_subject,
        } => {
            let subject_key = &blind_subject(v, subject_key);
            let status = if *access_only {
                "access_cancelled"
            } else {
                "cancelled"
            };
            sqlx::query("UPDATE service_records SET status = $1 WHERE appid = $2")
                .bind(status)
                .bind(appid)
                .execute(&mut *tx)
                .await?;
            let (left,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM service_records WHERE subject_key = $1 AND status = 'active'",
            )
            .bind(subject_key)
            .fetch_one(&mut *tx)
            .await?;
            if left == 0 && *cancel_empty_subject {
                cancel_subject(&mut *tx, subject_key).await?;
            }
        }
    }
    Ok(())
}

/// The numbers of §5.2: reuse an active subject's number with its next
/// service index, or take the next (province, year) sequence.
pub(crate) async fn allocate(
    tx: &mut AnyConnection,
    v: &Vault,
    req: &NumberRequest,
) -> StoreResult<IssuedNumbers> {
    let existing: Option<(String, i64)> = sqlx::query_as(
        "UPDATE subject_records SET next_service_index = next_service_index + 1 \
         WHERE subject_key = $1 AND status = 'active' RETURNING subject_number, next_service_index - 1",
    )
    .bind(blind_subject(v, &req.subject_key))
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((subject_number, index)) = existing {
        let service_number = numbers::service_number(&subject_number, index as u32);
        return Ok(IssuedNumbers {
            subject_number,
            service_number,
        });
    }
    sqlx::query("INSERT INTO number_counters (province, year, last) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING")
        .bind(&req.province)
        .bind(i64::from(req.year))
        .execute(&mut *tx)
        .await?;
    let (seq,): (i64,) = sqlx::query_as(
        "UPDATE number_counters SET last = last + 1 WHERE province = $1 AND year = $2 RETURNING last",
    )
    .bind(&req.province)
    .bind(i64::from(req.year))
    .fetch_one(&mut *tx)
    .await?;
    let seq = u32::try_from(seq).map_err(|_| StoreError::SequenceExhausted)?;
    let subject_number = numbers::subject_number(&req.abbr, req.year, seq)
        .map_err(|_| StoreError::SequenceExhausted)?;
    let service_number = numbers::service_number(&subject_number, 1);
    Ok(IssuedNumbers {
        subject_number,
        service_number,
    })
}

/// Cancels a subject record with its active services.
async fn cancel_subject(tx: &mut AnyConnection, subject_key: &str) -> StoreResult<()> {
    sqlx::query("UPDATE subject_records SET status = 'cancelled' WHERE subject_key = $1")
        .bind(subject_key)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE service_records SET status = 'cancelled' WHERE subject_key = $1 AND status = 'active'")
        .bind(subject_key)
        .execute(&mut *tx)
        .await?;
    Ok(())
}
