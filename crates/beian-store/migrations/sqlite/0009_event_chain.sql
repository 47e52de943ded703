-- The tamper-evident history (beian_domain::audit): each event's link in its order's
-- chain. Events written before the chain existed keep NULL.
ALTER TABLE filing_events ADD COLUMN hash TEXT;
