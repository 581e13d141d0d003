package dispute

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/store"
)

// Job kinds.
const (
	// JobRemind reminds the merchant of an unanswered dispute.
	JobRemind = "dispute.remind"
	// JobDeadline applies the rule to a dispute unanswered at its deadline.
	JobDeadline = "dispute.deadline"
	// JobRepause pauses a live dispute's payment plan again before the last
	// pause ends.
	JobRepause = "dispute.repause"
)

// Register installs the disputes' job handlers on the runner.
func (s *Service) Register(r *jobs.Runner) {
	r.Register(JobRemind, s.remind)
	r.Register(JobDeadline, s.deadline)
	r.Register(JobRepause, s.repause)
}

// payload is the payload of every dispute job.
type payload struct {
	DisputeID string `json:"dispute_id"`
}

func itoa(i int) string { return strconv.Itoa(i) }

// jobDispute loads the dispute a job payload names; a dispute that is gone
// drops the job.
func jobDispute(tx *store.Tx, raw []byte) (Dispute, error) {
	var p payload
	if err := json.Unmarshal(raw, &p); err != nil {
		return Dispute{}, jobs.Drop(err)
	}
	d, err := load(tx, p.DisputeID)
	if apperr.Code(err) == apperr.NotFound {
		return Dispute{}, jobs.Drop(err)
	}
	return d, err
}

// holder names the dispute's hold on its order's payment plan.
func (d Dispute) holder() string { return "dispute:" + d.ID }

// pause holds the order's payment plan paused for the reason's PauseDays
// (extending the dispute's own hold) and schedules the next pause a day
// before this one ends. An order without a plan has nothing to pause.
func (s *Service) pause(tx *store.Tx, d Dispute) error {
	days := s.cfg.For(d.Reason).PauseDays
	err := s.plans.Pause(tx, d.OrderID, d.holder(), days)
	if apperr.Code(err) == apperr.NoSuchOrder {
		return nil
	}
	if err != nil {
		return err
	}
	return jobs.Enqueue(tx, jobs.Job{Kind: JobRepause, UniqueKey: JobRepause + ":" + d.ID, Payload: payload{d.ID},
		RunAt: tx.Now.Add(time.Duration(days-1) * 24 * time.Hour)})
}

// repause pauses the plan of a dispute still awaiting the merchant or a
// decision again; a referred dispute's plan is the fraud case's to pause,
// and a closed dispute's job does nothing.
func (s *Service) repause(ctx context.Context, raw []byte) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		d, err := jobDispute(tx, raw)
		if err != nil || (d.Status != AwaitingMerchant && d.Status != AwaitingDecision) {
			return err
		}
		return s.pause(tx, d)
	})
}

// resume ends the dispute's hold on the order's plan, which stays paused
// while a return or a fraud case still holds it; an order without a plan
// (or a plan the dispute does not hold) is left as it is.
func (s *Service) resume(tx *store.Tx, d Dispute) error {
	err := s.plans.Resume(tx, d.OrderID, d.holder())
	if apperr.Code(err) == apperr.NoSuchOrder {
		return nil
	}
	return err
}

// remind e-mails the merchant about a dispute still unanswered before its
// deadline.
func (s *Service) remind(ctx context.Context, raw []byte) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		d, err := jobDispute(tx, raw)
		if err != nil || d.Status != AwaitingMerchant || !tx.Now.Before(d.DeadlineAt) {
			return err
		}
		if err := s.mailMerchant(tx, d, "dispute.mail.reminder"); err != nil {
			return err
		}
		d.Reminders++
		if err := d.save(tx); err != nil {
			return err
		}
		if err := s.addEvent(tx, d, "system", EventReminded, ""); err != nil {
			return err
		}
		_, err = audit.Append(tx, "system", ActionReminded, d.OrderID, map[string]any{"dispute_id": d.ID, "reminders": d.Reminders})
		return err
	})
}

// deadline applies the rule to a dispute the merchant did not answer in
// time: under buyer protection the consumer wins (audited as system);
// otherwise a dispute handler decides.
func (s *Service) deadline(ctx context.Context, raw []byte) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		d, err := jobDispute(tx, raw)
		if err != nil || d.Status != AwaitingMerchant || tx.Now.Before(d.DeadlineAt) {
			return err
		}
		if err := s.addEvent(tx, d, "system", EventDeadline, ""); err != nil {
			return err
		}
		if _, err := audit.Append(tx, "system", ActionDeadline, d.OrderID, map[string]any{"dispute_id": d.ID, "buyer_protection": d.Protected}); err != nil {
			return err
		}
		if !d.Protected {
			d.Status = AwaitingDecision
			return d.save(tx)
		}
		_, err = s.decide(tx, "system", d, ConsumerWon, "no merchant response before the deadline")
		return err
	})
}
