package account

import (
	"context"
	"time"

	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/store"
)

// JobPurge is the kind of the recurring durable job that runs Purge:
// expired pending sign-ins, sessions and sign-in codes, and stale throttle
// counters go.
const JobPurge = "account.purge"

// PurgeInterval is how often the purge job runs.
const PurgeInterval = 15 * time.Minute

// Register installs the purge job's handler on the runner.
func (s *Service) Register(r *jobs.Runner) { r.Register(JobPurge, s.purgeJob) }

// SchedulePurge makes sure the recurring purge is scheduled, PurgeInterval
// from now; calling it again (every process start) keeps one job.
func (s *Service) SchedulePurge(ctx context.Context) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error { return schedulePurge(tx) })
}

// schedulePurge enqueues the next purge in tx.
func schedulePurge(tx *store.Tx) error {
	return jobs.Enqueue(tx, jobs.Job{Kind: JobPurge, UniqueKey: JobPurge, Payload: struct{}{}, RunAt: tx.Now.Add(PurgeInterval)})
}

// purgeJob purges and schedules the next run in the same transaction.
func (s *Service) purgeJob(ctx context.Context, _ []byte) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := s.purge(tx); err != nil {
			return err
		}
		return schedulePurge(tx)
	})
}
