//! Server configuration: defaults, then a TOML file, then `BEIAN_*` variables
//! (the binary does the layering; this is the resolved result).

use beian_domain::policy::Policy;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// A secret that never shows in logs or `Debug` output.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Everything `beian serve` needs.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    /// `None` selects the SQLite file inside `data_dir`.
    pub db: Option<String>,
    pub manual_clock: bool,
    pub demo: bool,
    pub admin_password: Option<Secret>,
    pub policy: Policy,
    /// Argon2 memory cost in KiB; lowered only by tests.
    pub argon2_memory_kib: u32,
    /// How often the background worker looks for due timers and SMS.
    pub worker_interval_ms: u64,
    /// Requests per minute and client address on the public endpoints.
    pub public_rate_per_minute: u32,
}

impl Config {
    /// Defaults: localhost:8080, `./beian-data`, SQLite.
    pub fn new(data_dir: PathBuf) -> Config {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir,
            db: None,
            manual_clock: false,
            demo: false,
            admin_password: None,
            policy: Policy::default(),
            argon2_memory_kib: 19 * 1024,
            worker_interval_ms: 1000,
            public_rate_per_minute: 120,
        }
    }

    /// The database URL in force.
    pub fn database_url(&self) -> String {
        match &self.db {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("beian.db").display()
            ),
        }
    }
}
