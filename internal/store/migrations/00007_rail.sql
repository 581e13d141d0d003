-- +goose Up
-- Payment rail (internal/rail): every money movement between Tillit and a
-- consumer through a card acquirer or bank transfer scheme. A transfer is
-- created pending in the business transaction that needs it, submitted to the
-- rail by a job, and settled (confirmed or failed) exactly once. Money is
-- BIGINT minor units, times BIGINT microseconds since the Unix epoch.
--
-- order_id has no foreign key: the rail moves money for whichever package
-- asks and does not depend on the order tables.
--
-- instrument is an opaque rail reference (a card token, a test IBAN label,
-- sim:ok); never a card number. provider_reference is the rail's id of the
-- transfer, NULL until the rail accepted it. idempotency_key makes creating
-- the same transfer twice return the first one.
CREATE TABLE rail_transfers (
    id                 TEXT PRIMARY KEY,
    direction          TEXT NOT NULL CHECK (direction IN ('collect', 'payout')),
    order_id           TEXT NOT NULL,
    purpose            TEXT NOT NULL,
    amount             BIGINT NOT NULL CHECK (amount > 0),
    currency           TEXT NOT NULL,
    instrument         TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('pending', 'submitted', 'confirmed', 'failed')),
    provider_reference TEXT UNIQUE,
    failure_reason     TEXT NOT NULL DEFAULT '',
    attempts           INTEGER NOT NULL DEFAULT 0,
    idempotency_key    TEXT NOT NULL UNIQUE,
    created_at         BIGINT NOT NULL,
    submitted_at       BIGINT,
    settled_at         BIGINT,
    version            INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX rail_transfers_order ON rail_transfers (order_id, created_at);

-- +goose Down
DROP INDEX rail_transfers_order;
DROP TABLE rail_transfers;
