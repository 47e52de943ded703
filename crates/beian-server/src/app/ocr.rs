//! Reading certificate photos after upload: a job per photo, off the request path (the
//! upload answers at once; the reading is attached to the media when ready, in seconds),
//! at most `ocr.max_parallel` at a time per process. Reads a stopped process left undone are
//! picked up when the next one starts. A server without tesseract starts all the same, says
//! so once, and reads nothing.

use std::collections::BTreeMap;
use std::time::Duration;

use beian_domain::document::Document;
use beian_domain::ocr::{compare, Reading, Side};
use beian_domain::reference::NumberFormat;
use beian_store::MediaRow;

use crate::adapters::objects;
use crate::adapters::ocr::{self, Reader};
use crate::app::state::AppState;
use crate::http::error::ApiResult;

/// The number format of a declared certificate type.
fn format_of(s: &AppState, certificate_type: Option<u32>) -> Option<NumberFormat> {
    certificate_type
        .and_then(|t| s.reference.data.certificate_types.get(&t))
        .map(|c| c.format)
}

/// Queues the reading of a certificate photo; other uploads are not read.
pub async fn read_later(
    s: &AppState,
    media: &MediaRow,
    certificate_type: Option<u32>,
    bytes: Vec<u8>,
) {
    let (Some(reader), Some(side)) = (s.ocr.reader().await, Side::of_purpose(&media.purpose))
    else {
        return;
    };
    let s = s.clone();
    let id = media.id.clone();
    tokio::spawn(
        async move { read_and_store(&s, &reader, &id, side, certificate_type, bytes).await },
    );
}

/// Reads one photo and attaches the reading to its media.
async fn read_and_store(
    s: &AppState,
    reader: &Reader,
    id: &str,
    side: Side,
    certificate_type: Option<u32>,
    bytes: Vec<u8>,
) {
    let reading = read_now(s, reader, side, certificate_type, bytes).await;
    if let Err(e) = s.store.set_media_reading(id, &reading).await {
        tracing::warn!(media = %id, error = %e, "a photo's reading was not stored");
    }
}

/// Reads one photo, waiting for a permit.
pub async fn read_now(
    s: &AppState,
    reader: &Reader,
    side: Side,
    certificate_type: Option<u32>,
    bytes: Vec<u8>,
) -> Reading {
    let _permit = reader.permit().await;
    let engine = reader.engine.clone();
    let format = format_of(s, certificate_type);
    let today = s
        .now()
        .with_timezone(&beian_domain::calendar::china_offset())
        .date_naive();
    let timeout = Duration::from_secs(s.policy.ocr.timeout_seconds.max(1));
    let job = move || ocr::read(&engine, &bytes, side, format, today, timeout);
    match tokio::task::spawn_blocking(job).await {
        Ok(r) => r,
        Err(e) => Reading::failed(e.to_string()),
    }
}

/// Reads the photos of the last day that have no reading (a process stopped before it
/// stored theirs), one at a time in the background so that fresh uploads keep the other
/// permits; each photo is fetched only when its turn comes. Several processes may read
/// the same photo: the reading is the same.
pub async fn resume(s: &AppState) {
    let Some(reader) = s.ocr.reader().await else {
        return;
    };
    let since = s.now() - chrono::Duration::days(1);
    let purposes = [
        "subject_certificate",
        "certificate_front",
        "certificate_back",
    ];
    let unread = match s.store.media_unread(&purposes, since, 500).await {
        Ok(u) => u,
        Err(e) => {
            tracing::warn!(error = %e, "unread photos not listed");
            return;
        }
    };
    let s = s.clone();
    tokio::spawn(async move {
        for (media, certificate_type) in unread {
            let Some(side) = Side::of_purpose(&media.purpose) else {
                continue;
            };
            let bytes =
                match objects::get_sealed(s.objects.as_ref(), &s.sealer, &media.sha256).await {
                    Ok(bytes) => bytes,
                    Err(e) => {
                        tracing::warn!(media = %media.id, error = %e, "unread photo not found");
                        continue;
                    }
                };
            let certificate_type = certificate_type.and_then(|t| u32::try_from(t).ok());
            read_and_store(&s, &reader, &media.id, side, certificate_type, bytes).await;
        }
    });
}

/// What the readings of a document's certificate photos offer its empty fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Prefill {
    /// `(document path, value)`.
    pub values: Vec<(String, String)>,
    /// A photo of the document is still being read.
    pub pending: bool,
}

/// The readings of the document's certificate photos, by media id.
async fn readings(
    s: &AppState,
    doc: &Document,
) -> ApiResult<(BTreeMap<String, Reading>, bool, bool)> {
    let individual = s.reference.data.is_individual(doc.subject.nature);
    let ids: Vec<String> = compare::slots(doc, individual)
        .into_iter()
        .map(|slot| slot.media)
        .collect();
    let found: BTreeMap<String, Reading> =
        s.store.media_readings(&ids).await?.into_iter().collect();
    let pending = s.ocr.reads().await && ids.iter().any(|id| !found.contains_key(id));
    Ok((found, individual, pending))
}

/// Values read from the document's certificate photos for the fields left empty; the
/// applicant confirms them by saving.
pub async fn prefill(s: &AppState, doc: &Document) -> ApiResult<Prefill> {
    let (found, individual, pending) = readings(s, doc).await?;
    Ok(Prefill {
        values: compare::prefill(doc, &found, individual, s.policy.ocr.prefill_min_confidence),
        pending,
    })
}

/// For the reviewer: each field a photo was read for, typed beside read.
pub async fn side_by_side(s: &AppState, doc: &Document) -> ApiResult<Vec<compare::SideBySide>> {
    let (found, individual, _) = readings(s, doc).await?;
    Ok(compare::side_by_side(
        doc,
        &found,
        individual,
        &s.policy.ocr,
    ))
}
