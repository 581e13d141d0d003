-- +goose Up
-- The consumer's address and queued messages are sealed by the vault (T12,
-- docs/vault.md). consumers.email holds the address sealed under the
-- person's key from here on. outbox_messages.recipient, subject and body are
-- sealed under the key of person_id, the person the message is about, or,
-- when it names none, under the message's own id; recipient_key is the keyed
-- hash of the recipient (ids.ConsumerKey) that finds an address's messages.
-- Rows from before are sealed at start by Go code, which finds them by their
-- address in clear (consumers) or their empty recipient_key (outbox).
ALTER TABLE outbox_messages ADD COLUMN person_id TEXT REFERENCES persons (id);
ALTER TABLE outbox_messages ADD COLUMN recipient_key TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_messages_recipient ON outbox_messages (recipient_key, channel, created_at);
CREATE INDEX outbox_messages_person ON outbox_messages (person_id);

-- +goose Down
-- The values stay sealed.
DROP INDEX outbox_messages_person;
DROP INDEX outbox_messages_recipient;
ALTER TABLE outbox_messages DROP COLUMN recipient_key;
ALTER TABLE outbox_messages DROP COLUMN person_id;
