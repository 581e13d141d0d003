-- +goose Up
-- Reports of suspicious e-mails, websites, text messages and calls (package
-- securityreport, requirement T11, docs/security-reports.md). A report comes
-- from a signed-in consumer (person_id set) or from anyone through the
-- public page (person_id NULL, reporter_email optional). reference is the
-- short code in the acknowledgement. kind is email, website, sms,
-- phone_call or other; state is new, triaging, confirmed_phishing,
-- not_phishing or duplicate. text, url, reporter_email, file_name,
-- file_content and closing_notes are sealed by the vault: under the person
-- for a consumer's report, under the report's own id otherwise (contexts
-- security_reports.<column>). file_type is the type sniffed from the bytes
-- of the uploaded e-mail, file_size its length. owner_id is the analyst who
-- took the report.
CREATE TABLE security_reports (
    id             TEXT PRIMARY KEY,
    reference      TEXT NOT NULL UNIQUE,
    person_id      TEXT REFERENCES persons (id),
    kind           TEXT NOT NULL,
    state          TEXT NOT NULL,
    locale         TEXT NOT NULL,
    reporter_email TEXT NOT NULL DEFAULT '',
    text           TEXT NOT NULL,
    url            TEXT NOT NULL DEFAULT '',
    file_name      TEXT NOT NULL DEFAULT '',
    file_type      TEXT NOT NULL DEFAULT '',
    file_size      BIGINT NOT NULL DEFAULT 0,
    file_content   TEXT NOT NULL DEFAULT '',
    owner_id       TEXT REFERENCES staff_users (id),
    closing_notes  TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    taken_at       BIGINT,
    closed_at      BIGINT,
    version        BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX security_reports_queue ON security_reports (state, created_at);
CREATE INDEX security_reports_person ON security_reports (person_id);
CREATE INDEX security_reports_closed ON security_reports (closed_at);

-- +goose Down
DROP TABLE security_reports;
