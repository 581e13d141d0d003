package support

import (
	"context"
	"database/sql"
	"errors"
	"net/mail"
	"strings"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/assistant"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Opening is a conversation a signed-in consumer opens.
type Opening struct {
	// OrderID is the order it is about, optional; must be the person's own.
	OrderID string
	// Subject is optional (at most MaxSubject characters); Message is
	// required (at most MaxMessage).
	Subject string
	Message string
	// Lang is the consumer's language; the conversation and its e-mails
	// are in it.
	Lang i18n.Lang
}

// VisitorOpening is a conversation opened through the public contact form.
type VisitorOpening struct {
	// Email is where Tillit answers (required).
	Email string
	// Message is required (at most MaxMessage characters).
	Message string
	Lang    i18n.Lang
}

// Open opens a signed-in consumer's conversation with its first message;
// actor is "consumer:<account id>". With a first line configured the
// conversation starts WithAssistant and the first line answers the message
// at once; without one it waits for staff. The consumer gets a receipt by
// e-mail with a link to the conversation. Errors, each writing nothing:
// BAD_VALUE (subject, message), NOT_FOUND (an order that is not the
// person's), TOO_MANY_REQUESTS (more than Config.PerPerson in its window),
// NOT_ALLOWED (the person's data was erased), and the first line's.
func (s *Service) Open(ctx context.Context, personID, actor string, o Opening) (Conversation, error) {
	if personID == "" || !strings.HasPrefix(actor, "consumer:") {
		return Conversation{}, errors.New("support: Open needs the person and a consumer actor")
	}
	subject, err := checkText("subject", o.Subject, MaxSubject, false)
	if err != nil {
		return Conversation{}, err
	}
	message, err := checkText("message", o.Message, MaxMessage, true)
	if err != nil {
		return Conversation{}, err
	}
	status := WaitingForStaff
	if s.cfg.FirstLine != nil {
		status = WithAssistant
	}
	var out Conversation
	err = s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		if err := s.throttle(tx, "person", personID, s.cfg.PerPerson); err != nil {
			return err
		}
		orderID := strings.TrimSpace(o.OrderID)
		if orderID != "" {
			var owner string
			err := tx.QueryRow(`SELECT COALESCE(person_id, '') FROM orders WHERE id = $1`, orderID).Scan(&owner)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && owner != personID) {
				return apperr.New(apperr.NotFound, "No such order.")
			}
			if err != nil {
				return err
			}
		}
		r, err := s.insert(tx, personID, actor, ChannelApp, orderID, "", subject, langOf(o.Lang), status, message)
		if err != nil {
			return err
		}
		if status == WithAssistant {
			if err := s.respond(ctx, tx, &r, nil, message); err != nil {
				return err
			}
		}
		out, err = s.opened(tx, r)
		return err
	})
	return out, err
}

// Receipt is what a visitor is told after opening a conversation.
type Receipt struct {
	ID        string `json:"conversation_id"`
	Reference string `json:"reference"`
}

// OpenForVisitor opens a conversation from the public contact form: the
// address leads to its person (created when Tillit does not know it), under
// whom everything is sealed; network is the client's network (see
// securityreport.NetworkOf). It waits for staff (a visitor's identity was
// never checked, so the first line, whose self-service actions need a
// signed-in consumer, does not take it). The receipt e-mailed to the
// address carries a signed link to the conversation's page. Errors, each
// writing nothing: BAD_VALUE (email, message), TOO_MANY_REQUESTS (more than
// Config.PerNetwork from the network, or Config.PerEmail for the address,
// in the window).
func (s *Service) OpenForVisitor(ctx context.Context, network string, v VisitorOpening) (Receipt, error) {
	email, err := CheckEmail(v.Email)
	if err != nil {
		return Receipt{}, err
	}
	message, err := checkText("message", v.Message, MaxMessage, true)
	if err != nil {
		return Receipt{}, err
	}
	var out Receipt
	err = s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		if err := s.throttle(tx, "network", network, s.cfg.PerNetwork); err != nil {
			return err
		}
		if err := s.throttle(tx, "email", email, s.cfg.PerEmail); err != nil {
			return err
		}
		personID, err := person.Resolve(tx, ids.ConsumerKey(s.cfg.LookupKey, email))
		if err != nil {
			return err
		}
		r, err := s.insert(tx, personID, "public", ChannelContactForm, "", email, "", langOf(v.Lang), WaitingForStaff, message)
		out = Receipt{ID: r.ID, Reference: r.Reference}
		return err
	})
	return out, err
}

// CheckEmail normalises and checks a contact address. Errors: BAD_VALUE
// (email).
func CheckEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || len(s) > MaxEmail {
		return "", apperr.BadField("email", "must be an e-mail address")
	}
	return s, nil
}

// langOf is l when Tillit speaks it, else the default language.
func langOf(l i18n.Lang) i18n.Lang {
	if p, ok := i18n.Parse(string(l)); ok {
		return p
	}
	return i18n.Default
}

// insert records a new conversation with its first message, audits it and
// e-mails the receipt.
func (s *Service) insert(tx *store.Tx, personID, actor string, ch Channel, orderID, email, subject string, lang i18n.Lang, status Status, message string) (row, error) {
	ref, err := newReference(tx)
	if err != nil {
		return row{}, err
	}
	id := ids.New()
	sealedEmail, err := s.sealNew(tx, personID, ContextContactEmail, email)
	if err != nil {
		return row{}, err
	}
	sealedSubject, err := s.sealNew(tx, personID, ContextSubject, assistant.Redact(subject))
	if err != nil {
		return row{}, err
	}
	var waiting any
	if status == WaitingForStaff {
		waiting = store.Micros(tx.Now)
	}
	if _, err := tx.Exec(`INSERT INTO support_conversations (id, reference, person_id, channel, contact_email, order_id, subject, language,
    status, created_at, updated_at, waiting_since) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11)`,
		id, ref, personID, string(ch), sealedEmail, nullable(orderID), sealedSubject, string(lang), string(status),
		store.Micros(tx.Now), waiting); err != nil {
		return row{}, err
	}
	r, err := load(tx, id)
	if err != nil {
		return row{}, err
	}
	if err := s.addMessage(tx, r, AuthorConsumer, "", message); err != nil {
		return row{}, err
	}
	if _, err := audit.Append(tx, actor, ActionOpened, personID, map[string]any{"conversation_id": id, "reference": ref,
		"channel": ch, "order": orderID != ""}); err != nil {
		return row{}, err
	}
	return r, s.mail(tx, r, mailReceived)
}

// sealNew seals a new conversation's text under its person: a person whose
// key was shredded (erased, with a contract still open) cannot open one.
// Errors: NOT_ALLOWED.
func (s *Service) sealNew(tx *store.Tx, personID, context, text string) (string, error) {
	sealed, err := s.seal(tx, personID, context, text)
	if errors.Is(err, vault.ErrShredded) {
		return "", apperr.New(apperr.NotAllowed, "The person's data has been erased.")
	}
	return sealed, err
}

// respond gives the consumer's message to the first line and records its
// answer: the assistant's replies, its new state and, on hand-over, the
// summary and the move to staff. Without a first line the conversation
// goes to staff. It saves the conversation.
func (s *Service) respond(ctx context.Context, tx *store.Tx, r *row, history []Message, message string) error {
	if s.cfg.FirstLine == nil {
		r.setStatus(tx.Now, WaitingForStaff)
		return r.save(tx)
	}
	conv, err := s.opened(tx, *r)
	if err != nil {
		return err
	}
	if history == nil {
		history = []Message{}
	}
	ans, err := s.cfg.FirstLine.Respond(ctx, tx, conv, history, message)
	if err != nil {
		return err
	}
	for _, reply := range ans.Replies {
		text, err := checkText("reply", reply, MaxMessage, true)
		if err != nil {
			return errors.New("support: the first line's reply is empty or too long")
		}
		if err := s.addMessage(tx, *r, AuthorAssistant, "", text); err != nil {
			return err
		}
	}
	if ans.State != nil {
		if len(*ans.State) > MaxState {
			return errors.New("support: the first line's state is too large")
		}
		if r.state, err = s.seal(tx, r.PersonID, ContextAssistantState, *ans.State); err != nil {
			return err
		}
	}
	if ans.HandOver {
		summary, err := checkText("summary", ans.Summary, MaxSummary, false)
		if err != nil {
			return errors.New("support: the first line's summary is too long")
		}
		if err := s.handOver(tx, r, AuthorAssistant, "assistant", summary); err != nil {
			return err
		}
	}
	return r.save(tx)
}

// handOver passes r to customer service with summary, by author (the
// assistant or the consumer), audited under actor; the caller saves r.
func (s *Service) handOver(tx *store.Tx, r *row, by Author, actor, summary string) error {
	var err error
	if r.summary, err = s.seal(tx, r.PersonID, ContextHandoverSummary, summary); err != nil {
		return err
	}
	now := tx.Now
	r.HandedOverBy, r.HandedOverAt = by, &now
	r.setStatus(now, WaitingForStaff)
	_, err = audit.Append(tx, actor, ActionHandedOver, r.PersonID, map[string]any{"conversation_id": r.ID, "by": by})
	return err
}
