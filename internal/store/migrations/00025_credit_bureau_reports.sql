-- +goose Up
-- Credit bureau reports (package risk/credit, issue 5): the last answer of
-- the credit bureau about a subject, kept so a person is asked about once
-- per cache period (30 days by default) however often they buy. subject_key
-- is a hash of the buyer's keyed identity, date of birth and country;
-- consumer_key is that keyed identity (persons.consumer_key), by which the
-- rows about a person are found. score (0-999) and band are the bureau's
-- score, remarks whether the person has registered payment remarks,
-- reference the bureau's reference of the inquiry and bureau the adapter
-- that answered. Purpose credit_assessment; retiring or erasing the person
-- deletes them.
CREATE TABLE credit_bureau_reports (
    subject_key  TEXT PRIMARY KEY,
    consumer_key TEXT NOT NULL,
    bureau       TEXT NOT NULL,
    score        INTEGER NOT NULL,
    band         TEXT NOT NULL,
    remarks      BOOLEAN NOT NULL,
    reference    TEXT NOT NULL,
    fetched_at   BIGINT NOT NULL
);
CREATE INDEX credit_bureau_reports_consumer ON credit_bureau_reports (consumer_key);

-- +goose Down
DROP TABLE credit_bureau_reports;
