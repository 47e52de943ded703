//! Boots the real server (in process, or as separate `beian` processes) on a
//! fresh SQLite file or a fresh PostgreSQL database, and talks to it over HTTP.

use beian_server::app::state::AppState;
use beian_server::config::{Config, Secret};
use beian_server::Application;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Connection;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

pub const ADMIN_PASSWORD: &str = "admin-test-password";
/// The tests' start time: Monday 2026-03-02 10:00 +08:00.
pub const START: &str = "2026-03-02T10:00:00+08:00";

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        chrono::Utc::now().timestamp_micros() % 1_000_000
    )
}

/// The PostgreSQL server the test command provides. Never skipped: a missing
/// server fails the test.
pub fn pg_admin_url() -> String {
    std::env::var("BEIAN_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Creates an empty database and returns its URL.
pub async fn fresh_pg_database() -> String {
    let admin = pg_admin_url();
    let name = unique("beian_test");
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "PostgreSQL at {admin} is required for this test (scripts/test.sh starts one): {e}"
            )
        });
    sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    let base = admin
        .rsplit_once('/')
        .map(|(b, _)| b.to_string())
        .unwrap_or(admin.clone());
    format!("{base}/{name}")
}

/// A fresh temporary directory under the target dir.
pub fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(unique("beian-test"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One running server and an HTTP client.
#[derive(Clone)]
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
}

/// A JSON response.
pub struct Resp {
    pub status: StatusCode,
    pub body: Value,
}

impl Resp {
    /// Asserts the status and returns the body.
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        self.body
    }

    /// Asserts an error status and code.
    #[track_caller]
    pub fn expect_error(self, status: u16, code: &str) -> Value {
        let body = self.expect(status);
        assert_eq!(body["error"]["code"], code, "body: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "a message: {body}"
        );
        body
    }
}

impl TestApp {
    /// Boots the server in this process with a manual clock set to [`START`].
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Like [`TestApp::spawn`], with a configuration change.
    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_keeping_state(backend, tweak).await.0
    }

    /// Like [`TestApp::spawn_with`], also handing back the server's state, for a test
    /// that must act inside the process (e.g. hold the due-work pass).
    pub async fn spawn_keeping_state(
        backend: Backend,
        tweak: impl FnOnce(&mut Config),
    ) -> (TestApp, AppState) {
        let mut config = Config::new(temp_dir());
        config.addr = "127.0.0.1:0".parse().unwrap();
        config.manual_clock = true;
        config.admin_password = Some(Secret(ADMIN_PASSWORD.into()));
        config.argon2_memory_kib = 64;
        config.worker_interval_ms = 200;
        // The tests' webhook receivers listen on loopback; the SSRF test turns this off.
        config.security.webhook_private_networks = true;
        // A test's applicant uploads for many orders within a minute; the abuse tests
        // set their own budget.
        config.security.user_requests_per_minute = 100_000;
        if backend == Backend::Postgres {
            config.db = Some(fresh_pg_database().await);
            // Many test servers share one PostgreSQL server.
            config.db_max_connections = 3;
        }
        tweak(&mut config);
        let app = Application::build(config).await.expect("server builds");
        let base = format!("http://{}", app.addr());
        let state = app.state.clone();
        tokio::spawn(app.run());
        let t = TestApp {
            base,
            client: reqwest::Client::new(),
        };
        let admin = t.login("admin", ADMIN_PASSWORD).await;
        t.set_clock(&admin, START).await;
        (t, state)
    }

    /// Any request; `token` adds the bearer header.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        self.call_with(method, path, token, body, &[]).await
    }

    /// A request with extra headers.
    pub async fn call_with(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = self.request(method, path);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Resp { status, body }
    }

    /// An order's events, oldest first (its audit log).
    pub async fn events(&self, filing: &str, token: &str) -> Vec<Value> {
        let events = self
            .get(&format!("/api/v1/filings/{filing}/events"), token)
            .await
            .expect(200);
        events["items"].as_array().unwrap().clone()
    }

    /// The names of an order's events, oldest first.
    pub async fn event_names(&self, filing: &str, token: &str) -> Vec<String> {
        self.events(filing, token)
            .await
            .iter()
            .map(|e| e["event"].as_str().unwrap().to_string())
            .collect()
    }

    /// A request to `path` on this server, to finish and send.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base))
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Resp {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Resp {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Resp {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// Public (no account) POST.
    pub async fn post_public(&self, path: &str, body: Value) -> Resp {
        self.call(Method::POST, path, None, Some(body)).await
    }

    /// Signs in and returns the token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let body = self
            .call(
                Method::POST,
                "/api/v1/sessions",
                None,
                Some(json!({"username": username, "password": password})),
            )
            .await
            .expect(201);
        body["token"].as_str().expect("token").to_string()
    }

    /// Creates the user `username` of `role` with the tests' password, as `admin`.
    pub async fn create_user(&self, admin: &str, username: &str, role: &str) {
        self.post(
            "/api/v1/users",
            admin,
            json!({"username": username, "password": "password-123", "role": role}),
        )
        .await
        .expect(201);
    }

    /// Creates a user (as admin) and signs in as it.
    pub async fn user(&self, role: &str, province: Option<&str>) -> String {
        let admin = self.login("admin", ADMIN_PASSWORD).await;
        let username = unique(role);
        self.post(
            "/api/v1/users",
            &admin,
            json!({"username": username, "password": "password-123", "role": role, "province": province}),
        )
        .await
        .expect(201);
        self.login(&username, "password-123").await
    }

    /// The roles an order meets on its way, each a new user signed in: an applicant, a
    /// platform reviewer and a Guangdong authority reviewer.
    pub async fn filing_roles(&self) -> (String, String, String) {
        let applicant = self.user("applicant", None).await;
        let reviewer = self.user("platform_reviewer", None).await;
        let authority = self.user("authority_reviewer", Some("44")).await;
        (applicant, reviewer, authority)
    }

    /// Moves the manual clock and runs due timers.
    pub async fn advance_hours(&self, hours: f64) -> Value {
        let admin = self.login("admin", ADMIN_PASSWORD).await;
        self.clock(&admin, json!({"advance_hours": hours})).await
    }

    /// Sets the manual clock as `admin` (and runs what fell due); the clock's answer.
    pub async fn set_clock(&self, admin: &str, at: &str) -> Value {
        self.clock(admin, json!({"set": at})).await
    }

    /// Changes the manual clock as `admin`; the clock's answer.
    async fn clock(&self, admin: &str, change: Value) -> Value {
        self.post("/api/v1/admin/clock", admin, change)
            .await
            .expect(200)
    }

    /// The `items` of the list at `path`.
    pub async fn items(&self, path: &str, token: &str) -> Vec<Value> {
        let list = self.get(path, token).await.expect(200);
        list["items"].as_array().unwrap().clone()
    }

    /// The SMS outbox's messages to `mobile`, newest first, as `admin` sees them.
    pub async fn sms_outbox(&self, admin: &str, mobile: &str) -> Value {
        self.get(&format!("/api/v1/admin/sms-outbox?mobile={mobile}"), admin)
            .await
            .expect(200)
    }

    /// The latest code sent to a mobile, read from the outbox as admin.
    pub async fn latest_code(&self, mobile: &str) -> String {
        let admin = self.login("admin", ADMIN_PASSWORD).await;
        let body = self.sms_outbox(&admin, mobile).await;
        // The newest verification SMS; notices go to the same mobiles.
        let text = body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m["body"].as_str())
            .find(|b| b.contains("核验码为"))
            .unwrap_or_else(|| panic!("no SMS to {mobile}: {body}"));
        let digits: String = text
            .split("核验码为")
            .nth(1)
            .expect("code in body")
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        assert_eq!(digits.len(), 6, "a 6-digit code in {text}");
        digits
    }

    /// Starts and passes a face verification for an order; returns its id.
    pub async fn face(&self, filing: &str, token: &str) -> String {
        let face = self
            .act(filing, "face-verification", token)
            .await
            .expect(201);
        let face_id = face["id"].as_str().unwrap().to_string();
        let capture = self
            .upload(
                &format!("/api/v1/face-verifications/{face_id}/capture"),
                token,
                "photo",
                None,
                face_png(),
            )
            .await
            .expect(200);
        assert_eq!(capture["status"], "succeeded", "{capture}");
        face_id
    }

    /// Signs in through the login page (its CSRF token included) and returns the
    /// `Cookie` header value of the page session.
    pub async fn page_session(&self, username: &str, password: &str) -> String {
        let client = forms_client();
        let page = client
            .get(format!("{}/login", self.base))
            .send()
            .await
            .unwrap();
        let cookie = page.headers()["set-cookie"].to_str().unwrap().to_string();
        let pair = cookie.split(';').next().unwrap().to_string();
        let token = pair.split_once('=').unwrap().1.to_string();
        let signed_in = client
            .post(format!("{}/login", self.base))
            .header("cookie", pair)
            .form(&[
                ("username", username),
                ("password", password),
                ("form_token", token.as_str()),
            ])
            .send()
            .await
            .unwrap();
        signed_in
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("beian_session="))
            .and_then(|c| c.split(';').next())
            .expect("a session cookie")
            .to_string()
    }

    /// The page session of a user the harness created (its password is `password-123`),
    /// from the user's API token.
    pub async fn page_session_of(&self, token: &str) -> String {
        let me = self.get("/api/v1/me", token).await.expect(200);
        let username = me["username"].as_str().expect("a username");
        self.page_session(username, "password-123").await
    }

    /// A page as a signed-in user (`cookie` from [`TestApp::page_session`]).
    pub async fn page(&self, path: &str, cookie: &str) -> (u16, String) {
        let resp = self
            .request(Method::GET, path)
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    }

    /// The raw bytes of a GET, with its status and content type.
    pub async fn get_bytes(&self, path: &str, token: &str) -> (u16, String, Vec<u8>) {
        let resp = self
            .request(Method::GET, path)
            .bearer_auth(token)
            .send()
            .await
            .expect("request sent");
        let status = resp.status().as_u16();
        let ctype = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (status, ctype, resp.bytes().await.unwrap().to_vec())
    }

    /// Posts a multipart form to `path`.
    pub async fn post_form(
        &self,
        path: &str,
        token: &str,
        form: reqwest::multipart::Form,
    ) -> reqwest::Response {
        self.request(Method::POST, path)
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("upload sent")
    }

    /// Uploads a multipart file as `field` to `path`.
    pub async fn upload(
        &self,
        path: &str,
        token: &str,
        field: &str,
        purpose: Option<&str>,
        bytes: Vec<u8>,
    ) -> Resp {
        let mut form = reqwest::multipart::Form::new().part(
            field.to_string(),
            reqwest::multipart::Part::bytes(bytes).file_name("x.png"),
        );
        if let Some(p) = purpose {
            form = form.text("purpose", p.to_string());
        }
        let resp = self.post_form(path, token, form).await;
        let status = resp.status();
        let body = resp.json().await.unwrap_or(Value::Null);
        Resp { status, body }
    }
}

/// The requests the tests make again and again, by what they mean.
impl TestApp {
    /// Opens the order `order` (its kind, app and what the kind needs); the new order.
    pub async fn open_order(&self, token: &str, order: Value) -> Value {
        self.post("/api/v1/filings", token, order).await.expect(201)
    }

    /// The order `id` as `token` sees it.
    pub async fn filing(&self, id: &str, token: &str) -> Value {
        self.get(&format!("/api/v1/filings/{id}"), token)
            .await
            .expect(200)
    }

    /// A request without a body to an order's `action` (submit, withdraw, discard, …).
    pub async fn act(&self, id: &str, action: &str, token: &str) -> Resp {
        self.post(&format!("/api/v1/filings/{id}/{action}"), token, json!({}))
            .await
    }

    /// Saves `document` as order `id`'s application.
    pub async fn save_application(&self, id: &str, token: &str, document: Value) -> Resp {
        self.put(
            &format!("/api/v1/filings/{id}/application"),
            token,
            document,
        )
        .await
    }

    /// A reviewer's approval without reasons at `stage` (`platform`, `authority`) of
    /// order `id`, with the version the reviewer sees; the order after it.
    pub async fn approve(&self, id: &str, stage: &str, token: &str) -> Value {
        let version = self.filing(id, token).await["version"].clone();
        let body = json!({"decision": "approve", "expected_version": version});
        self.decision(id, stage, token, body).await.expect(200)
    }

    /// Posts a reviewer's decision `body` at `stage` on order `id`.
    pub async fn decision(&self, id: &str, stage: &str, token: &str, body: Value) -> Resp {
        self.post(
            &format!("/api/v1/filings/{id}/{stage}-decision"),
            token,
            body,
        )
        .await
    }

    /// A release of app `appid` at `version`.
    pub async fn release(&self, appid: &str, token: &str, version: &str) -> Resp {
        self.post(
            &format!("/api/v1/apps/{appid}/releases"),
            token,
            json!({"version": version}),
        )
        .await
    }

    /// The app `appid` as its owner sees it.
    pub async fn app_entry(&self, appid: &str, token: &str) -> Value {
        self.get(&format!("/api/v1/apps/{appid}"), token)
            .await
            .expect(200)
    }

    /// The public query for `q`, without an account.
    pub async fn public_search(&self, q: &str) -> Resp {
        self.call(
            Method::GET,
            &format!("/api/v1/public/filings?q={q}"),
            None,
            None,
        )
        .await
    }

    /// Uploads `bytes` to `/api/v1/media` for `purpose`.
    pub async fn upload_media(&self, token: &str, purpose: &str, bytes: Vec<u8>) -> Resp {
        self.upload("/api/v1/media", token, "file", Some(purpose), bytes)
            .await
    }
}

impl TestApp {
    /// Uploads a PNG as `POST /api/v1/media` would receive it from a client; returns its id.
    pub async fn media(
        &self,
        token: &str,
        purpose: &str,
        certificate_type: Option<u32>,
        (width, height): (u32, u32),
    ) -> String {
        let mut form = reqwest::multipart::Form::new()
            .part(
                "file",
                reqwest::multipart::Part::bytes(png(width, height)).file_name("scan.png"),
            )
            .text("purpose", purpose.to_string());
        if let Some(t) = certificate_type {
            form = form.text("certificate_type", t.to_string());
        }
        let resp = self.post_form("/api/v1/media", token, form).await;
        assert_eq!(resp.status().as_u16(), 201, "upload of {purpose}");
        let body: Value = resp.json().await.expect("media JSON");
        body["id"].as_str().expect("media id").to_string()
    }
}

/// The item of the JSON array `list` whose `key` is `value`.
#[track_caller]
pub fn item<'a>(list: &'a Value, key: &str, value: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|i| i[key] == value)
        .unwrap_or_else(|| panic!("no {key} {value} in {list}"))
}

/// A client that does not follow redirects: a page's form post is checked by its
/// answer (a 303 and where it points), as a browser receives it.
pub fn forms_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A colour "scan" of the given size that passes every quality check (sharp, well exposed,
/// colour): the server's own sample generator.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    beian_server::photo::sample_document(width, height)
}

/// The real face photograph the tests use: scikit-image's "astronaut" from the Debian
/// package python3-skimage (`scripts/test-assets.sh` fetches it; `BEIAN_FACE_SAMPLE`
/// names it).
pub fn face_source() -> Vec<u8> {
    let rel = "usr/lib/python3/dist-packages/skimage/data/astronaut.png";
    let candidates = [
        std::env::var("BEIAN_FACE_SAMPLE").unwrap_or_default(),
        format!("/{rel}"),
        format!(
            "{}/../../target/test-assets/skimage/{rel}",
            env!("CARGO_MANIFEST_DIR")
        ),
    ];
    candidates
        .iter()
        .find_map(|p| std::fs::read(p).ok())
        .expect("face sample missing: run `bash scripts/test-assets.sh` (Debian python3-skimage)")
}

/// A face capture that passes every check: the astronaut's head and shoulders on white.
pub fn face_png() -> Vec<u8> {
    static FACE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    FACE.get_or_init(|| {
        beian_server::photo::portrait_on_white(&face_source()).expect("one face in the sample")
    })
    .clone()
}

/// A valid unified social credit code for enterprise number `n` (GB 32100 / GB 11714).
pub fn credit_code(n: u32) -> String {
    use beian_domain::ids::{CreditCode, OrgCode};
    let body = format!("{:08}", 10_000_000 + n);
    let org = format!("{body}{}", OrgCode::check_char(&body).unwrap());
    let first17 = format!("91440300{org}");
    format!("{first17}{}", CreditCode::check_char(&first17).unwrap())
}

/// A valid resident ID for person `n` (born 1985-12-31 in Shenzhen): the check character
/// is the one the domain's parser accepts.
pub fn resident_id(n: u32) -> String {
    use beian_domain::ids::ResidentId;
    let first17 = format!("44030019851231{:03}", n % 1000);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).expect("a real date");
    "0123456789X"
        .chars()
        .map(|check| format!("{first17}{check}"))
        .find(|id| ResidentId::parse(id, today).is_ok())
        .expect("one check character fits")
}

/// An applicant (signed in) whose order of subject `n` waits for SMS verification, the
/// platform reviewer's approval given.
pub async fn at_sms(app: &TestApp, n: u32) -> (String, Flow<'_>) {
    let applicant = app.user("applicant", None).await;
    let reviewer = app.user("platform_reviewer", None).await;
    let flow = Flow::prepare(app, &applicant, n).await;
    flow.to_sms(&reviewer).await;
    (applicant, flow)
}

/// A six-digit code other than `code`.
pub fn other_code(code: &str) -> &'static str {
    if code == "000000" {
        "111111"
    } else {
        "000000"
    }
}

/// One applicant's mini program carried through the API.
pub struct Flow<'a> {
    pub app: &'a TestApp,
    pub token: String,
    pub appid: String,
    pub name: String,
    pub filing: String,
    pub document: Value,
    pub mobile: String,
    pub last6: String,
}

impl<'a> Flow<'a> {
    /// Registers an app, opens a `new` filing, passes face verification and
    /// saves a valid document for subject number `n`.
    pub async fn prepare(app: &'a TestApp, token: &str, n: u32) -> Flow<'a> {
        Self::prepare_with(
            app,
            token,
            n,
            &credit_code(n),
            &format!("深圳市星河科技{n}号有限公司"),
        )
        .await
    }

    /// Like [`Flow::prepare`] with a chosen subject.
    pub async fn prepare_with(
        app: &'a TestApp,
        token: &str,
        n: u32,
        credit: &str,
        subject: &str,
    ) -> Flow<'a> {
        let appid = format!("wx{}", unique("app").replace('_', ""));
        let name = format!("星河工具{n}");
        let filing = Self::open(app, token, &appid, &name, subject).await;
        let mobile = format!("138{:08}", 10_000_000 + n);
        let id_number = resident_id(n);
        // Real uploads: every media id of the document must exist and be the applicant's
        // (V-MAT-004). Sizes meet §10.1, so the resolution checks pass too.
        let licence = app
            .media(token, "subject_certificate", Some(1), (1100, 1500))
            .await;
        let id_photo = app
            .media(token, "certificate_front", Some(2), (720, 1280))
            .await;
        let signed_form = app.media(token, "signed_form", None, (720, 1280)).await;
        let mut document = serde_json::to_value(beian_domain::fixtures::enterprise_document(
            subject, credit, &name, "", &id_photo,
        ))
        .unwrap();
        document["subject"]["certificate"]["photo"] = json!(licence);
        document["materials"]["signed_forms"] = json!([signed_form]);
        document["subject_principal"]["mobile"] = json!(mobile);
        document["subject_principal"]["emergency_mobile"] =
            json!(format!("139{:08}", 10_000_000 + n));
        document["subject_principal"]["certificate"]["number"] = json!(id_number);
        Self::with_document(app, token, (appid, name, filing), document, &id_number).await
    }

    /// Like [`Flow::prepare`] for an individual, `person`, with resident ID number `n`:
    /// the app registered for that person, the document `individual_document`.
    pub async fn prepare_individual(
        app: &'a TestApp,
        token: &str,
        n: u32,
        person: &str,
        appid: &str,
    ) -> Flow<'a> {
        let name = "娜娜修图".to_string();
        let filing = Self::open(app, token, appid, &name, person).await;
        let id_number = resident_id(n);
        let id_photo = app
            .media(token, "certificate_front", Some(2), (720, 1280))
            .await;
        let signed_form = app.media(token, "signed_form", None, (720, 1280)).await;
        let mut document = serde_json::to_value(beian_domain::fixtures::individual_document(
            person, &id_number, &name, "", &id_photo,
        ))
        .unwrap();
        document["materials"]["signed_forms"] = json!([signed_form]);
        let ids = (appid.to_string(), name, filing);
        Self::with_document(app, token, ids, document, &id_number).await
    }

    /// Registers the app `appid` named `name` for `owner_name` and opens a `new` order
    /// for it; returns the order's id.
    pub async fn open(
        app: &TestApp,
        token: &str,
        appid: &str,
        name: &str,
        owner_name: &str,
    ) -> String {
        app.post(
            "/api/v1/apps",
            token,
            json!({"appid": appid, "name": name, "owner_name": owner_name}),
        )
        .await
        .expect(201);
        let filing = app
            .open_order(token, json!({"kind": "new", "appid": appid}))
            .await;
        filing["id"].as_str().unwrap().to_string()
    }

    /// The flow of `document` for the app and order `(appid, name, filing)`, its MP
    /// principal's face verification passed. The SMS go to the subject principal's
    /// mobile and are confirmed with the last six characters of `id_number`.
    pub async fn with_document(
        app: &'a TestApp,
        token: &str,
        (appid, name, filing): (String, String, String),
        document: Value,
        id_number: &str,
    ) -> Flow<'a> {
        let mobile = document["subject_principal"]["mobile"]
            .as_str()
            .expect("the subject principal's mobile")
            .to_string();
        let mut flow = Flow {
            app,
            token: token.to_string(),
            appid,
            name,
            filing,
            document,
            mobile,
            last6: id_number[12..].to_string(),
        };
        flow.pass_face().await;
        flow
    }

    /// Saves the document, passes the MP principal's face verification, puts it in the
    /// document and saves again; the document must then be valid.
    pub async fn pass_face(&mut self) {
        // Save the principal first: the face task binds the person who passed.
        self.save().await;
        let face_id = self.app.face(&self.filing, &self.token).await;
        self.document["mini_program_principal"]["face_verification"] = json!(face_id);
        let saved = self.save().await;
        assert_eq!(saved["issues"], json!([]), "the prepared document is valid");
    }

    /// Saves the current document.
    pub async fn save(&self) -> Value {
        self.app
            .save_application(&self.filing, &self.token, self.document.clone())
            .await
            .expect(200)
    }

    pub async fn submit(&self) -> Resp {
        self.app.act(&self.filing, "submit", &self.token).await
    }

    pub async fn view(&self, token: &str) -> Value {
        self.app.filing(&self.filing, token).await
    }

    /// A reviewer decision with the version the reviewer saw.
    pub async fn decide(&self, stage: &str, token: &str, decision: &str, reasons: Value) -> Resp {
        let version = self.view(token).await["version"].clone();
        let body = json!({"decision": decision, "reasons": reasons, "expected_version": version});
        self.app.decision(&self.filing, stage, token, body).await
    }

    pub async fn verify(&self, code: &str) -> Resp {
        self.app
            .post_public(
                "/api/v1/miit/sms-verify",
                json!({"mobile": self.mobile, "certificate_last6": self.last6, "code": code}),
            )
            .await
    }

    /// Submit → platform approve: the order waits for the SMS verification.
    pub async fn to_sms(&self, reviewer: &str) {
        self.submit().await.expect(200);
        self.decide("platform", reviewer, "approve", json!([]))
            .await
            .expect(200);
    }

    /// Confirms the latest code sent to the mobile.
    pub async fn verify_latest(&self) -> Value {
        let code = self.app.latest_code(&self.mobile).await;
        self.verify(&code).await.expect(200)
    }

    /// Submit → platform approve → SMS verified: the order reaches the authority.
    pub async fn to_authority(&self, reviewer: &str) {
        self.to_sms(reviewer).await;
        let v = self.verify_latest().await;
        assert_eq!(v["filing_status"], "authority_review");
    }

    /// [`Flow::to_authority`], then the authority approves: the filed order.
    pub async fn file(&self, reviewer: &str, authority: &str) -> Value {
        self.to_authority(reviewer).await;
        self.decide("authority", authority, "approve", json!([]))
            .await
            .expect(200)
    }
}
