package dsr

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Step is something staff can do to a request.
type Step string

// The staff steps.
const (
	// StepStart begins the work on a verified request (Start).
	StepStart Step = "start"
	// StepExtend extends the deadline (Extend).
	StepExtend Step = "extend"
	// StepCarryOut has the kind's Fulfiller carry the request out
	// (CarryOut).
	StepCarryOut Step = "carry_out"
	// StepComplete answers by hand a kind without a Fulfiller (Complete).
	StepComplete Step = "complete"
	// StepRefuse refuses the request (Refuse).
	StepRefuse Step = "refuse"
)

// Steps returns what staff can do to r at now, in the order a page offers
// them.
func (s *Service) Steps(r Request, now time.Time) []Step {
	var out []Step
	if CanMove(r.Status, StatusInProgress) {
		out = append(out, StepStart)
	}
	if CanMove(r.Status, StatusExtended) && r.ExtensionMonths < MaxExtensionMonths && now.Before(r.OriginalDueAt) {
		out = append(out, StepExtend)
	}
	if CanMove(r.Status, StatusCompleted) {
		if s.HasFulfiller(r.Kind) {
			out = append(out, StepCarryOut)
		} else {
			out = append(out, StepComplete)
		}
	}
	if CanMove(r.Status, StatusRefused) {
		out = append(out, StepRefuse)
	}
	return out
}

// Answer is a request answered by hand (Complete).
type Answer struct {
	// Done lists what was done, one entry per item.
	Done []string
	// NotDone lists what was not done and why, one entry per item; with
	// any, the request is partly completed.
	NotDone []string
}

// maxItems bounds the items of an answer given by hand.
const maxItems = 50

// Start begins the work on a verified request. Errors: NOT_FOUND,
// CodeChanged, NOT_ALLOWED.
func (s *Service) Start(ctx context.Context, actor, id string, version int64) (Request, error) {
	return s.staffStep(ctx, actor, id, version, func(tx *store.Tx, r *row) error {
		return move(tx, r, StatusInProgress, EventStarted, actor, "", AuditStarted, nil)
	})
}

// Extend extends the deadline to months (1 or 2) calendar months after the
// original one, for the reason given, and e-mails the person the new
// deadline and the reason. It is allowed while the request is in progress
// or extended, only before the original deadline (the person must be told
// within a month of receipt, Art. 12(3)), and only to lengthen an earlier
// extension. Errors: NOT_FOUND, CodeChanged, NOT_ALLOWED, BAD_VALUE (months,
// reason).
func (s *Service) Extend(ctx context.Context, actor, id string, version int64, months int, reason string) (Request, error) {
	reason = strings.TrimSpace(reason)
	if err := checkReason("reason", reason); err != nil {
		return Request{}, err
	}
	if months < 1 || months > MaxExtensionMonths {
		return Request{}, apperr.BadField("months", "must be 1 or %d", MaxExtensionMonths)
	}
	return s.staffStep(ctx, actor, id, version, func(tx *store.Tx, r *row) error {
		if !CanMove(r.Status, StatusExtended) {
			return notAllowed(r, StatusExtended)
		}
		if !tx.Now.Before(r.OriginalDueAt) {
			return apperr.New(apperr.NotAllowed, "The original deadline has passed: an extension must be decided and told to the person before it.")
		}
		if months <= r.ExtensionMonths {
			return apperr.BadField("months", "must be more than the %d months the deadline is already extended by", r.ExtensionMonths)
		}
		replyTo, err := s.replyTo(tx, r)
		if err != nil {
			return err
		}
		r.ExtensionMonths = months
		r.DueAt = ExtendedDeadline(r.OriginalDueAt, months)
		r.RemindedAt = nil
		if err := move(tx, r, StatusExtended, EventExtended, actor, reason, AuditExtended, map[string]any{"months": months, "due_at": r.DueAt}); err != nil {
			return err
		}
		if err := s.scheduleDeadline(tx, r.Request); err != nil {
			return err
		}
		return s.mailExtended(tx, r.Request, replyTo, reason)
	})
}

// CarryOut has the Fulfiller of the request's kind carry it out in the
// transaction that records its outcome: the status it gives, the items, and
// its document, sealed under the person and kept for
// Config.DocumentLifetime. The person is e-mailed the answer. Errors:
// NOT_FOUND, CodeChanged, NOT_ALLOWED (the status, or a kind without a
// fulfiller), and whatever the fulfiller returns.
func (s *Service) CarryOut(ctx context.Context, actor, id string, version int64) (Request, error) {
	return s.staffStep(ctx, actor, id, version, func(tx *store.Tx, r *row) error {
		f := s.cfg.Fulfillers[r.Kind]
		if f == nil {
			return apperr.New(apperr.NotAllowed, "Requests of this kind are answered by hand.")
		}
		if !CanMove(r.Status, StatusCompleted) {
			return notAllowed(r, StatusCompleted)
		}
		// Read what the answer needs before the fulfiller runs: an erasure
		// shreds the person's key.
		replyTo, err := s.replyTo(tx, r)
		if err != nil {
			return err
		}
		if err := s.openDescription(tx, r); err != nil {
			return err
		}
		fulfil := r.Request
		if r.Kind == KindErasure {
			if err := eraseRequestData(tx, r, actor); err != nil {
				return err
			}
		}
		out, err := f.Fulfil(tx, fulfil)
		if err != nil {
			return err
		}
		if err := checkOutcome(out); err != nil {
			return fmt.Errorf("dsr: the %s fulfiller: %w", r.Kind, err)
		}
		r.Outcome = slices.Clone(out.Items)
		if r.Outcome == nil {
			r.Outcome = []Item{}
		}
		event := EventCompleted
		if out.Status == StatusPartlyCompleted {
			event = EventPartlyCompleted
		}
		if err := move(tx, r, out.Status, event, actor, "", AuditCarriedOut, nil); err != nil {
			return err
		}
		if out.Document != nil {
			if err := s.storeDocument(tx, r, *out.Document); err != nil {
				return err
			}
		}
		return s.mailAnswer(tx, r.Request, replyTo)
	})
}

// Complete answers by hand a request whose kind has no Fulfiller: completed
// when everything was done, partly completed when a.NotDone lists what was
// not and why. The answer lists at least one item. The person is e-mailed the answer. Errors: NOT_FOUND,
// CodeChanged, NOT_ALLOWED, BAD_VALUE (the items).
func (s *Service) Complete(ctx context.Context, actor, id string, version int64, a Answer) (Request, error) {
	done, err := checkItems("done", a.Done)
	if err != nil {
		return Request{}, err
	}
	notDone, err := checkItems("not_done", a.NotDone)
	if err != nil {
		return Request{}, err
	}
	switch n := len(done) + len(notDone); {
	case n == 0:
		return Request{}, apperr.BadField("done", "must say what was done, or what was not and why")
	case n > maxItems:
		return Request{}, apperr.BadField("done", "must list at most %d items in all", maxItems)
	}
	to, event := StatusCompleted, EventCompleted
	if len(notDone) > 0 {
		to, event = StatusPartlyCompleted, EventPartlyCompleted
	}
	return s.staffStep(ctx, actor, id, version, func(tx *store.Tx, r *row) error {
		if s.HasFulfiller(r.Kind) {
			return apperr.New(apperr.NotAllowed, "Requests of this kind are carried out by Tillit: use carry out.")
		}
		if !CanMove(r.Status, to) {
			return notAllowed(r, to)
		}
		replyTo, err := s.replyTo(tx, r)
		if err != nil {
			return err
		}
		if r.Kind == KindErasure {
			if err := eraseRequestData(tx, r, actor); err != nil {
				return err
			}
		}
		r.Outcome = []Item{}
		for _, d := range done {
			r.Outcome = append(r.Outcome, Item{Done: true, Reason: d})
		}
		for _, n := range notDone {
			r.Outcome = append(r.Outcome, Item{Done: false, Reason: n})
		}
		if err := move(tx, r, to, event, actor, "", AuditCompleted, nil); err != nil {
			return err
		}
		return s.mailAnswer(tx, r.Request, replyTo)
	})
}

// Refuse refuses a request, for the reasons given (one per item, at least
// one), and e-mails the person the answer with the supervisory authority
// they can complain to. Errors: NOT_FOUND, CodeChanged, NOT_ALLOWED,
// BAD_VALUE (reasons).
func (s *Service) Refuse(ctx context.Context, actor, id string, version int64, reasons []string) (Request, error) {
	items, err := checkItems("reasons", reasons)
	if err != nil {
		return Request{}, err
	}
	if len(items) == 0 {
		return Request{}, apperr.BadField("reasons", "must give at least one reason")
	}
	return s.staffStep(ctx, actor, id, version, func(tx *store.Tx, r *row) error {
		if !CanMove(r.Status, StatusRefused) {
			return notAllowed(r, StatusRefused)
		}
		replyTo, err := s.replyTo(tx, r)
		if err != nil {
			return err
		}
		r.Outcome = []Item{}
		for _, reason := range items {
			r.Outcome = append(r.Outcome, Item{Done: false, Reason: reason})
		}
		if err := move(tx, r, StatusRefused, EventRefused, actor, "", AuditRefused, nil); err != nil {
			return err
		}
		return s.mailAnswer(tx, r.Request, replyTo)
	})
}

// staffStep runs a staff step on the request in a transaction of its own,
// after checking that the caller acts on the current version.
func (s *Service) staffStep(ctx context.Context, actor, id string, version int64, fn func(tx *store.Tx, r *row) error) (Request, error) {
	if !strings.HasPrefix(actor, "staff:") {
		return Request{}, errors.New("dsr: a staff step needs a staff actor")
	}
	var out Request
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		r, err := load(tx, id)
		if err != nil {
			return err
		}
		if r.Version != version {
			return apperr.New(CodeChanged, "The request has changed since it was read; nothing was done.")
		}
		if err := fn(tx, &r); err != nil {
			return err
		}
		out = r.Request
		return nil
	})
	return out, err
}

// notAllowed is the error for a step the request's status does not allow.
func notAllowed(r *row, to Status) error {
	return apperr.New(apperr.NotAllowed, "A request that is %s cannot become %s.", r.Status, to)
}

// move takes r to status to in tx: it saves r, appends the step to its
// history and writes the staff member's audit entry (action, with the
// details, the kind and the statuses; never what anyone wrote).
func move(tx *store.Tx, r *row, to Status, event EventName, actor, note, action string, details map[string]any) error {
	if !CanMove(r.Status, to) {
		return notAllowed(r, to)
	}
	from := r.Status
	r.Status = to
	if to.Closed() {
		r.ClosedAt = timePtr(tx.Now)
	}
	if err := save(tx, r); err != nil {
		return err
	}
	if err := appendEvent(tx, r.ID, event, from, to, actor, note); err != nil {
		return err
	}
	if details == nil {
		details = map[string]any{}
	}
	details["kind"], details["from"], details["to"] = r.Kind, from, to
	_, err := audit.Append(tx, actor, action, r.ID, details)
	return err
}

// replyTo opens the address answers to r go to: "" once the person's data
// was erased, and then nothing is e-mailed.
func (s *Service) replyTo(tx *store.Tx, r *row) (string, error) {
	var sealed sql.NullString
	if err := tx.QueryRow(`SELECT reply_to FROM data_subject_requests WHERE id = $1`, r.ID).Scan(&sealed); err != nil || !sealed.Valid {
		return "", err
	}
	to, err := s.cfg.Vault.OpenString(tx, r.PersonID, contextReplyTo, sealed.String)
	if errors.Is(err, vault.ErrShredded) {
		return "", nil
	}
	return to, err
}

// eraseRequestData erases the person's data in every request of theirs,
// for the erasure request r: what they wrote, the address answers go to,
// staff's identity notes and the answers' documents go, and each request
// records the step. What remains is the record that the requests were
// handled: their kinds, dates, steps and answers. It runs before an
// erasure's fulfiller, so that no sealed value of a request keeps the
// person's data key from being shredded, and after the answer's address
// was read.
func eraseRequestData(tx *store.Tx, r *row, actor string) error {
	rows, err := tx.Query(`SELECT id, status FROM data_subject_requests WHERE person_id = $1 AND erased_at IS NULL`, r.PersonID)
	if err != nil {
		return err
	}
	type affected struct {
		id     string
		status Status
	}
	var all []affected
	for rows.Next() {
		var a affected
		if err := rows.Scan(&a.id, &a.status); err != nil {
			rows.Close()
			return err
		}
		all = append(all, a)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if _, err := tx.Exec(`DELETE FROM data_subject_request_documents WHERE request_id IN
		(SELECT id FROM data_subject_requests WHERE person_id = $1)`, r.PersonID); err != nil {
		return err
	}
	if _, err := tx.Exec(`UPDATE data_subject_requests SET description = NULL, reply_to = NULL, identity_note = NULL,
		erased_at = $1, version = version + 1 WHERE person_id = $2 AND erased_at IS NULL`, store.Micros(tx.Now), r.PersonID); err != nil {
		return err
	}
	for _, a := range all {
		if a.id == r.ID {
			r.Version++
			r.ErasedAt, r.Description, r.DescriptionErased, r.Document = timePtr(tx.Now), "", true, nil
		}
		if err := appendEvent(tx, a.id, EventDataErased, a.status, a.status, actor, r.Reference); err != nil {
			return err
		}
	}
	return nil
}

// checkReason checks a required reason.
func checkReason(field, reason string) error {
	switch {
	case reason == "":
		return apperr.BadField(field, "is required")
	case utf8.RuneCountInString(reason) > MaxReason || strings.ContainsRune(reason, 0):
		return apperr.BadField(field, "must be text of at most %d characters", MaxReason)
	}
	return nil
}

// checkItems trims the entries of an answer given by hand, drops the empty
// ones and checks the rest.
func checkItems(field string, entries []string) ([]string, error) {
	var out []string
	for _, e := range entries {
		if e = strings.TrimSpace(e); e == "" {
			continue
		}
		if err := checkReason(field, e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if len(out) > maxItems {
		return nil, apperr.BadField(field, "must list at most %d items", maxItems)
	}
	return out, nil
}

// documentName is the shape of a document's file name.
var documentName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// checkOutcome reports what is wrong with a fulfiller's outcome.
func checkOutcome(o Outcome) error {
	if o.Status != StatusCompleted && o.Status != StatusPartlyCompleted {
		return fmt.Errorf("outcome status %q is neither completed nor partly_completed", o.Status)
	}
	notDone := 0
	for i, it := range o.Items {
		if !it.Done {
			notDone++
			if strings.TrimSpace(it.Reason) == "" {
				return fmt.Errorf("item %d is not done but gives no reason", i)
			}
		}
		if strings.TrimSpace(it.What) == "" && strings.TrimSpace(it.Reason) == "" {
			return fmt.Errorf("item %d is empty", i)
		}
	}
	if o.Status == StatusPartlyCompleted && notDone == 0 {
		return errors.New("a partly completed outcome lists nothing that was not done")
	}
	if o.Status == StatusCompleted && notDone > 0 {
		return errors.New("a completed outcome lists items that were not done")
	}
	if d := o.Document; d != nil {
		switch {
		case !documentName.MatchString(d.Name):
			return fmt.Errorf("document name %q is not a plain file name", d.Name)
		case d.ContentType == "" || strings.ContainsAny(d.ContentType, "\r\n"):
			return errors.New("document has no content type")
		case len(d.Body) == 0:
			return errors.New("document is empty")
		}
	}
	return nil
}

// storeDocument seals an answer's document under the person and schedules
// its deletion.
func (s *Service) storeDocument(tx *store.Tx, r *row, d Document) error {
	body, err := s.cfg.Vault.Seal(tx, r.PersonID, contextDocument, d.Body)
	if err != nil {
		return err
	}
	expires := tx.Now.Add(s.cfg.DocumentLifetime)
	if _, err := tx.Exec(`INSERT INTO data_subject_request_documents (request_id, name, content_type, size, body, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.ID, d.Name, d.ContentType, len(d.Body), body, store.Micros(tx.Now), store.Micros(expires)); err != nil {
		return err
	}
	r.Document = &DocumentInfo{Name: d.Name, ContentType: d.ContentType, Size: int64(len(d.Body)), CreatedAt: tx.Now, ExpiresAt: expires}
	return scheduleDocumentExpiry(tx, r.ID, expires)
}
