-- +goose Up
-- One schema for both engines: TEXT ids (UUIDv7), BIGINT money in minor units,
-- BIGINT timestamps in microseconds since the Unix epoch, JSON kept as TEXT.

CREATE TABLE instance_secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE merchants (
    id                   TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    test_mode            BOOLEAN NOT NULL,
    notification_url     TEXT NOT NULL DEFAULT '',
    signing_secret       TEXT NOT NULL,
    settlement_currency  TEXT NOT NULL,
    fraud_policy_covered BOOLEAN NOT NULL DEFAULT FALSE,
    expiry_days          INTEGER NOT NULL DEFAULT 28,
    created_at           BIGINT NOT NULL
);

CREATE TABLE merchant_credentials (
    username    TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    secret_hash TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX merchant_credentials_merchant ON merchant_credentials (merchant_id);

CREATE TABLE payment_sessions (
    id                TEXT PRIMARY KEY,
    merchant_id       TEXT NOT NULL REFERENCES merchants (id),
    status            TEXT NOT NULL,
    purchase_country  TEXT NOT NULL,
    purchase_currency TEXT NOT NULL,
    locale            TEXT NOT NULL,
    order_amount      BIGINT NOT NULL,
    data              TEXT NOT NULL,
    authorization_token TEXT,
    created_at        BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX payment_sessions_merchant ON payment_sessions (merchant_id);

CREATE TABLE otp_challenges (
    session_id TEXT PRIMARY KEY REFERENCES payment_sessions (id),
    code_hash  TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL
);

CREATE TABLE authorizations (
    token           TEXT PRIMARY KEY,
    session_id      TEXT NOT NULL REFERENCES payment_sessions (id),
    merchant_id     TEXT NOT NULL REFERENCES merchants (id),
    status          TEXT NOT NULL,
    fraud_status    TEXT NOT NULL,
    payment_method  TEXT NOT NULL,
    approved_amount BIGINT NOT NULL,
    consumer        TEXT NOT NULL,
    reasons         TEXT NOT NULL,
    order_id        TEXT UNIQUE,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX authorizations_session ON authorizations (session_id);

CREATE TABLE orders (
    id                    TEXT PRIMARY KEY,
    merchant_id           TEXT NOT NULL REFERENCES merchants (id),
    session_id            TEXT NOT NULL REFERENCES payment_sessions (id),
    reference             TEXT NOT NULL UNIQUE,
    status                TEXT NOT NULL,
    fraud_status          TEXT NOT NULL,
    payment_method        TEXT NOT NULL,
    purchase_country      TEXT NOT NULL,
    purchase_currency     TEXT NOT NULL,
    locale                TEXT NOT NULL,
    original_order_amount BIGINT NOT NULL,
    order_amount          BIGINT NOT NULL,
    order_tax_amount      BIGINT NOT NULL,
    captured_amount       BIGINT NOT NULL DEFAULT 0,
    refunded_amount       BIGINT NOT NULL DEFAULT 0,
    released_amount       BIGINT NOT NULL DEFAULT 0,
    merchant_reference1   TEXT NOT NULL DEFAULT '',
    merchant_reference2   TEXT NOT NULL DEFAULT '',
    data                  TEXT NOT NULL,
    consumer              TEXT NOT NULL,
    shipping_info         TEXT NOT NULL DEFAULT '[]',
    created_at            BIGINT NOT NULL,
    expires_at            BIGINT NOT NULL,
    acknowledged_at       BIGINT,
    version               INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX orders_merchant ON orders (merchant_id, created_at);

CREATE TABLE captures (
    id              TEXT PRIMARY KEY,
    order_id        TEXT NOT NULL REFERENCES orders (id),
    reference       TEXT NOT NULL UNIQUE,
    captured_amount BIGINT NOT NULL,
    refunded_amount BIGINT NOT NULL DEFAULT 0,
    description     TEXT NOT NULL DEFAULT '',
    merchant_ref    TEXT NOT NULL DEFAULT '',
    order_lines     TEXT NOT NULL,
    shipping_info   TEXT NOT NULL,
    captured_at     BIGINT NOT NULL
);
CREATE INDEX captures_order ON captures (order_id, captured_at);

CREATE TABLE refunds (
    id              TEXT PRIMARY KEY,
    order_id        TEXT NOT NULL REFERENCES orders (id),
    refunded_amount BIGINT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    merchant_ref    TEXT NOT NULL DEFAULT '',
    order_lines     TEXT NOT NULL,
    refunded_at     BIGINT NOT NULL
);
CREATE INDEX refunds_order ON refunds (order_id, refunded_at);

CREATE TABLE idempotency_keys (
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    key          TEXT NOT NULL,
    method       TEXT NOT NULL,
    path         TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code  INTEGER NOT NULL,
    headers      TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

CREATE TABLE ledger_journals (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    reference  TEXT NOT NULL,
    order_id   TEXT REFERENCES orders (id),
    currency   TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (kind, reference)
);
CREATE INDEX ledger_journals_order ON ledger_journals (order_id);

CREATE TABLE ledger_entries (
    id         TEXT PRIMARY KEY,
    journal_id TEXT NOT NULL REFERENCES ledger_journals (id),
    account    TEXT NOT NULL,
    currency   TEXT NOT NULL,
    amount     BIGINT NOT NULL
);
CREATE INDEX ledger_entries_journal ON ledger_entries (journal_id);
CREATE INDEX ledger_entries_account ON ledger_entries (account);

CREATE TABLE jobs (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    unique_key   TEXT UNIQUE,
    payload      TEXT NOT NULL,
    run_at       BIGINT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (run_at);

CREATE TABLE webhook_events (
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL REFERENCES merchants (id),
    order_id        TEXT,
    event_type      TEXT NOT NULL,
    url             TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    give_up_at      BIGINT NOT NULL,
    delivered_at    BIGINT
);
CREATE INDEX webhook_events_merchant ON webhook_events (merchant_id, created_at);

CREATE TABLE webhook_attempts (
    id           TEXT PRIMARY KEY,
    event_id     TEXT NOT NULL REFERENCES webhook_events (id),
    attempt      INTEGER NOT NULL,
    attempted_at BIGINT NOT NULL,
    status_code  INTEGER NOT NULL,
    error        TEXT NOT NULL,
    duration_us  BIGINT NOT NULL,
    UNIQUE (event_id, attempt)
);

CREATE TABLE outbox_messages (
    id         TEXT PRIMARY KEY,
    channel    TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at    BIGINT
);

-- +goose Down
DROP TABLE outbox_messages;
DROP TABLE webhook_attempts;
DROP TABLE webhook_events;
DROP TABLE jobs;
DROP TABLE ledger_entries;
DROP TABLE ledger_journals;
DROP TABLE idempotency_keys;
DROP TABLE refunds;
DROP TABLE captures;
DROP TABLE orders;
DROP TABLE authorizations;
DROP TABLE otp_challenges;
DROP TABLE payment_sessions;
DROP TABLE merchant_credentials;
DROP TABLE merchants;
DROP TABLE instance_secrets;
