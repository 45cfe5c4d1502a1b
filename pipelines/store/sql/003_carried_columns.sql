-- Schema version 3: a file leaves alone what it does not carry; people as HR tools name them.
-- uploads.carried: the stored columns the upload's file gives a value for (data-contract.md, "Which kind, and
-- what a file leaves alone"); each current row takes, column by column, the newest version that carries it.
-- NULL for the uploads made before this version: they carried every column.
ALTER TABLE uploads ADD COLUMN carried VARCHAR[];
-- An employee's LinkedIn profile (vanity name), which an author may be given as.
ALTER TABLE employee_versions ADD COLUMN linkedin VARCHAR;
ALTER TABLE employees ADD COLUMN linkedin VARCHAR;
