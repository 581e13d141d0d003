-- +goose Up
-- Fraud write-offs (requirement T6). A refund is either the merchant's own
-- ('merchant') or the claim taken back from the merchant when the order was
-- found fraudulent ('fraud', written by checkout's FraudWriteOff); a fraud
-- refund whose merchant met the fraud policy records what Tillit paid the
-- merchant back, the returned amount excluding VAT, in fraud_policy_amount.
ALTER TABLE refunds ADD COLUMN kind TEXT NOT NULL DEFAULT 'merchant';
ALTER TABLE refunds ADD COLUMN fraud_policy_amount BIGINT NOT NULL DEFAULT 0;
-- An order is written off at most once.
CREATE UNIQUE INDEX refunds_one_fraud_writeoff ON refunds (order_id) WHERE kind = 'fraud';

-- Settlement totals of the fraud lines, as magnitudes:
-- net = sales - refunds - fees - fee_vat - fraud_returns + fraud_policy + brought_forward.
ALTER TABLE settlements ADD COLUMN fraud_returns BIGINT NOT NULL DEFAULT 0;
ALTER TABLE settlements ADD COLUMN fraud_policy BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE settlements DROP COLUMN fraud_policy;
ALTER TABLE settlements DROP COLUMN fraud_returns;
DROP INDEX refunds_one_fraud_writeoff;
ALTER TABLE refunds DROP COLUMN fraud_policy_amount;
ALTER TABLE refunds DROP COLUMN kind;
