//! `beian calendar show|load`: a year's working-day calendar, and loading its State Council
//! notice for every process on the database.
use crate::{config, Common};
use beian_server::startup;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub(crate) enum CalendarCmd {
    /// Prints a year's rest days and make-up working days, and whether they are official
    /// (a notice) or projected (§11.4).
    Show {
        #[command(flatten)]
        common: Common,
        year: i32,
    },
    /// Reads the year's notice from a text file (as published), shows its days beside the
    /// projection and the due dates it moves, and (without --dry-run) loads it for every
    /// process on the database and recomputes those due dates.
    Load {
        #[command(flatten)]
        common: Common,
        year: i32,
        file: PathBuf,
        /// Only show what the notice would change.
        #[arg(long)]
        dry_run: bool,
    },
}

/// `beian calendar show|load`.
pub(crate) async fn calendar_cmd(command: CalendarCmd) -> Result<(), String> {
    let common = match &command {
        CalendarCmd::Show { common, .. } | CalendarCmd::Load { common, .. } => common,
    };
    let c = config(common)?;
    let store = startup::open_store(&c).await.map_err(|e| e.to_string())?;
    let state = startup::open_state(&c, std::sync::Arc::new(store))
        .await
        .map_err(|e| e.to_string())?;
    state
        .calendar
        .refresh(state.store.as_ref())
        .await
        .map_err(|e| e.message)?;
    let fail = |e: beian_server::error::ApiError| {
        let extra = e
            .extra
            .get("line")
            .map(|l| {
                format!(
                    "\n  第{}行：{}",
                    e.extra.get("line_no").cloned().unwrap_or_default(),
                    l.as_str().unwrap_or("")
                )
            })
            .unwrap_or_default();
        format!(
            "{} [{}]{extra}\n  {}",
            e.message,
            e.code,
            e.suggestion.unwrap_or_default()
        )
    };
    match command {
        CalendarCmd::Show { year, .. } => {
            let y = beian_server::holidays::show(&state, year).map_err(fail)?;
            let basis = match y.basis {
                beian_domain::calendar::Basis::Official => "official",
                beian_domain::calendar::Basis::Projected => "projected",
            };
            println!("{year}: {basis} — {}", y.source);
            println!("rest_days\t{}", join_dates(&y.rest_days));
            println!("makeup_workdays\t{}", join_dates(&y.makeup_workdays));
            Ok(())
        }
        CalendarCmd::Load {
            year,
            file,
            dry_run,
            ..
        } => {
            let text =
                std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let p = beian_server::holidays::preview(&state, year, &text)
                .await
                .map_err(fail)?;
            let list = |d: &[chrono::NaiveDate]| {
                d.iter()
                    .map(|d| d.format("%m-%d").to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            println!("{} — {}", p.year, p.source);
            println!("rest_days\t{}", list(&p.rest_days));
            println!("makeup_workdays\t{}", list(&p.makeup_workdays));
            println!("projected_rest_days\t{}", list(&p.projected_rest_days));
            println!(
                "open orders with a provisional due date: {}; moving (first {}):",
                p.provisional_orders,
                p.moves.len()
            );
            for m in &p.moves {
                println!(
                    "move\t{}\t{}\t{} -> {}",
                    m.filing_id, m.status, m.due_at, m.new_due_at
                );
            }
            if dry_run {
                println!("dry run: nothing stored / 仅预览，未保存");
                return Ok(());
            }
            let loaded = beian_server::holidays::load(&state, year, &text, "cli")
                .await
                .map_err(fail)?;
            // The CLI ends here, so the recompute finishes here too (leases keep a running
            // server from counting an order twice).
            let more = beian_server::worker::run_due_timers(&state)
                .await
                .map_err(fail)?;
            println!(
                "loaded {year}: {} rest day(s), {} make-up day(s); {} order(s) scheduled, {} recomputed",
                loaded.rest_days, loaded.makeup_workdays, loaded.scheduled, loaded.recomputed + more
            );
            Ok(())
        }
    }
}

fn join_dates(days: &[chrono::NaiveDate]) -> String {
    days.iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}
