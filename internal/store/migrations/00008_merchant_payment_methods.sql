-- +goose Up
-- The payment method categories a merchant has switched off (package
-- checkout, methods.go). A merchant without rows offers all four; sessions
-- list, and authorizations accept, only the categories not named here.
-- Storing the disabled ones keeps every existing merchant, and every new
-- category, on by default.
CREATE TABLE merchant_disabled_payment_methods (
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    category    TEXT NOT NULL CHECK (category IN ('pay_now', 'pay_later', 'pay_in_parts', 'pay_over_time')),
    disabled_at BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, category)
);

-- +goose Down
DROP TABLE merchant_disabled_payment_methods;
