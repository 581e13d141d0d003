-- +goose Up
-- What the fraud features remember of every assessed purchase (package
-- risk/history, requirement T1): the keyed hashes (HMAC-SHA256 under the
-- instance lookup key, never the values) of the buyer's e-mail address,
-- phone, device fingerprint, IP address and shipping address, the amount,
-- merchant and time, whether the goods went to another address than the
-- billing address, and the outcome. The next purchase that shares a key
-- reads these rows for its velocity and linkage features; a post-approval
-- signal finds linked orders through them. order_id is set when the
-- authorization becomes an order. fraud_label is 1 once the order is
-- confirmed fraud (an analyst's rejection or stop, a confirmed
-- investigation), labelled_at when; features read a label only once it is
-- old enough (features.LabelDelay). An empty key matches nothing. Kept while
-- the relationship lasts (purpose fraud_prevention); an authorization that
-- never became an order takes its row with it, and retiring or erasing the
-- person removes the rest.
CREATE TABLE risk_observations (
    authorization_token TEXT PRIMARY KEY,
    order_id            TEXT,
    person_id           TEXT NOT NULL REFERENCES persons (id),
    merchant_id         TEXT NOT NULL REFERENCES merchants (id),
    amount              BIGINT NOT NULL,
    currency            TEXT NOT NULL,
    outcome             TEXT NOT NULL,
    email_key           TEXT NOT NULL DEFAULT '',
    phone_key           TEXT NOT NULL DEFAULT '',
    device_key          TEXT NOT NULL DEFAULT '',
    ip_key              TEXT NOT NULL DEFAULT '',
    shipping_key        TEXT NOT NULL DEFAULT '',
    ships_elsewhere     BOOLEAN NOT NULL DEFAULT FALSE,
    fraud_label         INTEGER NOT NULL DEFAULT 0,
    labelled_at         BIGINT,
    created_at          BIGINT NOT NULL
);
CREATE INDEX risk_observations_person ON risk_observations (person_id, created_at);
CREATE INDEX risk_observations_email ON risk_observations (email_key, created_at);
CREATE INDEX risk_observations_phone ON risk_observations (phone_key, created_at);
CREATE INDEX risk_observations_device ON risk_observations (device_key, created_at);
CREATE INDEX risk_observations_ip ON risk_observations (ip_key, created_at);
CREATE INDEX risk_observations_shipping ON risk_observations (shipping_key, created_at);
CREATE INDEX risk_observations_merchant ON risk_observations (merchant_id, created_at, fraud_label);
CREATE INDEX risk_observations_order ON risk_observations (order_id);

-- +goose Down
DROP TABLE risk_observations;
