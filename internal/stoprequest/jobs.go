package stoprequest

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/carrier"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/store"
)

// overdueRemindEvery is how often an overdue request is reminded.
const overdueRemindEvery = 24 * time.Hour

// jobRequest loads the request a job payload names; a request that is gone
// drops the job.
func jobRequest(tx *store.Tx, payload []byte) (Request, error) {
	var p requestPayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return Request{}, jobs.Drop(err)
	}
	r, err := load(tx, "", p.RequestID)
	if apperr.Code(err) == apperr.NotFound {
		return Request{}, jobs.Drop(err)
	}
	return r, err
}

// remind e-mails the merchant about a request still unanswered (or a
// removal still unconfirmed) and schedules the next reminder: every
// RemindAfter before the deadline, daily after it, until the form link
// expires.
func (s *Service) remind(ctx context.Context, payload []byte) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		r, err := jobRequest(tx, payload)
		if err != nil {
			return err
		}
		if r.Status != StatusOpen && r.Status != StatusAwaitingRemoval {
			return nil
		}
		key := "stoprequest.mail.reminder"
		if r.Status == StatusAwaitingRemoval {
			key = "stoprequest.mail.confirm_removal"
		} else if r.Overdue(tx.Now) {
			key = "stoprequest.mail.overdue"
		}
		if err := s.mailMerchant(tx, r, key); err != nil {
			return err
		}
		r.Reminders++
		if err := r.save(tx); err != nil {
			return err
		}
		if _, err := audit.Append(tx, "system", ActionReminderSent, r.OrderID, map[string]any{"stop_request_id": r.ID, "reminders": r.Reminders}); err != nil {
			return err
		}
		next := tx.Now.Add(s.cfg.RemindAfter)
		if !tx.Now.Before(r.DeadlineAt) {
			next = tx.Now.Add(overdueRemindEvery)
		} else if next.After(r.DeadlineAt) {
			next = r.DeadlineAt.Add(overdueRemindEvery)
		}
		if !next.Before(r.LinkExpiresAt) {
			return nil
		}
		return jobs.Enqueue(tx, jobs.Job{Kind: JobRemind, UniqueKey: JobRemind + ":" + r.ID, Payload: requestPayload{r.ID}, RunAt: next})
	})
}

// deadlinePassed records that a request went unanswered past its deadline:
// the fraud policy no longer covers the order, and the merchant is told.
func (s *Service) deadlinePassed(ctx context.Context, payload []byte) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		r, err := jobRequest(tx, payload)
		if err != nil {
			return err
		}
		if !r.Overdue(tx.Now) {
			return nil
		}
		if _, err := audit.Append(tx, "system", ActionDeadlinePassed, r.OrderID, map[string]string{"stop_request_id": r.ID}); err != nil {
			return err
		}
		return s.mailMerchant(tx, r, "stoprequest.mail.overdue")
	})
}

// recall asks the carrier to recall a shipped parcel, outside any
// transaction, and records the outcome: recalled (the merchant registers
// the order returned when the parcel arrives), already delivered (the goods
// are gone: the claim is written off under the fraud policy) or unknown
// tracking number (the merchant is asked to correct it). A carrier that
// cannot be asked is retried with the jobs' backoff.
func (s *Service) recall(ctx context.Context, payload []byte) error {
	var r Request
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if r, err = jobRequest(tx, payload); err != nil {
			return err
		}
		r, err = s.withTracking(tx, r)
		return err
	})
	if err != nil || r.RecallStatus != RecallPending || r.Status != StatusAwaitingReturn {
		return err
	}
	if r.TrackingNumber == "" { // shredded meanwhile
		return jobs.Drop(errors.New("stoprequest: recall without a tracking number"))
	}
	_, res, err := s.carriers.Recall(ctx, r.Carrier, r.TrackingNumber)
	if errors.Is(err, carrier.ErrNoAdapter) {
		res.Outcome = carrier.Outcome(RecallByMerchant)
	} else if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		cur, err := load(tx, "", r.ID)
		if err != nil {
			return err
		}
		if cur.RecallStatus != RecallPending || cur.sealedTracking != r.sealedTracking {
			return nil // answered again meanwhile; that answer's own job recalls
		}
		cur.RecallStatus = string(res.Outcome)
		cur.RecallReference = res.Reference
		if err := cur.save(tx); err != nil {
			return err
		}
		if _, err := audit.Append(tx, "system", ActionRecalled, cur.OrderID, map[string]string{"stop_request_id": cur.ID,
			"carrier": cur.Carrier, "outcome": cur.RecallStatus, "reference": cur.RecallReference}); err != nil {
			return err
		}
		switch res.Outcome {
		case carrier.Recalled:
			return s.mailMerchant(tx, cur, "stoprequest.mail.recalled")
		case carrier.UnknownTracking:
			return s.mailMerchant(tx, cur, "stoprequest.mail.unknown_tracking")
		case carrier.AlreadyDelivered:
			met, err := PolicyMet(tx, cur.OrderID)
			if err != nil {
				return err
			}
			if _, err := s.writeOff(tx, "system", &cur, met, "parcel delivered before the recall"); err != nil {
				return err
			}
			return s.mailMerchant(tx, cur, "stoprequest.mail.delivered")
		}
		return nil
	})
}
