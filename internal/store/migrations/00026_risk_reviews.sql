-- +goose Up
-- Post-approval reviews (package risk/postapproval, requirements T2, T3):
-- an approved order that is not yet shipped (fraud status ACCEPTED, status
-- AUTHORIZED, nothing captured) enters review when a new signal concerns
-- it: a linked identity confirmed as fraud, a device seen on many
-- identities, a failed payment or a screening list hit. One live review
-- per order: open_key is the order id while the review is open or awaits
-- the customer's answer, NULL once it is closed (cleared, rejected or
-- stopped), so its unique index allows one live review and any number of
-- closed ones. signals is the JSON list of the signals that concern it
-- (kind, detail code, when; codes only, never personal data). The
-- priority inputs are kept with it so the security analysts' queue orders
-- by them: the order amount and currency, the fraud model's latest score
-- (score_ppm, parts per million), the signals' combined severity
-- (severity_ppm) and ship_by, the order's capture deadline (the goods ship
-- before it). answer is the customer's reply to a verification request
-- (made or not_made) and answer_note what they added, sealed by the vault
-- under the person (context risk_reviews.answer_note). opened_by names the
-- signal's source, updated_by and closed_by the member of staff (staff ids).
-- Kept while the relationship lasts (purpose fraud_prevention); retiring or
-- erasing the person removes them.
CREATE TABLE risk_reviews (
    id           TEXT PRIMARY KEY,
    order_id     TEXT NOT NULL REFERENCES orders (id),
    person_id    TEXT REFERENCES persons (id),
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    status       TEXT NOT NULL,
    open_key     TEXT UNIQUE,
    signals      TEXT NOT NULL,
    amount       BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    score_ppm    BIGINT NOT NULL DEFAULT 0,
    severity_ppm BIGINT NOT NULL DEFAULT 0,
    ship_by      BIGINT NOT NULL,
    answer       TEXT NOT NULL DEFAULT '',
    answer_note  TEXT NOT NULL DEFAULT '',
    asked_at     BIGINT,
    answered_at  BIGINT,
    opened_at    BIGINT NOT NULL,
    opened_by    TEXT NOT NULL DEFAULT '',
    updated_at   BIGINT NOT NULL,
    updated_by   TEXT NOT NULL DEFAULT '',
    closed_at    BIGINT,
    closed_by    TEXT NOT NULL DEFAULT '',
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX risk_reviews_status ON risk_reviews (status, ship_by);
CREATE INDEX risk_reviews_order ON risk_reviews (order_id, opened_at);
CREATE INDEX risk_reviews_person ON risk_reviews (person_id, status);

-- +goose Down
DROP TABLE risk_reviews;
