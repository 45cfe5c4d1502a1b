-- Schema version 6: each committed write transaction also marks the data with a new random id (`writes.id`), so
-- two databases that went different ways from one copy never show the same state, even with the same count.
-- Readers key what they keep on it (pipelines/store/kept.py, and the dashboard's caches).
ALTER TABLE writes ADD COLUMN id VARCHAR;
UPDATE writes SET id = uuid()::VARCHAR;
