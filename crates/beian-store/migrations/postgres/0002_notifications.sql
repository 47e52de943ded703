ALTER TABLE sms_outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'code';
ALTER TABLE sms_outbox ADD COLUMN template TEXT NOT NULL DEFAULT 'verification_code';
ALTER TABLE sms_outbox ADD COLUMN params TEXT;
ALTER TABLE sms_outbox ADD COLUMN status TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE sms_outbox ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sms_outbox ADD COLUMN last_error TEXT;
ALTER TABLE sms_outbox ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sms_outbox ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
UPDATE sms_outbox SET status = 'sent', attempts = 1 WHERE sent_at IS NOT NULL;
CREATE INDEX sms_outbox_due ON sms_outbox(status, next_attempt_at);
CREATE TABLE sms_daily_counts (
    mobile TEXT NOT NULL,
    day TEXT NOT NULL,
    sent BIGINT NOT NULL,
    PRIMARY KEY (mobile, day)
);
CREATE TABLE sms_reminders (
    filing_id TEXT NOT NULL REFERENCES filings(id),
    deadline BIGINT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (filing_id, deadline)
);
CREATE TABLE inbox_messages (
    id BIGSERIAL PRIMARY KEY,
    user_id TEXT NOT NULL,
    template TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    filing_id TEXT,
    appid TEXT,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX inbox_messages_user ON inbox_messages(user_id, id);
CREATE TABLE webhook_subscriptions (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    description TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE TABLE webhook_subscription_events (
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions(id),
    event_type TEXT NOT NULL,
    PRIMARY KEY (subscription_id, event_type)
);
CREATE TABLE webhook_deliveries (
    id BIGSERIAL PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions(id),
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    retry_count BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT NOT NULL DEFAULT 0,
    last_status_code BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT,
    UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries(subscription_id, id);
CREATE TABLE webhook_attempts (
    delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries(id),
    attempt BIGINT NOT NULL,
    at BIGINT NOT NULL,
    status_code BIGINT,
    error TEXT,
    duration_ms BIGINT NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
CREATE TABLE job_runs (
    job TEXT NOT NULL,
    day TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    summary TEXT,
    PRIMARY KEY (job, day)
);
CREATE TABLE app_clearances (
    appid TEXT PRIMARY KEY REFERENCES apps(appid),
    action TEXT NOT NULL,
    day TEXT NOT NULL,
    cleared_at BIGINT NOT NULL
);
CREATE TABLE deadline_warnings (
    appid TEXT NOT NULL REFERENCES apps(appid),
    threshold BIGINT NOT NULL,
    day TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (appid, threshold)
)
