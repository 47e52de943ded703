-- Personal data at rest (beian_store::vault): each order's data key, wrapped by the
-- master key whose id is beside it. The master key itself is never stored. A destroyed
-- key (crypto-shredding) keeps its row with `destroyed_at` set and `wrapped` emptied.
CREATE TABLE data_keys (
    id TEXT PRIMARY KEY,
    master_id TEXT NOT NULL,
    wrapped TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    destroyed_at BIGINT
);
CREATE INDEX data_keys_master ON data_keys (master_id, id);
-- Principal mobiles as blind indexes (keyed HMAC of the normalised mobile): the
-- cross-subject rule looks them up without the documents, which are sealed now.
ALTER TABLE filings ADD COLUMN sp_mobile TEXT;
ALTER TABLE filings ADD COLUMN mp_mobile TEXT;
ALTER TABLE service_records ADD COLUMN sp_mobile TEXT;
ALTER TABLE service_records ADD COLUMN mp_mobile TEXT;
-- The expression indexes read mobiles out of the JSON in clear; sealed documents are
-- not JSON, and these columns replace them.
DROP INDEX service_records_principal_mobile;
DROP INDEX service_records_mp_principal_mobile;
DROP INDEX filings_open_principal_mobile;
DROP INDEX filings_open_mp_principal_mobile;
CREATE INDEX filings_open_sp_mobile ON filings (sp_mobile) WHERE open_subject_key IS NOT NULL;
CREATE INDEX filings_open_mp_mobile ON filings (mp_mobile) WHERE open_subject_key IS NOT NULL;
CREATE INDEX service_records_sp_mobile ON service_records (sp_mobile);
CREATE INDEX service_records_mp_mobile ON service_records (mp_mobile);
-- The outbox keeps the recipient sealed, and its blind index for the list by mobile.
ALTER TABLE sms_outbox ADD COLUMN mobile_index TEXT;
DROP INDEX sms_outbox_mobile;
CREATE INDEX sms_outbox_mobile_index ON sms_outbox (mobile_index, id);
-- Subject keys become blind indexes when the store opens (a subject record and its
-- service records in one transaction): the reference may be checked at commit.
ALTER TABLE service_records ALTER CONSTRAINT service_records_subject_key_fkey DEFERRABLE INITIALLY IMMEDIATE;
