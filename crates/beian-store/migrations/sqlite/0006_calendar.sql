-- Issue 13: State Council notices loaded at run time (domain.md §11.5), one row per year,
-- shared by every process on the database; and the provisional flag of a due date (§11.4),
-- so a loaded notice finds the open orders to count again through a small partial index.
CREATE TABLE calendar_notices (
    year INTEGER PRIMARY KEY,
    data TEXT NOT NULL,
    notice_text TEXT NOT NULL,
    loaded_at INTEGER NOT NULL,
    loaded_by TEXT NOT NULL
);
ALTER TABLE filings ADD COLUMN due_provisional INTEGER NOT NULL DEFAULT 0;
CREATE INDEX filings_due_provisional ON filings(due_at) WHERE due_provisional = 1;
