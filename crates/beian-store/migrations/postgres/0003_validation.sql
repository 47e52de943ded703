ALTER TABLE media ADD COLUMN certificate_type BIGINT;
CREATE INDEX filings_appid ON filings(appid);
CREATE INDEX service_records_principal_mobile ON service_records(right(replace(replace((document::jsonb #>> '{subject_principal,mobile}'), ' ', ''), '-', ''), 11));
CREATE INDEX service_records_mp_principal_mobile ON service_records(right(replace(replace((document::jsonb #>> '{mini_program_principal,mobile}'), ' ', ''), '-', ''), 11));
