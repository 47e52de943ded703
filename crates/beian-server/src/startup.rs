//! Builds the application: store, first admin, demo data, router, worker.
//! Tests boot the real server through [`Application::build`] on port 0.

use crate::adapters::clock::Clock;
use crate::adapters::sms::{HttpGateway, OutboxGateway, SmsGateway};
use crate::app::state::AppState;
use crate::config::Config;
use crate::config::SmsGatewayConfig;
use crate::http::auth::Role;
use crate::http::login_guard::{LoginGuard, LoginPolicy};
use crate::http::metrics::Metrics;
use crate::http::ratelimit::{Budgets, Limits};
use crate::routes;
use axum::extract::DefaultBodyLimit;
use axum::Router;
use beian_domain::calendar::{Calendar, HolidayYear};
use beian_domain::notify::Templates;
use beian_store::{SqlStore, Store};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// A built, bound, not yet serving server.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    pub state: AppState,
    worker_interval: std::time::Duration,
    /// The generated admin password, when this start created the admin.
    pub generated_admin_password: Option<String>,
}

/// Startup failures.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot create the data directory {0}: {1}")]
    DataDir(String, std::io::Error),
    #[error("database: {0}")]
    Store(#[from] beian_store::StoreError),
    #[error("cannot listen on {0}: {1}")]
    Bind(SocketAddr, std::io::Error),
    #[error("{0}")]
    Setup(String),
}

/// Opens the store named by the configuration (and migrates it).
pub async fn open_store(config: &Config) -> Result<SqlStore, StartupError> {
    let store = open_store_unsealed(config).await?;
    store.seal_in_clear(chrono::Utc::now(), &|_, _| {}).await?;
    Ok(store)
}

/// [`open_store`], leaving what an earlier version wrote in clear for
/// `SqlStore::seal_in_clear` (`beian migrate` shows its progress).
pub async fn open_store_unsealed(config: &Config) -> Result<SqlStore, StartupError> {
    if config.db.is_none() {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| StartupError::DataDir(config.data_dir.display().to_string(), e))?;
    }
    let keys = master_keys(config)?;
    let earlier = previous_keys(config)?.map(|k| k.data_key_wrap());
    // An individual's subject name is a person's: the store keeps it masked and sealed.
    let persons = load_reference(config)?
        .data
        .natures
        .iter()
        .filter(|(_, n)| n.is_individual())
        .map(|(code, _)| i64::from(*code))
        .collect();
    let vault = Arc::new(
        beian_store::vault::Vault::new(keys.data_key_wrap(), earlier.into_iter().collect())
            .with_person_natures(persons),
    );
    SqlStore::connect_unsealed(
        &config.database_url(),
        chrono::Utc::now(),
        config.db_max_connections,
        vault,
    )
    .await
    .map_err(|e| match e {
        beian_store::StoreError::Vault(beian_store::vault::VaultError::OtherMaster(_, id)) => {
            StartupError::Setup(other_master(&keys.id(), &id))
        }
        e => e.into(),
    })
}

/// Why a database does not open with this master key.
fn other_master(key_id: &str, written_with: &str) -> String {
    format!(
        "主密钥与数据库不符 / the master key (id {key_id}) is not the one this database was \
         written with (id {written_with}): set BEIAN_MASTER_KEY or BEIAN_MASTER_KEY_FILE \
         to that key"
    )
}

/// The master key of `config` (environment, file, or a new file, announced once).
pub fn master_keys(config: &Config) -> Result<crate::adapters::keys::Keys, StartupError> {
    let (keys, generated) = crate::adapters::keys::Keys::load(
        config.security.master_key.as_ref().map(|k| k.0.as_str()),
        config.security.master_key_file.as_deref(),
        &config.data_dir,
    )
    .map_err(|e| StartupError::Setup(format!("master key: {e}")))?;
    if generated {
        tracing::warn!(
            path = %keys.source,
            "generated a new master key: keep a copy apart from the data and its backups; \
             without it the personal data in the database cannot be read"
        );
    }
    Ok(keys)
}

/// The gateway the configuration selects.
pub fn sms_gateway(config: &Config) -> Result<Arc<dyn SmsGateway>, StartupError> {
    Ok(match &config.sms {
        SmsGatewayConfig::Outbox => Arc::new(OutboxGateway),
        SmsGatewayConfig::Http(http) => {
            Arc::new(HttpGateway::new(http.clone()).map_err(StartupError::Setup)?)
        }
    })
}

/// The reference data in force, read once: embedded, with `<data-dir>/reference/` replacements.
fn load_reference(config: &Config) -> Result<crate::reference::Reference, StartupError> {
    let reference = crate::reference::Reference::load(&config.data_dir)
        .map_err(|e| StartupError::Setup(format!("reference data: {e}")))?;
    for file in reference.overridden() {
        tracing::info!(file, "reference file replaced from the data directory");
    }
    Ok(reference)
}

/// The working-day calendar: the compiled-in years, plus every
/// `<data-dir>/reference/holidays/<year>.toml`, which adds a year or replaces a
/// compiled-in one. A file that does not parse stops the start: a year must
/// never be guessed (domain.md §11.2).
pub fn load_calendar(data_dir: &std::path::Path) -> Result<Calendar, StartupError> {
    let mut years = Calendar::embedded_years();
    for year in holiday_files(data_dir)? {
        years.retain(|y| y.year() != year.year());
        years.push(year);
    }
    Calendar::from_years(years).map_err(|e| StartupError::Setup(e.to_string()))
}

/// The years of `<data-dir>/reference/holidays/*.toml`, validated.
pub fn holiday_files(data_dir: &std::path::Path) -> Result<Vec<HolidayYear>, StartupError> {
    let mut years = vec![];
    let dir = data_dir.join("reference").join("holidays");
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(years),
        Err(e) => return Err(StartupError::Setup(format!("{}: {e}", dir.display()))),
    };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| StartupError::Setup(format!("{}: {e}", path.display())))?;
        let year = HolidayYear::parse(&text)
            .map_err(|e| StartupError::Setup(format!("节假日数据 {} 无效：{e}", path.display())))?;
        if years.iter().any(|y: &HolidayYear| y.year() == year.year()) {
            return Err(StartupError::Setup(format!(
                "节假日数据 {} 与同目录另一文件重复了 {} 年",
                path.display(),
                year.year()
            )));
        }
        tracing::info!(year = year.year(), file = %path.display(), "holiday data loaded from the data directory; it wins over a notice of the same year stored in the database");
        years.push(year);
    }
    Ok(years)
}

/// The CJK font for PDFs, found once per process (it is a 5 MB file to parse).
fn load_pdf_font() -> Option<Arc<beian_pdf::Font>> {
    static FONT: std::sync::OnceLock<Option<Arc<beian_pdf::Font>>> = std::sync::OnceLock::new();
    FONT.get_or_init(|| match beian_pdf::Font::discover() {
        Ok(font) => {
            tracing::info!(source = font.source(), "PDF font loaded");
            Some(Arc::new(font))
        }
        Err(e) => {
            tracing::warn!(error = %e, "no CJK font: platform documents are served as HTML only; install fonts-wqy-microhei or set BEIAN_PDF_FONT");
            None
        }
    })
    .clone()
}

/// The shared state over a store, with the wall clock or a manual one.
pub fn state(config: &Config, store: Arc<dyn Store>) -> Result<AppState, StartupError> {
    let clock = if config.manual_clock {
        Clock::manual(config.clock_start.unwrap_or_else(chrono::Utc::now))
    } else {
        Clock::System
    };
    let keys = master_keys(config)?;
    // Webhook receivers answer themselves: a redirect is not followed.
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_millis(
            config.delivery.webhook_timeout_ms,
        ))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| StartupError::Setup(format!("HTTP client: {e}")))?;
    Ok(AppState {
        store,
        clock: Arc::new(clock),
        policy: Arc::new(config.policy.clone()),
        calendar: Arc::new(crate::app::live_calendar::LiveCalendar::new(
            Calendar::embedded_years(),
            holiday_files(&config.data_dir)?,
        )),
        sms: sms_gateway(config)?,
        metrics: Arc::new(Metrics::default()),
        data_dir: config.data_dir.clone(),
        objects: crate::adapters::objects::build(&config.objects, &config.data_dir)
            .map_err(|e| StartupError::Setup(format!("object store: {e}")))?,
        argon2_memory_kib: config.argon2_memory_kib,
        templates: Arc::new(Templates::embedded()),
        delivery: Arc::new(config.delivery.clone()),
        http,
        work: Arc::default(),
        reference: Arc::new(load_reference(config)?),
        pdf_font: load_pdf_font(),
        security: Arc::new(config.security.clone()),
        limits: Arc::new(Limits::new(&Budgets {
            client_per_minute: config.public_rate_per_minute,
            mobile_per_hour: config.security.mobile_attempts_per_hour,
            user_per_minute: config.security.user_requests_per_minute,
            trusted_proxies: config.security.trusted_proxies.clone(),
        })),
        login_guard: Arc::new(LoginGuard::new(LoginPolicy {
            failures_before_lock: config.security.login_failures_before_lock,
            ..LoginPolicy::default()
        })),
        code_key: Arc::new(keys.derive("sms code")),
        key_id: keys.id(),
        sealer: Arc::new(crate::adapters::sealed::Sealer::new(&keys)),
        housekeeping: Arc::default(),
        ocr: Arc::new(crate::adapters::ocr::Ocr::new(&config.policy.ocr)),
    })
}

/// [`state`] over a store opened with `config`'s master key, checked against the key
/// the database records, with the secrets the database keeps (SMS codes, uploads).
pub async fn open_state(config: &Config, store: Arc<dyn Store>) -> Result<AppState, StartupError> {
    let mut state = state(config, store)?;
    let keys = master_keys(config)?;
    let previous = previous_keys(config)?;
    // A database and its master key belong together: a restored backup or a second
    // process started with another key could read nothing the others wrote. While a
    // rotation is under way the previous key is the database's still.
    let written_with = state
        .store
        .claim_key_id(&keys.id())
        .await
        .map_err(|e| StartupError::Setup(format!("master key: {e}")))?;
    let origin = match &previous {
        _ if written_with == keys.id() => &keys,
        Some(p) if written_with == p.id() => p,
        _ => return Err(StartupError::Setup(other_master(&keys.id(), &written_with))),
    };
    // Keys first derived from the database's master key, kept wrapped from then on, so
    // that they outlive its rotation.
    let now = state.clock.now();
    let secret = |id: &'static str, initial: Vec<u8>| {
        let store = state.store.clone();
        async move {
            store
                .secret(id, &initial, now)
                .await
                .map_err(|e| StartupError::Setup(format!("{id}: {e}")))
        }
    };
    let code = secret("~sms-code", origin.derive("sms code")).await?;
    let (wrap, names, id) = crate::adapters::sealed::Sealer::derived(origin);
    let wrap = secret("~upload-wrap", wrap).await?;
    let names = secret("~upload-names", names).await?;
    let id = secret("~upload-key-id", id.into_bytes()).await?;
    let id = String::from_utf8(id)
        .map_err(|_| StartupError::Setup("~upload-key-id: not text".into()))?;
    state.code_key = Arc::new(code);
    state.sealer = Arc::new(crate::adapters::sealed::Sealer::from_parts(
        &wrap, &names, id,
    ));
    state.key_id = keys.id();
    Ok(state)
}

/// The master key being rotated away from, when one is configured (never generated).
pub fn previous_keys(config: &Config) -> Result<Option<crate::adapters::keys::Keys>, StartupError> {
    let sec = &config.security;
    let hex = sec.previous_master_key.as_ref().map(|k| k.0.as_str());
    let Some(file) = sec.previous_master_key_file.as_deref() else {
        return match hex {
            None => Ok(None),
            Some(h) => crate::adapters::keys::Keys::load(Some(h), None, &config.data_dir)
                .map(|(k, _)| Some(k))
                .map_err(|e| StartupError::Setup(format!("previous master key: {e}"))),
        };
    };
    if hex.is_none() && !file.exists() {
        return Err(StartupError::Setup(format!(
            "previous master key: {} does not exist",
            file.display()
        )));
    }
    crate::adapters::keys::Keys::load(hex, Some(file), &config.data_dir)
        .map(|(k, _)| Some(k))
        .map_err(|e| StartupError::Setup(format!("previous master key: {e}")))
}

impl Application {
    /// Opens the store, ensures an admin exists, seeds the demo if asked, binds.
    pub async fn build(config: Config) -> Result<Application, StartupError> {
        let store: Arc<dyn Store> = Arc::new(open_store(&config).await?);
        let state = open_state(&config, store).await?;
        // Notices loaded at run time by any process sharing the database (§11.5).
        state
            .calendar
            .refresh(state.store.as_ref())
            .await
            .map_err(|e| StartupError::Setup(format!("calendar: {}", e.message)))?;
        for year in state.calendar.file_years() {
            tracing::info!(year, "holiday data file in force for this year (a stored notice of the same year is ignored)");
        }
        if let Some(alert) = crate::app::holidays::alert(&state) {
            tracing::warn!("{alert}");
        }
        let generated_admin_password = ensure_admin(&state, &config).await?;
        if config.demo {
            crate::app::demo::seed(&state)
                .await
                .map_err(|e| StartupError::Setup(format!("demo seed: {}", e.message)))?;
        }
        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|e| StartupError::Bind(config.addr, e))?;
        let router = router(state.clone(), config.manual_clock);
        Ok(Application {
            listener,
            router,
            state,
            worker_interval: std::time::Duration::from_millis(config.worker_interval_ms),
            generated_admin_password,
        })
    }

    /// The bound address (port 0 resolved).
    pub fn addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Serves until the process ends or ctrl-c.
    pub async fn run(self) -> std::io::Result<()> {
        tokio::spawn({
            let s = self.state.clone();
            async move { crate::app::ocr::resume(&s).await }
        });
        tokio::spawn(crate::jobs::worker::run(
            self.state.clone(),
            self.worker_interval,
        ));
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    }
}

/// Creates the first admin on an empty database; returns a generated password.
async fn ensure_admin(state: &AppState, config: &Config) -> Result<Option<String>, StartupError> {
    let users = state.store.list_users().await?;
    if users
        .iter()
        .any(|u| Role::parse(&u.role) == Some(Role::Admin))
    {
        return Ok(None);
    }
    let (password, generated) = match &config.admin_password {
        Some(p) => (p.0.clone(), false),
        None => (crate::http::auth::new_token()[..20].to_string(), true),
    };
    let new = crate::app::accounts::NewUser {
        username: "admin".into(),
        password: password.clone(),
        role: "admin".into(),
        province: None,
    };
    match crate::app::accounts::add_user(state, new).await {
        Ok(_) => Ok(generated.then_some(password)),
        // Another process started at the same moment and created it.
        Err(e) if e.code == "USERNAME_TAKEN" => Ok(None),
        Err(e) => Err(StartupError::Setup(format!("admin account: {}", e.message))),
    }
}

/// The whole server: the JSON routes and the pages, under the middleware every request
/// passes (outermost last): tracing, security headers, the per-address limit, the JSON
/// body limit, the upload limit, idempotency keys.
fn router(state: AppState, manual_clock: bool) -> Router {
    let https = state.security.https();
    routes::api(&state, manual_clock)
        .merge(crate::ui::router())
        .fallback(routes::ops::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::http::idempotency::layer::<AppState>,
        ))
        .layer(DefaultBodyLimit::max(
            crate::app::media::MAX_UPLOAD_BYTES + 64 * 1024,
        ))
        .layer(axum::middleware::from_fn(crate::http::body_limit::layer))
        .layer(axum::middleware::from_fn(crate::http::nul_guard::layer))
        .layer(axum::middleware::from_fn_with_state(
            state.limits.clone(),
            crate::http::ratelimit::per_client,
        ))
        .layer(axum::middleware::from_fn(move |req, next| {
            crate::http::headers::layer(https, req, next)
        }))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

#[cfg(test)]
mod calendar_tests {
    use super::load_calendar;
    use chrono::NaiveDate;

    fn dir(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("beian-cal-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("reference/holidays")).unwrap();
        d
    }

    #[test]
    fn a_new_year_is_a_data_file_and_a_broken_one_stops_the_start() {
        let d = dir("add");
        let date = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
        let projected = load_calendar(&d).unwrap();
        assert!(projected.is_projected(2027), "2027 has no notice here");
        assert_eq!(projected.is_working_day(date), Ok(true), "projected Monday");
        // A test file for a year the State Council has not published here; dates are
        // illustrative: 4 January as a 补休 rest day, which the projection does not have.
        let text = "year = 2027\nsource = \"test fixture\"\nas_of = \"2026-11-28\"\nrest_days = [\"2027-01-01\", \"2027-01-04\"]\nmakeup_workdays = []\n";
        std::fs::write(d.join("reference/holidays/2027.toml"), text).unwrap();
        let cal = load_calendar(&d).unwrap();
        assert!(!cal.is_projected(2027));
        assert_eq!(cal.is_working_day(date), Ok(false));
        assert_eq!(
            cal.is_working_day(NaiveDate::from_ymd_opt(2027, 1, 5).unwrap()),
            Ok(true)
        );
        std::fs::write(d.join("reference/holidays/2028.toml"), "year = \"x\"").unwrap();
        assert!(load_calendar(&d).is_err());
    }

    /// A data file wins over a notice stored for the same year (§11.5), and a stored
    /// notice makes a projected year official.
    #[tokio::test]
    async fn a_file_wins_over_a_stored_notice_of_the_same_year() {
        use crate::app::live_calendar::LiveCalendar;
        use beian_domain::calendar::Calendar;
        use beian_store::prelude::CalendarStore;
        use beian_store::{SqlStore, StoredNotice};
        let d = dir("precedence");
        let file = "year = 2027\nsource = \"file\"\nas_of = \"2026-11-28\"\nrest_days = [\"2027-01-04\"]\nmakeup_workdays = []\n";
        std::fs::write(d.join("reference/holidays/2027.toml"), file).unwrap();
        let keys = crate::adapters::keys::Keys::load(Some(&"5a".repeat(32)), None, &d)
            .unwrap()
            .0;
        let vault =
            std::sync::Arc::new(beian_store::vault::Vault::new(keys.data_key_wrap(), vec![]));
        let store = SqlStore::connect_with(
            &format!("sqlite://{}/t.db?mode=rwc", d.display()),
            chrono::Utc::now(),
            1,
            vault,
        )
        .await
        .unwrap();
        let notice = |year: i32, rest: &str| {
            StoredNotice {
            year,
            data: format!("year = {year}\nsource = \"stored\"\nas_of = \"2026-11-28\"\nrest_days = [\"{rest}\"]\nmakeup_workdays = []\n"),
            notice_text: String::new(),
            loaded_at: chrono::Utc::now(),
            loaded_by: "test".into(),
        }
        };
        assert!(store
            .save_calendar_notice(&notice(2027, "2027-01-05"))
            .await
            .unwrap());
        assert!(store
            .save_calendar_notice(&notice(2028, "2028-01-04"))
            .await
            .unwrap());
        assert!(
            !store
                .save_calendar_notice(&notice(2028, "2028-01-05"))
                .await
                .unwrap(),
            "a year is stored once"
        );
        let live = LiveCalendar::new(
            Calendar::embedded_years(),
            super::holiday_files(&d).unwrap(),
        );
        assert!(
            live.current().is_projected(2028),
            "before the first refresh"
        );
        assert!(live.refresh(&store).await.unwrap());
        assert!(!live.refresh(&store).await.unwrap(), "nothing new");
        let cal = live.current();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        // 2027: the file's 4 January, not the stored notice's 5 January.
        assert_eq!(cal.is_working_day(day(2027, 1, 4)), Ok(false));
        assert_eq!(cal.is_working_day(day(2027, 1, 5)), Ok(true));
        // 2028: the stored notice.
        assert!(!cal.is_projected(2028));
        assert_eq!(cal.is_working_day(day(2028, 1, 4)), Ok(false));
        assert_eq!(live.file_years(), vec![2027]);
    }
}
