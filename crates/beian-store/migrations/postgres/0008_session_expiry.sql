-- Sessions end when idle or old (SECURITY.md): when each was last used, and an index to
-- purge the ended ones.
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = created_at;
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);
-- Idempotency keys are kept a day; the purge finds old ones by time.
CREATE INDEX idempotency_created ON idempotency (created_at);
