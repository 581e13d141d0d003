-- +goose Up
-- Settlements (P8): one closed, immutable run per merchant, currency and
-- period [period_start, period_end). Amounts are BIGINT minor units, times
-- BIGINT microseconds since the Unix epoch.

-- Fee terms per merchant; a merchant without a row pays the defaults of the
-- settlement package (249 bp + 0 fixed, VAT 2500 bp).
CREATE TABLE merchant_fee_terms (
    merchant_id TEXT PRIMARY KEY REFERENCES merchants (id),
    percent_bp  BIGINT NOT NULL,
    fixed_minor BIGINT NOT NULL,
    vat_rate_bp BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- Totals are magnitudes except brought_forward (<= 0) and net (signed):
-- net = sales - refunds - fees - fee_vat + brought_forward,
-- payout = max(net, 0), carried = max(-net, 0). The fee terms in force are
-- copied onto the row.
CREATE TABLE settlements (
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL REFERENCES merchants (id),
    currency        TEXT NOT NULL,
    period_start    BIGINT NOT NULL,
    period_end      BIGINT NOT NULL,
    status          TEXT NOT NULL,
    sales           BIGINT NOT NULL,
    refunds         BIGINT NOT NULL,
    fees            BIGINT NOT NULL,
    fee_vat         BIGINT NOT NULL,
    brought_forward BIGINT NOT NULL,
    net             BIGINT NOT NULL,
    payout          BIGINT NOT NULL,
    carried         BIGINT NOT NULL,
    percent_bp      BIGINT NOT NULL,
    fixed_minor     BIGINT NOT NULL,
    vat_rate_bp     BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    UNIQUE (merchant_id, currency, period_start)
);
CREATE INDEX settlements_merchant ON settlements (merchant_id, period_start);

-- One line per settled item. (kind, source_id) is unique, so a capture,
-- refund, fee or carried balance is settled exactly once. amount is signed
-- (what the line adds to the merchant's payout); vat is informational.
CREATE TABLE settlement_lines (
    id            TEXT PRIMARY KEY,
    settlement_id TEXT NOT NULL REFERENCES settlements (id),
    kind          TEXT NOT NULL,
    source_id     TEXT NOT NULL,
    order_id      TEXT NOT NULL DEFAULT '',
    amount        BIGINT NOT NULL,
    vat           BIGINT NOT NULL DEFAULT 0,
    occurred_at   BIGINT NOT NULL,
    UNIQUE (kind, source_id)
);
CREATE INDEX settlement_lines_settlement ON settlement_lines (settlement_id);
CREATE INDEX settlement_lines_order ON settlement_lines (order_id, kind);

-- Settlement runs find a period's captures and refunds by time.
CREATE INDEX captures_captured_at ON captures (captured_at);
CREATE INDEX refunds_refunded_at ON refunds (refunded_at);

-- +goose Down
DROP INDEX refunds_refunded_at;
DROP INDEX captures_captured_at;
DROP TABLE settlement_lines;
DROP TABLE settlements;
DROP TABLE merchant_fee_terms;
