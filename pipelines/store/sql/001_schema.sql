-- Schema version 1.
-- Every accepted row of every upload is kept in a *_versions table (with the upload and line it came from),
-- so that undoing an upload is deleting its rows. The current tables (employees, posts, ...) hold the
-- winning version of each key and are refreshed, for the keys an upload touches, in the same transaction.
-- Every migration runs on a DuckDB file and on a lake (DuckLake): no sequence, no PRIMARY KEY or UNIQUE. (Files
-- made before the lake keep the `upload_ids` sequence and the key on uploads that this file once created.)

-- One row per upload (a file, a `charter set`, a reprocess does not add one).
CREATE TABLE uploads (
    upload_id INTEGER NOT NULL,  -- the last one + 1, under the `writes` counter (schema version 5)
    file_name VARCHAR NOT NULL,
    checksum VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    loaded BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    unchanged BIGINT NOT NULL,
    quarantined BIGINT NOT NULL,
    export_date DATE,
    dialect JSON,
    notes VARCHAR[],
    duplicate_of INTEGER,
    loaded_at TIMESTAMP NOT NULL,
    loaded_by VARCHAR NOT NULL,
    undone_at TIMESTAMP,
    undone_by VARCHAR
);

-- One row per unusable input row: where it came from, its text, why it was not loaded, and its cells by
-- canonical column (so that `reprocess` can validate it again).
CREATE TABLE quarantine (
    upload_id INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    line BIGINT NOT NULL,
    raw VARCHAR,
    reason VARCHAR NOT NULL,
    cells JSON
);

-- Versions: one row per accepted input row.
CREATE TABLE employee_versions (
    upload_id INTEGER NOT NULL, line BIGINT NOT NULL,
    employee_id VARCHAR NOT NULL, full_name VARCHAR, email VARCHAR, team VARCHAR NOT NULL, role VARCHAR,
    joined_on DATE, left_on DATE, contest_opt_in BOOLEAN NOT NULL, extra JSON
);
-- team = '*' is the organisation-wide row: its charter_adopted_on applies to teams without their own.
CREATE TABLE team_versions (
    upload_id INTEGER NOT NULL, line BIGINT NOT NULL,
    team VARCHAR NOT NULL, headcount BIGINT, charter_adopted_on DATE, extra JSON
);
CREATE TABLE post_versions (
    upload_id INTEGER NOT NULL, line BIGINT NOT NULL,
    post_id VARCHAR NOT NULL, employee_id VARCHAR NOT NULL, published_at TIMESTAMP NOT NULL,
    network VARCHAR NOT NULL, format VARCHAR NOT NULL, title VARCHAR, extra JSON
);
-- One row per post per export; `engagements` is reactions + comments + shares + clicks where the split is
-- given, else the file's own total.
CREATE TABLE engagement_snapshots (
    upload_id INTEGER NOT NULL, line BIGINT NOT NULL,
    post_id VARCHAR NOT NULL, as_of DATE NOT NULL,
    impressions BIGINT, reactions BIGINT, comments BIGINT, shares BIGINT, clicks BIGINT, engagements BIGINT,
    extra JSON
);
CREATE TABLE incident_versions (
    upload_id INTEGER NOT NULL, line BIGINT NOT NULL,
    incident_id VARCHAR NOT NULL, occurred_on DATE NOT NULL, team VARCHAR NOT NULL, employee_id VARCHAR,
    post_id VARCHAR, severity VARCHAR NOT NULL, category VARCHAR, description VARCHAR, extra JSON
);
CREATE TABLE contest_versions (
    upload_id INTEGER NOT NULL, line BIGINT NOT NULL,
    contest_id VARCHAR NOT NULL, name VARCHAR, starts_on DATE NOT NULL, ends_on DATE NOT NULL,
    teams VARCHAR[], min_posts BIGINT NOT NULL, extra JSON
);
CREATE TABLE jury_score_versions (
    upload_id INTEGER NOT NULL, line BIGINT NOT NULL,
    contest_id VARCHAR NOT NULL, post_id VARCHAR NOT NULL, judge VARCHAR NOT NULL, score DOUBLE NOT NULL,
    extra JSON
);

-- Current state: one row per key, the version of the latest upload that holds it.
CREATE TABLE employees AS SELECT * FROM employee_versions WITH NO DATA;
CREATE TABLE teams AS SELECT * FROM team_versions WITH NO DATA;
CREATE TABLE posts AS SELECT * FROM post_versions WITH NO DATA;
-- One row per post: its newest snapshot (latest as_of; for equal dates, the latest upload).
CREATE TABLE post_engagement AS SELECT * FROM engagement_snapshots WITH NO DATA;
CREATE TABLE incidents AS SELECT * FROM incident_versions WITH NO DATA;
CREATE TABLE contests AS SELECT * FROM contest_versions WITH NO DATA;
CREATE TABLE jury_scores AS SELECT * FROM jury_score_versions WITH NO DATA;
