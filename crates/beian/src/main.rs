//! The `beian` binary: a thin CLI over `beian-server`.

use beian_server::config::{Config, Secret};
use beian_server::startup::{self, Application};
use clap::{Args, Parser, Subcommand};
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
}

#[derive(serde::Deserialize, Default)]
struct FileConfig {
    #[serde(default)]
    policy: Option<toml::Value>,
}

fn config(common: &Common) -> Result<Config, String> {
    let mut c = Config::new(common.data_dir.clone());
    c.db = common.db.clone();
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
    }
    c.admin_password = std::env::var("BEIAN_ADMIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
        .map(Secret);
    Ok(c)
}

async fn serve(args: Serve) -> Result<(), String> {
    let mut c = config(&args.common)?;
    c.addr = args.addr;
    c.manual_clock = args.manual_clock;
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
        if c.db.is_some() { "postgres" } else { "sqlite" }
    );
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
            startup::open_store(&c).await.map_err(|e| e.to_string())?;
            println!("数据库已是最新版本 / database migrated");
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
            let state = startup::state(&c, std::sync::Arc::new(store));
            let new = beian_server::routes::accounts::NewUser {
                username,
                password,
                role,
                province,
            };
            let user = beian_server::routes::accounts::add_user(&state, new)
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
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
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
