//! Shared state handed to every handler.

use crate::adapters::clock::Clock;
use crate::adapters::sms::SmsGateway;
use crate::app::live_calendar::LiveCalendar;
use crate::config::{DeliveryConfig, SecurityConfig};
use crate::http::login_guard::LoginGuard;
use crate::http::metrics::Metrics;
use crate::http::ratelimit::Limits;
use crate::reference::Reference;
use beian_domain::calendar::Calendar;
use beian_domain::filing::{Actor, Env, Time};
use beian_domain::notify::Templates;
use beian_domain::policy::Policy;
use beian_store::Store;
use std::path::PathBuf;
use std::sync::Arc;

/// Everything a request may need; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub clock: Arc<Clock>,
    pub policy: Arc<Policy>,
    /// The working-day calendar in force; reloaded when a notice is stored (holidays.rs).
    pub calendar: Arc<LiveCalendar>,
    pub sms: Arc<dyn SmsGateway>,
    pub metrics: Arc<Metrics>,
    pub data_dir: PathBuf,
    /// Uploaded files, content-addressed (objects.rs).
    pub objects: Arc<dyn object_store::ObjectStore>,
    pub argon2_memory_kib: u32,
    /// Notification texts (data/templates/notifications.toml).
    pub templates: Arc<Templates>,
    /// Retry schedules of the SMS outbox and webhook deliveries.
    pub delivery: Arc<DeliveryConfig>,
    /// The client webhook deliveries go out with.
    pub http: reqwest::Client,
    /// Held by a pass of due work, so a clock change waits for the worker's
    /// pass in flight and then sees everything that fell due done.
    pub work: Arc<tokio::sync::Mutex<()>>,
    /// Reference data in force: embedded, with the data directory's replacements.
    pub reference: Arc<Reference>,
    /// The CJK font platform documents are rendered with; `None` when the machine has
    /// none, and then PDFs answer 503 `PDF_FONT_MISSING` while everything else works.
    pub pdf_font: Option<Arc<beian_pdf::Font>>,
    /// Sessions, proxies, operator tokens (SECURITY.md).
    pub security: Arc<SecurityConfig>,
    /// Request budgets per client address, mobile and user.
    pub limits: Arc<Limits>,
    /// Password-guessing counts and locks.
    pub login_guard: Arc<LoginGuard>,
    /// The key SMS codes are hashed under, derived from the master key (adapters/keys.rs).
    pub code_key: Arc<Vec<u8>>,
    /// The master key's public id (adapters/keys.rs), recorded in the database.
    pub key_id: String,
    /// When (server clock) the last housekeeping ran: session purge and daily anchors
    /// need not run on every pass of the worker.
    pub housekeeping: Arc<std::sync::Mutex<Option<Time>>>,
    /// Seals uploads at rest (adapters/sealed.rs).
    pub sealer: Arc<crate::adapters::sealed::Sealer>,
    /// The tesseract reader (adapters/ocr.rs), found on first use; app/ocr.rs reads with it.
    pub ocr: Arc<crate::adapters::ocr::Ocr>,
}

impl AppState {
    /// The current time.
    pub fn now(&self) -> Time {
        self.clock.now()
    }

    /// The calendar for one decision: hold it for as long as the decision's [`Env`].
    pub fn calendar(&self) -> Arc<Calendar> {
        self.calendar.current()
    }

    /// The domain environment for one decision, on `calendar` (from [`AppState::calendar`]).
    pub fn env<'a>(&'a self, calendar: &'a Calendar, actor: &'a Actor, now: Time) -> Env<'a> {
        Env {
            now,
            actor,
            policy: &self.policy,
            calendar,
            reference: &self.reference.data,
            code_key: &self.code_key,
        }
    }
}

impl crate::http::HttpState for AppState {
    fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    fn session_limits(&self) -> beian_store::SessionLimits {
        self.security.session_limits()
    }

    fn limits(&self) -> &Limits {
        &self.limits
    }

    fn now(&self) -> Time {
        self.clock.now()
    }
}
