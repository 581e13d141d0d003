-- +goose Up
-- Analysts' decisions that a sanctions or PEP screening match is a false
-- positive for the person screened (package screening, requirement T8).
-- identity_key is the keyed hash (HMAC-SHA256 under the instance secret
-- screening_identity_key) of the screened name and birth date as screening
-- normalises them, never the name or date themselves: a later screening of
-- the same identity skips the entry (list_name, entry_id). person_id is the
-- person screened. A decision is in force while revoked_at is NULL;
-- revoking records who did it and why (reasons are staff's words about the
-- grounds, never personal data). active_key is identity_key, list_name and
-- entry_id while in force and NULL once revoked: its unique index allows one
-- decision in force per identity and entry.
CREATE TABLE screening_false_positives (
    id            TEXT PRIMARY KEY,
    person_id     TEXT NOT NULL REFERENCES persons (id),
    identity_key  TEXT NOT NULL,
    list_name     TEXT NOT NULL,
    entry_id      TEXT NOT NULL,
    reason        TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    created_by    TEXT NOT NULL,
    revoked_at    BIGINT,
    revoked_by    TEXT,
    revoke_reason TEXT NOT NULL DEFAULT '',
    active_key    TEXT UNIQUE
);
CREATE INDEX screening_false_positives_identity ON screening_false_positives (identity_key);
CREATE INDEX screening_false_positives_person ON screening_false_positives (person_id, created_at);

-- +goose Down
DROP TABLE screening_false_positives;
