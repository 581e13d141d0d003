-- +goose Up
-- Restrictions of processing (GDPR Art. 18) and objections (Art. 21) of a
-- person (package restriction, requirement D6). kind is 'restriction' (target
-- is a privacy category id: purposes relying on legitimate interest may not
-- use that category of the person's data) or 'objection' (target is a
-- privacy purpose id: that purpose may not use the person's data at all).
-- request_id is the data-subject request that asked for it, NULL when staff
-- or an erasure set it. An entry is in force while lifted_at is NULL; lifting
-- records who lifted it (lifted_by) and why (lift_reason, a message key or
-- staff's words about the grounds, never personal data). active_key is
-- person_id, kind and target while in force and NULL once lifted: its unique
-- index allows one entry in force per person and target.
CREATE TABLE processing_restrictions (
    id          TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES persons (id),
    kind        TEXT NOT NULL,
    target      TEXT NOT NULL,
    request_id  TEXT REFERENCES data_subject_requests (id),
    created_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    lifted_at   BIGINT,
    lifted_by   TEXT,
    lift_reason TEXT NOT NULL DEFAULT '',
    active_key  TEXT UNIQUE
);
CREATE INDEX processing_restrictions_person ON processing_restrictions (person_id, created_at);
CREATE INDEX processing_restrictions_request ON processing_restrictions (request_id);

-- What a restriction or objection request is about: a JSON array of privacy
-- category ids (restriction) or purpose ids (objection); [] for other kinds.
ALTER TABLE data_subject_requests ADD COLUMN scope TEXT NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE data_subject_requests DROP COLUMN scope;
DROP TABLE processing_restrictions;
