-- +goose Up
-- Transaction monitoring alerts (package aml, requirement T8). A rule that
-- fires over a person's orders and refunds opens an alert for the person
-- and the rule; while it is open or escalated a new firing adds evidence to
-- it (open_key is person_id and rule then, NULL once closed, so its unique
-- index allows one open alert per person and rule). params is the rule's
-- configured parameters when it last fired (JSON), severity orders the AML
-- officers' queue. outcome_note is the officer's reason or the authority's
-- reference, sealed by the vault under the person (context
-- aml_alerts.outcome_note). Kept 5 years after the relationship ends
-- (purpose aml_screening); an erasure keeps them.
CREATE TABLE aml_alerts (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES persons (id),
    rule         TEXT NOT NULL,
    severity     INTEGER NOT NULL,
    params       TEXT NOT NULL,
    status       TEXT NOT NULL,
    open_key     TEXT UNIQUE,
    opened_at    BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    escalated_at BIGINT,
    escalated_by TEXT NOT NULL DEFAULT '',
    closed_at    BIGINT,
    closed_by    TEXT NOT NULL DEFAULT '',
    outcome_note TEXT NOT NULL DEFAULT '',
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX aml_alerts_person ON aml_alerts (person_id, opened_at);
CREATE INDEX aml_alerts_status ON aml_alerts (status, severity, opened_at);

-- The orders and refunds that made an alert's rule fire: kind is order (an
-- order placed, amount its order amount) or refund (amount refunded), at
-- when it happened. Ids and amounts only.
CREATE TABLE aml_alert_evidence (
    alert_id TEXT NOT NULL REFERENCES aml_alerts (id),
    kind     TEXT NOT NULL,
    order_id TEXT NOT NULL,
    amount   BIGINT NOT NULL,
    currency TEXT NOT NULL,
    at       BIGINT NOT NULL,
    PRIMARY KEY (alert_id, kind, order_id)
);

-- +goose Down
DROP TABLE aml_alert_evidence;
DROP TABLE aml_alerts;
