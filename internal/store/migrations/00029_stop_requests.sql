-- +goose Up
-- Stop requests (package stoprequest, requirements T4, T5, T6): when the
-- security analysts stop an approved order (fraud status STOPPED) the
-- merchant is asked to stop it and answers through a form. One stop request
-- per order. status is open (waiting for the merchant's answer),
-- awaiting_removal (stopped; the merchant's own order system removes the
-- invoice and the merchant confirms), awaiting_dispute (a service that
-- cannot be stopped: waiting for a possible dispute), awaiting_return
-- (shipped: waiting for the parcel to come back or the loss to be settled)
-- or closed, with outcome removed, returned, written_off (the claim was
-- cancelled and the fraud policy paid the merchant) or
-- reversed_to_merchant (the claim went back to the merchant: policy not met).
-- answer is what the merchant said (not_shipped, service, shipped,
-- returned) and answer_details its choices as JSON (codes and flags only);
-- the carrier and the tracking number may identify a parcel sent to a
-- person, so tracking_number is sealed by the vault under the order's
-- person (context stop_requests.tracking_number). recall_status is the
-- carrier recall (T5): pending, recalled, already_delivered,
-- unknown_tracking_number, merchant_recalls (a carrier Tillit cannot
-- recall with) or failed. deadline_at is when the answer must be in for
-- the fraud policy; answered_in_time records whether it was. amount is the
-- order amount at stake when the request opened, for the priority order.
-- answered_by names who answered (merchant_user:<id>, link, api); the
-- staff who opened and closed it are in the audit log. Kept while the
-- order's data is kept (purpose fraud_prevention).
CREATE TABLE stop_requests (
    id               TEXT PRIMARY KEY,
    order_id         TEXT NOT NULL UNIQUE REFERENCES orders (id),
    merchant_id      TEXT NOT NULL REFERENCES merchants (id),
    person_id        TEXT REFERENCES persons (id),
    status           TEXT NOT NULL,
    outcome          TEXT NOT NULL DEFAULT '',
    answer           TEXT NOT NULL DEFAULT '',
    answer_details   TEXT NOT NULL DEFAULT '{}',
    carrier          TEXT NOT NULL DEFAULT '',
    tracking_number  TEXT NOT NULL DEFAULT '',
    recall_status    TEXT NOT NULL DEFAULT '',
    recall_reference TEXT NOT NULL DEFAULT '',
    amount           BIGINT NOT NULL,
    currency         TEXT NOT NULL,
    reminders        INTEGER NOT NULL DEFAULT 0,
    reminded_at      BIGINT,
    created_at       BIGINT NOT NULL,
    deadline_at      BIGINT NOT NULL,
    link_expires_at  BIGINT NOT NULL,
    answered_at      BIGINT,
    answered_by      TEXT NOT NULL DEFAULT '',
    answered_in_time BOOLEAN NOT NULL DEFAULT FALSE,
    closed_at        BIGINT,
    version          BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX stop_requests_merchant ON stop_requests (merchant_id, status, deadline_at);
CREATE INDEX stop_requests_status ON stop_requests (status, deadline_at);
CREATE INDEX stop_requests_person ON stop_requests (person_id);

-- +goose Down
DROP TABLE stop_requests;
