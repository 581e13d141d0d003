package dsr

import (
	"strings"

	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/store"
)

// Text returns s in lang when it is a message key, else s as it is: how the
// What and Reason of an Item are shown.
func Text(lang i18n.Lang, s string) string {
	if i18n.Has(s) {
		return i18n.T(lang, s)
	}
	return s
}

// ItemText returns an item of an answer as one line in lang: what it is
// about, what was done or why not, and until when kept data stays.
func ItemText(lang i18n.Lang, it Item) string {
	what, reason := Text(lang, it.What), Text(lang, it.Reason)
	line := reason
	switch {
	case what != "" && reason != "":
		line = i18n.T(lang, "dsr.item.what_reason", "what", what, "reason", reason)
	case what != "":
		line = what
	}
	if it.Until != nil {
		line = i18n.T(lang, "dsr.item.until", "text", line, "date", i18n.FormatDate(lang, *it.Until))
	}
	return line
}

// mailReceived e-mails the person that their request was received, with its
// deadline.
func (s *Service) mailReceived(tx *store.Tx, r Request, to string) error {
	pr := i18n.Printer{Lang: r.Locale}
	return s.send(tx, r, to, pr.T("dsr.mail.received.subject", "reference", r.Reference),
		pr.T("dsr.mail.received.body", "reference", r.Reference, "kind", pr.T(r.Kind.NameKey()),
			"date", pr.Date(r.ReceivedAt), "deadline", pr.Date(r.DueAt)))
}

// mailExtended e-mails the person the new deadline of their request and the
// reason (Art. 12(3)).
func (s *Service) mailExtended(tx *store.Tx, r Request, to, reason string) error {
	pr := i18n.Printer{Lang: r.Locale}
	return s.send(tx, r, to, pr.T("dsr.mail.extended.subject", "reference", r.Reference),
		pr.T("dsr.mail.extended.body", "reference", r.Reference, "kind", pr.T(r.Kind.NameKey()), "deadline", pr.Date(r.DueAt)),
		pr.T("dsr.mail.extended.reason", "reason", reason))
}

// mailAnswer e-mails the person the answer to their request: what was done
// and what was not and why, the document to download, and, unless
// everything was done, the supervisory authority they can complain to
// (Art. 12(4)).
func (s *Service) mailAnswer(tx *store.Tx, r Request, to string) error {
	pr := i18n.Printer{Lang: r.Locale}
	status := string(r.Status)
	paras := []string{pr.T("dsr.mail."+status+".body", "reference", r.Reference, "kind", pr.T(r.Kind.NameKey()))}
	if len(r.Outcome) > 0 {
		lines := make([]string, 0, len(r.Outcome))
		for _, it := range r.Outcome {
			key := "dsr.mail.item_done"
			if !it.Done {
				key = "dsr.mail.item_not_done"
			}
			lines = append(lines, pr.T(key, "text", ItemText(r.Locale, it)))
		}
		paras = append(paras, strings.Join(lines, "\n"))
	}
	if r.Document != nil {
		paras = append(paras, pr.T("dsr.mail.document", "date", pr.Date(r.Document.ExpiresAt)))
	}
	if r.Status != StatusCompleted {
		a := s.AuthorityFor(r)
		paras = append(paras, pr.T("dsr.mail.authority", "authority", a.Name, "url", a.URL, "list", AuthoritiesListURL))
	}
	return s.send(tx, r, to, pr.T("dsr.mail."+status+".subject", "reference", r.Reference), paras...)
}

// send queues an e-mail of paragraphs about r in tx, sealed under the
// person's key (or its own once their key is shredded, as after an erasure
// the answer still goes out); nothing when there is no address to write to
// (the person's data was erased before).
func (s *Service) send(tx *store.Tx, r Request, to, subject string, paras ...string) error {
	if to == "" {
		return nil
	}
	_, err := outbox.Enqueue(tx, s.cfg.Vault, s.cfg.LookupKey, outbox.Message{Channel: outbox.Email, To: to, PersonID: r.PersonID,
		Subject: subject, Body: strings.Join(paras, "\n\n")})
	return err
}
