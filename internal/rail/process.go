package rail

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/store"
)

// submitPayload is the payload of a JobSubmit job.
type submitPayload struct {
	TransferID string `json:"transfer_id"`
}

// pollPayload is the payload of a JobPoll job. Polls counts the answers
// "pending" so far, Errors the failed Status calls in a row.
type pollPayload struct {
	TransferID string `json:"transfer_id"`
	Polls      int    `json:"polls,omitempty"`
	Errors     int    `json:"errors,omitempty"`
}

// pollKey is the unique key of a transfer's poll job.
func pollKey(id string) string { return JobPoll + ":" + id }

// delay is base doubled n-1 times, capped at s.Config.MaxDelay (n >= 1).
func (s *Service) delay(base time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < s.Config.MaxDelay; i++ {
		d *= 2
	}
	return min(d, s.Config.MaxDelay)
}

// submit is the JobSubmit handler: it hands a pending transfer to the rail
// outside any transaction, then records what the rail said.
func (s *Service) submit(ctx context.Context, payload []byte) error {
	var p submitPayload
	if err := json.Unmarshal(payload, &p); err != nil || p.TransferID == "" {
		return jobs.Drop(fmt.Errorf("rail: bad submit job payload: %v", err))
	}
	t, err := s.Get(ctx, p.TransferID)
	if apperr.Code(err) == apperr.NotFound {
		return jobs.Drop(fmt.Errorf("rail: transfer %s not found", p.TransferID))
	}
	if err != nil {
		return err
	}
	if t.Status != StatusPending {
		return nil // submitted by an earlier run
	}
	ref, serr := s.Adapter.Submit(ctx, t)
	if serr == nil && ref == "" {
		serr = errors.New("rail: adapter returned an empty reference")
	}
	var rejected *RejectedError
	switch {
	case serr == nil:
		return s.recordSubmitted(ctx, t.ID, ref)
	case errors.As(serr, &rejected):
		return s.settle(ctx, func(tx *store.Tx) (Transfer, error) {
			cur, err := load(tx, t.ID)
			if err != nil || cur.Status != StatusPending {
				return Transfer{}, err
			}
			cur.Attempts++
			return cur, nil
		}, Outcome{Status: StatusFailed, Reason: rejected.Reason})
	}
	return s.recordUnavailable(ctx, t.ID, serr)
}

// recordSubmitted records that the rail accepted a transfer under ref and
// schedules the first poll.
func (s *Service) recordSubmitted(ctx context.Context, id, ref string) error {
	var recorded bool
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		recorded = false
		cur, err := load(tx, id)
		if err != nil || cur.Status != StatusPending {
			return err
		}
		recorded = true
		if err := tx.ExecOne(`UPDATE rail_transfers SET status = $1, provider_reference = $2, submitted_at = $3,
	attempts = attempts + 1, version = version + 1 WHERE id = $4 AND version = $5`,
			string(StatusSubmitted), ref, store.Micros(tx.Now), id, cur.Version); err != nil {
			return err
		}
		return jobs.Enqueue(tx, jobs.Job{Kind: JobPoll, UniqueKey: pollKey(id), Payload: pollPayload{TransferID: id},
			RunAt: tx.Now.Add(s.Config.PollAfter)})
	})
	if err == nil && recorded {
		s.Logger.Info("rail transfer submitted", "transfer_id", id, "provider_reference", ref)
	}
	return err
}

// recordUnavailable counts a transient Submit error: the job is retried with
// backoff, or after Config.MaxAttempts the transfer fails ReasonUnavailable.
func (s *Service) recordUnavailable(ctx context.Context, id string, serr error) error {
	var (
		retryAt time.Time
		settled *Transfer
	)
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		retryAt, settled = time.Time{}, nil
		cur, err := load(tx, id)
		if err != nil || cur.Status != StatusPending {
			return err
		}
		cur.Attempts++
		if cur.Attempts >= s.Config.MaxAttempts {
			t, err := s.finish(tx, cur, Outcome{Status: StatusFailed, Reason: ReasonUnavailable})
			settled = &t
			return err
		}
		if err := tx.ExecOne(`UPDATE rail_transfers SET attempts = $1, version = version + 1 WHERE id = $2 AND version = $3`,
			cur.Attempts, id, cur.Version); err != nil {
			return err
		}
		retryAt = tx.Now.Add(s.delay(s.Config.RetryAfter, cur.Attempts))
		return nil
	})
	if err != nil {
		return err
	}
	if settled != nil {
		s.logSettled(*settled, serr)
	}
	if retryAt.IsZero() {
		return nil
	}
	return jobs.RetryAt(retryAt, fmt.Errorf("rail: submit transfer %s: %w", id, serr))
}

// poll is the JobPoll handler: it asks the rail for a submitted transfer's
// outcome and settles it, or asks again later.
func (s *Service) poll(ctx context.Context, payload []byte) error {
	var p pollPayload
	if err := json.Unmarshal(payload, &p); err != nil || p.TransferID == "" {
		return jobs.Drop(fmt.Errorf("rail: bad poll job payload: %v", err))
	}
	t, err := s.Get(ctx, p.TransferID)
	if apperr.Code(err) == apperr.NotFound {
		return jobs.Drop(fmt.Errorf("rail: transfer %s not found", p.TransferID))
	}
	if err != nil {
		return err
	}
	if t.Status != StatusSubmitted {
		return nil // settled meanwhile (by a callback), or not submitted
	}
	o, serr := s.Adapter.Status(ctx, t.ProviderReference)
	if serr == nil && !o.Status.Final() && o.Status != StatusPending && o.Status != StatusSubmitted {
		serr = fmt.Errorf("rail: adapter returned unknown status %q", o.Status)
	}
	if serr != nil {
		p.Errors++
		log := s.Logger.With("transfer_id", t.ID, "provider_reference", t.ProviderReference, "errors_in_a_row", p.Errors, "error", serr.Error())
		if p.Errors >= s.Config.MaxAttempts {
			log.Error("rail status unavailable; still asking")
		} else {
			log.Warn("rail status unavailable; will ask again")
		}
		return s.pollAgain(ctx, p, s.delay(s.Config.RetryAfter, p.Errors))
	}
	if o.Status.Final() {
		return s.settle(ctx, func(tx *store.Tx) (Transfer, error) { return load(tx, t.ID) }, o)
	}
	p.Polls++
	p.Errors = 0
	return s.pollAgain(ctx, p, s.delay(s.Config.PollAfter, p.Polls))
}

// pollAgain schedules the next poll of a transfer that is still submitted. It
// replaces the running poll job, which the runner then leaves alone.
func (s *Service) pollAgain(ctx context.Context, p pollPayload, after time.Duration) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		var status string
		err := tx.QueryRow(`SELECT status FROM rail_transfers WHERE id = $1`, p.TransferID).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && Status(status) != StatusSubmitted) {
			return nil
		}
		if err != nil {
			return err
		}
		return jobs.Enqueue(tx, jobs.Job{Kind: JobPoll, UniqueKey: pollKey(p.TransferID), Payload: p, RunAt: tx.Now.Add(after)})
	})
}

// HandleCallback settles the transfer the rail knows as providerRef with the
// outcome it reports, for a rail that calls back instead of (or as well as)
// being polled. It is idempotent: a transfer already settled is left as it
// is, so repeated callbacks and a racing poll settle it once. A pending
// outcome does nothing.
//
// Errors: BAD_VALUE (empty reference, unknown status), NOT_FOUND (no
// submitted transfer has that reference: the rail called back before its
// acceptance was recorded; the rail should call again, and polling settles
// the transfer anyway).
func (s *Service) HandleCallback(ctx context.Context, providerRef string, o Outcome) error {
	if providerRef == "" {
		return apperr.BadField("provider_reference", "must not be empty")
	}
	switch {
	case o.Status == StatusPending || o.Status == StatusSubmitted:
		return nil
	case !o.Status.Final():
		return apperr.BadField("status", "must be %q, %q or %q", StatusPending, StatusConfirmed, StatusFailed)
	}
	return s.settle(ctx, func(tx *store.Tx) (Transfer, error) {
		t, err := scanTransfer(tx.QueryRow(`SELECT `+columns+` FROM rail_transfers WHERE provider_reference = $1`, providerRef))
		if errors.Is(err, sql.ErrNoRows) {
			return Transfer{}, errNoTransfer
		}
		return t, err
	}, o)
}

// settle records the final outcome o for the transfer find reads in the
// transaction, and runs the hook there; a transfer find returns already
// settled (or as the zero Transfer) is left alone.
func (s *Service) settle(ctx context.Context, find func(tx *store.Tx) (Transfer, error), o Outcome) error {
	var settled *Transfer
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		settled = nil
		t, err := find(tx)
		if err != nil || t.ID == "" || t.Status.Final() {
			return err
		}
		t, err = s.finish(tx, t, o)
		settled = &t
		return err
	})
	if err == nil && settled != nil {
		s.logSettled(*settled, nil)
	}
	return err
}

// finish records the final outcome o of t (read in tx, not final; Attempts
// already counted) and runs the matching hook in tx. The update is guarded by
// the version read, so of two transactions settling the same transfer one
// conflicts, is retried, and finds it settled.
func (s *Service) finish(tx *store.Tx, t Transfer, o Outcome) (Transfer, error) {
	t.Status, t.SettledAt = o.Status, tx.Now
	hook := s.OnConfirmed
	if o.Status == StatusFailed {
		t.FailureReason = reasonCode(o.Reason)
		hook = s.OnFailed
	}
	if err := tx.ExecOne(`UPDATE rail_transfers SET status = $1, failure_reason = $2, settled_at = $3, attempts = $4,
	version = version + 1 WHERE id = $5 AND version = $6`,
		string(t.Status), t.FailureReason, store.Micros(t.SettledAt), t.Attempts, t.ID, t.Version); err != nil {
		return Transfer{}, err
	}
	t.Version++
	if hook != nil {
		if err := hook(tx, t); err != nil {
			return Transfer{}, fmt.Errorf("rail: settle hook for transfer %s: %w", t.ID, err)
		}
	}
	return t, nil
}

// logSettled logs a committed settlement; cause is the last rail error of a
// transfer given up as unavailable.
func (s *Service) logSettled(t Transfer, cause error) {
	args := []any{"transfer_id", t.ID, "order_id", t.OrderID, "direction", string(t.Direction), "status", string(t.Status)}
	if t.Status == StatusFailed {
		args = append(args, "failure_reason", t.FailureReason)
	}
	if cause != nil {
		s.Logger.Warn("rail transfer given up", append(args, "error", cause.Error())...)
		return
	}
	s.Logger.Info("rail transfer settled", args...)
}

// reasonCode turns a rail's failure reason into a stored code: lower-case
// letters, digits and underscores, at most maxPurposeLen long.
func reasonCode(reason string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(strings.TrimSpace(reason)) {
		if b.Len() == maxPurposeLen {
			break
		}
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return reasonUnspecified
	}
	return b.String()
}
