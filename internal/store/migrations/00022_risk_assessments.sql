-- +goose Up
-- Automated decision records (package risk/record, requirements P4, D7):
-- one row per assessment of a purchase, at authorization (kind
-- authorization) and whenever an approved order is assessed again after a
-- new signal (kind reassessment). outcome and reasons are the risk
-- pipeline's answer; score_ppm the fraud model's probability in parts per
-- million (0 when no model scored it), kept as a column so review queues
-- can order by it; detail the rest of the record as JSON: the largest
-- contributing factors, the versions of rules, model, lists and bureau
-- that decided and a summary of the inputs in codes and numbers (never
-- names, addresses or contact details). signal names what caused a
-- reassessment. Kept while the authorization is, or while the person's
-- relationship lasts for an order's (purposes credit_assessment and
-- fraud_prevention); retiring or erasing the person removes them.
CREATE TABLE risk_assessments (
    id                  TEXT PRIMARY KEY,
    kind                TEXT NOT NULL,
    authorization_token TEXT,
    order_id            TEXT,
    person_id           TEXT REFERENCES persons (id),
    merchant_id         TEXT NOT NULL REFERENCES merchants (id),
    outcome             TEXT NOT NULL,
    reasons             TEXT NOT NULL,
    score_ppm           BIGINT NOT NULL DEFAULT 0,
    signal              TEXT NOT NULL DEFAULT '',
    detail              TEXT NOT NULL,
    created_at          BIGINT NOT NULL
);
CREATE INDEX risk_assessments_authorization ON risk_assessments (authorization_token);
CREATE INDEX risk_assessments_order ON risk_assessments (order_id, created_at);
CREATE INDEX risk_assessments_person ON risk_assessments (person_id, created_at);

-- +goose Down
DROP TABLE risk_assessments;
