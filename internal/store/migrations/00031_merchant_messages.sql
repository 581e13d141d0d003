-- +goose Up
-- Merchant messages (package merchantmsg, issue 6 item 7, requirements T3,
-- T4, T7): a merchant user's message about one of the merchant's orders,
-- sent from the portal's order page, and Tillit's reply. topic is one of
-- fraud_stop, delivery, payment, other. text (and reply) may name the
-- consumer: both are sealed by the vault under the order's person
-- (contexts merchant_messages.text and merchant_messages.reply), so erasing
-- the person shreds them; a message about an order without a person is
-- sealed under its own id. queue is where the message waits: fraud
-- (security analysts) or merchant_support (customer service), chosen when
-- it is sent. status is open until a member of staff marks it handled.
-- sent_by is the merchant user's id and locale the language they wrote in
-- (the reply's e-mail goes out in it); handled_by names the member of staff
-- (staff:<id>). Kept while the relationship lasts (purposes
-- fraud_prevention and customer_service); retiring or erasing the person
-- removes them.
CREATE TABLE merchant_messages (
    id          TEXT PRIMARY KEY,
    order_id    TEXT NOT NULL REFERENCES orders (id),
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    person_id   TEXT REFERENCES persons (id),
    topic       TEXT NOT NULL,
    text        TEXT NOT NULL,
    queue       TEXT NOT NULL,
    status      TEXT NOT NULL,
    locale      TEXT NOT NULL,
    sent_at     BIGINT NOT NULL,
    sent_by     TEXT NOT NULL,
    handled_at  BIGINT,
    handled_by  TEXT NOT NULL DEFAULT '',
    reply       TEXT NOT NULL DEFAULT '',
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX merchant_messages_order ON merchant_messages (order_id, sent_at);
CREATE INDEX merchant_messages_queue ON merchant_messages (queue, status, sent_at);
CREATE INDEX merchant_messages_person ON merchant_messages (person_id);

-- +goose Down
DROP TABLE merchant_messages;
