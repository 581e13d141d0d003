-- +goose Up
-- Pause holds (package repayment, requirements B1 and B4): each thing that
-- pauses an order's payment plan holds its own pause, named by holder
-- ("dispute:<id>", "return:<id>", "fraud_case:<id>"), until a time
-- (microseconds, UTC midnight). A hold whose until has passed holds
-- nothing. payment_plans.paused_until stays as the latest until of the
-- plan's live holds (NULL when there is none), so that ending one hold
-- leaves the plan paused while another holds it.
CREATE TABLE plan_pauses (
    order_id   TEXT NOT NULL REFERENCES payment_plans (order_id),
    holder     TEXT NOT NULL,
    until      BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (order_id, holder)
);

-- A plan paused before holds existed is held, until its shared end, by
-- each dispute (awaiting the merchant or a decision, or referred without a
-- fraud case), return and fraud case still live on its order.
INSERT INTO plan_pauses (order_id, holder, until, created_at)
SELECT p.order_id, 'dispute:' || d.id, p.paused_until, p.updated_at
FROM payment_plans p JOIN disputes d ON d.live_key = p.order_id
WHERE p.paused_until IS NOT NULL AND (d.status <> 'referred' OR d.fraud_case_id = '');
INSERT INTO plan_pauses (order_id, holder, until, created_at)
SELECT p.order_id, 'return:' || r.id, p.paused_until, p.updated_at
FROM payment_plans p JOIN returns r ON r.live_key = p.order_id
WHERE p.paused_until IS NOT NULL;
INSERT INTO plan_pauses (order_id, holder, until, created_at)
SELECT p.order_id, 'fraud_case:' || c.id, p.paused_until, p.updated_at
FROM payment_plans p JOIN fraud_cases c ON c.open_key = p.order_id
WHERE p.paused_until IS NOT NULL;

-- +goose Down
DROP TABLE plan_pauses;
