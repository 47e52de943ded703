-- Issue 7: the public query by name through a trigram index (FTS5, `trigram` tokenizer),
-- one row per service record (rowid = the record's rowid) with its mini program name and
-- its subject's name in separate columns, so a phrase never spans the two names.
-- Kept by triggers, in the same transaction as every record write (and the seeder's).
CREATE VIRTUAL TABLE public_names USING fts5(mp_name, subject_name, tokenize = 'trigram');

INSERT INTO public_names (rowid, mp_name, subject_name)
SELECT s.rowid, s.mini_program_name, r.subject_name
FROM service_records s JOIN subject_records r ON r.subject_key = s.subject_key;

CREATE TRIGGER public_names_insert AFTER INSERT ON service_records BEGIN
  INSERT INTO public_names (rowid, mp_name, subject_name)
  VALUES (new.rowid, new.mini_program_name,
          (SELECT subject_name FROM subject_records WHERE subject_key = new.subject_key));
END;

CREATE TRIGGER public_names_update AFTER UPDATE OF mini_program_name, subject_key ON service_records BEGIN
  DELETE FROM public_names WHERE rowid = old.rowid;
  INSERT INTO public_names (rowid, mp_name, subject_name)
  VALUES (new.rowid, new.mini_program_name,
          (SELECT subject_name FROM subject_records WHERE subject_key = new.subject_key));
END;

CREATE TRIGGER public_names_delete AFTER DELETE ON service_records BEGIN
  DELETE FROM public_names WHERE rowid = old.rowid;
END;

CREATE TRIGGER public_names_subject AFTER UPDATE OF subject_name ON subject_records BEGIN
  UPDATE public_names SET subject_name = new.subject_name
  WHERE rowid IN (SELECT rowid FROM service_records WHERE subject_key = new.subject_key);
END;

-- Queries of fewer than three characters have no trigram: they match a prefix of either
-- name through these (a range scan).
CREATE INDEX service_records_name ON service_records(mini_program_name);
CREATE INDEX subject_records_name ON subject_records(subject_name);
