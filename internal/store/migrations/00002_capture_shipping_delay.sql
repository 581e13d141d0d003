-- +goose Up
-- Days between capture and shipment the merchant announced; the payment plan's
-- due date starts when the goods ship.
ALTER TABLE captures ADD COLUMN shipping_delay_days INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE captures DROP COLUMN shipping_delay_days;
