-- +goose Up
-- Repayment (P3, P6): the consumer's side of an order. A payment plan per
-- order holds the schedule of instalments the consumer owes; payments and
-- payouts are the receipts; statements are the monthly financing statements.
-- Money is BIGINT minor units; due dates are BIGINT microseconds at UTC
-- midnight; other times are BIGINT microseconds.

-- What the consumer chose at checkout, carried from the authorization to the
-- order: the financing term (0 unless financing) and the pay-now instrument
-- (an opaque rail reference, never a card number).
ALTER TABLE authorizations ADD COLUMN financing_months INTEGER NOT NULL DEFAULT 0;
ALTER TABLE authorizations ADD COLUMN payment_instrument TEXT NOT NULL DEFAULT '';

-- One plan per order, created when the order is placed. credit is money the
-- consumer paid that no instalment owes yet (a pay-now prepayment before
-- capture, or an overpayment waiting to be paid back). The invariant the
-- ledger verifies: the order's receivable = SUM(amount - paid) of its
-- instalments - credit.
CREATE TABLE payment_plans (
    order_id        TEXT PRIMARY KEY REFERENCES orders (id),
    merchant_id     TEXT NOT NULL REFERENCES merchants (id),
    consumer_key    TEXT NOT NULL,
    method          TEXT NOT NULL,
    currency        TEXT NOT NULL,
    locale          TEXT NOT NULL,
    instrument      TEXT NOT NULL DEFAULT '',
    months          INTEGER NOT NULL DEFAULT 0,
    nominal_rate_bp BIGINT NOT NULL DEFAULT 0,
    monthly_fee     BIGINT NOT NULL DEFAULT 0,
    setup_fee       BIGINT NOT NULL DEFAULT 0,
    status          TEXT NOT NULL,
    credit          BIGINT NOT NULL DEFAULT 0,
    late_fees       BIGINT NOT NULL DEFAULT 0,
    paused_until    BIGINT,
    statement_day   BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    closed_at       BIGINT,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX payment_plans_consumer ON payment_plans (consumer_key, created_at);

-- The instalments. amount = principal + interest + fee + late_fee.
CREATE TABLE plan_installments (
    order_id  TEXT NOT NULL REFERENCES payment_plans (order_id),
    number    INTEGER NOT NULL,
    due_date  BIGINT NOT NULL,
    principal BIGINT NOT NULL,
    interest  BIGINT NOT NULL,
    fee       BIGINT NOT NULL,
    late_fee  BIGINT NOT NULL DEFAULT 0,
    amount    BIGINT NOT NULL,
    paid      BIGINT NOT NULL DEFAULT 0,
    paid_at   BIGINT,
    PRIMARY KEY (order_id, number)
);
CREATE INDEX plan_installments_due ON plan_installments (due_date);

-- Receipts: money in from the consumer (kind payment) and back to the
-- consumer (kind payout). transfer_id is the rail transfer; each settles once.
CREATE TABLE plan_payments (
    id          TEXT PRIMARY KEY,
    order_id    TEXT NOT NULL REFERENCES payment_plans (order_id),
    kind        TEXT NOT NULL,
    transfer_id TEXT NOT NULL UNIQUE,
    purpose     TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    currency    TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    settled_at  BIGINT
);
CREATE INDEX plan_payments_order ON plan_payments (order_id, created_at);

-- Monthly financing statements; one per plan and period start.
CREATE TABLE plan_statements (
    id              TEXT PRIMARY KEY,
    order_id        TEXT NOT NULL REFERENCES payment_plans (order_id),
    period_start    BIGINT NOT NULL,
    period_end      BIGINT NOT NULL,
    opening_balance BIGINT NOT NULL,
    charges         BIGINT NOT NULL,
    payments        BIGINT NOT NULL,
    reductions      BIGINT NOT NULL,
    closing_balance BIGINT NOT NULL,
    next_due_date   BIGINT,
    next_due_amount BIGINT NOT NULL,
    final           BOOLEAN NOT NULL,
    created_at      BIGINT NOT NULL,
    UNIQUE (order_id, period_start)
);

-- +goose Down
DROP TABLE plan_statements;
DROP TABLE plan_payments;
DROP TABLE plan_installments;
DROP TABLE payment_plans;
ALTER TABLE authorizations DROP COLUMN payment_instrument;
ALTER TABLE authorizations DROP COLUMN financing_months;
