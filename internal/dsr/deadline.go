package dsr

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/store"
)

// MaxExtensionMonths is how far the deadline may be extended beyond the
// original one (Art. 12(3)).
const MaxExtensionMonths = 2

// Deadline returns the deadline of a request received at received: one
// calendar month later (see the package documentation).
func Deadline(received time.Time) time.Time {
	return privacy.Period{N: 1, Unit: privacy.Months}.AddTo(received)
}

// ExtendedDeadline returns the deadline months calendar months after the
// original one.
func ExtendedDeadline(original time.Time, months int) time.Time {
	return privacy.Period{N: months, Unit: privacy.Months}.AddTo(original)
}

// Jobs the service runs.
const (
	// JobDeadline records the reminder before a request's deadline and
	// the breach when the deadline passes unanswered.
	JobDeadline = "dsr.deadline"
	// JobDocumentExpiry deletes an answer's document when its time is up.
	JobDocumentExpiry = "dsr.document_expiry"
)

// Register installs the service's job handlers on the runner.
func (s *Service) Register(r *jobs.Runner) {
	r.Register(JobDeadline, s.deadlineJob)
	r.Register(JobDocumentExpiry, s.documentExpiryJob)
}

// requestPayload is the payload of the service's jobs.
type requestPayload struct {
	RequestID string `json:"request_id"`
}

// scheduleDeadline (re)schedules the request's deadline job: at the
// reminder time, or at once when that has passed.
func (s *Service) scheduleDeadline(tx *store.Tx, r Request) error {
	return jobs.Enqueue(tx, jobs.Job{Kind: JobDeadline, UniqueKey: JobDeadline + ":" + r.ID,
		Payload: requestPayload{r.ID}, RunAt: r.DueAt.Add(-s.RemindBefore())})
}

// deadlineJob checks an open request against its deadline: from the
// reminder time on it records the reminder once (and comes back at the
// deadline); from the deadline on it records the breach once. A request
// answered meanwhile is left alone; one whose deadline moved (an
// extension) is checked again at its new reminder time.
func (s *Service) deadlineJob(ctx context.Context, payload []byte) error {
	var p requestPayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return jobs.Drop(err)
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		r, err := load(tx, p.RequestID)
		if apperr.Code(err) == apperr.NotFound {
			return jobs.Drop(err)
		}
		if err != nil || !r.Open() {
			return err
		}
		remindAt := r.DueAt.Add(-s.RemindBefore())
		switch {
		case !tx.Now.Before(r.DueAt):
			if r.BreachedAt != nil {
				return nil
			}
			r.BreachedAt = timePtr(tx.Now)
			if err := save(tx, &r); err != nil {
				return err
			}
			return appendEvent(tx, r.ID, EventBreached, r.Status, r.Status, ActorSystem, "")
		case !tx.Now.Before(remindAt):
			if r.RemindedAt == nil {
				r.RemindedAt = timePtr(tx.Now)
				if err := save(tx, &r); err != nil {
					return err
				}
				if err := appendEvent(tx, r.ID, EventReminder, r.Status, r.Status, ActorSystem, ""); err != nil {
					return err
				}
			}
			return jobs.Enqueue(tx, jobs.Job{Kind: JobDeadline, UniqueKey: JobDeadline + ":" + r.ID,
				Payload: requestPayload{r.ID}, RunAt: r.DueAt})
		default:
			return s.scheduleDeadline(tx, r.Request)
		}
	})
}

// scheduleDocumentExpiry schedules the deletion of a request's document.
func scheduleDocumentExpiry(tx *store.Tx, requestID string, at time.Time) error {
	return jobs.Enqueue(tx, jobs.Job{Kind: JobDocumentExpiry, UniqueKey: JobDocumentExpiry + ":" + requestID,
		Payload: requestPayload{requestID}, RunAt: at})
}

// documentExpiryJob deletes a request's document once it has expired and
// records that in the request's history.
func (s *Service) documentExpiryJob(ctx context.Context, payload []byte) error {
	var p requestPayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return jobs.Drop(err)
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		r, err := load(tx, p.RequestID)
		if apperr.Code(err) == apperr.NotFound {
			return jobs.Drop(err)
		}
		if err != nil || r.Document == nil {
			return err
		}
		if tx.Now.Before(r.Document.ExpiresAt) {
			return scheduleDocumentExpiry(tx, r.ID, r.Document.ExpiresAt)
		}
		if err := tx.ExecOne(`DELETE FROM data_subject_request_documents WHERE request_id = $1`, r.ID); err != nil {
			return err
		}
		return appendEvent(tx, r.ID, EventDocumentDeleted, r.Status, r.Status, ActorSystem, "")
	})
}
