//! Fresh databases for the store tests: a new SQLite file, or a new database on the
//! PostgreSQL server of `BEIAN_TEST_PG_URL` (scripts/test.sh provides one and drops the
//! `beian_(test|store|scale)_*` databases of earlier runs), and the rows, rules and
//! commits the tests build on. Each test file uses a part of it.
#![allow(dead_code)]

use beian_domain::calendar::Calendar;
use beian_domain::filing::{Actor, Env, Event, Filing, Time};
use beian_domain::policy::Policy;
use beian_domain::reference::ReferenceData;
use beian_store::{AppRow, Commit, Preconditions, SqlStore, UserRow};
use sqlx::Connection;
use std::sync::atomic::{AtomicU32, Ordering};

static N: AtomicU32 = AtomicU32::new(0);

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// The URL of a new SQLite file under the temp directory.
pub fn sqlite_url(prefix: &str) -> String {
    let dir = std::env::temp_dir().join(unique(prefix));
    std::fs::create_dir_all(&dir).unwrap();
    format!("sqlite://{}?mode=rwc", dir.join("t.db").display())
}

/// The URL of a new, empty PostgreSQL database named `<prefix>_<pid>_<n>`.
pub async fn postgres_url(prefix: &str) -> String {
    let admin = std::env::var("BEIAN_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = unique(prefix);
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("PostgreSQL is required (scripts/test.sh starts one)");
    sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    format!("{}/{name}", admin.rsplit_once('/').unwrap().0)
}

/// The keys of the test stores (a fixed master key: these databases are throwaway).
pub fn vault() -> std::sync::Arc<beian_store::vault::Vault> {
    use beian_store::vault::{MasterKey, Vault};
    let master = MasterKey {
        id: "test-master".into(),
        wrap: [7; 32],
    };
    // Nature 5 (个人): a person's name, as the embedded reference data says.
    std::sync::Arc::new(Vault::new(master, vec![]).with_person_natures(vec![5]))
}

/// A store on a new SQLite file, its clock at `now`.
pub async fn sqlite_store(prefix: &str, now: Time) -> SqlStore {
    SqlStore::connect(&sqlite_url(prefix), now, vault())
        .await
        .unwrap()
}

/// A store on a new PostgreSQL database, its clock at `now`.
pub async fn postgres_store(prefix: &str, now: Time) -> SqlStore {
    SqlStore::connect(&postgres_url(prefix).await, now, vault())
        .await
        .unwrap()
}

/// Runs each named test on a fresh SQLite file and on a fresh PostgreSQL database; the
/// test file's `sqlite()` and `postgres()` make what each test takes. With
/// `stores "<prefix>" at <clock>;` first, those two are made here: stores in new
/// databases named after the prefix, their clocks at `<clock>()`.
macro_rules! both {
    (stores $prefix:literal at $now:path; $($name:ident),*) => {
        async fn sqlite() -> SqlStore {
            common::sqlite_store($prefix, $now()).await
        }

        async fn postgres() -> SqlStore {
            common::postgres_store($prefix, $now()).await
        }

        both!($($name),*);
    };
    ($($name:ident),*) => {
        mod on_sqlite { $( #[tokio::test] async fn $name() { super::$name(super::sqlite().await).await } )* }
        mod on_postgres { $( #[tokio::test] async fn $name() { super::$name(super::postgres().await).await } )* }
    };
}

/// Runs each named test, a function of a database URL, on a new SQLite file and on a new
/// PostgreSQL database named after `$prefix`: for tests that reopen the database or read
/// it behind the store's back.
#[allow(unused_macros)]
macro_rules! both_urls {
    ($prefix:literal; $($name:ident),* $(,)?) => {
        mod at_sqlite_url { $( #[tokio::test] async fn $name() { super::$name(super::common::sqlite_url($prefix)).await } )* }
        mod at_postgres_url { $( #[tokio::test] async fn $name() { super::$name(super::common::postgres_url($prefix).await).await } )* }
    };
}

/// The applicant `u1` the tests' apps and orders belong to.
pub fn dev_user(created_at: Time) -> UserRow {
    UserRow {
        id: "u1".into(),
        username: "dev".into(),
        password_hash: "x".into(),
        role: "applicant".into(),
        province: None,
        created_at,
    }
}

/// An unlisted app of `u1`, registered and created at `at`.
pub fn app_row(appid: &str, name: &str, at: Time) -> AppRow {
    AppRow {
        appid: appid.into(),
        name: name.into(),
        owner_id: "u1".into(),
        listed: false,
        owner_name: None,
        registered_at: at,
        preconditions: Preconditions::default(),
        created_at: at,
    }
}

/// The policy, calendar and reference data commands are decided under.
#[derive(Clone)]
pub struct Rules {
    pub policy: Policy,
    pub calendar: Calendar,
    pub reference: ReferenceData,
}

impl Rules {
    /// The default policy with the embedded calendar and reference data.
    pub fn embedded() -> Rules {
        Rules {
            policy: Policy::default(),
            calendar: Calendar::embedded(),
            reference: ReferenceData::embedded(),
        }
    }

    /// The environment `actor` decides in at `now`.
    pub fn env<'a>(&'a self, now: Time, actor: &'a Actor) -> Env<'a> {
        Env {
            now,
            actor,
            policy: &self.policy,
            calendar: &self.calendar,
            reference: &self.reference,
            code_key: b"test code key",
        }
    }
}

/// The commit of `events` decided on `before` at `now`: no record effects, SMS, notices
/// or webhooks.
pub fn commit(before: &Filing, events: Vec<Event>, now: Time) -> Commit {
    let mut after = before.clone();
    for e in &events {
        after.apply(e);
    }
    let event_hashes = beian_domain::filing::chain(&before.chain_head, &events);
    Commit {
        effects: vec![],
        sms: vec![],
        expected_version: before.version,
        bind_face_task: None,
        filing: after,
        events,
        event_hashes,
        now,
        notices: vec![],
        webhooks: vec![],
    }
}
