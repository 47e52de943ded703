CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    province TEXT,
    created_at BIGINT NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    revoked BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE apps (
    appid TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    owner_id TEXT NOT NULL REFERENCES users(id),
    listed BIGINT NOT NULL,
    owner_name TEXT,
    registered_at BIGINT NOT NULL,
    preconditions TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE filings (
    id TEXT PRIMARY KEY,
    appid TEXT NOT NULL REFERENCES apps(appid),
    owner_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    province TEXT,
    subject_key TEXT,
    open_subject_key TEXT UNIQUE,
    live_appid TEXT UNIQUE,
    reached_authority BIGINT NOT NULL DEFAULT 0,
    due_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    state TEXT NOT NULL
);
CREATE INDEX filings_owner ON filings(owner_id, id);
CREATE INDEX filings_status_due ON filings(status, due_at);
CREATE INDEX filings_province ON filings(province, reached_authority, id);
CREATE TABLE filing_events (
    filing_id TEXT NOT NULL REFERENCES filings(id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    name TEXT NOT NULL,
    actor TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (filing_id, seq)
);
CREATE TABLE sms_lookup (
    mobile TEXT NOT NULL,
    filing_id TEXT NOT NULL REFERENCES filings(id),
    PRIMARY KEY (mobile, filing_id)
);
CREATE TABLE timers (
    filing_id TEXT NOT NULL REFERENCES filings(id),
    kind TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    lease_until BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (filing_id, kind)
);
CREATE INDEX timers_due ON timers(due_at);
CREATE TABLE subject_records (
    subject_key TEXT PRIMARY KEY,
    province TEXT NOT NULL,
    subject_number TEXT NOT NULL UNIQUE,
    subject_name TEXT NOT NULL,
    nature BIGINT,
    next_service_index BIGINT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE service_records (
    appid TEXT PRIMARY KEY,
    subject_key TEXT NOT NULL REFERENCES subject_records(subject_key),
    subject_number TEXT NOT NULL,
    service_number TEXT NOT NULL UNIQUE,
    mini_program_name TEXT NOT NULL,
    status TEXT NOT NULL,
    filed_at BIGINT NOT NULL,
    document TEXT NOT NULL
);
CREATE INDEX service_records_subject ON service_records(subject_key);
CREATE TABLE number_counters (
    province TEXT NOT NULL,
    year BIGINT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (province, year)
);
CREATE TABLE sms_outbox (
    id BIGSERIAL PRIMARY KEY,
    filing_id TEXT,
    mobile TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX sms_outbox_mobile ON sms_outbox(mobile, id);
CREATE TABLE media (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    width BIGINT,
    height BIGINT,
    checks TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE face_tasks (
    id TEXT PRIMARY KEY,
    filing_id TEXT NOT NULL REFERENCES filings(id),
    owner_id TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    identity_type BIGINT,
    identity_number TEXT,
    name TEXT,
    photo TEXT,
    consumed_by TEXT
);
CREATE TABLE idempotency (
    user_id TEXT NOT NULL,
    key TEXT NOT NULL,
    status BIGINT,
    body TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, key)
);
