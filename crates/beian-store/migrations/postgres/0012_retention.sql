-- Uploads erased after their retention period (beian retention): the row stays, for
-- the history's sake; its object is deleted.
ALTER TABLE media ADD COLUMN erased_at BIGINT;
