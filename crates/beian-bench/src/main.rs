//! `beian-bench`: the load and timer benchmarks of BENCHMARKS.md.
//!
//! `load` starts `beian serve` and a floor server (`floor`: a static route and
//! a single-row insert of the same payload, on the same kind of database) on
//! 127.0.0.1, then drives each scenario with a closed-loop client and reports
//! throughput, p50/p99 and the ratio to the floor measured in the same run.
//! `timers` starts one or more `beian serve` processes over a database seeded
//! with expired SMS rounds and measures the time until every expiry fired, and
//! that each fired exactly once (from the event log).
//! `recompute` starts them over a database seeded with provisional due dates
//! (`beian seed --profile provisional`), loads the year's holiday notice through
//! the first one and measures the time until every due date was counted again,
//! and that each order was recomputed exactly once.

mod driver;
mod floor;
mod load;
mod ocr;
mod recompute;
mod server;
mod timers;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

use floor::floor;
use load::load;
use recompute::{recompute, RecomputeRun};
use timers::timers;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// OCR accuracy and time per image on generated certificate cards (tesseract needed).
    Ocr {
        /// How many seeds; each gives an ID front, an ID back and a licence, under every variant.
        #[arg(long, default_value_t = 200)]
        cards: u64,
        #[arg(long, default_value_t = 1)]
        first_seed: u64,
        /// Images read at once.
        #[arg(long, default_value_t = 2)]
        workers: usize,
    },
    /// The floor server: GET /static and POST /insert.
    Floor {
        #[arg(long)]
        addr: String,
        #[arg(long)]
        db: String,
    },
    /// Throughput and latency of each scenario against a seeded database.
    Load {
        #[command(flatten)]
        server: ServerArgs,
        /// Seconds per scenario.
        #[arg(long, default_value_t = 10.0)]
        duration: f64,
        /// Requests in flight.
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// A label for the table (e.g. sqlite-10k).
        #[arg(long)]
        label: String,
        /// Appends one JSON line per scenario here.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Only these scenarios (comma-separated names); the floors always run.
        #[arg(long)]
        only: Option<String>,
    },
    /// Time to drain the due SMS deadlines with N processes.
    Timers {
        #[command(flatten)]
        fleet: Fleet,
        /// How many expiries are due.
        #[arg(long)]
        expect: i64,
        #[arg(long)]
        label: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Time from loading a holiday notice until every provisional due date it settles
    /// was recomputed, with N processes.
    Recompute {
        #[command(flatten)]
        fleet: Fleet,
        /// How many orders have a provisional due date (the seeded orders).
        #[arg(long)]
        expect: i64,
        /// The manual clock every process starts at (RFC 3339).
        #[arg(long, default_value = "2026-12-10T12:00:00+08:00")]
        clock_start: String,
        /// The year of the notice.
        #[arg(long, default_value_t = 2027)]
        year: i32,
        /// The notice as published (text file); by default the 2027 sample of the test
        /// suite with New Year's make-up day, which moves January due dates.
        #[arg(long)]
        notice: Option<PathBuf>,
        /// Gives up after this many seconds from the notice.
        #[arg(long, default_value_t = 600)]
        timeout_secs: u64,
        /// Diagnostic, PostgreSQL: a planner setting for the run's database
        /// (`ALTER DATABASE … SET`), before the processes start, e.g. `enable_nestloop=off`.
        /// Repeatable.
        #[arg(long)]
        pg_set: Vec<String>,
        #[arg(long)]
        label: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(clap::Args, Clone)]
pub(crate) struct ServerArgs {
    /// The beian binary.
    #[arg(long)]
    beian: PathBuf,
    /// The seeded database (sqlite://…?mode=rwc or postgres://…).
    #[arg(long)]
    db: String,
    /// Data directory for the server (and the SQLite floor database).
    #[arg(long)]
    data_dir: PathBuf,
}

/// The server processes a multi-process run starts, all on one database.
#[derive(clap::Args, Clone)]
struct Fleet {
    #[command(flatten)]
    server: ServerArgs,
    /// How many `beian serve` processes.
    #[arg(long, default_value_t = 1)]
    processes: usize,
}

pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    match Cli::parse().cmd {
        Cmd::Ocr {
            cards,
            first_seed,
            workers,
        } => ocr::run(cards, first_seed, workers).await,
        Cmd::Floor { addr, db } => floor(&addr, &db).await,
        Cmd::Load {
            server,
            duration,
            concurrency,
            label,
            out,
            only,
        } => load(&server, duration, concurrency, &label, out, only).await,
        Cmd::Timers {
            fleet,
            expect,
            label,
            out,
        } => timers(&fleet.server, fleet.processes, expect, &label, out).await,
        Cmd::Recompute {
            fleet,
            expect,
            clock_start,
            year,
            notice,
            timeout_secs,
            pg_set,
            label,
            out,
        } => {
            let text = match notice {
                Some(path) => std::fs::read_to_string(path)?,
                None => beian_domain::notice::samples::notice_2027_moving_january(),
            };
            let run = RecomputeRun {
                processes: fleet.processes,
                expect,
                clock_start,
                year,
                text,
                timeout: Duration::from_secs(timeout_secs),
                pg_set,
            };
            recompute(&fleet.server, &run, &label, out).await
        }
    }
}
