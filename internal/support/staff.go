package support

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/store"
)

var errForbidden = apperr.New(apperr.Forbidden, "Your role does not work the support inbox.")

// staffActor names a member of staff in the audit log.
func staffActor(st account.Staff) string { return "staff:" + st.ID }

// Queue lists the conversations customer service works: those waiting for
// staff, longest waiting first, then those answered and waiting for the
// consumer, least recently changed first. FORBIDDEN for a role that does
// not work the inbox (MayWork).
func (s *Service) Queue(ctx context.Context, st account.Staff) ([]Conversation, error) {
	if !MayWork(st.Role) {
		return nil, errForbidden
	}
	out := []Conversation{}
	err := s.cfg.DB.Read(ctx, func(tx *store.Tx) error {
		rs, err := list(tx, ` WHERE c.status IN ($1, $2)
    ORDER BY CASE WHEN c.status = $1 THEN 0 ELSE 1 END, COALESCE(c.waiting_since, c.updated_at), c.id`,
			string(WaitingForStaff), string(Answered))
		if err != nil {
			return err
		}
		for _, r := range rs {
			c, err := s.opened(tx, r)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// OrderRef names one of the person's orders for the staff page's choices.
type OrderRef struct {
	ID        string    `json:"order_id"`
	Reference string    `json:"reference"`
	CreatedAt time.Time `json:"created_at"`
}

// StaffView is a conversation as staff see it: its thread and the orders of
// its person, newest first, which a conversion may name.
type StaffView struct {
	Thread
	Orders []OrderRef `json:"orders"`
}

// StaffThread shows a conversation with its messages and its person's
// orders to a member of a role that works the inbox, audited as a read of
// the person's data. Errors: FORBIDDEN, NOT_FOUND.
func (s *Service) StaffThread(ctx context.Context, st account.Staff, id string) (StaffView, error) {
	if !MayWork(st.Role) {
		return StaffView{}, errForbidden
	}
	var v StaffView
	err := s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		r, err := load(tx, id)
		if err != nil {
			return err
		}
		if v.Thread, err = s.thread(tx, r); err != nil {
			return err
		}
		if v.Orders, err = personOrders(tx, r.PersonID); err != nil {
			return err
		}
		_, err = audit.Append(tx, staffActor(st), ActionViewed, r.PersonID, map[string]any{"conversation_id": r.ID})
		return err
	})
	return v, err
}

// personOrders lists the person's orders, newest first.
func personOrders(tx *store.Tx, personID string) ([]OrderRef, error) {
	out := []OrderRef{}
	rows, err := tx.Query(`SELECT id, reference, created_at FROM orders WHERE person_id = $1 ORDER BY created_at DESC, id`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			o  OrderRef
			at int64
		)
		if err := rows.Scan(&o.ID, &o.Reference, &at); err != nil {
			return nil, err
		}
		o.CreatedAt = store.FromMicros(at)
		out = append(out, o)
	}
	return out, rows.Err()
}

// staffChange runs change on a conversation at version as a member of a
// role that works the inbox, in a write transaction, and returns it opened.
// Errors: FORBIDDEN (before anything is read), NOT_FOUND, CodeChanged, and
// change's.
func (s *Service) staffChange(ctx context.Context, st account.Staff, id string, version int64, change func(tx *store.Tx, r *row) error) (Conversation, error) {
	if !MayWork(st.Role) {
		return Conversation{}, errForbidden
	}
	var out Conversation
	err := s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		r, err := load(tx, id)
		if err != nil {
			return err
		}
		if err := r.checkVersion(version); err != nil {
			return err
		}
		if err := change(tx, &r); err != nil {
			return err
		}
		// Read it again: the assignee's name follows the assignment.
		if r, err = load(tx, r.ID); err != nil {
			return err
		}
		out, err = s.opened(tx, r)
		return err
	})
	return out, err
}

// Reply posts customer service's answer (at most MaxMessage characters) to
// a live conversation read at version: it is Answered, assigned to the
// member when nobody had it, and the consumer is e-mailed a link to read
// it. Errors, each writing nothing: FORBIDDEN, BAD_VALUE (text), NOT_FOUND,
// CodeChanged, CodeWrongState.
func (s *Service) Reply(ctx context.Context, st account.Staff, id string, version int64, text string) (Conversation, error) {
	text, err := checkText("text", text, MaxMessage, true)
	if err != nil {
		return Conversation{}, err
	}
	return s.staffChange(ctx, st, id, version, func(tx *store.Tx, r *row) error {
		if err := r.live(); err != nil {
			return err
		}
		if err := s.addMessage(tx, *r, AuthorStaff, st.ID, text); err != nil {
			return err
		}
		if r.AssignedTo == "" {
			r.AssignedTo = st.ID
		}
		r.setStatus(tx.Now, Answered)
		if err := r.save(tx); err != nil {
			return err
		}
		if _, err := audit.Append(tx, staffActor(st), ActionReplied, r.PersonID, map[string]any{"conversation_id": r.ID}); err != nil {
			return err
		}
		return s.mail(tx, *r, mailReply)
	})
}

// Assign makes ownerID (an active member of a role that works the inbox)
// responsible for a live conversation; "" assigns it to st. Errors, each
// writing nothing: FORBIDDEN, BAD_VALUE (owner), NOT_FOUND, CodeChanged,
// CodeWrongState.
func (s *Service) Assign(ctx context.Context, st account.Staff, id string, version int64, ownerID string) (Conversation, error) {
	if ownerID == "" {
		ownerID = st.ID
	}
	return s.staffChange(ctx, st, id, version, func(tx *store.Tx, r *row) error {
		if err := r.live(); err != nil {
			return err
		}
		var role string
		var disabled sql.NullInt64
		err := tx.QueryRow(`SELECT role, disabled_at FROM staff_users WHERE id = $1`, ownerID).Scan(&role, &disabled)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && (disabled.Valid || !MayWork(account.Role(role)))) {
			return apperr.BadField("owner", "must be an active member of customer service")
		}
		if err != nil {
			return err
		}
		r.AssignedTo = ownerID
		if err := r.save(tx); err != nil {
			return err
		}
		_, err = audit.Append(tx, staffActor(st), ActionAssigned, r.PersonID, map[string]any{"conversation_id": r.ID, "owner": ownerID})
		return err
	})
}

// Close closes a live conversation read at version: it takes no more
// messages. Errors, each writing nothing: FORBIDDEN, NOT_FOUND,
// CodeChanged, CodeWrongState.
func (s *Service) Close(ctx context.Context, st account.Staff, id string, version int64) (Conversation, error) {
	return s.staffChange(ctx, st, id, version, func(tx *store.Tx, r *row) error {
		if err := r.live(); err != nil {
			return err
		}
		r.setStatus(tx.Now, Closed)
		if err := r.save(tx); err != nil {
			return err
		}
		_, err := audit.Append(tx, staffActor(st), ActionClosed, r.PersonID, map[string]any{"conversation_id": r.ID})
		return err
	})
}
