package api

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/store"
)

// IdempotencyWindow is how long a stored response answers a repeated key.
const IdempotencyWindow = 24 * time.Hour

// result is a successful response an operation produced.
type result struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

// idempotencyKey returns the request's idempotency key, preferring the
// reference API's header name.
func idempotencyKey(r *http.Request) string {
	if k := r.Header.Get("Klarna-Idempotency-Key"); k != "" {
		return k
	}
	return r.Header.Get("Idempotency-Key")
}

// mutate runs an order-management change in one transaction. With an
// idempotency key, the first successful response is stored in that same
// transaction under a unique (merchant, key) row; a repeat within the window
// gets the stored status, headers and body without the work being done again.
// Two identical requests that race are serialised by that unique row, which
// is claimed before the work starts: the loser's insert waits for the
// winner's transaction, conflicts, is retried, and then finds the stored
// answer.
// Failed requests store nothing, since they wrote nothing.
func (a *API) mutate(w http.ResponseWriter, r *http.Request, body []byte, op func(tx *store.Tx) (result, error)) {
	m := currentMerchant(r)
	key := idempotencyKey(r)
	if len(key) > 255 {
		header := "Klarna-Idempotency-Key"
		if r.Header.Get(header) == "" {
			header = "Idempotency-Key"
		}
		a.writeError(w, r, apperr.BadField(header, "must be at most 255 characters"))
		return
	}
	sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.Path+"\n"), body...))
	hash := hex.EncodeToString(sum[:])
	var (
		res      result
		replayed bool
	)
	err := a.DB.Write(r.Context(), func(tx *store.Tx) error {
		replayed = false
		if key != "" {
			var storedHash, headers, stored string
			var status int
			var expires int64
			err := tx.QueryRow(`SELECT request_hash, status_code, headers, body, expires_at FROM idempotency_keys WHERE merchant_id = $1 AND key = $2`, m.ID, key).
				Scan(&storedHash, &status, &headers, &stored, &expires)
			switch {
			case err == nil && expires > tx.Now.UnixMicro():
				if storedHash != hash {
					return apperr.New(apperr.IdempotencyReused, "This idempotency key was used for a different request.")
				}
				res = result{Status: status, Body: json.RawMessage(stored)}
				if err := json.Unmarshal([]byte(headers), &res.Headers); err != nil {
					return err
				}
				replayed = true
				return nil
			case err == nil:
				if _, err := tx.Exec(`DELETE FROM idempotency_keys WHERE merchant_id = $1 AND key = $2`, m.ID, key); err != nil {
					return err
				}
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
			// Claim the key before doing the work: a racing request with
			// the same key blocks on this row until we commit, then
			// conflicts and, retried, replays our answer instead of
			// running the operation against the state we left.
			_, err = tx.Exec(`INSERT INTO idempotency_keys (merchant_id, key, method, path, request_hash, status_code, headers, body, created_at, expires_at)
				VALUES ($1, $2, $3, $4, $5, 0, '{}', '', $6, $7)`,
				m.ID, key, r.Method, r.URL.Path, hash, store.Micros(tx.Now), store.Micros(tx.Now.Add(IdempotencyWindow)))
			if store.IsUniqueViolation(err) {
				return store.ErrConflict
			}
			if err != nil {
				return err
			}
		}
		var err error
		if res, err = op(tx); err != nil {
			return err
		}
		if key == "" {
			return nil
		}
		headers, _ := json.Marshal(res.Headers)
		_, err = tx.Exec(`UPDATE idempotency_keys SET status_code = $1, headers = $2, body = $3 WHERE merchant_id = $4 AND key = $5`,
			res.Status, string(headers), string(res.Body), m.ID, key)
		return err
	})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	for k, v := range res.Headers {
		w.Header().Set(k, v)
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	if len(res.Body) > 0 {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(res.Status)
	if len(res.Body) > 0 {
		_, _ = w.Write(res.Body)
	}
}

// noContent is the result of an operation that answers 204.
func noContent(err error) (result, error) {
	return result{Status: http.StatusNoContent}, err
}

// JobSweepIdempotencyKeys is the recurring job that deletes expired keys.
const JobSweepIdempotencyKeys = "idempotency.sweep"

// sweepInterval is how often expired idempotency keys are deleted.
const sweepInterval = time.Hour

// ScheduleSweep makes sure the recurring sweep of expired idempotency keys is
// scheduled; calling it again (every process start) keeps one job.
func ScheduleSweep(ctx context.Context, db *store.DB) error {
	return db.Write(ctx, func(tx *store.Tx) error {
		return jobs.Enqueue(tx, jobs.Job{Kind: JobSweepIdempotencyKeys, UniqueKey: JobSweepIdempotencyKeys, Payload: struct{}{}, RunAt: tx.Now.Add(sweepInterval)})
	})
}

// SweepHandler deletes expired idempotency keys and schedules the next sweep.
func SweepHandler(db *store.DB) jobs.Handler {
	return func(ctx context.Context, _ []byte) error {
		return db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(`DELETE FROM idempotency_keys WHERE expires_at <= $1`, store.Micros(tx.Now)); err != nil {
				return err
			}
			return jobs.Enqueue(tx, jobs.Job{Kind: JobSweepIdempotencyKeys, UniqueKey: JobSweepIdempotencyKeys, Payload: struct{}{}, RunAt: tx.Now.Add(sweepInterval)})
		})
	}
}
