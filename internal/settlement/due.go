package settlement

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/store"
)

// JobRunDue is the job kind of the daily settlement run. One job exists (unique
// key JobRunDue); each run settles what is due and re-enqueues itself for the
// next day at RunOffset past midnight UTC.
const JobRunDue = "settlement.run_due"

// RunOffset is how long after midnight UTC the daily job runs, so that
// transactions that started before midnight have committed.
const RunOffset = 10 * time.Minute

// Register installs the daily settlement job's handler on r. Call Schedule once
// (at start-up; it is idempotent) so that the first job exists.
func Register(r *jobs.Runner, db *store.DB) {
	r.Register(JobRunDue, func(ctx context.Context, _ []byte) error {
		now := db.Clock.Now()
		if _, err := RunDue(ctx, db, now); err != nil {
			return err // retried with backoff; the job is not re-enqueued
		}
		return db.Write(ctx, func(tx *store.Tx) error { return scheduleNext(tx, now) })
	})
}

// Schedule makes sure the daily settlement job exists, due now (a run settles
// nothing twice, so an extra run is harmless).
func Schedule(ctx context.Context, db *store.DB) error {
	return db.Write(ctx, func(tx *store.Tx) error {
		return jobs.Enqueue(tx, jobs.Job{Kind: JobRunDue, UniqueKey: JobRunDue, Payload: struct{}{}, RunAt: tx.Now})
	})
}

func scheduleNext(tx *store.Tx, now time.Time) error {
	_, end := DayPeriod(now)
	return jobs.Enqueue(tx, jobs.Job{Kind: JobRunDue, UniqueKey: JobRunDue, Payload: struct{}{}, RunAt: end.Add(RunOffset)})
}

// RunDue settles, for every merchant, each completed UTC day (one that ended at
// or before now) within Lookback that has unsettled captures or refunds, oldest
// first, and returns the settlements it wrote. Days without activity get no
// settlement (a carried balance waits for the next day with activity). An item
// whose day is already settled (it committed late) is swept into the
// merchant's settlement for yesterday, or the next one after that. A failure
// for one merchant does not stop the others; the errors are joined.
func RunDue(ctx context.Context, db *store.DB, now time.Time) ([]Settlement, error) {
	today, _ := DayPeriod(now)
	from := today.Add(-Lookback)
	type key struct {
		merchant string
		day      int64
	}
	var due []key
	err := db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT o.merchant_id, c.captured_at / 86400000000 FROM captures c JOIN orders o ON o.id = c.order_id
			WHERE c.captured_at >= $1 AND c.captured_at < $2
			  AND NOT EXISTS (SELECT 1 FROM settlement_lines l WHERE l.kind = 'sale' AND l.source_id = c.id)
			UNION
			SELECT o.merchant_id, r.refunded_at / 86400000000 FROM refunds r JOIN orders o ON o.id = r.order_id
			WHERE r.refunded_at >= $1 AND r.refunded_at < $2
			  AND NOT EXISTS (SELECT 1 FROM settlement_lines l WHERE l.kind IN ('refund', 'fraud_return') AND l.source_id = r.id)`,
			store.Micros(from), store.Micros(today))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k key
			if err := rows.Scan(&k.merchant, &k.day); err != nil {
				return err
			}
			due = append(due, k)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(due, func(i, j int) bool {
		if due[i].merchant != due[j].merchant {
			return due[i].merchant < due[j].merchant
		}
		return due[i].day < due[j].day
	})
	var (
		out  []Settlement
		errs []error
	)
	for i := 0; i < len(due); {
		merchantID := due[i].merchant
		var days []int64
		for ; i < len(due) && due[i].merchant == merchantID; i++ {
			days = append(days, due[i].day)
		}
		settled, err := runDays(ctx, db, merchantID, days, today)
		out = append(out, settled...)
		if err != nil {
			errs = append(errs, fmt.Errorf("settlement: merchant %s: %w", merchantID, err))
		}
	}
	return out, errors.Join(errs...)
}

// runDays settles a merchant's days (UTC day numbers, ascending). A day already
// settled is replaced by yesterday, whose run sweeps the late items in.
func runDays(ctx context.Context, db *store.DB, merchantID string, days []int64, today time.Time) ([]Settlement, error) {
	var out []Settlement
	done := map[int64]bool{}
	yesterday := today.Add(-Day).Unix() / 86400
	for _, day := range days {
		start := time.Unix(day*86400, 0).UTC()
		closed, err := isSettled(ctx, db, merchantID, start)
		if err != nil {
			return out, err
		}
		if closed {
			day = yesterday
			start = today.Add(-Day)
			if closed, err = isSettled(ctx, db, merchantID, start); err != nil || closed {
				continue // the next day's run sweeps the items in
			}
		}
		if done[day] {
			continue
		}
		done[day] = true
		all, err := RunAll(ctx, db, merchantID, start, start.Add(Day))
		if err != nil {
			return out, err
		}
		out = append(out, all...)
	}
	return out, nil
}

func isSettled(ctx context.Context, db *store.DB, merchantID string, start time.Time) (bool, error) {
	var n int
	err := db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM settlements WHERE merchant_id = $1 AND period_start <= $2 AND period_end > $2`,
			merchantID, store.Micros(start)).Scan(&n)
	})
	return n > 0, err
}
