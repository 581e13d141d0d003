-- +goose Up
-- Contests of automated decisions (package decision, requirement D7). A
-- person contests one decision about them (decision_ref, of kind credit,
-- fraud or aml); the row keeps what was decided (outcome, reason codes as a
-- JSON array, merchant, amount, when) so the review does not depend on the
-- authorization row outliving its retention. statement (the person's words),
-- reply_to (the address the outcome is e-mailed to) and note (the
-- reviewer's explanation) are vault ciphertext under the person's key.
-- open_key is decision_ref while the contest is open and NULL once reviewed:
-- its unique index allows one open contest per decision. status is open or
-- reviewed; outcome upheld or overturned once reviewed, by reviewer
-- ("staff:<id>"). version guards concurrent reviews.
CREATE TABLE decision_contests (
    id               TEXT PRIMARY KEY,
    person_id        TEXT NOT NULL REFERENCES persons (id),
    decision_ref     TEXT NOT NULL,
    kind             TEXT NOT NULL,
    decision_outcome TEXT NOT NULL,
    reasons          TEXT NOT NULL,
    merchant_id      TEXT NOT NULL REFERENCES merchants (id),
    amount           BIGINT NOT NULL,
    currency         TEXT NOT NULL,
    decided_at       BIGINT NOT NULL,
    statement        TEXT NOT NULL,
    reply_to         TEXT NOT NULL,
    locale           TEXT NOT NULL,
    status           TEXT NOT NULL,
    open_key         TEXT UNIQUE,
    outcome          TEXT,
    note             TEXT,
    reviewer         TEXT,
    created_at       BIGINT NOT NULL,
    reviewed_at      BIGINT,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX decision_contests_person ON decision_contests (person_id, created_at);
CREATE INDEX decision_contests_queue ON decision_contests (status, kind, created_at);

-- The disclosure log (package disclosure, requirement D10): each time
-- personal data of a person went to a recipient outside Tillit. recipient_kind
-- is merchant, credit_bureau, debt_collector, authority, processor or
-- payment_provider; recipient_id names it (a merchant id) and recipient_name
-- is its name at the time. categories is a JSON array of privacy.CategoryID,
-- purpose a privacy.PurposeID and legal_basis that purpose's lawful basis;
-- reference is what the disclosure was about, such as an order id.
CREATE TABLE disclosures (
    id             TEXT PRIMARY KEY,
    person_id      TEXT NOT NULL REFERENCES persons (id),
    recipient_kind TEXT NOT NULL,
    recipient_id   TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    categories     TEXT NOT NULL,
    purpose        TEXT NOT NULL,
    legal_basis    TEXT NOT NULL,
    reference      TEXT NOT NULL,
    occurred_at    BIGINT NOT NULL
);
CREATE INDEX disclosures_person ON disclosures (person_id, occurred_at);

-- +goose Down
DROP TABLE disclosures;
DROP TABLE decision_contests;
