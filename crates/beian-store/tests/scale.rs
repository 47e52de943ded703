//! On a real SQLite file and a real PostgreSQL database: the trigram name
//! search (fresh and after an upgrade from migration 4), and timer batches that keep
//! every other order when one conflicts.
//!
//! The batched expiries end to end (exactly once, on one and three processes) are in
//! the API tests (sweep.rs, concurrency.rs).

use beian_domain::document::Document;
use beian_domain::filing::{Actor, Command, Filing, IssuedNumbers, Kind, RecordEffect, Time};
use beian_domain::fixtures::enterprise_document;
use beian_store::*;
use chrono::{TimeZone, Utc};

#[macro_use]
mod common;
use common::Rules;

fn t0() -> Time {
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap()
}

async fn sqlite() -> String {
    common::sqlite_url("beian-scale")
}

async fn postgres() -> String {
    common::postgres_url("beian_scale").await
}

struct Fx {
    store: SqlStore,
    rules: Rules,
}

impl Fx {
    async fn new(url: &str) -> Fx {
        let store = SqlStore::connect(url, t0(), common::vault()).await.unwrap();
        store.insert_user(&common::dev_user(t0())).await.unwrap();
        Fx {
            store,
            rules: Rules::embedded(),
        }
    }

    /// A saved draft of a new app `appid`.
    async fn draft(&self, id: &str, appid: &str) -> Filing {
        let app = common::app_row(appid, "x", t0());
        self.store.insert_app(&app).await.unwrap();
        let actor = Actor::Applicant("u1".into());
        let (f, created) =
            Filing::create(id.into(), Kind::New, appid.into(), &actor, None, None, t0()).unwrap();
        self.store.create_filing(&f, &created).await.unwrap();
        let doc = enterprise_document(
            "深圳市星河科技有限公司",
            "91440300708461136T",
            "x",
            "face",
            "m",
        );
        let c = self.commit(
            &f,
            Command::Save {
                document: Box::new(doc),
            },
        );
        let after = c.filing.clone();
        self.store.commit(c).await.unwrap();
        after
    }

    /// The commit of `cmd` by the owner on `f`.
    fn commit(&self, f: &Filing, cmd: Command) -> Commit {
        let actor = Actor::Applicant("u1".into());
        let events = f.decide(cmd, &self.rules.env(t0(), &actor)).unwrap();
        common::commit(f, events, t0())
    }

    /// Writes `effect` with a commit of a throwaway order (the record writers run
    /// only inside a commit).
    async fn record(&self, n: u32, effect: RecordEffect) {
        let f = self.draft(&format!("r{n}"), &format!("wxr{n}")).await;
        let mut c = self.commit(&f, Command::Discard);
        c.effects = vec![effect];
        self.store.commit(c).await.unwrap();
    }

    async fn search(&self, q: &str) -> Vec<String> {
        let mut found: Vec<String> = self
            .store
            .public_search(q, 50)
            .await
            .unwrap()
            .into_iter()
            .map(|i| i.mini_program_name)
            .collect();
        found.sort();
        found
    }
}

fn doc(subject: &str, mp: &str) -> Document {
    enterprise_document(subject, "91440300708461136T", mp, "face", "m")
}

fn filed(appid: &str, key: &str, seq: u32, subject: &str, mp: &str) -> RecordEffect {
    let subject_number = format!("粤ICP备2026{seq:06}号");
    RecordEffect::ServiceFiled {
        appid: appid.into(),
        subject_key: key.into(),
        province: "44".into(),
        numbers: IssuedNumbers {
            service_number: format!("{subject_number}-1X"),
            subject_number,
        },
        document: doc(subject, mp),
    }
}

both!(
    names_are_found_by_any_substring,
    upgrade_indexes_existing_records,
    a_conflict_in_a_batch_keeps_the_others
);

async fn names_are_found_by_any_substring(url: String) {
    let fx = Fx::new(&url).await;
    fx.record(
        1,
        filed("wx1", "1:A", 1, "深圳市星河科技有限公司", "星河记账"),
    )
    .await;
    fx.record(
        2,
        filed("wx2", "1:B", 2, "北京月光网络有限公司", "月光天气Pro"),
    )
    .await;
    let none: Vec<String> = vec![];
    // Three characters or more: any substring of either name, through the index.
    assert_eq!(
        fx.search("河科技").await,
        vec!["星河记账"],
        "middle of a subject name"
    );
    assert_eq!(
        fx.search("河记账").await,
        vec!["星河记账"],
        "end of a mini program name"
    );
    assert_eq!(fx.search("光天气").await, vec!["月光天气Pro"]);
    assert_eq!(
        fx.search("天气pro").await,
        vec!["月光天气Pro"],
        "ASCII case folds"
    );
    assert_eq!(fx.search("有限公司").await, vec!["星河记账", "月光天气Pro"]);
    assert_eq!(
        fx.search("记账深圳").await,
        none,
        "never across the two names"
    );
    assert_eq!(fx.search("河%技").await, none, "wildcards are literal");
    // One or two characters: a prefix of either name.
    assert_eq!(fx.search("星河").await, vec!["星河记账"]);
    assert_eq!(fx.search("北京").await, vec!["月光天气Pro"]);
    assert_eq!(fx.search("记账").await, none, "not a prefix");
    // Renaming the subject (a change order) renames it in the index, and the cached
    // answer of the old name is not served again.
    assert_eq!(fx.search("月光网络").await, vec!["月光天气Pro"]);
    fx.record(
        3,
        RecordEffect::ServiceChanged {
            appid: "wx2".into(),
            document: doc("北京日光网络有限公司", "日光天气"),
        },
    )
    .await;
    assert_eq!(fx.search("月光网络").await, none);
    assert_eq!(fx.search("日光网络").await, vec!["日光天气"]);
    assert_eq!(fx.search("光天气").await, vec!["日光天气"]);
    // A cancelled service is no longer public.
    fx.record(
        4,
        RecordEffect::ServiceCancelled {
            appid: "wx1".into(),
            subject_key: "1:A".into(),
            access_only: false,
            cancel_empty_subject: true,
        },
    )
    .await;
    assert_eq!(fx.search("河记账").await, none);
    // A number still finds its record.
    let hits = fx
        .store
        .public_search("粤ICP备2026000002号-1X", 50)
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
}

/// A database at migration 4 with records gets the trigram index filled by 0005.
async fn upgrade_indexes_existing_records(url: String) {
    let postgres = url.starts_with("postgres");
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    sqlx::query(
        "CREATE TABLE beian_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let files: [&str; 4] = if postgres {
        [
            include_str!("../migrations/postgres/0001_init.sql"),
            include_str!("../migrations/postgres/0002_notifications.sql"),
            include_str!("../migrations/postgres/0003_validation.sql"),
            include_str!("../migrations/postgres/0004_performance.sql"),
        ]
    } else {
        [
            include_str!("../migrations/sqlite/0001_init.sql"),
            include_str!("../migrations/sqlite/0002_notifications.sql"),
            include_str!("../migrations/sqlite/0003_validation.sql"),
            include_str!("../migrations/sqlite/0004_performance.sql"),
        ]
    };
    for (i, sql) in files.iter().enumerate() {
        for s in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            sqlx::query(s).execute(&pool).await.unwrap();
        }
        sqlx::query("INSERT INTO beian_migrations (version, name, applied_at) VALUES ($1, 'x', 0)")
            .bind(i as i64 + 1)
            .execute(&pool)
            .await
            .unwrap();
    }
    sqlx::query(
        "INSERT INTO subject_records (subject_key, province, subject_number, subject_name, nature, \
         next_service_index, status, created_at) VALUES ('1:A', '44', '粤ICP备2026000001号', \
         '深圳市星河科技有限公司', 4, 2, 'active', 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO service_records (appid, subject_key, subject_number, service_number, \
         mini_program_name, status, filed_at, document) VALUES ('wx1', '1:A', '粤ICP备2026000001号', \
         '粤ICP备2026000001号-1X', '星河记账', 'active', 0, '{}')",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let fx = Fx::new(&url).await;
    assert_eq!(fx.search("河科技").await, vec!["星河记账"]);
    assert_eq!(fx.search("河记账").await, vec!["星河记账"]);
    // And the index is kept from then on.
    fx.record(
        2,
        filed("wx2", "1:B", 2, "北京月光网络有限公司", "月光天气"),
    )
    .await;
    assert_eq!(fx.search("月光网络").await, vec!["月光天气"]);
}

/// The timer batch: one transaction, each commit under its own savepoint.
async fn a_conflict_in_a_batch_keeps_the_others(url: String) {
    let fx = Fx::new(&url).await;
    let a = fx.draft("fa", "wxa").await;
    let b = fx.draft("fb", "wxb").await;
    let c = fx.draft("fc", "wxc").await;
    // `b` moves on before the batch is written: its commit in the batch is stale.
    fx.store
        .commit(fx.commit(&b, Command::Discard))
        .await
        .unwrap();
    let batch = vec![
        fx.commit(&a, Command::Discard),
        fx.commit(&b, Command::Discard),
        fx.commit(&c, Command::Discard),
        // A second commit of `a` on the same version: only the first is written.
        fx.commit(&a, Command::Discard),
    ];
    let results = fx.store.commit_batch(batch).await.unwrap();
    assert!(results[0].is_ok() && results[2].is_ok(), "{results:?}");
    for i in [1, 3] {
        assert!(
            matches!(results[i], Err(StoreError::VersionConflict)),
            "{results:?}"
        );
    }
    let ids = [
        "fa".to_string(),
        "fb".to_string(),
        "fc".to_string(),
        "zz".to_string(),
    ];
    let mut loaded = fx.store.filings_by_ids(&ids).await.unwrap();
    loaded.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(loaded.len(), 3, "unknown ids are left out");
    for f in &loaded {
        assert_eq!(f.status.as_str(), "discarded", "{}", f.id);
        // Exactly one discard each: the stale one wrote no event.
        assert_eq!(
            fx.store.events(&f.id).await.unwrap().len() as i64,
            f.version,
            "{}",
            f.id
        );
    }
    assert_eq!(loaded[1].version, b.version + 1);
}
