-- An individual's subject name is a person's name: the record keeps it masked, as the
-- public query shows it, and sealed in full beside it (beian_store::vault).
ALTER TABLE subject_records ADD COLUMN sealed_name TEXT;
