-- +goose Up
-- Data-subject requests (package dsr, requirements D2-D6, D11): a person's
-- request for access, portability, rectification, erasure, restriction or
-- objection, from receipt to its answer. person_id names the person, never
-- an address. reference is the short random reference the person and staff
-- quote. kind and status are dsr.Kind and dsr.Status; channel says where it
-- was filed (app, staff) and identity_method how the person's identity was
-- verified. country (ISO 3166-1 alpha-2, '' when not known) picks the
-- supervisory authority the answer names; locale the language of the
-- e-mails. description (what the person wrote), reply_to (the address
-- answers go to) and identity_note (how staff verified the person) are vault
-- ciphertext under the person's key, NULL when there is none; an erasure of
-- the person sets them NULL in every request of theirs and sets erased_at.
-- due_at is the current deadline: original_due_at (one calendar month after
-- received_at) plus extension_months (0-2). reminded_at and breached_at are set by the
-- deadline job; closed_at when the request is answered. outcome is the
-- answer, a JSON array of items (what, done, reason, until). open_key is
-- person_id and kind while the request is open and NULL once closed: its
-- unique index allows one open request of a kind per person. version guards
-- concurrent changes.
CREATE TABLE data_subject_requests (
    id               TEXT PRIMARY KEY,
    reference        TEXT NOT NULL UNIQUE,
    person_id        TEXT NOT NULL REFERENCES persons (id),
    kind             TEXT NOT NULL,
    status           TEXT NOT NULL,
    channel          TEXT NOT NULL,
    identity_method  TEXT NOT NULL,
    country          TEXT NOT NULL,
    locale           TEXT NOT NULL,
    description      TEXT,
    reply_to         TEXT,
    identity_note    TEXT,
    received_at      BIGINT NOT NULL,
    original_due_at  BIGINT NOT NULL,
    due_at           BIGINT NOT NULL,
    extension_months INTEGER NOT NULL DEFAULT 0,
    reminded_at      BIGINT,
    breached_at      BIGINT,
    closed_at        BIGINT,
    erased_at        BIGINT,
    outcome          TEXT NOT NULL DEFAULT '[]',
    open_key         TEXT UNIQUE,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX data_subject_requests_person ON data_subject_requests (person_id, received_at);
CREATE INDEX data_subject_requests_queue ON data_subject_requests (closed_at, due_at);

-- Every step of a request, append-only, written in the transaction that
-- takes it: seq numbers a request's events from 1; event names the step
-- (dsr.EventName); from_status and to_status are equal for steps that do not
-- change the status (the reminder, the breach). actor is who took it
-- ("consumer:<account id>", "staff:<id>", "system"); note is the reason
-- staff gave (for an extension, a refusal, an answer).
CREATE TABLE data_subject_request_events (
    id          TEXT PRIMARY KEY,
    request_id  TEXT NOT NULL REFERENCES data_subject_requests (id),
    seq         INTEGER NOT NULL,
    event       TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    note        TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    UNIQUE (request_id, seq)
);

-- The document an answer hands over (an access extract, a portability
-- export): body is vault ciphertext under the person's key; the row is
-- deleted at expires_at.
CREATE TABLE data_subject_request_documents (
    request_id   TEXT PRIMARY KEY REFERENCES data_subject_requests (id),
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    body         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);

-- +goose Down
DROP TABLE data_subject_request_documents;
DROP TABLE data_subject_request_events;
DROP INDEX data_subject_requests_queue;
DROP INDEX data_subject_requests_person;
DROP TABLE data_subject_requests;
