package stoprequest

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/tillit/tillit/internal/store"
)

// ForOrder returns the order's stop request, with its tracking number
// opened, and whether it has one.
func ForOrder(tx *store.Tx, orderID string) (Request, bool, error) {
	r, err := scanRequest(tx.QueryRow(`SELECT `+requestColumns+requestFrom+` WHERE s.order_id = $1`, orderID))
	if errors.Is(err, sql.ErrNoRows) {
		return Request{}, false, nil
	}
	return r, err == nil, err
}

// Get returns a stop request with its tracking number; merchantID, when
// set, must own it. Errors: NOT_FOUND.
func (s *Service) Get(ctx context.Context, merchantID, id string) (Request, error) {
	var r Request
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if r, err = load(tx, merchantID, id); err != nil {
			return err
		}
		r, err = s.withTracking(tx, r)
		return err
	})
	return r, err
}

// GetForOrder is ForOrder in its own transaction, with the tracking number
// opened; merchantID, when set, must own the order.
func (s *Service) GetForOrder(ctx context.Context, merchantID, orderID string) (Request, bool, error) {
	var (
		r     Request
		found bool
	)
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		r, found, err = ForOrder(tx, orderID)
		if err != nil || !found {
			return err
		}
		if merchantID != "" && r.MerchantID != merchantID {
			found = false
			return nil
		}
		r, err = s.withTracking(tx, r)
		return err
	})
	return r, found, err
}

// ByToken returns the request a signed form link opens, at now. Errors:
// BAD_VALUE (a forged or altered link, or one for something else),
// signedlink.CodeExpired, NOT_FOUND.
func (s *Service) ByToken(ctx context.Context, token string, now time.Time) (Request, error) {
	id, _, err := s.links.Verify(LinkPurpose, token, now)
	if err != nil {
		return Request{}, err
	}
	return s.Get(ctx, "", id)
}

// RespondByToken is Respond through a signed link: the link names the
// request, and nothing else can be answered with it. Errors: ByToken's and
// Respond's.
func (s *Service) RespondByToken(ctx context.Context, token string, in Input) (Request, error) {
	var out Request
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		id, _, err := s.links.Verify(LinkPurpose, token, tx.Now)
		if err != nil {
			return err
		}
		out, err = s.Respond(tx, "", id, "link", in)
		return err
	})
	return out, err
}

// ConfirmRemovalByToken is ConfirmRemoval through a signed link.
func (s *Service) ConfirmRemovalByToken(ctx context.Context, token string) (Request, error) {
	var out Request
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		id, _, err := s.links.Verify(LinkPurpose, token, tx.Now)
		if err != nil {
			return err
		}
		out, err = s.ConfirmRemoval(tx, "", id, "link")
		return err
	})
	return out, err
}

// Answer is Respond in its own transaction, for the portal and the API.
func (s *Service) Answer(ctx context.Context, merchantID, id, by string, in Input) (Request, error) {
	var out Request
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.Respond(tx, merchantID, id, by, in)
		return err
	})
	return out, err
}

// Confirm is ConfirmRemoval in its own transaction.
func (s *Service) Confirm(ctx context.Context, merchantID, id, by string) (Request, error) {
	var out Request
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.ConfirmRemoval(tx, merchantID, id, by)
		return err
	})
	return out, err
}

// Waiting lists the statuses in which a request waits for the merchant or
// for the platform (every status but closed).
var Waiting = []string{StatusOpen, StatusAwaitingRemoval, StatusAwaitingDispute, StatusAwaitingReturn}

// priorityOrder is the queue order: unanswered requests first, the closest
// deadline first, then the largest amount, so the most orders are stopped
// in time.
const priorityOrder = ` ORDER BY CASE s.status WHEN 'open' THEN 0 WHEN 'awaiting_removal' THEN 1 WHEN 'awaiting_return' THEN 2 ELSE 3 END,
    s.deadline_at, s.amount DESC, s.id`

// List returns a merchant's stop requests that are not closed, in priority
// order, or, with closed, its closed ones newest first; at most limit.
func (s *Service) List(ctx context.Context, merchantID string, closed bool, limit int) ([]Request, error) {
	q := `SELECT ` + requestColumns + requestFrom + ` WHERE s.merchant_id = $1 AND s.status <> 'closed'` + priorityOrder + ` LIMIT $2`
	if closed {
		q = `SELECT ` + requestColumns + requestFrom + ` WHERE s.merchant_id = $1 AND s.status = 'closed' ORDER BY s.closed_at DESC, s.id LIMIT $2`
	}
	return s.list(ctx, q, merchantID, limit)
}

// Queue returns the stop requests of every merchant that are not closed,
// in priority order, at most limit (the security analysts' queue).
func (s *Service) Queue(ctx context.Context, limit int) ([]Request, error) {
	return s.list(ctx, `SELECT `+requestColumns+requestFrom+` WHERE s.status <> 'closed'`+priorityOrder+` LIMIT $1`, limit)
}

func (s *Service) list(ctx context.Context, q string, args ...any) ([]Request, error) {
	var out []Request
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		out = out[:0]
		rows, err := tx.Query(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRequest(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// CountWaiting returns how many of a merchant's requests wait for its
// answer or confirmation (the portal's banner), or, with merchantID "",
// how many requests of any merchant are not closed.
func (s *Service) CountWaiting(ctx context.Context, merchantID string) (int, error) {
	var n int
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		if merchantID == "" {
			return tx.QueryRow(`SELECT COUNT(*) FROM stop_requests WHERE status <> 'closed'`).Scan(&n)
		}
		return tx.QueryRow(`SELECT COUNT(*) FROM stop_requests WHERE merchant_id = $1 AND status IN ('open', 'awaiting_removal')`, merchantID).Scan(&n)
	})
	return n, err
}

// UnderFraudHandling reports whether the order has a stop request that is
// not closed (merchant messages about it go to the fraud queue).
func UnderFraudHandling(tx *store.Tx, orderID string) (bool, error) {
	var n int
	err := tx.QueryRow(`SELECT COUNT(*) FROM stop_requests WHERE order_id = $1 AND status <> 'closed'`, orderID).Scan(&n)
	return n > 0, err
}

// Evidence returns the order's stop request with its tracking number opened
// in tx, for a fraud investigation's case file.
func (s *Service) Evidence(tx *store.Tx, orderID string) (Request, bool, error) {
	r, found, err := ForOrder(tx, orderID)
	if err != nil || !found {
		return r, found, err
	}
	r, err = s.withTracking(tx, r)
	return r, err == nil, err
}
