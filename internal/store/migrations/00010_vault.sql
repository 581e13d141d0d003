-- +goose Up
-- The vault's per-person data keys (package vault, docs/vault.md). subject is
-- an opaque id (a keyed hash or a UUID, never personal data in clear);
-- wrapped_key is the person's AES-256 data key encrypted by the master key
-- master_key_id names (a short hash of the key; the key itself is only in
-- configuration). Shredding erases the wrapped key and sets shredded_at; a
-- shredded subject never gets a key again.
CREATE TABLE subject_keys (
    subject       TEXT PRIMARY KEY,
    master_key_id TEXT,
    wrapped_key   TEXT,
    created_at    BIGINT NOT NULL,
    shredded_at   BIGINT,
    CHECK ((shredded_at IS NULL AND master_key_id IS NOT NULL AND wrapped_key IS NOT NULL)
        OR (shredded_at IS NOT NULL AND master_key_id IS NULL AND wrapped_key IS NULL))
);
-- Rotation finds the keys not yet under the new master key; status counts
-- them per master key.
CREATE INDEX subject_keys_master_key ON subject_keys (master_key_id);

-- +goose Down
DROP TABLE subject_keys;
