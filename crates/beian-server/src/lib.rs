//! The HTTP side of beian: JSON API, authentication, SMS gateways, timers.
//!
//! Handlers translate HTTP into domain commands and store commits; they never
//! decide a rule themselves.

pub mod adapters;
pub mod app;
pub mod charts;
pub mod config;
pub mod http;
pub mod jobs;
pub mod reference;
pub mod routes;
pub mod startup;
pub mod ui;
pub mod views;

// The paths the binary, the benchmarks and the integration tests use.
pub use adapters::{objects, photo, sms};
pub use app::{commands, holidays, state, sweep};
pub use http::{auth, error};
pub use jobs::{webhooks, worker};

pub use config::Config;
pub use startup::Application;

/// The module layering of this crate, checked on the source: which folder may not
/// import which. `app` uses `http`'s errors and callers; `http` asks the state it needs
/// through its own trait (`http::HttpState`), so the two never import each other both ways.
#[cfg(test)]
mod layering {
    use std::path::Path;

    const FORBIDDEN: &[(&str, &[&str])] = &[
        ("adapters", &["app", "http", "jobs", "routes", "ui"]),
        ("app", &["jobs", "routes", "ui"]),
        ("http", &["app", "jobs", "routes", "ui"]),
        ("jobs", &["routes", "ui"]),
        ("routes", &["ui"]),
        ("ui", &["routes"]),
        (
            "views",
            &["adapters", "app", "http", "jobs", "routes", "ui"],
        ),
    ];

    fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path.display().to_string(), text));
            }
        }
    }

    #[test]
    fn no_folder_imports_what_it_may_not() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut broken = vec![];
        for (folder, forbidden) in FORBIDDEN {
            let mut files = vec![];
            sources(&src.join(folder), &mut files);
            assert!(!files.is_empty(), "{folder}/ has sources");
            for (path, text) in &files {
                let code = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect::<Vec<_>>()
                    .join("\n");
                for f in *forbidden {
                    if code.contains(&format!("crate::{f}::"))
                        || code.contains(&format!("crate::{f};"))
                    {
                        broken.push(format!("{path} imports crate::{f}"));
                    }
                }
            }
        }
        assert!(broken.is_empty(), "{broken:#?}");
    }
}
