-- +goose Up
-- Complaints (package complaint, requirements B5-B7): a consumer's complaint
-- to Tillit, filed by the consumer in the app (channel app) or by customer
-- service on their behalf (phone, email, chat, letter). reference is the
-- short code the consumer quotes. tier is 1 (customer service) or 2 (the
-- independent customer representative); status is open, answered (tier 1
-- gave its final answer; review_until is the last moment to ask for tier 2),
-- in_review or closed. country picks the business-day calendar of the
-- deadlines and the national complaints board; target_at is the 14-day
-- target, psd2_at the PSD2 limit of a payment-service complaint (moved by a
-- holding reply, holding_reply_at). answer_outcome is tier 1's final answer,
-- assessment_outcome tier 2's final assessment; root_causes the comma-separated
-- register tags of the latest. target_breached_at and psd2_breached_at record
-- when a deadline passed without a final answer. subject and text (the
-- consumer's words) are sealed by the vault under the person (contexts
-- complaints.subject and complaints.text).
CREATE TABLE complaints (
    id                  TEXT PRIMARY KEY,
    reference           TEXT NOT NULL UNIQUE,
    person_id           TEXT NOT NULL REFERENCES persons (id),
    order_id            TEXT REFERENCES orders (id),
    category            TEXT NOT NULL,
    channel             TEXT NOT NULL,
    country             TEXT NOT NULL,
    tier                INTEGER NOT NULL DEFAULT 1,
    status              TEXT NOT NULL,
    owner_id            TEXT REFERENCES staff_users (id),
    subject             TEXT NOT NULL DEFAULT '',
    text                TEXT NOT NULL,
    answer_outcome      TEXT NOT NULL DEFAULT '',
    assessment_outcome  TEXT NOT NULL DEFAULT '',
    root_causes         TEXT NOT NULL DEFAULT '',
    filed_by            TEXT NOT NULL,
    filed_at            BIGINT NOT NULL,
    target_at           BIGINT NOT NULL,
    psd2_at             BIGINT,
    holding_reply_at    BIGINT,
    first_contact       BOOLEAN NOT NULL DEFAULT FALSE,
    answered_at         BIGINT,
    review_until        BIGINT,
    review_requested_at BIGINT,
    assessed_at         BIGINT,
    closed_at           BIGINT,
    target_breached_at  BIGINT,
    psd2_breached_at    BIGINT,
    version             BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX complaints_person ON complaints (person_id, filed_at);
CREATE INDEX complaints_queue ON complaints (status, target_at);
CREATE INDEX complaints_register ON complaints (filed_at, category);

-- The timeline of a complaint: kind is filed, acknowledged, information,
-- assigned, update, note, holding_reply, final_answer, review_requested,
-- assessment, closed or breach. actor names who (consumer:<id>, staff:<id>,
-- system) and party their side (consumer, customer_service, representative,
-- system); internal events (assignments, notes) are for staff only. body is
-- what was written, sealed under the complaint's person (context
-- complaint_events.body), or empty.
CREATE TABLE complaint_events (
    id           TEXT PRIMARY KEY,
    complaint_id TEXT NOT NULL REFERENCES complaints (id),
    at           BIGINT NOT NULL,
    actor        TEXT NOT NULL,
    party        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    body         TEXT NOT NULL DEFAULT '',
    internal     BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX complaint_events_complaint ON complaint_events (complaint_id, at);

-- +goose Down
DROP TABLE complaint_events;
DROP TABLE complaints;
