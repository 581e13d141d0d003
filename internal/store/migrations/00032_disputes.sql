-- +goose Up
-- Disputes (package dispute, requirements B1-B3): a consumer disputes one of
-- their orders for a reason (not_received, not_as_described,
-- returned_not_refunded, unauthorised, wrong_invoice); the order's payment
-- plan pauses while the dispute lives. status is awaiting_merchant (the
-- merchant must accept or contest before deadline_at), awaiting_decision
-- (contested, or the deadline passed outside buyer protection: a dispute
-- handler decides), referred (an unauthorised purchase went to the fraud
-- investigation, fraud_case_id) or closed, with outcome consumer_won or
-- merchant_won and resolution refund or cancel (what checkout did for the
-- consumer). live_key is the order id while the dispute lives and NULL
-- once closed: one live dispute per order. protected says whether buyer
-- protection applies; exception is the configured reason key when an
-- exception took it away. statement (the consumer's words), tracking_number,
-- proof_of_delivery and description (the merchant's evidence, which may name
-- the consumer) are sealed by the vault under the order's person (contexts
-- disputes.<column>). The decision's reason is in decision_reason (staff
-- words, no personal data) and in the audit log.
CREATE TABLE disputes (
    id                TEXT PRIMARY KEY,
    order_id          TEXT NOT NULL REFERENCES orders (id),
    person_id         TEXT REFERENCES persons (id),
    merchant_id       TEXT NOT NULL REFERENCES merchants (id),
    live_key          TEXT UNIQUE,
    reason            TEXT NOT NULL,
    status            TEXT NOT NULL,
    outcome           TEXT NOT NULL DEFAULT '',
    resolution        TEXT NOT NULL DEFAULT '',
    protected         BOOLEAN NOT NULL,
    exception         TEXT NOT NULL DEFAULT '',
    statement         TEXT NOT NULL DEFAULT '',
    amount            BIGINT NOT NULL,
    currency          TEXT NOT NULL,
    refunded          BIGINT NOT NULL DEFAULT 0,
    carrier           TEXT NOT NULL DEFAULT '',
    tracking_number   TEXT NOT NULL DEFAULT '',
    proof_of_delivery TEXT NOT NULL DEFAULT '',
    description       TEXT NOT NULL DEFAULT '',
    fraud_case_id     TEXT NOT NULL DEFAULT '',
    reminders         INTEGER NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    deadline_at       BIGINT NOT NULL,
    responded_at      BIGINT,
    responded_by      TEXT NOT NULL DEFAULT '',
    decided_at        BIGINT,
    decided_by        TEXT NOT NULL DEFAULT '',
    decision_reason   TEXT NOT NULL DEFAULT '',
    version           BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX disputes_order ON disputes (order_id);
CREATE INDEX disputes_person ON disputes (person_id);
CREATE INDEX disputes_merchant ON disputes (merchant_id, status, deadline_at);
CREATE INDEX disputes_status ON disputes (status, deadline_at);

-- The timeline of a dispute, as the consumer, the merchant and staff read
-- it: kind is opened, information (the consumer added some), accepted,
-- contested, reminded, deadline_passed, referred or decided. actor names who
-- (consumer:<id>, merchant_user:<id>, staff:<id>, system); body is what they
-- wrote, sealed under the order's person (context dispute_events.body), or
-- empty.
CREATE TABLE dispute_events (
    id         TEXT PRIMARY KEY,
    dispute_id TEXT NOT NULL REFERENCES disputes (id),
    at         BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX dispute_events_dispute ON dispute_events (dispute_id, at);

-- Documents the merchant uploads as evidence (at most 5 per dispute, 5 MB
-- each; PDF, PNG or JPEG by their content). name and content are sealed
-- under the order's person (contexts dispute_documents.name and
-- dispute_documents.content): a delivery receipt names the consumer.
CREATE TABLE dispute_documents (
    id           TEXT PRIMARY KEY,
    dispute_id   TEXT NOT NULL REFERENCES disputes (id),
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content      TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  BIGINT NOT NULL
);
CREATE INDEX dispute_documents_dispute ON dispute_documents (dispute_id);

-- +goose Down
DROP TABLE dispute_documents;
DROP TABLE dispute_events;
DROP TABLE disputes;
