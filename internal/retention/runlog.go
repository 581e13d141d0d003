package retention

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tillit/tillit/internal/store"
)

// Run is one recorded run of the engine.
type Run struct {
	ID         string    `json:"id"`
	Source     Source    `json:"source"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Items is how many pieces of data went, Changed how many rows were
	// deleted or anonymised.
	Items   int64 `json:"items"`
	Changed int64 `json:"changed"`
	// Error is what failed, '' when nothing did.
	Error string `json:"error,omitempty"`
	// Report is the run's report.
	Report Report `json:"report"`
}

// Runs returns the latest recorded runs, newest first, at most limit.
func (e *Engine) Runs(ctx context.Context, limit int) ([]Run, error) {
	var out []Run
	err := e.db.Read(ctx, func(tx *store.Tx) error {
		out = []Run{}
		rows, err := tx.Query(`SELECT id, source, started_at, finished_at, items, changed, report, error FROM retention_runs
ORDER BY started_at DESC, id DESC LIMIT $1`, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				r                 Run
				started, finished int64
				source, report    string
			)
			if err := rows.Scan(&r.ID, &source, &started, &finished, &r.Items, &r.Changed, &report, &r.Error); err != nil {
				return err
			}
			r.Source, r.StartedAt, r.FinishedAt = Source(source), store.FromMicros(started), store.FromMicros(finished)
			if err := json.Unmarshal([]byte(report), &r.Report); err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}
