package complaint

import (
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Consumer e-mail kinds: the catalog keys are "complaint.mail.<kind>.subject"
// and ".body".
const (
	mailAcknowledged    = "acknowledged"
	mailUpdate          = "update"
	mailHoldingReply    = "holding_reply"
	mailFinalAnswer     = "final_answer"
	mailReviewRequested = "review_requested"
	mailAssessment      = "assessment"
	mailClosed          = "closed"
)

// recipient returns the address Tillit writes to the person at and their
// language: the address of their consumer account (the newest sign-in),
// else the billing address of their newest order; "" when there is none or
// their data was erased.
func (s *Service) recipient(tx *store.Tx, personID string) (string, i18n.Lang, error) {
	var sealed, locale string
	err := tx.QueryRow(`SELECT email, locale FROM consumers WHERE person_id = $1 ORDER BY last_sign_in_at DESC, id LIMIT 1`, personID).Scan(&sealed, &locale)
	switch {
	case err == nil:
		email, err := s.open(tx, personID, account.ContextEmail, sealed)
		return email, lang(locale), err
	case !errors.Is(err, sql.ErrNoRows):
		return "", "", err
	}
	var consumer string
	err = tx.QueryRow(`SELECT locale, consumer FROM orders WHERE person_id = $1 ORDER BY created_at DESC, id LIMIT 1`, personID).Scan(&locale, &consumer)
	if errors.Is(err, sql.ErrNoRows) {
		return "", i18n.Default, nil
	}
	if err != nil {
		return "", "", err
	}
	raw, err := s.cfg.Vault.Open(tx, personID, person.ContextConsumer, consumer)
	if errors.Is(err, vault.ErrShredded) {
		return "", i18n.Default, nil
	}
	if err != nil {
		return "", "", err
	}
	var c struct {
		BillingAddress struct {
			Email string `json:"email"`
		} `json:"billing_address"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return "", "", err
	}
	return c.BillingAddress.Email, lang(locale), nil
}

// lang is the language of a locale, the default for an unknown one.
func lang(locale string) i18n.Lang {
	l, ok := i18n.Parse(locale)
	if !ok {
		return i18n.Default
	}
	return l
}

// mailConsumer e-mails the complaint's consumer through the outbox, in
// their language: kind picks the texts, text is what staff wrote (an
// update, the holding reply's reasons, the answer) and remedy what Tillit
// does for them. to overrides the address (customer service typed it when
// filing). A person without an address gets nothing.
func (s *Service) mailConsumer(tx *store.Tx, r row, kind, to, text, remedy string) error {
	addr, lg, err := s.recipient(tx, r.PersonID)
	if err != nil {
		return err
	}
	if to != "" {
		addr = to
	}
	if addr == "" {
		return nil
	}
	pr := i18n.Printer{Lang: lg}
	date := func(t *time.Time) string {
		if t == nil {
			return pr.T("complaint.mail.no_date")
		}
		return pr.Date(*t)
	}
	psd2 := ""
	if r.PSD2At != nil {
		psd2 = pr.T("complaint.mail.psd2", "psd2", pr.Date(*r.PSD2At))
	}
	if remedy != "" {
		remedy = pr.T("complaint.mail.remedy", "remedy", remedy)
	}
	board, _ := BoardFor(r.Country)
	key := "complaint.mail." + kind
	body := pr.T(key+".body", "reference", r.Reference, "category", pr.T("complaint.category."+string(r.Category)),
		"target", pr.Date(r.TargetAt), "psd2", psd2, "outcome", pr.T("complaint.outcome."+string(r.Outcome)), "text", text,
		"remedy", remedy, "review_until", date(r.ReviewUntil), "board", board.Name, "board_url", board.URL, "finnet_url", FINNET.URL)
	if kind == mailHoldingReply {
		body = pr.T(key+".body", "reference", r.Reference, "text", text, "psd2", date(r.PSD2At))
	}
	_, err = outbox.Enqueue(tx, s.cfg.Vault, s.cfg.LookupKey, outbox.Message{Channel: outbox.Email, To: addr, PersonID: r.PersonID,
		Subject: pr.T(key+".subject", "reference", r.Reference), Body: body})
	return err
}
