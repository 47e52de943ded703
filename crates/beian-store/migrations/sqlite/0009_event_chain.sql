-- The tamper-evident history (beian_domain::audit): each event's link in its order's
-- chain. Events written before the chain existed keep NULL.
ALTER TABLE filing_events ADD COLUMN hash TEXT;
-- One anchor a day (China time): the hash of every order head that changed that day,
-- chained to the previous anchor. Written once, by whichever process gets there first.
CREATE TABLE audit_anchors (
    day TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    previous TEXT NOT NULL,
    orders BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
-- Facts about the database itself, e.g. the id of the master key its keyed hashes use.
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
