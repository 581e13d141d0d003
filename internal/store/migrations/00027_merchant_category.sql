-- +goose Up
-- What a merchant sells (merchant.Categories: grocery, fashion, electronics,
-- gift_cards...), set when the merchant is created; '' when not told. The
-- fraud model reads the category's fraud risk (requirement T1).
ALTER TABLE merchants ADD COLUMN category TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE merchants DROP COLUMN category;
