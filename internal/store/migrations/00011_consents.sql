-- +goose Up
-- Consents per person and purpose (package consent, requirement D8). subject
-- is the person's id (package person), never personal data in clear; purpose
-- is a consent.Purpose id. A person without a row has not given that consent. version guards concurrent changes.
CREATE TABLE consents (
    subject    TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    granted    BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (subject, purpose)
);

-- Every change of a consent, append-only, written in the transaction that
-- changes consents. source says how it was made (app, unsubscribe_link,
-- staff, checkout); actor who made it ("consumer:<id>", "staff:<id>"), empty
-- for an unsubscribe link.
CREATE TABLE consent_history (
    id          TEXT PRIMARY KEY,
    subject     TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    granted     BOOLEAN NOT NULL,
    source      TEXT NOT NULL,
    actor       TEXT NOT NULL DEFAULT '',
    occurred_at BIGINT NOT NULL
);
CREATE INDEX consent_history_subject ON consent_history (subject, occurred_at);

-- +goose Down
DROP TABLE consent_history;
DROP TABLE consents;
