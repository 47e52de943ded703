//! One integration-test binary: the seed's whole flow through the HTTP API on
//! SQLite and on PostgreSQL, plus the multi-process PostgreSQL tests.

mod abuse;
mod at_rest;
mod audit;
mod backup;
mod calendar;
mod claims;
mod concurrency;
mod dashboard;
mod flow;
mod harness;
mod layout;
mod media;
mod notifications;
mod ocr;
mod papers;
mod preapprovals;
mod queues;
mod stub;
mod sweep;
mod webhooks;

/// Runs a scenario once per backend, as two tests.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::harness::TestApp::spawn($crate::harness::Backend::Sqlite).await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::harness::TestApp::spawn($crate::harness::Backend::Postgres).await).await;
                }
            )*
        }
    };
}
