package rights

import (
	"context"
	"errors"
	"time"

	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/store"
)

// JobCompleteErasures is the kind of the daily job that finishes the
// erasures that waited for a contract to end.
const JobCompleteErasures = "rights.complete_erasures"

// completeBatch bounds the persons one run looks at.
const completeBatch = 200

// day is how often the job runs.
const day = 24 * time.Hour

// CompleteErasures finishes the erasure of every person who asked for it
// while a contract was open and whose contracts have all ended since: what
// only the contract needed (their account, the link from their address)
// goes now. Each person is erased in a transaction of their own; it returns
// how many were finished.
func (s *Service) CompleteErasures(ctx context.Context) (int, error) {
	var pending []string
	if err := s.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		pending, err = person.PendingErasures(tx, completeBatch)
		return err
	}); err != nil {
		return 0, err
	}
	done := 0
	var errs []error
	for _, id := range pending {
		err := s.DB.Write(ctx, func(tx *store.Tx) error {
			h, err := s.Collect(tx, id)
			if err != nil || openContract(h) {
				return err
			}
			if _, err := s.Erase(tx, id); err != nil {
				return err
			}
			done++
			return nil
		})
		errs = append(errs, err)
	}
	return done, errors.Join(errs...)
}

// Register adds the job that runs CompleteErasures daily to r.
func (s *Service) Register(r *jobs.Runner) {
	r.Register(JobCompleteErasures, func(ctx context.Context, _ []byte) error {
		if _, err := s.CompleteErasures(ctx); err != nil {
			return err // retried with backoff
		}
		return s.DB.Write(ctx, func(tx *store.Tx) error { return scheduleComplete(tx, tx.Now.Add(day)) })
	})
}

// Schedule makes sure the daily job exists, due now.
func (s *Service) Schedule(ctx context.Context) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error { return scheduleComplete(tx, tx.Now) })
}

func scheduleComplete(tx *store.Tx, at time.Time) error {
	return jobs.Enqueue(tx, jobs.Job{Kind: JobCompleteErasures, UniqueKey: JobCompleteErasures, Payload: struct{}{}, RunAt: at})
}
