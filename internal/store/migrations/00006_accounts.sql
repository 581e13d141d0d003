-- +goose Up
-- Accounts and sign-in sessions for people (package account): staff of the
-- back office, users of the merchant portal, and consumers of the consumer
-- app. Merchants' API credentials stay in merchant_credentials.
-- E-mail addresses are stored trimmed and lower-cased. Passwords are argon2id
-- PHC strings (package password); codes and session tokens are stored only as
-- digests.

CREATE TABLE staff_users (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    password_set_at BIGINT NOT NULL,
    last_sign_in_at BIGINT,
    disabled_at     BIGINT
);

-- A merchant user's e-mail address is unique across all merchants: it is the
-- sign-in name, and signing in must find one account without asking which
-- merchant. Someone working for two merchants uses two addresses until
-- memberships get a table of their own.
CREATE TABLE merchant_users (
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL REFERENCES merchants (id),
    email           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    password_set_at BIGINT NOT NULL,
    last_sign_in_at BIGINT,
    disabled_at     BIGINT
);
CREATE INDEX merchant_users_merchant ON merchant_users (merchant_id);

-- A consumer is created the first time they prove they read their mailbox.
-- consumer_key is ids.ConsumerKey of the address, the key payment plans and
-- orders are looked up by.
CREATE TABLE consumers (
    id              TEXT PRIMARY KEY,
    consumer_key    TEXT NOT NULL UNIQUE,
    email           TEXT NOT NULL,
    locale          TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    last_sign_in_at BIGINT
);

-- The one outstanding sign-in code per address (keyed by consumer key, so a
-- code can be requested before the consumer exists). A new request replaces
-- the previous code; a successful check deletes it.
CREATE TABLE login_codes (
    consumer_key TEXT PRIMARY KEY,
    code_hash    TEXT NOT NULL,
    locale       TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);

-- Browser sessions. token_hash is ids.Hash of the cookie's token; the token
-- itself is never stored. expires_at is the absolute end; the idle timeout
-- counts from last_seen_at.
CREATE TABLE web_sessions (
    id           TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    merchant_id  TEXT REFERENCES merchants (id),
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    revoked_at   BIGINT,
    user_agent   TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX web_sessions_subject ON web_sessions (kind, subject_id);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);

-- Sign-in and code-request counters per scope (staff, merchant, login_code)
-- and address; key_hash is a keyed hash of the address, so addresses nobody
-- has an account for are not stored. A row past expires_at is stale.
CREATE TABLE sign_in_throttle (
    scope        TEXT NOT NULL,
    key_hash     TEXT NOT NULL,
    attempts     INTEGER NOT NULL,
    window_start BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0,
    expires_at   BIGINT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (scope, key_hash)
);
CREATE INDEX sign_in_throttle_expiry ON sign_in_throttle (expires_at);

-- +goose Down
DROP TABLE sign_in_throttle;
DROP TABLE web_sessions;
DROP TABLE login_codes;
DROP TABLE consumers;
DROP TABLE merchant_users;
DROP TABLE staff_users;
