-- +goose Up
-- Published fraud and review rule sets (package risk/rules): version numbers
-- them from 1; source is the rule text operators wrote (no personal data),
-- digest its SHA-256; created_by is the staff member or operator who
-- published it and comment why. Rows are never changed or deleted: the
-- newest version is the one in force, and the audit log records each
-- publication.
CREATE TABLE risk_rule_sets (
    version    BIGINT PRIMARY KEY,
    source     TEXT NOT NULL,
    digest     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    comment    TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE risk_rule_sets;
