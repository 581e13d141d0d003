package fraudcase

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Request is a request for more information as the merchant's reply page
// shows it: which order, what was asked, until when, and the answers the
// merchant already gave to it.
type Request struct {
	CaseID       string
	RequestID    string
	Reference    string
	MerchantName string
	Amount       int64
	Currency     string
	PurchasedAt  time.Time
	Question     string
	AskedAt      time.Time
	Expires      time.Time
	// Open is whether the case still takes answers.
	Open    bool
	Replies []ReplyView
}

// ReplyView is an answer the merchant gave.
type ReplyView struct {
	At   time.Time
	Text string
}

// errLinkNotFound answers a genuine link used with another case, or one
// whose request is gone.
var errLinkNotFound = apperr.New(apperr.NotFound, "This link does not open this case.")

// request checks the link of caseID and reads the request it opens.
// Errors: BAD_VALUE (a forged, altered or other purpose's link),
// signedlink.CodeExpired, NOT_FOUND (another case's link).
func (s *Service) request(tx *store.Tx, caseID, token string) (Request, string, error) {
	requestID, expires, err := s.cfg.Links.Verify(LinkPurpose, token, tx.Now)
	if err != nil {
		return Request{}, "", err
	}
	var (
		r        Request
		personID string
		sealed   string
		asked    int64
		bought   int64
		status   string
	)
	err = tx.QueryRow(`SELECT c.id, COALESCE(c.person_id, ''), c.status, e.body, e.at, o.reference, m.name, o.order_amount, o.purchase_currency, o.created_at
		FROM fraud_case_events e JOIN fraud_cases c ON c.id = e.case_id JOIN orders o ON o.id = c.order_id JOIN merchants m ON m.id = c.merchant_id
		WHERE e.id = $1 AND e.kind = $2`, requestID, string(EventMerchantAsked)).Scan(
		&r.CaseID, &personID, &status, &sealed, &asked, &r.Reference, &r.MerchantName, &r.Amount, &r.Currency, &bought)
	if errors.Is(err, sql.ErrNoRows) {
		return Request{}, "", errLinkNotFound
	}
	if err != nil {
		return Request{}, "", err
	}
	if r.CaseID != caseID {
		return Request{}, "", errLinkNotFound
	}
	r.RequestID, r.Expires, r.AskedAt, r.PurchasedAt = requestID, expires, store.FromMicros(asked), store.FromMicros(bought)
	r.Open = Status(status).Live()
	if r.Question, err = s.openBody(tx, personID, sealed); err != nil {
		return Request{}, "", err
	}
	rows, err := tx.Query(`SELECT at, body FROM fraud_case_events WHERE case_id = $1 AND kind = $2 AND request_id = $3 ORDER BY at, id`,
		caseID, string(EventMerchantReplied), requestID)
	if err != nil {
		return Request{}, "", err
	}
	// Read every row before opening any: a query of the vault's cannot run
	// while the rows are open on PostgreSQL.
	var sealedReplies []string
	var times []int64
	for rows.Next() {
		var (
			at   int64
			body string
		)
		if err := rows.Scan(&at, &body); err != nil {
			rows.Close()
			return Request{}, "", err
		}
		times, sealedReplies = append(times, at), append(sealedReplies, body)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return Request{}, "", err
	}
	if err := rows.Close(); err != nil {
		return Request{}, "", err
	}
	for i, body := range sealedReplies {
		text, err := s.openBody(tx, personID, body)
		if err != nil {
			return Request{}, "", err
		}
		r.Replies = append(r.Replies, ReplyView{At: store.FromMicros(times[i]), Text: text})
	}
	return r, personID, nil
}

// openBody opens a sealed body; one whose person was erased reads as "".
func (s *Service) openBody(tx *store.Tx, personID, sealed string) (string, error) {
	if sealed == "" || personID == "" {
		return "", nil
	}
	text, err := s.cfg.Vault.OpenString(tx, personID, ContextBody, sealed)
	if errors.Is(err, vault.ErrShredded) {
		return "", nil
	}
	return text, err
}

// Request returns the request a merchant's reply link opens for the case.
// Errors: BAD_VALUE (forged or altered link), signedlink.CodeExpired,
// NOT_FOUND (the link is another case's).
func (s *Service) Request(ctx context.Context, caseID, token string) (Request, error) {
	var r Request
	err := s.cfg.DB.Read(ctx, func(tx *store.Tx) (err error) {
		r, _, err = s.request(tx, caseID, token)
		return err
	})
	return r, err
}

// Reply records the merchant's answer (at most MaxReply characters,
// sealed) to the request the link opens; the case goes back to the
// analysts' queue. A merchant may answer more than once while the link
// works. Errors, each writing nothing: BAD_VALUE (the link, or the text),
// signedlink.CodeExpired, NOT_FOUND (another case's link), NOT_ALLOWED (the
// case is closed).
func (s *Service) Reply(ctx context.Context, caseID, token, text string) error {
	text, err := checkText("reply", text, MaxReply, true)
	if err != nil {
		return err
	}
	return s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		r, personID, err := s.request(tx, caseID, token)
		if err != nil {
			return err
		}
		if !r.Open {
			return apperr.New(apperr.NotAllowed, "The case is closed.")
		}
		c, err := load(tx, caseID)
		if err != nil {
			return err
		}
		actor := "merchant:" + c.MerchantID
		if _, err := s.addEvent(tx, c.ID, personID, event{actor: actor, role: RoleMerchant, kind: EventMerchantReplied, body: text, requestID: r.RequestID}); err != nil {
			return err
		}
		if err := touch(tx, &c, actor, StatusOpen); err != nil {
			return err
		}
		_, err = audit.Append(tx, actor, ActionMerchantReplied, c.OrderID, map[string]string{
			"case_id": c.ID, "order_id": c.OrderID, "request_id": r.RequestID, "version": version(c.Version),
		})
		return err
	})
}
