//! Server configuration: defaults, then a TOML file, then `BEIAN_*` variables
//! (the binary does the layering; this is the resolved result).

use beian_domain::policy::Policy;
use std::collections::BTreeMap;
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
    /// Where a manual clock starts (`--clock-start`); now when `None`.
    pub clock_start: Option<beian_domain::filing::Time>,
    pub demo: bool,
    pub admin_password: Option<Secret>,
    pub policy: Policy,
    /// Argon2 memory cost in KiB; lowered only by tests.
    pub argon2_memory_kib: u32,
    /// How often the background worker looks for due timers and SMS.
    pub worker_interval_ms: u64,
    /// PostgreSQL connections per process.
    pub db_max_connections: u32,
    /// Requests per minute and client address on the public endpoints.
    pub public_rate_per_minute: u32,
    /// Which SMS gateway delivers the outbox.
    pub sms: SmsGatewayConfig,
    /// Retry schedules of the SMS outbox and of webhook deliveries.
    pub delivery: DeliveryConfig,
    /// Where uploaded files are stored.
    pub objects: ObjectStoreConfig,
    /// Sessions, rate limits, proxies, operator endpoints.
    pub security: SecurityConfig,
}

/// What protects the server from hostile users (SECURITY.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityConfig {
    /// The URL users reach the server at (`BEIAN_PUBLIC_URL`); when it is https,
    /// cookies are `Secure` and pages send HSTS.
    pub public_url: Option<String>,
    /// Proxies whose `X-Forwarded-For` names the client (`BEIAN_TRUSTED_PROXIES`,
    /// comma-separated addresses).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// A session unused this long ends (seconds).
    pub session_idle_secs: i64,
    /// A session ends this long after sign-in, used or not (seconds).
    pub session_absolute_secs: i64,
    /// SMS verification and resend requests per mobile and hour.
    pub mobile_attempts_per_hour: u32,
    /// Uploads and pre-checks per user and minute.
    pub user_requests_per_minute: u32,
    /// Wrong passwords for one username before it is locked.
    pub login_failures_before_lock: u32,
    /// A bearer token Prometheus may scrape `/metrics` with (`BEIAN_METRICS_TOKEN`);
    /// admins may always.
    pub metrics_token: Option<Secret>,
    /// Webhooks may call loopback and private addresses
    /// (`BEIAN_WEBHOOK_PRIVATE_NETWORKS=1`): for receivers on an intranet.
    pub webhook_private_networks: bool,
    /// The master key, 64 hex digits (`BEIAN_MASTER_KEY`); else read from
    /// `master_key_file` (`BEIAN_MASTER_KEY_FILE`, default `<data-dir>/keys/master.key`).
    pub master_key: Option<Secret>,
    pub master_key_file: Option<PathBuf>,
    /// The master key being rotated away from (`BEIAN_PREVIOUS_MASTER_KEY`, or the file
    /// `BEIAN_PREVIOUS_MASTER_KEY_FILE`): what it wrapped is still read, and
    /// `beian keys rotate` wraps it again under the master key.
    pub previous_master_key: Option<Secret>,
    pub previous_master_key_file: Option<PathBuf>,
}

impl Default for SecurityConfig {
    fn default() -> SecurityConfig {
        SecurityConfig {
            public_url: None,
            trusted_proxies: vec![],
            // A reviewer's working day fits in the absolute limit; a desk left
            // for two hours signs out.
            session_idle_secs: 2 * 3600,
            session_absolute_secs: 12 * 3600,
            mobile_attempts_per_hour: 10,
            user_requests_per_minute: 60,
            login_failures_before_lock: 5,
            metrics_token: None,
            webhook_private_networks: false,
            master_key: None,
            master_key_file: None,
            previous_master_key: None,
            previous_master_key_file: None,
        }
    }
}

impl SecurityConfig {
    /// Reads `BEIAN_PUBLIC_URL`, `BEIAN_TRUSTED_PROXIES`, `BEIAN_METRICS_TOKEN`,
    /// `BEIAN_WEBHOOK_PRIVATE_NETWORKS`, `BEIAN_USER_REQUESTS_PER_MINUTE`,
    /// `BEIAN_MASTER_KEY`, `BEIAN_MASTER_KEY_FILE` and their `BEIAN_PREVIOUS_…` over the
    /// defaults; a value that does
    /// not parse is an error.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<SecurityConfig, String> {
        let get = |k: &str| var(k).filter(|v| !v.trim().is_empty());
        let mut c = SecurityConfig {
            public_url: get("BEIAN_PUBLIC_URL"),
            metrics_token: get("BEIAN_METRICS_TOKEN").map(Secret),
            webhook_private_networks: get("BEIAN_WEBHOOK_PRIVATE_NETWORKS")
                .is_some_and(|v| matches!(v.trim(), "1" | "true")),
            master_key: get("BEIAN_MASTER_KEY").map(Secret),
            master_key_file: get("BEIAN_MASTER_KEY_FILE").map(PathBuf::from),
            previous_master_key: get("BEIAN_PREVIOUS_MASTER_KEY").map(Secret),
            previous_master_key_file: get("BEIAN_PREVIOUS_MASTER_KEY_FILE").map(PathBuf::from),
            ..SecurityConfig::default()
        };
        if let Some(n) = get("BEIAN_USER_REQUESTS_PER_MINUTE") {
            c.user_requests_per_minute = n
                .trim()
                .parse()
                .map_err(|_| format!("BEIAN_USER_REQUESTS_PER_MINUTE: {n} is not a number"))?;
        }
        if let Some(list) = get("BEIAN_TRUSTED_PROXIES") {
            for a in list.split(',').map(str::trim).filter(|a| !a.is_empty()) {
                let ip = a
                    .parse()
                    .map_err(|_| format!("BEIAN_TRUSTED_PROXIES: {a} is not an IP address"))?;
                c.trusted_proxies.push(ip);
            }
        }
        Ok(c)
    }

    /// How long sessions live (the store counts in milliseconds).
    pub fn session_limits(&self) -> beian_store::SessionLimits {
        beian_store::SessionLimits {
            idle_ms: self.session_idle_secs.saturating_mul(1000),
            absolute_ms: self.session_absolute_secs.saturating_mul(1000),
        }
    }

    /// Whether users reach the server over https.
    pub fn https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.to_ascii_lowercase().starts_with("https://"))
    }
}

impl ObjectStoreConfig {
    /// S3 when `BEIAN_S3_BUCKET` is set, with `BEIAN_S3_REGION`, `BEIAN_S3_ENDPOINT`,
    /// `BEIAN_S3_ACCESS_KEY_ID`, `BEIAN_S3_SECRET_ACCESS_KEY` and `BEIAN_S3_ALLOW_HTTP`
    /// (`true`/`1`); the local file system otherwise. `var` reads one variable.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> ObjectStoreConfig {
        let get = |k: &str| var(k).filter(|v| !v.trim().is_empty());
        match get("BEIAN_S3_BUCKET") {
            None => ObjectStoreConfig::Local,
            Some(bucket) => ObjectStoreConfig::S3 {
                bucket,
                region: get("BEIAN_S3_REGION"),
                endpoint: get("BEIAN_S3_ENDPOINT"),
                access_key_id: get("BEIAN_S3_ACCESS_KEY_ID"),
                secret_access_key: get("BEIAN_S3_SECRET_ACCESS_KEY").map(Secret),
                allow_http: get("BEIAN_S3_ALLOW_HTTP")
                    .is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true")),
            },
        }
    }
}

/// Where uploaded files are stored (`BEIAN_S3_*`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ObjectStoreConfig {
    /// `<data-dir>/media` on the local file system.
    #[default]
    Local,
    /// An S3-compatible bucket shared by every process.
    S3 {
        bucket: String,
        region: Option<String>,
        /// For S3-compatible services (MinIO, OSS, COS …): their endpoint URL.
        endpoint: Option<String>,
        access_key_id: Option<String>,
        secret_access_key: Option<Secret>,
        allow_http: bool,
    },
}

impl Config {
    /// Defaults: localhost:8080, `./beian-data`, SQLite.
    pub fn new(data_dir: PathBuf) -> Config {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir,
            db: None,
            manual_clock: false,
            clock_start: None,
            demo: false,
            admin_password: None,
            policy: Policy::default(),
            argon2_memory_kib: 19 * 1024,
            worker_interval_ms: 1000,
            public_rate_per_minute: 120,
            db_max_connections: 16,
            sms: SmsGatewayConfig::Outbox,
            delivery: DeliveryConfig::default(),
            objects: ObjectStoreConfig::Local,
            security: SecurityConfig::default(),
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

/// Which SMS gateway delivers the outbox.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SmsGatewayConfig {
    /// The built-in outbox: the database table is the delivery (api.md).
    #[default]
    Outbox,
    /// A provider's HTTP API; the outbox then keeps messages without the code.
    Http(HttpSmsConfig),
}

/// The HTTP SMS provider adapter: where to post, how to sign, how long to wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSmsConfig {
    /// The provider's send endpoint (`http://…`).
    pub url: String,
    pub access_key: String,
    /// HMAC-SHA256 key of the request signature.
    pub secret: Secret,
    /// Our template keys (`verification_code`, `filed`, …) → the provider's template ids;
    /// a key without an entry is sent under its own name.
    pub templates: BTreeMap<String, String>,
    /// Per request.
    pub timeout_ms: u64,
    /// Retries of one send after a transport error or a 5xx/429 answer.
    pub retries: u32,
    /// First retry delay; each further retry doubles it.
    pub backoff_ms: u64,
}

impl HttpSmsConfig {
    /// A provider at `url` with the default timeout (5 s) and retries (2, from 200 ms).
    pub fn new(url: String, access_key: String, secret: Secret) -> HttpSmsConfig {
        HttpSmsConfig {
            url,
            access_key,
            secret,
            templates: BTreeMap::new(),
            timeout_ms: 5000,
            retries: 2,
            backoff_ms: 200,
        }
    }
}

/// Retry schedules of the outboxes, driven by the server clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryConfig {
    /// Attempts of one SMS before it is marked failed.
    pub sms_max_attempts: u32,
    /// Delay after the first failed SMS attempt; doubles after each further one.
    pub sms_retry_base_secs: i64,
    /// Timeout of one webhook request.
    pub webhook_timeout_ms: u64,
    /// Attempts of one webhook delivery before it is marked failed (replay re-queues it).
    pub webhook_max_attempts: u32,
    /// Delay after the first failed webhook attempt; doubles after each further one.
    pub webhook_retry_base_secs: i64,
    /// The longest delay between two attempts (SMS and webhooks).
    pub retry_cap_secs: i64,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            sms_max_attempts: 5,
            sms_retry_base_secs: 60,
            webhook_timeout_ms: 10_000,
            webhook_max_attempts: 10,
            webhook_retry_base_secs: 60,
            retry_cap_secs: 6 * 3600,
        }
    }
}

#[cfg(test)]
mod object_store_tests {
    use super::*;

    #[test]
    fn s3_is_selected_by_a_bucket_and_its_secret_is_redacted() {
        assert_eq!(
            ObjectStoreConfig::from_env(|_| None),
            ObjectStoreConfig::Local
        );
        let env = |k: &str| {
            Some(
                match k {
                    "BEIAN_S3_BUCKET" => "beian-media",
                    "BEIAN_S3_ENDPOINT" => "http://127.0.0.1:9000",
                    "BEIAN_S3_SECRET_ACCESS_KEY" => "s3cr3t",
                    "BEIAN_S3_ACCESS_KEY_ID" => "beian",
                    "BEIAN_S3_ALLOW_HTTP" => "true",
                    _ => "",
                }
                .to_string(),
            )
        };
        let c = ObjectStoreConfig::from_env(env);
        let ObjectStoreConfig::S3 {
            bucket,
            endpoint,
            allow_http,
            region,
            ..
        } = &c
        else {
            panic!("{c:?}")
        };
        assert_eq!(
            (bucket.as_str(), endpoint.as_deref(), *allow_http, region),
            ("beian-media", Some("http://127.0.0.1:9000"), true, &None)
        );
        assert!(!format!("{c:?}").contains("s3cr3t"));
        // Construction only: no request is made until a file is stored.
        let dir = std::env::temp_dir();
        let built = crate::adapters::objects::build(&c, &dir);
        assert!(built.is_ok(), "{:?}", built.err());
    }
}
