package securityreport

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/store"
)

// Submission is what a reporter sends.
type Submission struct {
	Kind Kind
	Text string
	// URL is the suspicious address, optional.
	URL string
	// File is the suspicious e-mail, optional.
	File *Upload
	// Email is the public reporter's address for the acknowledgement,
	// optional; a signed-in consumer's own address is used instead.
	Email string
	// Lang is the reporter's language (the acknowledgement's).
	Lang i18n.Lang
}

// Receipt is what the reporter is told.
type Receipt struct {
	ID        string `json:"report_id"`
	Reference string `json:"reference"`
	// Acknowledged is set when an acknowledgement was e-mailed.
	Acknowledged bool `json:"acknowledged"`
}

// checked is a validated submission.
type checked struct {
	kind             Kind
	text, url, email string
	file             *FileInfo
	content          []byte
	lang             i18n.Lang
}

// check validates a submission. Errors: BAD_VALUE (kind, text, url, file,
// email).
func check(sub Submission) (checked, error) {
	if !sub.Kind.Valid() {
		return checked{}, apperr.BadField("kind", "must be one of email, website, sms, phone_call, other")
	}
	c := checked{kind: sub.Kind, lang: sub.Lang}
	if _, ok := i18n.Parse(string(c.lang)); !ok {
		c.lang = i18n.Default
	}
	var err error
	if c.text, err = checkText("text", sub.Text, MaxText, true); err != nil {
		return checked{}, err
	}
	if c.url, err = CheckURL(sub.URL); err != nil {
		return checked{}, err
	}
	if c.email, err = CheckEmail(sub.Email); err != nil {
		return checked{}, err
	}
	if sub.File != nil {
		info, err := CheckFile(*sub.File)
		if err != nil {
			return checked{}, err
		}
		c.file, c.content = &info, sub.File.Content
	}
	return c, nil
}

// SubmitAsConsumer records a signed-in consumer's report, sealed under
// their person; actor is "consumer:<account id>". The acknowledgement goes
// to their account's address. Errors, each writing nothing: BAD_VALUE,
// TOO_MANY_REQUESTS (more than Config.PerPerson in its window).
func (s *Service) SubmitAsConsumer(ctx context.Context, personID, actor string, sub Submission) (Receipt, error) {
	if personID == "" || !strings.HasPrefix(actor, "consumer:") {
		return Receipt{}, errors.New("securityreport: SubmitAsConsumer needs the person and a consumer actor")
	}
	c, err := check(sub)
	if err != nil {
		return Receipt{}, err
	}
	c.email = ""
	var out Receipt
	err = s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		if err := s.throttle(tx, "person", personID, s.cfg.PerPerson); err != nil {
			return err
		}
		addr, err := s.consumerAddress(tx, personID)
		if err != nil {
			return err
		}
		out, err = s.insert(tx, personID, actor, addr, c)
		return err
	})
	return out, err
}

// SubmitPublic records a report from the public page, sealed under the
// report's own key; network is the client's network (NetworkOf). The
// acknowledgement goes to sub.Email when given. Errors, each writing
// nothing: BAD_VALUE, TOO_MANY_REQUESTS (more than Config.PerNetwork from
// the network, or Config.PerEmail for the address, in the window).
func (s *Service) SubmitPublic(ctx context.Context, network string, sub Submission) (Receipt, error) {
	c, err := check(sub)
	if err != nil {
		return Receipt{}, err
	}
	var out Receipt
	err = s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		if err := s.throttle(tx, "network", network, s.cfg.PerNetwork); err != nil {
			return err
		}
		if c.email != "" {
			if err := s.throttle(tx, "email", c.email, s.cfg.PerEmail); err != nil {
				return err
			}
		}
		out, err = s.insert(tx, "", "public", c.email, c)
		return err
	})
	return out, err
}

// insert records a checked report in tx, audits it and acknowledges it to
// addr when there is one.
func (s *Service) insert(tx *store.Tx, personID, actor, addr string, c checked) (Receipt, error) {
	id := ids.New()
	subject := personID
	if subject == "" {
		subject = id
	}
	ref, err := newReference(tx)
	if err != nil {
		return Receipt{}, err
	}
	sealed := map[string]string{}
	for ctxName, text := range map[string]string{ContextText: c.text, ContextURL: c.url, ContextReporterEmail: c.email} {
		if sealed[ctxName], err = s.seal(tx, subject, ctxName, text); err != nil {
			return Receipt{}, err
		}
	}
	var fileType string
	var fileSize int64
	if c.file != nil {
		if sealed[ContextFileName], err = s.seal(tx, subject, ContextFileName, c.file.Name); err != nil {
			return Receipt{}, err
		}
		if sealed[ContextFileContent], err = s.cfg.Vault.Seal(tx, subject, ContextFileContent, c.content); err != nil {
			return Receipt{}, err
		}
		fileType, fileSize = c.file.Type, c.file.Size
	}
	var person any
	if personID != "" {
		person = personID
	}
	if _, err := tx.Exec(`INSERT INTO security_reports (id, reference, person_id, kind, state, locale, reporter_email, text, url,
    file_name, file_type, file_size, file_content, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		id, ref, person, string(c.kind), string(StateNew), string(c.lang), sealed[ContextReporterEmail], sealed[ContextText], sealed[ContextURL],
		sealed[ContextFileName], fileType, fileSize, sealed[ContextFileContent], store.Micros(tx.Now)); err != nil {
		return Receipt{}, err
	}
	if _, err := audit.Append(tx, actor, ActionSubmitted, subject, map[string]any{"report_id": id, "reference": ref, "kind": c.kind,
		"url": c.url != "", "file": c.file != nil}); err != nil {
		return Receipt{}, err
	}
	out := Receipt{ID: id, Reference: ref}
	if addr == "" {
		return out, nil
	}
	pr := i18n.Printer{Lang: c.lang}
	if _, err := outbox.Enqueue(tx, s.cfg.Vault, s.cfg.LookupKey, outbox.Message{Channel: outbox.Email, To: addr, PersonID: personID,
		Subject: pr.T("securityreport.mail.subject", "reference", ref),
		Body:    pr.T("securityreport.mail.body", "reference", ref, "kind", pr.T("securityreport.kind."+string(c.kind)))}); err != nil {
		return Receipt{}, err
	}
	out.Acknowledged = true
	return out, nil
}

// consumerAddress is the address of the person's consumer account (the
// newest sign-in), "" when there is none.
func (s *Service) consumerAddress(tx *store.Tx, personID string) (string, error) {
	var sealed string
	err := tx.QueryRow(`SELECT email FROM consumers WHERE person_id = $1 ORDER BY last_sign_in_at DESC, id LIMIT 1`, personID).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return s.open(tx, personID, account.ContextEmail, sealed)
}
