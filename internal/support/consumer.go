package support

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/store"
)

// Paths of the pages the e-mails link to: a signed-in consumer's
// conversation in the app, and a visitor's through a signed link.
const (
	AppPath     = "/app/support/"
	VisitorPath = "/support/conversations/"
)

// Mine lists the person's conversations, newest first, opened.
func (s *Service) Mine(ctx context.Context, personID string) ([]Conversation, error) {
	out := []Conversation{}
	err := s.cfg.DB.Read(ctx, func(tx *store.Tx) error {
		rs, err := list(tx, ` WHERE c.person_id = $1 ORDER BY c.created_at DESC, c.id DESC`, personID)
		if err != nil {
			return err
		}
		for _, r := range rs {
			c, err := s.opened(tx, r)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// mine loads one of the person's conversations; another person's is
// NOT_FOUND.
func mine(tx *store.Tx, personID, id string) (row, error) {
	r, err := load(tx, id)
	if err == nil && (personID == "" || r.PersonID != personID) {
		return row{}, errNotFound
	}
	return r, err
}

// ConsumerThread is one of the person's conversations with its messages;
// another person's answers NOT_FOUND.
func (s *Service) ConsumerThread(ctx context.Context, personID, id string) (Thread, error) {
	var t Thread
	err := s.cfg.DB.Read(ctx, func(tx *store.Tx) error {
		r, err := mine(tx, personID, id)
		if err != nil {
			return err
		}
		t, err = s.thread(tx, r)
		return err
	})
	return t, err
}

// Post adds the consumer's message to one of their conversations read at
// version; actor is "consumer:<account id>". While the conversation is
// WithAssistant the first line answers in the same request; an answered
// one goes back to staff. Errors, each writing nothing: BAD_VALUE
// (message), NOT_FOUND, CodeChanged, CodeWrongState (closed or
// converted), and the first line's.
func (s *Service) Post(ctx context.Context, personID, actor, id string, version int64, message string) (Conversation, error) {
	message, err := checkText("message", message, MaxMessage, true)
	if err != nil {
		return Conversation{}, err
	}
	return s.consumerChange(ctx, personID, id, version, func(tx *store.Tx, r *row) error {
		return s.post(ctx, tx, r, message)
	})
}

// post records the consumer's message on a live conversation and moves it
// on: to the first line while it has it, back to staff once answered.
func (s *Service) post(ctx context.Context, tx *store.Tx, r *row, message string) error {
	if err := r.live(); err != nil {
		return err
	}
	var history []Message
	if r.Status == WithAssistant {
		var err error
		if history, err = s.messages(tx, *r); err != nil {
			return err
		}
	}
	if err := s.addMessage(tx, *r, AuthorConsumer, "", message); err != nil {
		return err
	}
	if r.Status == WithAssistant {
		return s.respond(ctx, tx, r, history, message)
	}
	r.setStatus(tx.Now, WaitingForStaff)
	return r.save(tx)
}

// HandOver passes one of the person's conversations from the first line
// to customer service: the consumer's "talk to a person". summary is
// optional (at most MaxSummary characters). Errors, each writing nothing:
// BAD_VALUE (summary), NOT_FOUND, CodeChanged, CodeWrongState (not with
// the first line).
func (s *Service) HandOver(ctx context.Context, personID, actor, id string, version int64, summary string) (Conversation, error) {
	summary, err := checkText("summary", summary, MaxSummary, false)
	if err != nil {
		return Conversation{}, err
	}
	return s.consumerChange(ctx, personID, id, version, func(tx *store.Tx, r *row) error {
		if r.Status != WithAssistant {
			return apperr.New(CodeWrongState, "The conversation is already with customer service.")
		}
		if err := s.handOver(tx, r, AuthorConsumer, actor, summary); err != nil {
			return err
		}
		return r.save(tx)
	})
}

// consumerChange runs change on one of the person's conversations at
// version in a write transaction and returns it opened.
func (s *Service) consumerChange(ctx context.Context, personID, id string, version int64, change func(tx *store.Tx, r *row) error) (Conversation, error) {
	var out Conversation
	err := s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		r, err := mine(tx, personID, id)
		if err != nil {
			return err
		}
		if err := r.checkVersion(version); err != nil {
			return err
		}
		if err := change(tx, &r); err != nil {
			return err
		}
		out, err = s.opened(tx, r)
		return err
	})
	return out, err
}

// visitorURL is the absolute address of a visitor's conversation page
// with a link that works for Config.LinkLifetime from now.
func (s *Service) visitorURL(id string, now time.Time) string {
	token := s.cfg.Links.Token(LinkPurpose, id, now.Add(s.cfg.LinkLifetime))
	return strings.TrimSuffix(s.cfg.BaseURL, "/") + VisitorPath + url.PathEscape(id) + "/" + token
}

// visitors checks a visitor's link to the conversation id and loads it.
// Errors: BAD_VALUE (a forged, altered or other purpose's link),
// signedlink.CodeExpired, NOT_FOUND (another conversation's link).
func (s *Service) visitors(tx *store.Tx, id, token string) (row, error) {
	subject, _, err := s.cfg.Links.Verify(LinkPurpose, token, tx.Now)
	if err != nil {
		return row{}, err
	}
	if subject != id {
		return row{}, errNotFound
	}
	return load(tx, id)
}

// VisitorThread is the conversation a visitor's signed link opens, with
// its messages. Errors: BAD_VALUE (the link), signedlink.CodeExpired,
// NOT_FOUND.
func (s *Service) VisitorThread(ctx context.Context, id, token string) (Thread, error) {
	var t Thread
	err := s.cfg.DB.Read(ctx, func(tx *store.Tx) error {
		r, err := s.visitors(tx, id, token)
		if err != nil {
			return err
		}
		t, err = s.thread(tx, r)
		return err
	})
	return t, err
}

// VisitorPost adds the visitor's message, through their signed link, to
// the conversation read at version; it goes back to staff. Errors, each
// writing nothing: BAD_VALUE (the link, the message),
// signedlink.CodeExpired, NOT_FOUND, CodeChanged, CodeWrongState.
func (s *Service) VisitorPost(ctx context.Context, id, token string, version int64, message string) (Conversation, error) {
	message, err := checkText("message", message, MaxMessage, true)
	if err != nil {
		return Conversation{}, err
	}
	var out Conversation
	err = s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		r, err := s.visitors(tx, id, token)
		if err != nil {
			return err
		}
		if err := r.checkVersion(version); err != nil {
			return err
		}
		if err := s.post(ctx, tx, &r, message); err != nil {
			return err
		}
		out, err = s.opened(tx, r)
		return err
	})
	return out, err
}
