//! The progress bar of the long commands (`seed`, `keys rotate`).

use indicatif::{ProgressBar, ProgressStyle};

/// A bar over `total` units called `unit`, drawn only when `shown` (a pipe or a log
/// file gets none).
pub fn bar(total: u64, unit: &str, shown: bool) -> ProgressBar {
    let bar = if shown {
        ProgressBar::new(total)
    } else {
        ProgressBar::hidden()
    };
    let template = format!("{{bar:40}} {{pos}}/{{len}} {unit} {{per_sec}} eta {{eta}}");
    bar.set_style(
        ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
