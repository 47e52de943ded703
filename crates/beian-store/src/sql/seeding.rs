//! Seeding: many orders' writes in one transaction (`beian seed`), and the end of a
//! seeding run.
//!
//! May import: `codec`, `effects`, `writer`, the row writers of `accounts`, `apps`,
//! `media` and `filings`, and [`SqlStore`] from `mod.rs`.

use super::accounts::insert_user_on;
use super::apps::insert_app_on;
use super::codec::ms;
use super::effects::allocate;
use super::filings::insert_filing;
use super::media::{insert_face_task_on, insert_media_on};
use super::SqlStore;
use crate::{Commit, SeedOp, StoreResult};
use beian_domain::filing::Time;

pub(crate) async fn seed_batch(s: &SqlStore, ops: Vec<SeedOp>) -> StoreResult<()> {
    // Accounts, apps and media first (orders refer to them); then the
    // orders in waves: the first write of every order, then the second, and so on,
    // each wave's commits written together (`write_commits`, a few statements per
    // table for the lot). Each order's writes keep their order; orders of one
    // batch are independent, so only the order numbers are drawn in another order.
    let mut tx = s.writer.begin().await?;
    let mut orders: Vec<(String, std::collections::VecDeque<SeedOp>)> = vec![];
    let mut index: std::collections::HashMap<String, usize> = Default::default();
    for op in ops {
        let id = match &op {
            SeedOp::User(u) => {
                insert_user_on(&mut tx, u).await?;
                continue;
            }
            SeedOp::App(a) => {
                insert_app_on(&mut tx, &s.vault, a).await?;
                continue;
            }
            SeedOp::Media(m, certificate_type) => {
                insert_media_on(&mut tx, m, *certificate_type).await?;
                continue;
            }
            // A face task belongs to its order (after its creation, before its submission).
            SeedOp::FaceTask(t) => t.filing_id.clone(),
            SeedOp::Create(f, _) => f.id.clone(),
            SeedOp::Commit(c) => c.filing.id.clone(),
            SeedOp::Numbered(req, _) => req.filing_id.clone(),
        };
        let at = *index.entry(id.clone()).or_insert_with(|| {
            orders.push((id, Default::default()));
            orders.len() - 1
        });
        orders[at].1.push_back(op);
    }
    loop {
        let wave: Vec<SeedOp> = orders
            .iter_mut()
            .filter_map(|(_, q)| q.pop_front())
            .collect();
        if wave.is_empty() {
            break;
        }
        let mut commits = vec![];
        for op in wave {
            match op {
                SeedOp::Create(f, created) => {
                    insert_filing(&mut tx, &s.vault, &f, &created).await?
                }
                SeedOp::FaceTask(t) => insert_face_task_on(&mut tx, &s.vault, &t).await?,
                SeedOp::Commit(c) => commits.push(*c),
                SeedOp::Numbered(req, build) => {
                    let numbers = allocate(&mut tx, &s.vault, &req).await?;
                    commits.push(build(numbers)?);
                }
                _ => {}
            }
        }
        let commits: Vec<&Commit> = commits.iter().collect();
        s.writer.write_commits(&mut tx, &commits, true).await?;
    }
    tx.commit().await?;
    s.writer.records_changed();
    Ok(())
}

pub(crate) async fn seed_settle_outbox(s: &SqlStore, before: Time) -> StoreResult<u64> {
    let done = sqlx::query(
        "UPDATE sms_outbox SET status = 'sent', sent_at = created_at, attempts = attempts + 1, \
         next_attempt_at = created_at, lease_until = 0, params = NULL \
         WHERE status = 'pending' AND created_at < $1",
    )
    .bind(ms(before))
    .execute(s.pool())
    .await?;
    if s.postgres() {
        // Fresh statistics: until autovacuum's ANALYZE gets to a freshly filled
        // database, the planner misjudges every table (seen: a parallel sequential
        // scan instead of the trigram index for the public query).
        sqlx::query("ANALYZE").execute(s.pool()).await?;
    }
    Ok(done.rows_affected())
}
