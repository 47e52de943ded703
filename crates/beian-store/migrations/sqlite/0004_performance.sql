CREATE INDEX filings_queue ON filings(status, province, (COALESCE(due_at, 9223372036854775807)), id);
CREATE INDEX service_records_subject_number ON service_records(subject_number);
CREATE INDEX sms_lookup_filing ON sms_lookup(filing_id);
CREATE INDEX filings_open_principal_mobile ON filings(substr(replace(replace(json_extract(state, '$.document.subject_principal.mobile'), ' ', ''), '-', ''), -11)) WHERE open_subject_key IS NOT NULL;
CREATE INDEX filings_open_mp_principal_mobile ON filings(substr(replace(replace(json_extract(state, '$.document.mini_program_principal.mobile'), ' ', ''), '-', ''), -11)) WHERE open_subject_key IS NOT NULL
