-- Schema version 4: who attended which charter workshop (data-contract.md, "workshops"; metrics.md,
-- "Co-creation"). One row per person per workshop per day; the author as the file wrote it beside the employee it
-- resolves to; `team` as written (informative: the roster decides a person's team).
CREATE TABLE workshop_versions (
    upload_id INTEGER NOT NULL, line BIGINT NOT NULL,
    author VARCHAR, employee_id VARCHAR NOT NULL, attended_on DATE NOT NULL, workshop VARCHAR NOT NULL,
    team VARCHAR, extra JSON
);
CREATE TABLE workshops AS SELECT * FROM workshop_versions WITH NO DATA;
