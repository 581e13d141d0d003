-- +goose Up
-- Returns (package returns, requirement B4): a consumer registers that they
-- sent (part of) an order back: which order lines and how many (lines, JSON
-- [{"index","name","quantity"}]: the line's position in the order's lines,
-- its name copied from the order, how many), the carrier and
-- the tracking number (sealed by the vault under the order's person,
-- context returns.tracking_number). The order's payment plan pauses until
-- pause_until. status is registered, received (the merchant has the
-- parcel), refunded (the merchant refunded, refund_id), unrefunded (the
-- pause ended without a refund; the consumer was invited to dispute) or
-- cancelled (by the consumer). live_key is the order id while the return
-- is registered or received and NULL after: one live return per order.
CREATE TABLE returns (
    id              TEXT PRIMARY KEY,
    order_id        TEXT NOT NULL REFERENCES orders (id),
    person_id       TEXT REFERENCES persons (id),
    merchant_id     TEXT NOT NULL REFERENCES merchants (id),
    live_key        TEXT UNIQUE,
    status          TEXT NOT NULL,
    lines           TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    carrier         TEXT NOT NULL,
    tracking_number TEXT NOT NULL,
    refund_id       TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    pause_until     BIGINT NOT NULL,
    received_at     BIGINT,
    closed_at       BIGINT,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX returns_order ON returns (order_id);
CREATE INDEX returns_person ON returns (person_id);
CREATE INDEX returns_merchant ON returns (merchant_id, status, created_at);

-- +goose Down
DROP TABLE returns;
