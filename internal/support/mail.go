package support

import (
	"database/sql"
	"errors"
	"net/url"
	"strings"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/store"
)

// Consumer e-mail kinds: the catalog keys are "support.mail.<kind>.subject"
// and ".body".
const (
	mailReceived = "received"
	mailReply    = "reply"
)

// recipient is the address Tillit writes to about a conversation: the
// contact form's address, or the address of the person's consumer account
// (the newest sign-in); "" when there is none or the person was erased.
func (s *Service) recipient(tx *store.Tx, r row) (string, error) {
	if r.Visitor() {
		return s.open(tx, r.PersonID, ContextContactEmail, r.contactEmail)
	}
	var sealed string
	err := tx.QueryRow(`SELECT email FROM consumers WHERE person_id = $1 ORDER BY last_sign_in_at DESC, id LIMIT 1`, r.PersonID).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return s.open(tx, r.PersonID, account.ContextEmail, sealed)
}

// link is where the e-mails send the consumer to read the conversation: the
// app's page, or for a visitor the public page through a signed link.
func (s *Service) link(tx *store.Tx, r row) string {
	if r.Visitor() {
		return s.visitorURL(r.ID, tx.Now)
	}
	return strings.TrimSuffix(s.cfg.BaseURL, "/") + AppPath + url.PathEscape(r.ID)
}

// mail e-mails the conversation's consumer through the outbox in the
// conversation's language: kind picks the texts, which name the reference
// and link to the conversation. Nobody to write to gets nothing.
func (s *Service) mail(tx *store.Tx, r row, kind string) error {
	to, err := s.recipient(tx, r)
	if err != nil || to == "" {
		return err
	}
	pr := i18n.Printer{Lang: langOf(i18n.Lang(r.Language))}
	key := "support.mail." + kind
	_, err = outbox.Enqueue(tx, s.cfg.Vault, s.cfg.LookupKey, outbox.Message{Channel: outbox.Email, To: to, PersonID: r.PersonID,
		Subject: pr.T(key+".subject", "reference", r.Reference),
		Body:    pr.T(key+".body", "reference", r.Reference, "link", s.link(tx, r))})
	return err
}
