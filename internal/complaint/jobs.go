package complaint

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/store"
)

// Job kinds.
const (
	// JobDeadline records a breach when a deadline (the target or the PSD2
	// limit) passes without a final answer.
	JobDeadline = "complaint.deadline"
	// JobReviewEnd closes an answered complaint whose time to ask for a
	// review ran out.
	JobReviewEnd = "complaint.review_end"
)

// Register adds the durable jobs (deadline watch, end of the review
// window) to r.
func (s *Service) Register(r *jobs.Runner) {
	r.Register(JobDeadline, s.deadline)
	r.Register(JobReviewEnd, s.reviewEnd)
}

// payload is the payload of every complaint job.
type payload struct {
	ComplaintID string `json:"complaint_id"`
}

// scheduleDeadlines enqueues the watch of the complaint's target and PSD2
// limit, each due just after its last microsecond (rescheduling the PSD2 one when a holding reply moved it).
func (s *Service) scheduleDeadlines(tx *store.Tx, r row) error {
	if err := jobs.Enqueue(tx, jobs.Job{Kind: JobDeadline, UniqueKey: JobDeadline + ":target:" + r.ID, Payload: payload{r.ID}, RunAt: r.TargetAt.Add(time.Microsecond)}); err != nil {
		return err
	}
	if r.PSD2At == nil {
		return nil
	}
	return jobs.Enqueue(tx, jobs.Job{Kind: JobDeadline, UniqueKey: JobDeadline + ":psd2:" + r.ID, Payload: payload{r.ID}, RunAt: r.PSD2At.Add(time.Microsecond)})
}

// scheduleReviewEnd enqueues the end of the review window.
func (s *Service) scheduleReviewEnd(tx *store.Tx, r row) error {
	return jobs.Enqueue(tx, jobs.Job{Kind: JobReviewEnd, UniqueKey: JobReviewEnd + ":" + r.ID, Payload: payload{r.ID}, RunAt: r.ReviewUntil.Add(time.Microsecond)})
}

// jobComplaint loads the complaint a job payload names; a complaint that is
// gone drops the job.
func jobComplaint(tx *store.Tx, raw []byte) (row, error) {
	var p payload
	if err := json.Unmarshal(raw, &p); err != nil {
		return row{}, jobs.Drop(err)
	}
	r, err := load(tx, p.ComplaintID)
	if apperr.Code(err) == apperr.NotFound {
		return row{}, jobs.Drop(err)
	}
	return r, err
}

// deadline records every deadline of a complaint without a final answer
// that has passed and is not yet recorded: a timeline breach event (staff
// only) and an audit entry each. Both deadlines' jobs run it; whichever
// runs first records what has passed by then.
func (s *Service) deadline(ctx context.Context, raw []byte) error {
	return s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		r, err := jobComplaint(tx, raw)
		if err != nil || r.AnsweredAt != nil || r.Status != Open {
			return err
		}
		var passed []Breach
		if r.targetBreach == nil && tx.Now.After(r.TargetAt) {
			now := tx.Now
			r.targetBreach = &now
			passed = append(passed, BreachTarget)
		}
		if r.psd2Breach == nil && r.PSD2At != nil && tx.Now.After(*r.PSD2At) {
			now := tx.Now
			r.psd2Breach = &now
			passed = append(passed, BreachPSD2)
		}
		if len(passed) == 0 {
			return nil
		}
		if err := r.save(tx); err != nil {
			return err
		}
		for _, b := range passed {
			if err := s.addEvent(tx, r, "system", PartySystem, EventBreach, string(b), true); err != nil {
				return err
			}
			if _, err := audit.Append(tx, "system", ActionBreach, r.PersonID, map[string]any{"complaint_id": r.ID, "breach": b}); err != nil {
				return err
			}
		}
		return nil
	})
}

// reviewEnd closes an answered complaint whose review window ran out and
// tells the consumer.
func (s *Service) reviewEnd(ctx context.Context, raw []byte) error {
	return s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		r, err := jobComplaint(tx, raw)
		if err != nil || r.Status != Answered || r.ReviewUntil == nil || !tx.Now.After(*r.ReviewUntil) {
			return err
		}
		now := tx.Now
		r.Status, r.ClosedAt = Closed, &now
		if err := r.save(tx); err != nil {
			return err
		}
		if err := s.addEvent(tx, r, "system", PartySystem, EventClosed, "", false); err != nil {
			return err
		}
		if _, err := audit.Append(tx, "system", ActionClosed, r.PersonID, map[string]any{"complaint_id": r.ID, "reason": "review_window_ended"}); err != nil {
			return err
		}
		return s.mailConsumer(tx, r, mailClosed, "", "", "")
	})
}
