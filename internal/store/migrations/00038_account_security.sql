-- +goose Up
-- Account security (requirement T11, package account, docs/account-security.md).
--
-- second_factors: a person's authenticator (TOTP, package totp). kind and
-- subject_id name the account as web_sessions does. secret is sealed by
-- the vault: under the person of a consumer, under the account's own id for
-- staff and merchant users. confirmed_at is NULL while enrolment waits for
-- its first code; last_step is the last time step accepted, so that no code
-- works twice.
CREATE TABLE second_factors (
    kind         TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    secret       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    confirmed_at BIGINT,
    last_step    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, subject_id)
);

-- recovery_codes: single-use codes for when the authenticator is lost,
-- stored only as argon2id hashes; used_at is set when one is spent.
CREATE TABLE recovery_codes (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX recovery_codes_account ON recovery_codes (kind, subject_id);

-- pending_sign_ins: a sign-in whose first factor passed and which waits
-- for the second (stage 'code') or for the authenticator to be set up
-- (stage 'enrol'). Only the token's digest is stored.
CREATE TABLE pending_sign_ins (
    token_hash  TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    subject_id  TEXT NOT NULL,
    merchant_id TEXT,
    stage       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX pending_sign_ins_expiry ON pending_sign_ins (expires_at);

-- known_devices: the kinds of browser an account has signed in from, as a
-- keyed hash of the account and the browser's summary ("Firefox on
-- Linux"), so that a sign-in from a new one can be told to the person.
CREATE TABLE known_devices (
    kind          TEXT NOT NULL,
    subject_id    TEXT NOT NULL,
    device_hash   TEXT NOT NULL,
    first_seen_at BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    PRIMARY KEY (kind, subject_id, device_hash)
);

-- +goose Down
DROP TABLE known_devices;
DROP TABLE pending_sign_ins;
DROP TABLE recovery_codes;
DROP TABLE second_factors;
