package fraudcase

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
)

// Case is a fraud investigation of one order.
type Case struct {
	ID         string
	OrderID    string
	PersonID   string
	MerchantID string
	Status     Status
	Channel    Channel
	Outcome    Outcome
	OpenedAt   time.Time
	OpenedBy   string
	UpdatedAt  time.Time
	UpdatedBy  string
	ClosedAt   *time.Time
	ClosedBy   string
	Version    int64
	// Reference, MerchantName, Amount and Currency are the order's.
	Reference    string
	MerchantName string
	Amount       int64
	Currency     string
}

const caseColumns = `c.id, c.order_id, COALESCE(c.person_id, ''), c.merchant_id, c.status, c.channel, c.outcome, c.opened_at, c.opened_by,
	c.updated_at, c.updated_by, c.closed_at, c.closed_by, c.version, o.reference, m.name, o.order_amount, o.purchase_currency`

const caseFrom = ` FROM fraud_cases c JOIN orders o ON o.id = c.order_id JOIN merchants m ON m.id = c.merchant_id `

type scanner interface{ Scan(...any) error }

func scanCase(row scanner) (Case, error) {
	var (
		c                     Case
		status, channel, outc string
		opened, updated       int64
		closed                sql.NullInt64
	)
	if err := row.Scan(&c.ID, &c.OrderID, &c.PersonID, &c.MerchantID, &status, &channel, &outc, &opened, &c.OpenedBy,
		&updated, &c.UpdatedBy, &closed, &c.ClosedBy, &c.Version, &c.Reference, &c.MerchantName, &c.Amount, &c.Currency); err != nil {
		return Case{}, err
	}
	c.Status, c.Channel, c.Outcome = Status(status), Channel(channel), Outcome(outc)
	c.OpenedAt, c.UpdatedAt = store.FromMicros(opened), store.FromMicros(updated)
	if closed.Valid {
		t := store.FromMicros(closed.Int64)
		c.ClosedAt = &t
	}
	return c, nil
}

// errNotFound answers for an unknown case.
var errNotFound = apperr.New(apperr.NotFound, "No such fraud case.")

// load reads a case by id. Errors: NOT_FOUND.
func load(tx *store.Tx, id string) (Case, error) {
	if !ids.Valid(id) {
		return Case{}, errNotFound
	}
	c, err := scanCase(tx.QueryRow(`SELECT `+caseColumns+caseFrom+`WHERE c.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Case{}, errNotFound
	}
	return c, err
}

// checkText trims s and checks it is text of at most max characters;
// required refuses an empty one. Errors: BAD_VALUE naming field.
func checkText(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case required && s == "":
		return "", apperr.BadField(field, "is required")
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		return "", apperr.BadField(field, "must be text")
	case utf8.RuneCountInString(s) > max:
		return "", apperr.BadField(field, "must be at most %d characters", max)
	}
	return s, nil
}

// Opening is a new case.
type Opening struct {
	// OrderID is the disputed order.
	OrderID string
	// Statement is what the consumer (or the caller, through staff) says
	// happened; optional, at most MaxStatement, sealed.
	Statement string
}

// OpenByConsumer opens a case on one of the person's orders, which they say
// they did not make; actor names them in the audit log ("consumer:<account
// id>"). Errors, each writing nothing: BAD_VALUE (statement), NOT_FOUND
// (not the person's order), CodeAlreadyOpen.
func (s *Service) OpenByConsumer(ctx context.Context, personID, actor string, o Opening) (Case, error) {
	var c Case
	err := s.cfg.DB.Write(ctx, func(tx *store.Tx) (err error) {
		c, err = s.OpenByConsumerTx(tx, personID, actor, o)
		return err
	})
	return c, err
}

// OpenByConsumerTx is OpenByConsumer inside the caller's transaction: a
// dispute of an unauthorised purchase opens its case together with the
// dispute. The statement is checked as in OpenByConsumer.
func (s *Service) OpenByConsumerTx(tx *store.Tx, personID, actor string, o Opening) (Case, error) {
	statement, err := checkText("statement", o.Statement, MaxStatement, false)
	if err != nil {
		return Case{}, err
	}
	if personID == "" || actor == "" {
		return Case{}, errors.New("fraudcase: a consumer's case needs the person and the actor")
	}
	var owner string
	err = tx.QueryRow(`SELECT COALESCE(person_id, '') FROM orders WHERE id = $1`, o.OrderID).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && owner != personID) {
		return Case{}, apperr.New(apperr.NotFound, "No such order.")
	}
	if err != nil {
		return Case{}, err
	}
	return s.open(tx, o.OrderID, ByConsumer, actor, RoleConsumer, statement, "")
}

// OpenByStaff opens a case on behalf of a caller: orderRef is the order's
// reference or id, reason the member's reason (audited; no personal data)
// and the opening's statement what the caller said (sealed). Errors, each
// writing nothing: FORBIDDEN (role), BAD_VALUE (reason, statement),
// NOT_FOUND (no such order), NOT_ALLOWED (an order without a person to
// investigate for), CodeAlreadyOpen.
func (s *Service) OpenByStaff(ctx context.Context, st account.Staff, orderRef, reason, statement string) (Case, error) {
	if !MayOpen(st.Role) {
		return Case{}, apperr.New(apperr.Forbidden, "Your role may not open fraud cases.")
	}
	reason, err := checkText("reason", reason, MaxReason, true)
	if err != nil {
		return Case{}, err
	}
	if statement, err = checkText("statement", statement, MaxStatement, false); err != nil {
		return Case{}, err
	}
	orderRef = strings.TrimSpace(orderRef)
	if orderRef == "" || len(orderRef) > 100 {
		return Case{}, apperr.BadField("order", "is required")
	}
	var c Case
	err = s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		var orderID string
		err := tx.QueryRow(`SELECT id FROM orders WHERE reference = $1 OR id = $1`, orderRef).Scan(&orderID)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "No such order.")
		}
		if err != nil {
			return err
		}
		c, err = s.open(tx, orderID, ByStaff, "staff:"+st.ID, string(st.Role), statement, reason)
		return err
	})
	return c, err
}

// open opens the order's case in tx: the case and its opened event, the
// plan paused and the next pause scheduled, the audit entry.
func (s *Service) open(tx *store.Tx, orderID string, ch Channel, actor, role, statement, reason string) (Case, error) {
	var personID, merchantID string
	if err := tx.QueryRow(`SELECT COALESCE(person_id, ''), merchant_id FROM orders WHERE id = $1`, orderID).Scan(&personID, &merchantID); err != nil {
		return Case{}, err
	}
	if personID == "" {
		return Case{}, apperr.New(apperr.NotAllowed, "The order names no person whose claim could be investigated.")
	}
	var live int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM fraud_cases WHERE open_key = $1`, orderID).Scan(&live); err != nil {
		return Case{}, err
	}
	if live > 0 {
		return Case{}, apperr.New(CodeAlreadyOpen, "The order already has an open fraud case.")
	}
	id, now := ids.New(), store.Micros(tx.Now)
	if _, err := tx.Exec(`INSERT INTO fraud_cases (id, order_id, person_id, merchant_id, status, open_key, channel, opened_at, opened_by, updated_at, updated_by)
		VALUES ($1, $2, $3, $4, $5, $2, $6, $7, $8, $7, $8)`, id, orderID, personID, merchantID, string(StatusOpen), string(ch), now, actor); err != nil {
		return Case{}, err
	}
	if _, err := s.addEvent(tx, id, personID, event{actor: actor, role: role, kind: EventOpened, body: statement}); err != nil {
		return Case{}, err
	}
	if err := s.pause(tx, id, orderID); err != nil {
		return Case{}, err
	}
	details := map[string]string{"case_id": id, "order_id": orderID, "channel": string(ch), "version": "1"}
	if reason != "" {
		details["reason"] = reason
	}
	if _, err := audit.Append(tx, actor, ActionOpened, orderID, details); err != nil {
		return Case{}, err
	}
	return load(tx, id)
}

// event is a timeline entry to add.
type event struct {
	actor, role string
	kind        EventKind
	body        string
	outcome     Outcome
	requestID   string
	expires     *time.Time
}

// addEvent adds an event to the case's timeline, its body sealed under the
// person; it returns the event's id.
func (s *Service) addEvent(tx *store.Tx, caseID, personID string, e event) (string, error) {
	sealed := ""
	if e.body != "" {
		var err error
		if sealed, err = s.cfg.Vault.SealString(tx, personID, ContextBody, e.body); err != nil {
			return "", err
		}
	}
	var expires any
	if e.expires != nil {
		expires = store.Micros(*e.expires)
	}
	id := ids.New()
	_, err := tx.Exec(`INSERT INTO fraud_case_events (id, case_id, at, actor, actor_role, kind, body, outcome, request_id, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		id, caseID, store.Micros(tx.Now), e.actor, e.role, string(e.kind), sealed, string(e.outcome), e.requestID, expires)
	return id, err
}

// touch records a change of the case at the version the actor saw and
// sets its status. Errors: CodeChanged.
func touch(tx *store.Tx, c *Case, actor string, status Status) error {
	res, err := tx.Exec(`UPDATE fraud_cases SET status = $1, updated_at = $2, updated_by = $3, version = version + 1 WHERE id = $4 AND version = $5`,
		string(status), store.Micros(tx.Now), actor, c.ID, c.Version)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		if err != nil {
			return err
		}
		return apperr.New(CodeChanged, "The case changed since you opened it; look at it again.")
	}
	c.Status, c.Version, c.UpdatedBy, c.UpdatedAt = status, c.Version+1, actor, tx.Now
	return nil
}

// CountOpen returns how many cases wait for an analyst.
func (s *Service) CountOpen(ctx context.Context) (int, error) {
	var n int
	err := s.cfg.DB.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM fraud_cases WHERE status = $1`, string(StatusOpen)).Scan(&n)
	})
	return n, err
}

// List returns up to limit cases waiting for an analyst, oldest first.
func (s *Service) List(ctx context.Context, limit int) ([]Case, error) {
	var out []Case
	err := s.cfg.DB.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT `+caseColumns+caseFrom+`WHERE c.status = $1 ORDER BY c.opened_at, c.id LIMIT $2`, string(StatusOpen), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanCase(rows)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// ConsumerCase is the latest case of an order as its consumer sees it.
type ConsumerCase struct {
	Status   Status
	Outcome  Outcome
	OpenedAt time.Time
	ClosedAt *time.Time
}

// ForConsumer returns the latest case of one of the person's orders;
// false when the order has none (or is not theirs).
func (s *Service) ForConsumer(ctx context.Context, personID, orderID string) (ConsumerCase, bool, error) {
	var (
		cc  ConsumerCase
		ok  bool
		err error
	)
	if personID == "" || !ids.Valid(orderID) {
		return cc, false, nil
	}
	err = s.cfg.DB.Read(ctx, func(tx *store.Tx) error {
		var (
			status, outcome string
			opened          int64
			closed          sql.NullInt64
		)
		err := tx.QueryRow(`SELECT status, outcome, opened_at, closed_at FROM fraud_cases WHERE order_id = $1 AND person_id = $2
			ORDER BY opened_at DESC, id DESC LIMIT 1`, orderID, personID).Scan(&status, &outcome, &opened, &closed)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		ok = true
		cc = ConsumerCase{Status: Status(status), Outcome: Outcome(outcome), OpenedAt: store.FromMicros(opened)}
		if closed.Valid {
			t := store.FromMicros(closed.Int64)
			cc.ClosedAt = &t
		}
		return nil
	})
	return cc, ok, err
}

// version formats a case version for the audit log.
func version(v int64) string { return strconv.FormatInt(v, 10) }

// LiveFor reports whether the order has a live case (open or awaiting the
// merchant), in tx: merchants' messages about it go to the fraud team.
func LiveFor(tx *store.Tx, orderID string) (bool, error) {
	var n int
	err := tx.QueryRow(`SELECT COUNT(*) FROM fraud_cases WHERE open_key = $1`, orderID).Scan(&n)
	return n > 0, err
}
