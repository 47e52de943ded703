ALTER TABLE media ADD COLUMN certificate_type INTEGER;
CREATE INDEX filings_appid ON filings(appid);
CREATE INDEX service_records_principal_mobile ON service_records(substr(replace(replace(json_extract(document, '$.subject_principal.mobile'), ' ', ''), '-', ''), -11));
CREATE INDEX service_records_mp_principal_mobile ON service_records(substr(replace(replace(json_extract(document, '$.mini_program_principal.mobile'), ' ', ''), '-', ''), -11));
