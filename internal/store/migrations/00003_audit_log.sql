-- +goose Up
-- Append-only, tamper-evident log of staff and operator actions: each entry
-- carries the hash of the one before it. seq is unique, so two writers that
-- read the same predecessor cannot both append after it.
CREATE TABLE audit_log (
    seq        BIGINT PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    at         BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    details    TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject);

-- +goose Down
DROP TABLE audit_log;
