//! Several `beian serve` processes on one PostgreSQL database: timers fire
//! exactly once and filing numbers stay distinct and gap-free.

use crate::harness::*;
use futures::stream::{self, StreamExt};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Child processes, killed when the test ends however it ends.
pub struct Servers(Vec<Child>);

impl Drop for Servers {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Starts `n` processes of the real binary on one database; returns their clients.
pub async fn start(n: usize, db: &str) -> (Servers, Vec<TestApp>) {
    start_with_env(n, db, &[]).await
}

/// [`start`] with more environment variables for every process.
pub async fn start_with_env(n: usize, db: &str, env: &[(&str, String)]) -> (Servers, Vec<TestApp>) {
    start_in(n, db, &temp_dir(), env).await
}

/// [`start_with_env`] on a given data directory (uploads outlive the processes).
pub async fn start_in(
    n: usize,
    db: &str,
    data_dir: &std::path::Path,
    env: &[(&str, String)],
) -> (Servers, Vec<TestApp>) {
    let mut children = Servers(vec![]);
    let mut apps = vec![];
    for _ in 0..n {
        let mut child = Command::new(env!("CARGO_BIN_EXE_beian"))
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--manual-clock",
                "--db",
                db,
            ])
            .arg("--data-dir")
            .arg(data_dir)
            .env("BEIAN_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("BEIAN_ARGON2_MEMORY_KIB", "64")
            // The tests' webhook receivers listen on loopback.
            .env("BEIAN_WEBHOOK_PRIVATE_NETWORKS", "1")
            // Processes on one database share the master key.
            .env("BEIAN_MASTER_KEY", "7e".repeat(32))
            // One applicant uploads for many orders within a minute.
            .env("BEIAN_USER_REQUESTS_PER_MINUTE", "100000")
            .env("BEIAN_WORKER_INTERVAL_MS", "100")
            .env("BEIAN_DB_MAX_CONNECTIONS", "6")
            // Logs go to the inherited stderr, with panics: errors only, as the
            // warnings (slow statements under load) would crowd the test output.
            .env("BEIAN_LOG", "error")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(Stdio::piped())
            .spawn()
            .expect("beian binary starts");
        let stdout = child.stdout.take().expect("stdout");
        children.0.push(child);
        let line = tokio::task::spawn_blocking(move || {
            let mut lines = BufReader::new(stdout).lines();
            let found = lines
                .by_ref()
                .map_while(Result::ok)
                .find(|l| l.contains("http://"));
            // Keep draining so the child never blocks on a full pipe.
            std::thread::spawn(move || lines.for_each(drop));
            found
        })
        .await
        .unwrap()
        .expect("the server prints its URL");
        let base = line[line.find("http://").unwrap()..].trim().to_string();
        apps.push(TestApp {
            base,
            client: reqwest::Client::new(),
        });
    }
    for app in &apps {
        let admin = app.login("admin", ADMIN_PASSWORD).await;
        app.set_clock(&admin, START).await;
    }
    (children, apps)
}

/// The ids of `count` orders of subjects from `first` on, prepared six at a time through
/// the processes in turn and carried to the authority, or (`to_authority` false) to the
/// SMS verification.
async fn prepare_orders(
    apps: &[TestApp],
    applicant: &str,
    reviewer: &str,
    (first, count): (u32, u32),
    to_authority: bool,
) -> Vec<String> {
    stream::iter(0..count)
        .map(|i| async move {
            let flow = Flow::prepare(&apps[i as usize % apps.len()], applicant, first + i).await;
            if to_authority {
                flow.to_authority(reviewer).await;
            } else {
                flow.to_sms(reviewer).await;
            }
            flow.filing.clone()
        })
        .buffer_unordered(6)
        .collect()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_processes_fire_each_timer_once_and_allocate_gap_free_numbers() {
    let db = fresh_pg_database().await;
    let (_servers, apps) = start(3, &db).await;
    let (applicant, reviewer, authority) = apps[0].filing_roles().await;

    // 200 orders in SMS verification, prepared through all three processes.
    let waiting = prepare_orders(&apps, &applicant, &reviewer, (1000, 200), false).await;

    // Every process's clock passes the deadline at once; all run their timers.
    let advanced = futures::future::join_all(apps.iter().map(|a| a.advance_hours(25.0))).await;
    let fired: u64 = advanced
        .iter()
        .map(|b| b["timers_fired"].as_u64().unwrap())
        .sum();
    assert!(
        fired <= 200,
        "no timer fired twice across processes ({fired})"
    );
    for id in &waiting {
        let events = apps[1].event_names(id, &applicant).await;
        let returned = events.iter().filter(|e| *e == "returned").count();
        assert_eq!(returned, 1, "filing {id} returned exactly once");
        assert_eq!(apps[2].filing(id, &applicant).await["status"], "returned");
    }

    // 50 orders at the authority, then 50 approvals in parallel on three processes.
    let ready = prepare_orders(&apps, &applicant, &reviewer, (2000, 50), true).await;
    let numbers: Vec<String> = stream::iter(ready.iter().enumerate())
        .map(|(i, id)| {
            let (app, authority) = (&apps[i % 3], authority.clone());
            async move {
                let done = app.approve(id, "authority", &authority).await;
                done["service_number"].as_str().unwrap().to_string()
            }
        })
        .buffer_unordered(50)
        .collect()
        .await;
    let mut seqs: Vec<u32> = numbers
        .iter()
        .map(|n| {
            assert!(n.starts_with("粤ICP备2026") && n.ends_with("号-1X"), "{n}");
            n["粤ICP备2026".len()..n.len() - "号-1X".len()]
                .parse()
                .unwrap()
        })
        .collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=50).collect::<Vec<_>>(), "distinct and gap-free");
}

/// Three processes on one PostgreSQL database share an S3 bucket (a real S3-protocol
/// server, `BEIAN_TEST_S3_URL`, which scripts/test.sh starts): what one process stores
/// the others serve, and the bucket holds only sealed objects under keyed names.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_processes_share_a_sealed_s3_bucket() {
    let s3 = std::env::var("BEIAN_TEST_S3_URL")
        .expect("an S3 server is required: BEIAN_TEST_S3_URL (scripts/test.sh starts one)");
    let bucket = unique("beian-test").replace('_', "-").to_lowercase();
    let http = reqwest::Client::new();
    let created = http.put(format!("{s3}/{bucket}")).send().await.unwrap();
    assert!(
        created.status().is_success(),
        "bucket {bucket}: {}",
        created.status()
    );
    let db = fresh_pg_database().await;
    let env = [
        ("BEIAN_S3_BUCKET", bucket.clone()),
        ("BEIAN_S3_ENDPOINT", s3.clone()),
        ("BEIAN_S3_ALLOW_HTTP", "1".to_string()),
        ("BEIAN_S3_REGION", "us-east-1".to_string()),
        ("BEIAN_S3_ACCESS_KEY_ID", "test".to_string()),
        ("BEIAN_S3_SECRET_ACCESS_KEY", "test".to_string()),
    ];
    let (_servers, apps) = start_with_env(3, &db, &env).await;
    let (applicant, _, _) = apps[0].filing_roles().await;
    let id = apps[0]
        .media(&applicant, "certificate_front", Some(2), (720, 1280))
        .await;
    let mut served = vec![];
    for app in &apps[1..] {
        let (status, _, bytes) = app
            .get_bytes(&format!("/api/v1/media/{id}"), &applicant)
            .await;
        assert_eq!(status, 200, "another process serves the upload");
        assert!(bytes.starts_with(b"\x89PNG"), "the upload as sent");
        served.push(bytes);
    }
    assert_eq!(served[0], served[1]);
    // In the bucket: one object, named by a keyed hash, sealed.
    let list = http
        .get(format!("{s3}/{bucket}?list-type=2"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let keys: Vec<&str> = list
        .split("<Key>")
        .skip(1)
        .filter_map(|k| k.split("</Key>").next())
        .collect();
    assert_eq!(keys.len(), 1, "{list}");
    assert!(keys[0].starts_with("s1-"), "{keys:?}");
    let signed = beian_server::config::ObjectStoreConfig::S3 {
        bucket: bucket.clone(),
        region: Some("us-east-1".into()),
        endpoint: Some(s3.clone()),
        access_key_id: Some("test".into()),
        secret_access_key: Some(beian_server::config::Secret("test".into())),
        allow_http: true,
    };
    let objects = beian_server::adapters::objects::build(&signed, &temp_dir()).unwrap();
    let raw = beian_server::adapters::objects::get(objects.as_ref(), keys[0])
        .await
        .unwrap();
    assert!(raw.starts_with(b"BNE1"), "sealed");
    assert!(
        !raw.windows(4).any(|w| w == b"IHDR"),
        "no PNG structure in clear"
    );
}
