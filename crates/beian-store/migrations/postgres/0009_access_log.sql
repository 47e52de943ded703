-- Who saw an order's personal data unmasked, and what (SECURITY.md): part of the order's
-- history, apart from its events so it does not change the order's version.
CREATE TABLE filing_access (
    id BIGSERIAL PRIMARY KEY,
    filing_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    user_id TEXT NOT NULL,
    role TEXT NOT NULL,
    what TEXT NOT NULL
);
CREATE INDEX filing_access_filing ON filing_access (filing_id, id);
