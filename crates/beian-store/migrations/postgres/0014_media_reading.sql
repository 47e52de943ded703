-- What was read from a certificate photo (beian_domain::ocr::Reading as JSON), sealed with
-- the system key: it holds names and certificate numbers. NULL until the photo is read.
ALTER TABLE media ADD COLUMN reading TEXT;
