//! `beian audit verify [--since DATE]`: walks every order's event chain
//! (`beian_domain::audit`) and stops at the first broken link, naming the order and the
//! event; exits non-zero then.

use beian_store::{AuditStore, SqlStore};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// Verifies the chains of the orders changed since `since` (China time), or all.
pub async fn verify(
    config: &beian_server::config::Config,
    since: Option<chrono::NaiveDate>,
) -> Result<String, String> {
    let store = beian_server::startup::open_store(config)
        .await
        .map_err(|e| format!("数据库 / database: {e}"))?;
    let since = since
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| {
            t.and_local_timezone(beian_domain::calendar::china_offset())
                .single()
        })
        .map(|t| t.with_timezone(&chrono::Utc));
    let ids = store.audit_ids(since).await.map_err(|e| e.to_string())?;
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(ids.len() as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} orders {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let (mut events, mut chained, mut erased) = (0usize, 0usize, 0usize);
    for id in &ids {
        let Some(chain) = store.audit_chain(id).await.map_err(|e| e.to_string())? else {
            continue;
        };
        let checked = if chain.erased {
            erased += 1;
            beian_domain::audit::verify_erased(&chain.events, &chain.head, chain.version)
        } else {
            beian_domain::audit::verify(&chain.events, &chain.head, chain.version)
        };
        if let Err(b) = checked {
            bar.abandon();
            let at = if b.seq == 0 {
                "记录的链头 / its recorded head".to_string()
            } else {
                format!("第 {} 个事件 / event {}", b.seq, b.seq)
            };
            return Err(format!(
                "审计失败 / audit failed: 订单 / order {id}, {at}: {}",
                b.reason
            ));
        }
        events += chain.events.len();
        chained += chain.events.iter().filter(|e| e.hash.is_some()).count();
        bar.inc(1);
    }
    bar.finish_and_clear();
    let anchors = verify_anchors(&store, since).await?;
    Ok(format!(
        "审计通过 / audit ok: {} orders ({erased} erased: links and heads only), {events} events ({chained} chained), {anchors} daily anchors",
        ids.len()
    ))
}

/// Recomputes every daily anchor (from `since` on) from the heads stored now: a chain
/// rebuilt after its day was anchored no longer matches. Returns how many were checked.
async fn verify_anchors(
    store: &SqlStore,
    since: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<usize, String> {
    let all = store.anchors(None).await.map_err(|e| e.to_string())?;
    let since_day = since.map(beian_server::sweep::day_of);
    let mut previous: Option<String> = None;
    let mut checked = 0;
    for a in &all {
        let day: chrono::NaiveDate = a
            .day
            .parse()
            .map_err(|_| format!("审计失败 / audit failed: anchor day {}", a.day))?;
        let expected_previous = previous.clone().unwrap_or_else(|| a.previous.clone());
        if a.previous != expected_previous {
            return Err(format!(
                "审计失败 / audit failed: 锚点 / anchor {}: it does not follow the anchor before",
                a.day
            ));
        }
        previous = Some(a.hash.clone());
        if since_day.is_some_and(|s| day < s) {
            continue;
        }
        let (from, to) = beian_server::app::anchors::bounds(day);
        let heads = store
            .heads_between(from, to)
            .await
            .map_err(|e| e.to_string())?;
        if beian_domain::audit::anchor(&a.previous, &a.day, &heads) != a.hash {
            return Err(format!(
                "审计失败 / audit failed: 锚点 / anchor {}: the order heads of that day changed after it was anchored",
                a.day
            ));
        }
        checked += 1;
    }
    Ok(checked)
}
