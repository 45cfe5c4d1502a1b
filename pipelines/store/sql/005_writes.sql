-- Schema version 5: one counter of the write transactions committed (pipelines/store/db.py, `transaction`).
-- Each one adds 1 to it, so two writers of a lake conflict on it and the second runs again: an upload's id, the
-- last one + 1, is never given twice, and a key is never refreshed by two uploads at once. Readers compare it to
-- tell that the data changed.
CREATE TABLE writes (n BIGINT NOT NULL);
INSERT INTO writes SELECT count(*) FROM uploads;
