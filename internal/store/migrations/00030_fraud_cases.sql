-- +goose Up
-- Fraud investigations (package fraudcase, requirement T7): a case per
-- disputed order, opened when the consumer says they did not make the
-- purchase (in the app) or by staff on behalf of a caller. One case per
-- order is live at a time: open_key is the order id until the case is
-- closed, NULL after, so its unique index allows one live case and any
-- number of closed ones. status is open (in the security analysts' queue),
-- awaiting_merchant (more information was asked of the merchant) or closed;
-- outcome, once closed, is victim_confirmed (the claim was cancelled) or
-- claim_stands (the payment plan resumed). opened_by, closed_by and
-- updated_by name actors ("consumer:<account id>", "staff:<id>").
--
-- fraud_case_events is the case's timeline, oldest first: opened, note,
-- merchant_asked, merchant_replied, closed. actor names who acted and
-- actor_role their role (consumer, a staff role, merchant). body is what
-- they wrote (the consumer's statement, a note, the question to the
-- merchant, the merchant's answer), which may hold personal data: it is
-- sealed by the vault under the order's person (context
-- fraud_case_events.body). A merchant_asked event is what a signed reply
-- link opens (its id is the link's subject); expires_at is when the link
-- stops working, and a merchant_replied event names it in request_id.
-- Kept for the fraud investigation purpose; retiring or erasing the person
-- removes them once no ground keeps them.
CREATE TABLE fraud_cases (
    id          TEXT PRIMARY KEY,
    order_id    TEXT NOT NULL REFERENCES orders (id),
    person_id   TEXT REFERENCES persons (id),
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    status      TEXT NOT NULL,
    open_key    TEXT UNIQUE,
    channel     TEXT NOT NULL,
    outcome     TEXT NOT NULL DEFAULT '',
    opened_at   BIGINT NOT NULL,
    opened_by   TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT NOT NULL DEFAULT '',
    closed_at   BIGINT,
    closed_by   TEXT NOT NULL DEFAULT '',
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX fraud_cases_status ON fraud_cases (status, opened_at);
CREATE INDEX fraud_cases_order ON fraud_cases (order_id, opened_at);
CREATE INDEX fraud_cases_person ON fraud_cases (person_id);

CREATE TABLE fraud_case_events (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES fraud_cases (id),
    at         BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    kind       TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    outcome    TEXT NOT NULL DEFAULT '',
    request_id TEXT NOT NULL DEFAULT '',
    expires_at BIGINT
);
CREATE INDEX fraud_case_events_case ON fraud_case_events (case_id, at);

-- +goose Down
DROP TABLE fraud_case_events;
DROP TABLE fraud_cases;
