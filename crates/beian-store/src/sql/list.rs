//! The filing list's statement (the applicant's orders, the review queues).
//!
//! May import: `codec`.

use super::codec::Binder;
use crate::FilingQuery;
use sqlx::any::AnyArguments;

/// The filing list's statement, selecting `columns`.
pub(crate) fn list_query(columns: &str, q: &FilingQuery) -> (String, AnyArguments<'static>) {
    let mut sql = format!("SELECT {columns} FROM filings WHERE 1 = 1");
    let mut b = Binder::default();
    if let Some(o) = &q.owner {
        sql.push_str(&format!(" AND owner_id = {}", b.text(o)));
    }
    if let Some(p) = &q.authority_province {
        sql.push_str(&format!(
            " AND province = {} AND reached_authority = 1",
            b.text(p)
        ));
    }
    for (col, v) in [
        ("status", &q.status),
        ("kind", &q.kind),
        ("province", &q.province),
        ("appid", &q.appid),
    ] {
        if let Some(v) = v {
            sql.push_str(&format!(" AND {col} = {}", b.text(v)));
        }
    }
    let order = if q.sort_due {
        // The review queue: orders without a due date sort last.
        let due = format!("COALESCE(due_at, {})", i64::MAX);
        if let (Some(d), Some(c)) = (q.after_due, &q.after_id) {
            sql.push_str(&format!(
                " AND ({due} > {d} OR ({due} = {d} AND id > {}))",
                b.text(c)
            ));
        }
        format!("{due}, id")
    } else {
        if let Some(c) = &q.after_id {
            sql.push_str(&format!(" AND id > {}", b.text(c)));
        }
        "id".to_string()
    };
    sql.push_str(&format!(
        " ORDER BY {order} LIMIT {}",
        q.limit.clamp(1, 501)
    ));
    (sql, b.into_args())
}
