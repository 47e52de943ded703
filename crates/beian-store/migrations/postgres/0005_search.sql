-- Issue 7: the public query by name through trigram indexes (pg_trgm, GIN). PostgreSQL
-- maintains them with the rows, in the same transaction; creating them indexes the
-- existing rows. pg_trgm is a trusted extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX service_records_name_trgm ON service_records USING gin (mini_program_name gin_trgm_ops);
CREATE INDEX subject_records_name_trgm ON subject_records USING gin (subject_name gin_trgm_ops);
-- Queries of fewer than three characters have no trigram: they match a prefix of either
-- name through these (a range scan in code point order, whatever the database's collation).
CREATE INDEX service_records_name ON service_records((mini_program_name COLLATE "C"));
CREATE INDEX subject_records_name ON subject_records((subject_name COLLATE "C"));
