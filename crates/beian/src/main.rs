//! The `beian` binary: a thin CLI over `beian-server`.

mod audit;
mod backup;
mod calendar;
mod keys;
mod progress;
mod seed;
use beian_server::config::{Config, HttpSmsConfig, Secret, SmsGatewayConfig};
use beian_server::startup::{self, Application};
use calendar::{calendar_cmd, CalendarCmd};
use clap::{Args, Parser, Subcommand};
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// beian — the open mini program ICP filing platform (小程序备案平台).
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Runs the HTTP API and the background timers.
    Serve(Serve),
    /// Creates or updates the database schema, then exits.
    Migrate(Common),
    /// Account management.
    User {
        #[command(subcommand)]
        command: UserCmd,
    },
    /// Runs the daily deadline sweep of domain.md §13 (warnings, clearance) once for a day.
    Sweep(SweepArgs),
    /// Fills the database with generated orders for benchmarks.
    Seed(SeedCli),
    /// The working-day calendar: show a year, or load a State Council notice (domain.md §11.5).
    Calendar {
        #[command(subcommand)]
        command: CalendarCmd,
    },
    /// Writes a consistent copy of an SQLite deployment (database, uploads, notices) to
    /// FILE, while the server keeps running. PostgreSQL: pg_dump and the bucket (README).
    Backup {
        #[command(flatten)]
        common: Common,
        file: PathBuf,
    },
    /// The tamper-evident history: `verify` walks every order's event chain.
    Audit {
        #[command(subcommand)]
        command: AuditCmd,
    },
    /// The master key: `rotate` wraps every data key again under a new one.
    Keys {
        #[command(subcommand)]
        command: KeysCmd,
    },
    /// Erases personal data past its retention period (policy `retention`): destroys
    /// the data keys of discarded, withdrawn and expired orders and deletes old face
    /// photos. Each erasure happens once, whichever process runs it.
    Retention(RetentionArgs),
    /// Restores a backup FILE into an empty data directory.
    Restore {
        file: PathBuf,
        /// The data directory to restore into; it must hold no database yet.
        #[arg(long)]
        data_dir: PathBuf,
    },
    /// Writes the sample images of the README walk-through (colour scans that pass the photo
    /// checks, and a face capture made from FACE_SOURCE, a real photograph) into DIR.
    SampleImages { dir: PathBuf, face_source: PathBuf },
}

#[derive(Subcommand)]
enum KeysCmd {
    /// Wraps every data key of the database again under the master key
    /// (BEIAN_MASTER_KEY[_FILE]), reading what the previous one wrapped
    /// (BEIAN_PREVIOUS_MASTER_KEY[_FILE]); then records the new key as the database's.
    /// Online (servers started with both keys go on serving) and resumable.
    Rotate {
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Checks every order's event chain and recorded head; exits non-zero at the first
    /// broken link, naming the order and the event.
    Verify {
        #[command(flatten)]
        common: Common,
        /// Only the orders with an event on or after this day (YYYY-MM-DD, +08:00).
        #[arg(long)]
        since: Option<chrono::NaiveDate>,
    },
}

#[derive(Args)]
struct SeedCli {
    #[command(flatten)]
    common: Common,
    /// How many new orders to generate (changes and cancellations of some filed ones come on top).
    #[arg(long)]
    filings: u64,
    /// `mixed` (every stage, kind and province), `sms-expired` (every order in SMS
    /// verification with its deadline passed, for the timer benchmark), `filed`
    /// (every order filed; with `--start`, tops up the filed services of a database) or
    /// `provisional` (every order in authority review, verified just before the seed's
    /// clock: with `--clock-start` in December 2026 its due date is provisional).
    #[arg(long, default_value = "mixed")]
    profile: String,
    /// First generated index, to add to an already seeded database.
    #[arg(long, default_value_t = 0)]
    start: u64,
    /// Seeds at this instant (RFC 3339, e.g. 2026-12-10T10:00:00+08:00) instead of now:
    /// the seeder's clock is a manual clock stopped there.
    #[arg(long)]
    clock_start: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// Hides the progress bar.
    #[arg(long)]
    quiet: bool,
}

#[derive(Args)]
struct SweepArgs {
    #[command(flatten)]
    common: Common,
    /// Prints what the sweep would do, and changes nothing.
    #[arg(long)]
    preview: bool,
    /// The day to sweep (YYYY-MM-DD, +08:00); defaults to today.
    #[arg(long)]
    date: Option<chrono::NaiveDate>,
}

#[derive(Args)]
struct RetentionArgs {
    #[command(flatten)]
    common: Common,
    /// Lists what would be erased, and erases nothing.
    #[arg(long)]
    preview: bool,
    /// Runs as of this instant (RFC 3339) instead of now.
    #[arg(long)]
    at: Option<chrono::DateTime<chrono::FixedOffset>>,
}

#[derive(Subcommand)]
enum UserCmd {
    /// Adds an account.
    Add {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        username: String,
        #[arg(long, env = "BEIAN_NEW_USER_PASSWORD")]
        password: String,
        /// applicant, platform_reviewer, authority_reviewer or admin
        #[arg(long)]
        role: String,
        /// Two-digit province code, for authority reviewers (e.g. 44)
        #[arg(long)]
        province: Option<String>,
    },
}

/// Where the data lives; shared by every command.
#[derive(Args, Clone)]
struct Common {
    /// Data directory (SQLite file, uploaded materials).
    #[arg(long, env = "BEIAN_DATA_DIR", default_value = "./beian-data")]
    data_dir: PathBuf,
    /// Database URL; defaults to the SQLite file in the data directory. `postgres://…` selects PostgreSQL.
    #[arg(long, env = "BEIAN_DB")]
    db: Option<String>,
    /// PostgreSQL connections per process.
    #[arg(long, env = "BEIAN_DB_MAX_CONNECTIONS", default_value_t = 16)]
    db_max_connections: u32,
    /// Optional TOML file with a `[policy]` table overriding domain.md §4 defaults.
    #[arg(long, env = "BEIAN_CONFIG")]
    config: Option<PathBuf>,
}

#[derive(Args)]
struct Serve {
    #[command(flatten)]
    common: Common,
    /// Listen address.
    #[arg(long, env = "BEIAN_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Enables POST /api/v1/admin/clock (demos and black-box tests only).
    #[arg(long, env = "BEIAN_MANUAL_CLOCK")]
    manual_clock: bool,
    /// Starts the manual clock at this instant (RFC 3339, e.g. 2027-02-04T10:00:00+08:00)
    /// instead of now; implies --manual-clock. For demos and tests at a chosen date.
    #[arg(long, env = "BEIAN_CLOCK_START")]
    clock_start: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// Seeds the documented demo accounts and filings into an empty database.
    #[arg(long, env = "BEIAN_DEMO")]
    demo: bool,
    /// Argon2 memory cost in KiB (lower it only for tests).
    #[arg(long, env = "BEIAN_ARGON2_MEMORY_KIB", default_value_t = 19 * 1024, hide = true)]
    argon2_memory_kib: u32,
    /// How often background timers are checked, in milliseconds.
    #[arg(
        long,
        env = "BEIAN_WORKER_INTERVAL_MS",
        default_value_t = 1000,
        hide = true
    )]
    worker_interval_ms: u64,
    /// Requests per minute per client address on the public query and verification endpoints.
    #[arg(long, env = "BEIAN_PUBLIC_RATE_PER_MINUTE", default_value_t = 120)]
    public_rate_per_minute: u32,
    #[command(flatten)]
    sms: SmsArgs,
}

/// The SMS gateway; the secret comes from `BEIAN_SMS_SECRET` or the config file only.
#[derive(Args, Default)]
struct SmsArgs {
    /// `outbox` (default: the database is the delivery) or `http` (a provider's API).
    #[arg(long, env = "BEIAN_SMS_GATEWAY")]
    sms_gateway: Option<String>,
    /// The provider's send endpoint (http://…).
    #[arg(long, env = "BEIAN_SMS_URL")]
    sms_url: Option<String>,
    /// The provider access key.
    #[arg(long, env = "BEIAN_SMS_ACCESS_KEY")]
    sms_access_key: Option<String>,
    /// Template ids, e.g. `verification_code=SMS_001,filed=SMS_002`.
    #[arg(long, env = "BEIAN_SMS_TEMPLATES")]
    sms_templates: Option<String>,
    /// Timeout of one provider request, in milliseconds.
    #[arg(long, env = "BEIAN_SMS_TIMEOUT_MS")]
    sms_timeout_ms: Option<u64>,
    /// Retries of one request after a transport error, 429 or 5xx.
    #[arg(long, env = "BEIAN_SMS_RETRIES")]
    sms_retries: Option<u32>,
}

/// `[sms]` of the config file.
#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileSms {
    gateway: Option<String>,
    url: Option<String>,
    access_key: Option<String>,
    secret: Option<String>,
    #[serde(default)]
    templates: std::collections::BTreeMap<String, String>,
    timeout_ms: Option<u64>,
    retries: Option<u32>,
    backoff_ms: Option<u64>,
}

/// `[delivery]` of the config file: retry schedules of the SMS outbox and webhooks.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDelivery {
    sms_max_attempts: Option<u32>,
    sms_retry_base_secs: Option<i64>,
    webhook_timeout_ms: Option<u64>,
    webhook_max_attempts: Option<u32>,
    webhook_retry_base_secs: Option<i64>,
    retry_cap_secs: Option<i64>,
}

/// Resolves the gateway: the config file's `[sms]`, overridden by flags and
/// `BEIAN_SMS_*` variables (`env_secret` is `BEIAN_SMS_SECRET`).
fn sms_config(
    file: FileSms,
    args: &SmsArgs,
    env_secret: Option<String>,
) -> Result<SmsGatewayConfig, String> {
    let gateway = args
        .sms_gateway
        .clone()
        .or(file.gateway)
        .unwrap_or_else(|| "outbox".into());
    match gateway.as_str() {
        "outbox" => Ok(SmsGatewayConfig::Outbox),
        "http" => {
            let url = args.sms_url.clone().or(file.url).ok_or(
                "短信网关 http 需要 --sms-url / BEIAN_SMS_URL / the http gateway needs a URL",
            )?;
            let key = args.sms_access_key.clone().or(file.access_key).ok_or(
                "短信网关 http 需要 access key（BEIAN_SMS_ACCESS_KEY） / the http gateway needs an access key",
            )?;
            let secret = env_secret
                .filter(|s| !s.is_empty())
                .or(file.secret)
                .ok_or("短信网关 http 需要 BEIAN_SMS_SECRET / the http gateway needs a secret")?;
            let mut c = HttpSmsConfig::new(url, key, Secret(secret));
            c.templates = file.templates;
            if let Some(list) = &args.sms_templates {
                for pair in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    let (k, v) = pair.split_once('=').ok_or_else(|| {
                        format!("短信模板应写作 key=id / template ids are key=id pairs: {pair}")
                    })?;
                    c.templates.insert(k.trim().into(), v.trim().into());
                }
            }
            c.timeout_ms = args
                .sms_timeout_ms
                .or(file.timeout_ms)
                .unwrap_or(c.timeout_ms);
            c.retries = args.sms_retries.or(file.retries).unwrap_or(c.retries);
            c.backoff_ms = file.backoff_ms.unwrap_or(c.backoff_ms);
            Ok(SmsGatewayConfig::Http(c))
        }
        other => Err(format!(
            "未知的短信网关 {other}（可选 outbox、http） / unknown SMS gateway {other}"
        )),
    }
}

#[derive(serde::Deserialize, Default)]
struct FileConfig {
    #[serde(default)]
    policy: Option<toml::Value>,
    #[serde(default)]
    sms: Option<FileSms>,
    #[serde(default)]
    delivery: Option<FileDelivery>,
}

fn config(common: &Common) -> Result<Config, String> {
    config_with(common, &SmsArgs::default())
}

fn config_with(common: &Common, sms: &SmsArgs) -> Result<Config, String> {
    let mut c = Config::new(common.data_dir.clone());
    c.db = common.db.clone();
    c.db_max_connections = common.db_max_connections;
    let mut file_sms = FileSms::default();
    if let Some(path) = &common.config {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("配置文件 {} 无法读取：{e}", path.display()))?;
        let file: FileConfig =
            toml::from_str(&text).map_err(|e| format!("配置文件格式错误：{e}"))?;
        if let Some(policy) = file.policy {
            c.policy = policy
                .try_into()
                .map_err(|e| format!("[policy] 配置错误：{e}"))?;
        }
        file_sms = file.sms.unwrap_or_default();
        if let Some(d) = file.delivery {
            let x = &mut c.delivery;
            x.sms_max_attempts = d.sms_max_attempts.unwrap_or(x.sms_max_attempts);
            x.sms_retry_base_secs = d.sms_retry_base_secs.unwrap_or(x.sms_retry_base_secs);
            x.webhook_timeout_ms = d.webhook_timeout_ms.unwrap_or(x.webhook_timeout_ms);
            x.webhook_max_attempts = d.webhook_max_attempts.unwrap_or(x.webhook_max_attempts);
            x.webhook_retry_base_secs = d
                .webhook_retry_base_secs
                .unwrap_or(x.webhook_retry_base_secs);
            x.retry_cap_secs = d.retry_cap_secs.unwrap_or(x.retry_cap_secs);
        }
    }
    c.sms = sms_config(file_sms, sms, std::env::var("BEIAN_SMS_SECRET").ok())?;
    c.objects = beian_server::config::ObjectStoreConfig::from_env(|k| std::env::var(k).ok());
    c.security = beian_server::config::SecurityConfig::from_env(|k| std::env::var(k).ok())?;
    c.admin_password = std::env::var("BEIAN_ADMIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
        .map(Secret);
    Ok(c)
}

async fn serve(args: Serve) -> Result<(), String> {
    let mut c = config_with(&args.common, &args.sms)?;
    c.addr = args.addr;
    c.manual_clock = args.manual_clock || args.clock_start.is_some();
    c.clock_start = args.clock_start.map(|t| t.with_timezone(&chrono::Utc));
    c.demo = args.demo;
    c.argon2_memory_kib = args.argon2_memory_kib;
    c.worker_interval_ms = args.worker_interval_ms;
    c.public_rate_per_minute = args.public_rate_per_minute;
    let app = Application::build(c.clone())
        .await
        .map_err(|e| e.to_string())?;
    println!("beian 已启动 / listening on http://{}", app.addr());
    println!(
        "数据库 / database: {}",
        // The URL's scheme names the backend; the password never reaches the console.
        match c.db.as_deref() {
            Some(url) if url.starts_with("postgres") => "postgres",
            _ => "sqlite",
        }
    );
    println!("短信网关 / SMS gateway: {}", app.state.sms.name());
    if let Some(pw) = &app.generated_admin_password {
        println!("首次启动，管理员账号 admin 的密码 / first start, admin password: {pw}");
        println!(
            "（只显示这一次，请妥善保存 / shown once; set BEIAN_ADMIN_PASSWORD to choose it）"
        );
    }
    if c.demo {
        println!("演示账号 / demo accounts: demo/demo-applicant, reviewer/demo-reviewer, guangdong/demo-authority");
    }
    app.run().await.map_err(|e| e.to_string())
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Cmd::Serve(args) => serve(args).await,
        Cmd::Migrate(common) => {
            let c = config(&common)?;
            let store = startup::open_store_unsealed(&c)
                .await
                .map_err(|e| e.to_string())?;
            // Personal data an earlier version wrote in clear is sealed now.
            let bar = indicatif::ProgressBar::hidden();
            if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} rows sealed {eta}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let sealed = store
                .seal_in_clear(chrono::Utc::now(), &|done, found| {
                    bar.set_length(found);
                    bar.set_position(done);
                })
                .await
                .map_err(|e| e.to_string())?;
            bar.finish_and_clear();
            println!("数据库已是最新版本 / database migrated ({sealed} rows sealed)");
            Ok(())
        }
        Cmd::User {
            command:
                UserCmd::Add {
                    common,
                    username,
                    password,
                    role,
                    province,
                },
        } => {
            let c = config(&common)?;
            let store = startup::open_store(&c).await.map_err(|e| e.to_string())?;
            let state = startup::open_state(&c, std::sync::Arc::new(store))
                .await
                .map_err(|e| e.to_string())?;
            let new = beian_server::app::accounts::NewUser {
                username,
                password,
                role,
                province,
            };
            let user = beian_server::app::accounts::add_user(&state, new)
                .await
                .map_err(|e| {
                    let detail = e.issues.and_then(|i| {
                        i.first()
                            .map(|i| format!("：{}（{}）", i.message, i.suggestion))
                    });
                    format!("{}{}", e.message, detail.unwrap_or_default())
                })?;
            println!("已创建账号 / created {} ({})", user.username, user.role);
            Ok(())
        }
        Cmd::Sweep(args) => sweep(args).await,
        Cmd::Seed(args) => seed_cmd(args).await,
        Cmd::Calendar { command } => calendar_cmd(command).await,
        Cmd::SampleImages { dir, face_source } => sample_images(&dir, &face_source),
        Cmd::Backup { common, file } => {
            let c = config(&common)?;
            if c.db.is_some() {
                return Err(
                    "beian backup 仅用于 SQLite；PostgreSQL 请用 pg_dump 并备份对象存储 / \
                            for PostgreSQL use pg_dump and back up the bucket (README)"
                        .into(),
                );
            }
            println!(
                "{}",
                backup::backup(&c.data_dir, &c.database_url(), &file).await?
            );
            Ok(())
        }
        Cmd::Audit {
            command: AuditCmd::Verify { common, since },
        } => {
            let c = config(&common)?;
            println!("{}", audit::verify(&c, since).await?);
            Ok(())
        }
        Cmd::Keys {
            command: KeysCmd::Rotate { common },
        } => {
            let c = config(&common)?;
            println!("{}", keys::rotate(&c).await?);
            Ok(())
        }
        Cmd::Retention(args) => retention(args).await,
        Cmd::Restore { file, data_dir } => {
            println!("{}", backup::restore(&file, &data_dir)?);
            Ok(())
        }
    }
}

/// `beian sample-images DIR FACE_SOURCE`: the walk-through's uploads, from the binary the
/// README just built (an example would build the workspace again in another profile).
fn sample_images(dir: &std::path::Path, face_source: &std::path::Path) -> Result<(), String> {
    use beian_server::photo::{portrait_on_white, sample_document};
    let source =
        std::fs::read(face_source).map_err(|e| format!("{}: {e}", face_source.display()))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let write = |name: &str, bytes: Vec<u8>| {
        std::fs::write(dir.join(name), bytes).map_err(|e| format!("{name}: {e}"))
    };
    // The licence of the walk-through's company, as the README and the browser test type it:
    // the OCR reads it, pre-fills the form and finds no mismatch.
    let company = beian_cards::Business {
        name: "深圳市星河科技有限公司".into(),
        uscc: "91440300708461136T".into(),
        kind: "有限责任公司".into(),
        legal_rep: "张三".into(),
        address: "深圳市南山区高新南七道1号".into(),
        registered: chrono::NaiveDate::from_ymd_opt(2015, 6, 1).ok_or("date")?,
        capital: "人民币100万元".into(),
    };
    write(
        "licence.png",
        beian_cards::encode(
            &beian_cards::licence(&company),
            beian_cards::Variant::Clean,
            1,
        ),
    )?;
    write("id.png", sample_document(720, 1280))?;
    write("form.png", sample_document(720, 1280))?;
    let face = portrait_on_white(&source)
        .ok_or("人脸照片须恰有一张人脸 / the face source must show exactly one face")?;
    write("face.png", face)
}

/// `beian seed --filings N`: generated orders through the real domain (see seed.rs).
async fn seed_cmd(args: SeedCli) -> Result<(), String> {
    let mut c = config(&args.common)?;
    if let Some(start) = args.clock_start {
        c.manual_clock = true;
        c.clock_start = Some(start.with_timezone(&chrono::Utc));
    }
    let profile = match args.profile.as_str() {
        "mixed" => seed::Profile::Mixed,
        "sms-expired" => seed::Profile::SmsExpired,
        "filed" => seed::Profile::Filed,
        "provisional" => seed::Profile::Provisional,
        other => {
            return Err(format!(
                "unknown profile {other}: mixed, sms-expired, filed or provisional"
            ))
        }
    };
    let store = startup::open_store(&c).await.map_err(|e| e.to_string())?;
    let state = startup::open_state(&c, std::sync::Arc::new(store))
        .await
        .map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    let opts = seed::SeedArgs {
        filings: args.filings,
        profile,
        start: args.start,
        progress: !args.quiet,
    };
    let done = seed::seed(&state, &opts).await?;
    println!(
        "seeded {} new, {} change and {} cancel orders in {:.1} s",
        done.new_orders,
        done.change_orders,
        done.cancel_orders,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The application over the configured store, its keys checked (a command's start).
async fn open_app(c: &Config) -> Result<beian_server::state::AppState, String> {
    let store = startup::open_store(c).await.map_err(|e| e.to_string())?;
    startup::open_state(c, std::sync::Arc::new(store))
        .await
        .map_err(|e| e.to_string())
}

/// `beian retention [--preview] [--at]`: one line per order due, then what was erased.
async fn retention(args: RetentionArgs) -> Result<(), String> {
    let state = open_app(&config(&args.common)?).await?;
    let now = args
        .at
        .map_or_else(|| state.now(), |t| t.with_timezone(&chrono::Utc));
    let due = beian_server::app::retention::preview(&state, now)
        .await
        .map_err(|e| e.message)?;
    for d in &due {
        println!(
            "{} {} ended {}: {}{}",
            d.filing_id,
            d.status,
            d.ended_at,
            if d.order { "data key " } else { "" },
            if d.photos.is_empty() {
                String::new()
            } else {
                format!("{} face photo(s)", d.photos.len())
            }
        );
    }
    if args.preview {
        println!("retention preview: {} order(s) due / 待清除", due.len());
        return Ok(());
    }
    let done = beian_server::app::retention::run(&state, now)
        .await
        .map_err(|e| e.message)?;
    println!(
        "retention: {} order(s) erased, {} face photo(s) deleted / 已清除",
        done.orders, done.photos
    );
    println!(
        "retention: {} certificate photo reading(s) erased / 证件识别结果已清除",
        done.readings
    );
    Ok(())
}

/// `beian sweep [--preview] [--date]`: one line per action, tab-separated
/// (`clear <appid> <name>`, `warn <appid> <days left> <name>`).
async fn sweep(args: SweepArgs) -> Result<(), String> {
    let state = open_app(&config(&args.common)?).await?;
    let day = args
        .date
        .unwrap_or_else(|| beian_server::sweep::day_of(state.now()));
    let plan = if args.preview {
        beian_server::sweep::preview(&state, day)
            .await
            .map_err(|e| e.message)?
    } else {
        match beian_server::sweep::run(&state, day)
            .await
            .map_err(|e| e.message)?
        {
            Some(w) => w.plan,
            None => {
                println!("sweep {day}: already ran / 当日已执行");
                return Ok(());
            }
        }
    };
    println!(
        "sweep {day}{}: {} clearance(s), {} warning(s)",
        if args.preview { " preview" } else { "" },
        plan.clearances.len(),
        plan.warnings.len()
    );
    for c in &plan.clearances {
        println!("clear\t{}\t{}", c.appid, c.name);
    }
    for w in &plan.warnings {
        println!("warn\t{}\t{}\t{}", w.appid, w.days_left, w.name);
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    // Logs go to stderr: stdout carries a command's own output (a sweep's preview, a
    // calendar), which scripts read. Colours only on a terminal: a log file or a
    // collector gets plain text.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("BEIAN_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误 / error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> FileSms {
        toml::from_str::<FileConfig>(text)
            .unwrap()
            .sms
            .unwrap_or_default()
    }

    #[test]
    fn the_outbox_is_the_default_gateway() {
        let c = sms_config(FileSms::default(), &SmsArgs::default(), None).unwrap();
        assert_eq!(c, SmsGatewayConfig::Outbox);
    }

    #[test]
    fn flags_and_variables_override_the_file() {
        let f = file(
            "[sms]\ngateway = \"http\"\nurl = \"http://file/send\"\naccess_key = \"ak-file\"\n\
             secret = \"from-file\"\ntimeout_ms = 900\n[sms.templates]\nfiled = \"SMS_9\"\n",
        );
        let args = SmsArgs {
            sms_url: Some("http://flag/send".into()),
            sms_templates: Some("verification_code=SMS_1, filed=SMS_2".into()),
            ..SmsArgs::default()
        };
        let SmsGatewayConfig::Http(c) = sms_config(f, &args, Some("from-env".into())).unwrap()
        else {
            panic!("http gateway");
        };
        assert_eq!(c.url, "http://flag/send");
        assert_eq!(c.access_key, "ak-file");
        assert_eq!(c.secret, Secret("from-env".into()));
        assert_eq!(c.timeout_ms, 900);
        assert_eq!(c.templates.get("filed").map(String::as_str), Some("SMS_2"));
        assert_eq!(
            c.templates.get("verification_code").map(String::as_str),
            Some("SMS_1")
        );
        assert!(!format!("{c:?}").contains("from-env"), "secret redacted");
    }

    #[test]
    fn an_incomplete_http_gateway_is_refused() {
        let args = SmsArgs {
            sms_gateway: Some("http".into()),
            sms_url: Some("http://p/send".into()),
            sms_access_key: Some("ak".into()),
            ..SmsArgs::default()
        };
        assert!(sms_config(FileSms::default(), &args, None)
            .unwrap_err()
            .contains("BEIAN_SMS_SECRET"));
        let bad = SmsArgs {
            sms_templates: Some("no-equals".into()),
            ..args
        };
        assert!(sms_config(FileSms::default(), &bad, Some("s".into())).is_err());
        let unknown = SmsArgs {
            sms_gateway: Some("carrier-pigeon".into()),
            ..SmsArgs::default()
        };
        assert!(sms_config(FileSms::default(), &unknown, None).is_err());
    }
}
