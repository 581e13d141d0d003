-- +goose Up
-- Cards (package card, requirements T9 and T10): one-time and reusable
-- virtual card numbers of consumers, the card network's authorizations
-- against them, and freezes of a person's account or of one card.
--
-- cards.sealed holds the card number and CVV, sealed by the vault under the
-- person (context "cards.secret"); only the BIN, the last four digits and a
-- keyed hash of the number (pan_hash, for finding the card at
-- authorization) are kept in the clear. merchant_lock is the shop name the
-- consumer locked the card to, sealed likewise ("cards.merchant_lock").
-- period/period_spent are a reusable card's spending in the current
-- calendar month ("2006-01"); a one-time card goes from active to used in
-- one conditional UPDATE, so that two authorizations racing on it approve
-- at most one.
CREATE TABLE cards (
    id               TEXT PRIMARY KEY,
    person_id        TEXT NOT NULL REFERENCES persons (id),
    kind             TEXT NOT NULL,
    status           TEXT NOT NULL,
    bin              TEXT NOT NULL,
    last4            TEXT NOT NULL,
    pan_hash         TEXT NOT NULL UNIQUE,
    sealed           TEXT NOT NULL,
    expiry_month     INTEGER NOT NULL,
    expiry_year      INTEGER NOT NULL,
    currency         TEXT NOT NULL,
    amount_limit     BIGINT NOT NULL,
    merchant_lock    TEXT NOT NULL DEFAULT '',
    payment_method   TEXT NOT NULL,
    financing_months INTEGER NOT NULL DEFAULT 0,
    locale           TEXT NOT NULL,
    period           TEXT NOT NULL DEFAULT '',
    period_spent     BIGINT NOT NULL DEFAULT 0,
    cvv_failures     INTEGER NOT NULL DEFAULT 0,
    frozen_at        BIGINT,
    revealed_at      BIGINT,
    used_at          BIGINT,
    order_id         TEXT REFERENCES orders (id),
    created_at       BIGINT NOT NULL,
    usable_until     BIGINT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cards_person ON cards (person_id, created_at);

-- One row per network reference: a repeated request answers the stored
-- outcome (request_hash, a keyed hash of the request, tells a repeat from
-- a different request reusing the reference). card_id and person_id are
-- NULL when no card matched the number.
CREATE TABLE card_authorizations (
    id                TEXT PRIMARY KEY,
    network_reference TEXT NOT NULL UNIQUE,
    request_hash      TEXT NOT NULL,
    card_id           TEXT REFERENCES cards (id),
    person_id         TEXT REFERENCES persons (id),
    approved          BOOLEAN NOT NULL,
    decline_reason    TEXT NOT NULL DEFAULT '',
    amount            BIGINT NOT NULL,
    currency          TEXT NOT NULL,
    merchant_name     TEXT NOT NULL,
    merchant_category TEXT NOT NULL,
    order_id          TEXT REFERENCES orders (id),
    created_at        BIGINT NOT NULL
);
CREATE INDEX card_authorizations_card ON card_authorizations (card_id, created_at);
CREATE INDEX card_authorizations_person ON card_authorizations (person_id, created_at);

-- A frozen account: no card authorization and no checkout purchase of the
-- person goes through while the row exists.
CREATE TABLE account_freezes (
    person_id  TEXT PRIMARY KEY REFERENCES persons (id),
    actor      TEXT NOT NULL,
    frozen_at  BIGINT NOT NULL
);

-- Every freeze and unfreeze of an account or a card, by whom and (staff's)
-- why; reason is sealed under the person ("freeze_events.reason").
CREATE TABLE freeze_events (
    id         TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES persons (id),
    card_id    TEXT,
    action     TEXT NOT NULL,
    actor      TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX freeze_events_person ON freeze_events (person_id, created_at);

-- +goose Down
DROP TABLE freeze_events;
DROP TABLE account_freezes;
DROP TABLE card_authorizations;
DROP TABLE cards;
