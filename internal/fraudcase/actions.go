package fraudcase

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/store"
)

// errForbidden answers a role that may not work cases.
var errForbidden = apperr.New(apperr.Forbidden, "Your role may not work fraud cases.")

// staffAction checks what every analyst's action needs and loads the case
// at the version the analyst saw. Errors: FORBIDDEN, BAD_VALUE (reason),
// NOT_FOUND, CodeChanged, NOT_ALLOWED (closed).
func staffAction(tx *store.Tx, st account.Staff, id string, ver int64, reason string) (Case, string, error) {
	if !MayWork(st.Role) {
		return Case{}, "", errForbidden
	}
	if st.ID == "" {
		return Case{}, "", errors.New("fraudcase: an action needs a member of staff")
	}
	reason, err := checkText("reason", reason, MaxReason, true)
	if err != nil {
		return Case{}, "", err
	}
	c, err := load(tx, id)
	if err != nil {
		return Case{}, "", err
	}
	switch {
	case c.Version != ver:
		return Case{}, "", apperr.New(CodeChanged, "The case changed since you opened it; look at it again.")
	case !c.Status.Live():
		return Case{}, "", apperr.New(apperr.NotAllowed, "The case is closed.")
	}
	return c, reason, nil
}

// auditAction appends the audit entry of an analyst's action on c.
func auditAction(tx *store.Tx, actor, action string, c Case, reason string, extra ...string) error {
	details := map[string]string{"case_id": c.ID, "order_id": c.OrderID, "reason": reason, "version": version(c.Version)}
	for i := 0; i+1 < len(extra); i += 2 {
		details[extra[i]] = extra[i+1]
	}
	_, err := audit.Append(tx, actor, action, c.OrderID, details)
	return err
}

// AddNote adds an analyst's note (sealed, at most MaxText) to the case at
// the version they saw, with their reason. Errors, each writing nothing:
// FORBIDDEN, BAD_VALUE (note, reason), NOT_FOUND, CodeChanged, NOT_ALLOWED
// (closed).
func (s *Service) AddNote(ctx context.Context, st account.Staff, id string, ver int64, note, reason string) (Case, error) {
	note, err := checkText("note", note, MaxText, true)
	if err != nil {
		return Case{}, err
	}
	var out Case
	err = s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		c, why, err := staffAction(tx, st, id, ver, reason)
		if err != nil {
			return err
		}
		actor := "staff:" + st.ID
		if _, err := s.addEvent(tx, c.ID, c.PersonID, event{actor: actor, role: string(st.Role), kind: EventNote, body: note}); err != nil {
			return err
		}
		if err := touch(tx, &c, actor, c.Status); err != nil {
			return err
		}
		out = c
		return auditAction(tx, actor, ActionNoted, c, why)
	})
	return out, err
}

// ReplyPath is the merchant portal's page answering a request for more
// information: ReplyPath(caseID, token).
func ReplyPath(caseID, token string) string {
	return "/portal/fraud-cases/" + url.PathEscape(caseID) + "/reply/" + url.PathEscape(token)
}

// AskMerchant asks the order's merchant for more information: the question
// (sealed, at most MaxText) goes on the timeline and is e-mailed through
// the outbox to each of the merchant's active users with a signed link to
// the reply page, valid for LinkValidity and for this case only. The case
// waits for the merchant (out of the queue) until they answer. It returns
// the link's path. Errors, each writing nothing: FORBIDDEN, BAD_VALUE
// (question, reason), NOT_FOUND, CodeChanged, NOT_ALLOWED (closed, or the
// merchant has no active user to write to).
func (s *Service) AskMerchant(ctx context.Context, st account.Staff, id string, ver int64, question, reason string) (string, error) {
	question, err := checkText("question", question, MaxText, true)
	if err != nil {
		return "", err
	}
	if !MayWork(st.Role) {
		return "", errForbidden
	}
	var merchantID string
	if err := s.cfg.DB.Read(ctx, func(tx *store.Tx) error {
		c, err := load(tx, id)
		merchantID = c.MerchantID
		return err
	}); err != nil {
		return "", err
	}
	users, err := s.cfg.Accounts.ListMerchantUsers(ctx, merchantID)
	if err != nil {
		return "", err
	}
	var to []string
	for _, u := range users {
		if u.DisabledAt == nil {
			to = append(to, u.Email)
		}
	}
	if len(to) == 0 {
		return "", apperr.New(apperr.NotAllowed, "The merchant has no active user to write to.")
	}
	var path string
	err = s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		c, why, err := staffAction(tx, st, id, ver, reason)
		if err != nil {
			return err
		}
		if c.MerchantID != merchantID {
			return apperr.New(CodeChanged, "The case changed since you opened it; look at it again.")
		}
		actor := "staff:" + st.ID
		expires := tx.Now.Add(LinkValidity)
		requestID, err := s.addEvent(tx, c.ID, c.PersonID, event{actor: actor, role: string(st.Role), kind: EventMerchantAsked, body: question, expires: &expires})
		if err != nil {
			return err
		}
		path = ReplyPath(c.ID, s.cfg.Links.Token(LinkPurpose, requestID, expires))
		if err := s.mailMerchant(tx, c, to, question, path, expires); err != nil {
			return err
		}
		if err := touch(tx, &c, actor, StatusAwaitingMerchant); err != nil {
			return err
		}
		return auditAction(tx, actor, ActionMerchantAsked, c, why, "request_id", requestID, "recipients", fmt.Sprint(len(to)))
	})
	if err != nil {
		return "", err
	}
	return path, nil
}

// mailMerchant e-mails the request to the merchant's users, in the
// language of the order's market.
func (s *Service) mailMerchant(tx *store.Tx, c Case, to []string, question, path string, expires time.Time) error {
	var locale string
	if err := tx.QueryRow(`SELECT locale FROM orders WHERE id = $1`, c.OrderID).Scan(&locale); err != nil {
		return err
	}
	lang, ok := i18n.Parse(locale)
	if !ok {
		lang = i18n.Default
	}
	pr := i18n.Printer{Lang: lang}
	link := strings.TrimRight(s.cfg.BaseURL, "/") + path
	body := pr.T("fraudcase.mail.body", "reference", c.Reference, "amount", pr.Money(c.Amount, c.Currency), "question", question,
		"link", link, "date", pr.Date(expires))
	for _, addr := range to {
		if _, err := outbox.Enqueue(tx, s.cfg.Vault, s.cfg.LookupKey, outbox.Message{Channel: outbox.Email, To: addr,
			Subject: pr.T("fraudcase.mail.subject", "reference", c.Reference), Body: body}); err != nil {
			return err
		}
	}
	return nil
}

// Close ends the case with an outcome at the version the analyst saw, with
// their reason: VictimConfirmed cancels the claim (ClaimCancelled), so it
// never goes to reminders or collection; ClaimStands resumes the payment
// plan. Errors, each writing nothing: FORBIDDEN, BAD_VALUE (outcome,
// reason), NOT_FOUND, CodeChanged, NOT_ALLOWED (closed).
func (s *Service) Close(ctx context.Context, st account.Staff, id string, ver int64, outcome Outcome, reason string) (Case, error) {
	if !outcome.Valid() {
		return Case{}, apperr.BadField("outcome", "must be %s or %s", VictimConfirmed, ClaimStands)
	}
	if outcome == VictimConfirmed && s.ClaimCancelled == nil {
		return Case{}, errors.New("fraudcase: ClaimCancelled is not wired")
	}
	var out Case
	err := s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		c, why, err := staffAction(tx, st, id, ver, reason)
		if err != nil {
			return err
		}
		actor := "staff:" + st.ID
		switch outcome {
		case VictimConfirmed:
			err = s.ClaimCancelled(tx, actor, c.OrderID)
		case ClaimStands:
			err = s.resume(tx, c.ID, c.OrderID)
		}
		if err != nil {
			return err
		}
		if _, err := s.addEvent(tx, c.ID, c.PersonID, event{actor: actor, role: string(st.Role), kind: EventClosed, outcome: outcome}); err != nil {
			return err
		}
		now := store.Micros(tx.Now)
		if err := tx.ExecOne(`UPDATE fraud_cases SET status = $1, outcome = $2, open_key = NULL, closed_at = $3, closed_by = $4, updated_at = $3,
			updated_by = $4, version = version + 1 WHERE id = $5 AND version = $6`,
			string(StatusClosed), string(outcome), now, actor, c.ID, c.Version); err != nil {
			return err
		}
		c.Status, c.Outcome, c.Version, c.ClosedBy = StatusClosed, outcome, c.Version+1, actor
		t := tx.Now
		c.ClosedAt = &t
		out = c
		return auditAction(tx, actor, ActionClosed, c, why, "outcome", string(outcome))
	})
	return out, err
}
