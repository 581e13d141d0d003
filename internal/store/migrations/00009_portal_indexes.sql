-- +goose Up
-- The merchant portal's queries: the approval rate counts a merchant's
-- authorizations in a period, and the dashboard sums the open orders of a
-- merchant (status AUTHORIZED or PART_CAPTURED) without reading its closed ones.
CREATE INDEX authorizations_merchant ON authorizations (merchant_id, created_at);
CREATE INDEX orders_merchant_status ON orders (merchant_id, status);

-- +goose Down
DROP INDEX orders_merchant_status;
DROP INDEX authorizations_merchant;
