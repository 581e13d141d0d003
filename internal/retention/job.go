package retention

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/store"
)

// JobRun is the job kind of the engine's runs. One job exists (unique key
// JobRun); each run re-enqueues it for the next day at RunOffset past
// midnight UTC, or FollowUp later when a rule had more due than one run
// handles.
const JobRun = "retention.run"

// RunOffset is how long after midnight UTC the daily run starts: periods
// counted from a year end or a midnight end at midnight, and the run goes
// soon after, clear of the settlement run at 00:10.
const RunOffset = 30 * time.Minute

// FollowUp is how soon a run follows one that left work due.
const FollowUp = 15 * time.Minute

// ActionRunRequested is the audit action of a member of staff asking for a
// run now; the run itself is audited as ActionRun.
const ActionRunRequested = "retention.run_requested"

// jobPayload says who a queued run is for.
type jobPayload struct {
	Source Source `json:"source"`
	Actor  string `json:"actor,omitempty"`
}

// NextRun returns the first daily run time (RunOffset past midnight UTC)
// after now.
func NextRun(now time.Time) time.Time {
	now = now.UTC()
	at := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).Add(RunOffset)
	if !at.After(now) {
		at = at.AddDate(0, 0, 1)
	}
	return at
}

// Register installs the run's handler on r. Call Schedule once at start-up
// so that the job exists.
func (e *Engine) Register(r *jobs.Runner) {
	r.Register(JobRun, func(ctx context.Context, payload []byte) error {
		p := jobPayload{Source: SourceSchedule}
		if err := json.Unmarshal(payload, &p); err != nil || p.Source == "" {
			p = jobPayload{Source: SourceSchedule}
		}
		now := e.db.Clock.Now()
		rep, err := e.Run(ctx, now, p.Source, p.Actor)
		if err != nil {
			return err // retried with backoff; the run is safe to repeat
		}
		next := NextRun(now)
		if rep.More() {
			next = now.Add(FollowUp)
		}
		return e.db.Write(ctx, func(tx *store.Tx) error { return enqueue(tx, jobPayload{Source: SourceSchedule}, next) })
	})
}

// Schedule makes sure the daily run is queued, for its next time (NextRun):
// starting Tillit never removes anything by itself.
func (e *Engine) Schedule(ctx context.Context) error {
	return e.db.Write(ctx, func(tx *store.Tx) error { return enqueue(tx, jobPayload{Source: SourceSchedule}, NextRun(tx.Now)) })
}

// RequestRun queues a run now for a member of staff (actor, such as
// "staff:<id>"), audited; the job runner starts it within moments and the
// run is recorded and audited under actor. The daily run follows at its
// usual time.
func (e *Engine) RequestRun(ctx context.Context, actor string) error {
	return e.db.Write(ctx, func(tx *store.Tx) error {
		if err := enqueue(tx, jobPayload{Source: SourceStaff, Actor: actor}, tx.Now); err != nil {
			return err
		}
		_, err := audit.Append(tx, actor, ActionRunRequested, "retention", nil)
		return err
	})
}

func enqueue(tx *store.Tx, p jobPayload, at time.Time) error {
	return jobs.Enqueue(tx, jobs.Job{Kind: JobRun, UniqueKey: JobRun, Payload: p, RunAt: at})
}
