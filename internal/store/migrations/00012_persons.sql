-- +goose Up
-- Data subjects (package person). A person is the id everything held about
-- one consumer hangs off: their vault subject, consents, data-subject
-- requests and the person_id column of the rows about them. consumer_key is
-- ids.ConsumerKey of their e-mail address while they are known; erasure sets
-- it to NULL, so someone who comes back with the same address becomes a new
-- person (the vault never gives a shredded subject a key again).
-- relationship_ended_at is when their last contract ended (retention
-- periods count from it); erased_at when their data was erased.
CREATE TABLE persons (
    id                    TEXT PRIMARY KEY,
    consumer_key          TEXT UNIQUE,
    created_at            BIGINT NOT NULL,
    relationship_ended_at BIGINT,
    erased_at             BIGINT
);

ALTER TABLE consumers ADD COLUMN person_id TEXT REFERENCES persons (id);
ALTER TABLE payment_sessions ADD COLUMN person_id TEXT REFERENCES persons (id);
ALTER TABLE authorizations ADD COLUMN person_id TEXT REFERENCES persons (id);
ALTER TABLE orders ADD COLUMN person_id TEXT REFERENCES persons (id);
ALTER TABLE payment_plans ADD COLUMN person_id TEXT REFERENCES persons (id);
CREATE INDEX consumers_person ON consumers (person_id);

-- Personal data is sealed by the vault (package vault): authorizations.consumer
-- and orders.consumer hold the sealed consumer document from here on, under
-- the person's key. personal holds the sealed personal fields a merchant sent
-- with a session or order (addresses, customer, attachment), which are no
-- longer kept in data; a session's are sealed under the session's own id
-- until its person is known.
ALTER TABLE payment_sessions ADD COLUMN personal TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN personal TEXT NOT NULL DEFAULT '';
CREATE INDEX payment_sessions_person ON payment_sessions (person_id);
CREATE INDEX authorizations_person ON authorizations (person_id);
CREATE INDEX orders_person ON orders (person_id);
CREATE INDEX payment_plans_person ON payment_plans (person_id);
-- Plans are found by their person now; the address's keyed hash lives only
-- on persons, where erasure cuts it.
DROP INDEX payment_plans_consumer;
ALTER TABLE payment_plans DROP COLUMN consumer_key;

-- +goose Down
ALTER TABLE payment_plans ADD COLUMN consumer_key TEXT NOT NULL DEFAULT '';
CREATE INDEX payment_plans_consumer ON payment_plans (consumer_key, created_at);
ALTER TABLE orders DROP COLUMN personal;
ALTER TABLE payment_sessions DROP COLUMN personal;
DROP INDEX payment_plans_person;
DROP INDEX orders_person;
DROP INDEX authorizations_person;
DROP INDEX payment_sessions_person;
DROP INDEX consumers_person;
ALTER TABLE payment_plans DROP COLUMN person_id;
ALTER TABLE orders DROP COLUMN person_id;
ALTER TABLE authorizations DROP COLUMN person_id;
ALTER TABLE payment_sessions DROP COLUMN person_id;
ALTER TABLE consumers DROP COLUMN person_id;
DROP TABLE persons;
