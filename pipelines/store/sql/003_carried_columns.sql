-- Schema version 3: exports as the tools really write them (data-contract.md, "Exports as the tools really
-- write them").

-- A file leaves alone what it does not carry: uploads.carried lists the stored columns the upload's file gives a
-- value for; each current row takes, column by column, the newest version that carries it. NULL for the uploads
-- made before this version: they carried every column. `merged` counts the rows folded into another row of the
-- same file (a boosted post's Sponsored and Total rows); `source` is where the file's figures come from.
ALTER TABLE uploads ADD COLUMN carried VARCHAR[];
ALTER TABLE uploads ADD COLUMN merged BIGINT DEFAULT 0;
ALTER TABLE uploads ADD COLUMN source VARCHAR;

-- An employee's LinkedIn profile (vanity name), which an author may be given as.
ALTER TABLE employee_versions ADD COLUMN linkedin VARCHAR;
ALTER TABLE employees ADD COLUMN linkedin VARCHAR;

-- The author as the file wrote it, beside the employee it resolves to; a post by someone comms marked "not staff"
-- is kept with no employee.
ALTER TABLE post_versions ADD COLUMN author VARCHAR;
ALTER TABLE posts ADD COLUMN author VARCHAR;
ALTER TABLE post_versions ALTER COLUMN employee_id DROP NOT NULL;  -- posts, made by CREATE TABLE AS, has none
ALTER TABLE incident_versions ADD COLUMN author VARCHAR;
ALTER TABLE incidents ADD COLUMN author VARCHAR;

-- A boosted post's paid figures apart from its organic ones; audiences and member shares as their own figures;
-- where each snapshot comes from (a figure LinkedIn measured wins over a platform's).
ALTER TABLE engagement_snapshots ADD COLUMN paid_impressions BIGINT;
ALTER TABLE engagement_snapshots ADD COLUMN paid_reactions BIGINT;
ALTER TABLE engagement_snapshots ADD COLUMN paid_comments BIGINT;
ALTER TABLE engagement_snapshots ADD COLUMN paid_shares BIGINT;
ALTER TABLE engagement_snapshots ADD COLUMN paid_clicks BIGINT;
ALTER TABLE engagement_snapshots ADD COLUMN paid_engagements BIGINT;
ALTER TABLE engagement_snapshots ADD COLUMN potential_reach BIGINT;
ALTER TABLE engagement_snapshots ADD COLUMN member_shares BIGINT;
ALTER TABLE engagement_snapshots ADD COLUMN source VARCHAR;
ALTER TABLE post_engagement ADD COLUMN paid_impressions BIGINT;
ALTER TABLE post_engagement ADD COLUMN paid_reactions BIGINT;
ALTER TABLE post_engagement ADD COLUMN paid_comments BIGINT;
ALTER TABLE post_engagement ADD COLUMN paid_shares BIGINT;
ALTER TABLE post_engagement ADD COLUMN paid_clicks BIGINT;
ALTER TABLE post_engagement ADD COLUMN paid_engagements BIGINT;
ALTER TABLE post_engagement ADD COLUMN potential_reach BIGINT;
ALTER TABLE post_engagement ADD COLUMN member_shares BIGINT;
ALTER TABLE post_engagement ADD COLUMN source VARCHAR;

-- Comms' decisions about authors that match nobody, keyed by the folded name.
CREATE TABLE author_versions (
    upload_id INTEGER NOT NULL, line BIGINT NOT NULL,
    author VARCHAR NOT NULL, author_key VARCHAR NOT NULL, employee_id VARCHAR, not_staff BOOLEAN, extra JSON
);
CREATE TABLE authors AS SELECT * FROM author_versions WITH NO DATA;

-- A quarantined row that a later upload (an author's mapping) loaded: kept, marked with that upload, so that
-- undoing it puts the row back.
ALTER TABLE quarantine ADD COLUMN resolved_by INTEGER;
