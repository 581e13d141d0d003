-- +goose Up
-- The retention engine (package retention, requirement D9). retention_runs
-- is the log of its runs: source says what started it (schedule, staff,
-- command), items how many pieces of data went and changed how many rows were
-- deleted or anonymised, report the run's report as JSON (rule names,
-- purposes, tables and counts: nothing about any person) and error what
-- failed, '' when nothing did.
CREATE TABLE retention_runs (
    id          TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    started_at  BIGINT NOT NULL,
    finished_at BIGINT NOT NULL,
    items       BIGINT NOT NULL,
    changed     BIGINT NOT NULL,
    report      TEXT NOT NULL,
    error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX retention_runs_started ON retention_runs (started_at);

-- The persons whose every retention period has ended and whose remaining
-- data the engine removed, anonymised or shredded: they are never looked at
-- again. The persons row stays (other tables name it), pseudonymous and
-- leading to nothing readable.
CREATE TABLE retention_retired_persons (
    person_id  TEXT PRIMARY KEY REFERENCES persons (id),
    retired_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE retention_retired_persons;
DROP INDEX retention_runs_started;
DROP TABLE retention_runs;
