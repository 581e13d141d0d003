package fraudcase

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/store"
)

// JobRepause pauses an open case's payment plan again before the last pause
// ends.
const JobRepause = "fraudcase.repause"

// repausePayload names the case whose plan to pause again.
type repausePayload struct {
	CaseID string `json:"case_id"`
}

// Register installs the service's job handler on the runner.
func (s *Service) Register(r *jobs.Runner) { r.Register(JobRepause, s.repause) }

// holder names a case's hold on its order's payment plan.
func holder(caseID string) string { return "fraud_case:" + caseID }

// pause holds the order's payment plan paused for PauseDays (extending the
// case's own hold) and schedules the next pause a day before this one
// ends. An order without a plan has nothing to pause.
func (s *Service) pause(tx *store.Tx, caseID, orderID string) error {
	err := s.cfg.Plans.Pause(tx, orderID, holder(caseID), PauseDays)
	if apperr.Code(err) == apperr.NoSuchOrder {
		return nil
	}
	if err != nil {
		return err
	}
	return jobs.Enqueue(tx, jobs.Job{
		Kind: JobRepause, UniqueKey: JobRepause + ":" + caseID, Payload: repausePayload{CaseID: caseID},
		RunAt: tx.Now.Add(time.Duration(PauseDays-1) * 24 * time.Hour),
	})
}

// repause pauses the plan of a case that is still open again; a closed
// case's job does nothing.
func (s *Service) repause(ctx context.Context, payload []byte) error {
	var p repausePayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return jobs.Drop(err)
	}
	return s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		c, err := load(tx, p.CaseID)
		if apperr.Code(err) == apperr.NotFound {
			return jobs.Drop(err)
		}
		if err != nil || !c.Status.Live() {
			return err
		}
		return s.pause(tx, c.ID, c.OrderID)
	})
}

// resume ends the case's hold on the order's payment plan, which stays
// paused while a dispute or a return still holds it; an order without a
// plan (or a plan the case does not hold) is left as it is.
func (s *Service) resume(tx *store.Tx, caseID, orderID string) error {
	err := s.cfg.Plans.Resume(tx, orderID, holder(caseID))
	if apperr.Code(err) == apperr.NoSuchOrder {
		return nil
	}
	return err
}
