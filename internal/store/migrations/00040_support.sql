-- +goose Up
-- Support conversations (package support, docs/support.md): a consumer's
-- conversation with Tillit, opened in the app (channel app) or through the
-- public contact form by someone with an e-mail address (channel
-- contact_form). reference is the short code the consumer quotes. person_id
-- is the person the conversation is about: the signed-in consumer's, or the
-- person the contact form's address leads to (created for an address Tillit
-- did not know). contact_email (the form's address), subject,
-- assistant_state (the first line's opaque state) and handover_summary (what
-- the first line tells staff when it hands over) are sealed by the vault
-- under the person (contexts support_conversations.<column>). order_id is an
-- order of the person's the conversation is about. status is
-- with_assistant, waiting_for_staff, answered, closed or converted;
-- waiting_since is when it last started waiting for staff. handed_over_by
-- is who passed it from the first line to staff (assistant or consumer).
-- converted_kind (complaint, dispute, privacy_request) and converted_id
-- name the case it became. assigned_to names a member of staff by id
-- (without a foreign key: disabled staff accounts are removed in time,
-- the conversation stays).
CREATE TABLE support_conversations (
    id               TEXT PRIMARY KEY,
    reference        TEXT NOT NULL UNIQUE,
    person_id        TEXT REFERENCES persons (id),
    channel          TEXT NOT NULL,
    contact_email    TEXT NOT NULL DEFAULT '',
    order_id         TEXT REFERENCES orders (id),
    subject          TEXT NOT NULL DEFAULT '',
    language         TEXT NOT NULL,
    status           TEXT NOT NULL,
    assigned_to      TEXT,
    assistant_state  TEXT NOT NULL DEFAULT '',
    handover_summary TEXT NOT NULL DEFAULT '',
    handed_over_by   TEXT NOT NULL DEFAULT '',
    handed_over_at   BIGINT,
    converted_kind   TEXT NOT NULL DEFAULT '',
    converted_id     TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    waiting_since    BIGINT,
    closed_at        BIGINT,
    version          BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX support_conversations_person ON support_conversations (person_id, created_at);
CREATE INDEX support_conversations_queue ON support_conversations (status, waiting_since);
CREATE INDEX support_conversations_updated ON support_conversations (updated_at);

-- The messages of a conversation, oldest first: author is consumer,
-- assistant (the first line) or staff (staff_id names the member, without
-- a foreign key as above). body is sealed under the conversation's person
-- (context support_messages.body).
CREATE TABLE support_messages (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES support_conversations (id),
    author          TEXT NOT NULL,
    staff_id        TEXT,
    body            TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX support_messages_conversation ON support_messages (conversation_id, created_at);

-- +goose Down
DROP TABLE support_messages;
DROP TABLE support_conversations;
