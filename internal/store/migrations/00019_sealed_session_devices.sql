-- +goose Up
-- Sessions' browser details (user_agent, ip) are sealed by the vault from now
-- on (package account). Those of sessions started before were stored in
-- clear: they are cleared rather than kept readable, and the sessions stay
-- signed in.
UPDATE web_sessions SET user_agent = '', ip = '';

-- +goose Down
SELECT 1;
