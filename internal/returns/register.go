package returns

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"github.com/tillit/tillit/internal/account"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/notify"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/store"
)

// JobPauseEnd closes a return whose pause ended without a refund.
const JobPauseEnd = "return.pause_end"

// RegisterJobs installs the returns' job handler on the runner.
func (s *Service) RegisterJobs(r *jobs.Runner) { r.Register(JobPauseEnd, s.pauseEnd) }

type payload struct {
	ReturnID string `json:"return_id"`
}

// checkText trims s and checks it is required text of at most max
// characters. Errors: BAD_VALUE naming field.
func checkText(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", apperr.BadField(field, "is required")
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0) || strings.ContainsAny(s, "\r\n"):
		return "", apperr.BadField(field, "must be one line of text")
	case utf8.RuneCountInString(s) > max:
		return "", apperr.BadField(field, "must be at most %d characters", max)
	}
	return s, nil
}

var errAlreadyRegistered = apperr.New(CodeAlreadyRegistered, "A return is already registered for this order.")

// OrderLines returns the lines of the person's order a return may name
// (name, quantity and total amount as bought). Errors: NOT_FOUND.
func OrderLines(tx *store.Tx, personID, orderID string) ([]Line, error) {
	lines, _, err := orderLines(tx, personID, orderID)
	return lines, err
}

// orderLines reads the order's lines and each line's total amount.
func orderLines(tx *store.Tx, personID, orderID string) ([]Line, []int64, error) {
	var owner, data string
	err := tx.QueryRow(`SELECT COALESCE(person_id, ''), data FROM orders WHERE id = $1`, orderID).Scan(&owner, &data)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (owner == "" || owner != personID)) {
		return nil, nil, apperr.New(apperr.NotFound, "No such order.")
	}
	if err != nil {
		return nil, nil, err
	}
	var purchase struct {
		OrderLines []struct {
			Name        string `json:"name"`
			Quantity    int64  `json:"quantity"`
			TotalAmount int64  `json:"total_amount"`
		} `json:"order_lines"`
	}
	_ = json.Unmarshal([]byte(data), &purchase) // an erased order's data is {}
	lines, totals := []Line{}, []int64{}
	for i, l := range purchase.OrderLines {
		lines = append(lines, Line{Index: i, Name: l.Name, Quantity: l.Quantity})
		totals = append(totals, l.TotalAmount)
	}
	return lines, totals, nil
}

// Register registers a return of the person's order, in tx. actor names
// the consumer ("consumer:<account id>"). Each line names an order line
// (by index) and a quantity between 1 and what was bought; the same line
// may appear once. It pauses the plan, tells the merchant (webhook
// return.registered with the lines, carrier and tracking number, and an
// e-mail to its owners and admins) and schedules the end of the pause.
// Errors, each writing nothing: BAD_VALUE, NOT_FOUND (not the person's
// order), CodeAlreadyRegistered, NOT_ALLOWED (nothing captured and not
// refunded).
func (s *Service) Register(tx *store.Tx, personID, actor, orderID string, in Return) (Return, error) {
	if personID == "" || actor == "" {
		return Return{}, errors.New("returns: registering needs the person and the actor")
	}
	carrierName, err := checkText("carrier", in.Carrier, MaxCarrier)
	if err != nil {
		return Return{}, err
	}
	tracking, err := checkText("tracking_number", in.TrackingNumber, MaxTracking)
	if err != nil {
		return Return{}, err
	}
	bought, totals, err := orderLines(tx, personID, orderID)
	if err != nil {
		return Return{}, err
	}
	if len(in.Lines) == 0 {
		return Return{}, apperr.BadField("lines", "must name at least one order line")
	}
	var (
		lines  []Line
		amount int64
		seen   = map[int]bool{}
	)
	for _, l := range in.Lines {
		if l.Index < 0 || l.Index >= len(bought) || seen[l.Index] {
			return Return{}, apperr.BadField("lines", "must name each order line of the order at most once")
		}
		seen[l.Index] = true
		b := bought[l.Index]
		if l.Quantity < 1 || l.Quantity > b.Quantity {
			return Return{}, apperr.BadField("lines", "quantity of %q must be between 1 and %d", b.Name, b.Quantity)
		}
		lines = append(lines, Line{Index: l.Index, Name: b.Name, Quantity: l.Quantity})
		amount += totals[l.Index] * l.Quantity / b.Quantity
	}
	var (
		merchantID, currency string
		captured, refunded   int64
		live                 int
	)
	if err := tx.QueryRow(`SELECT merchant_id, purchase_currency, captured_amount, refunded_amount FROM orders WHERE id = $1`, orderID).
		Scan(&merchantID, &currency, &captured, &refunded); err != nil {
		return Return{}, err
	}
	if captured-refunded <= 0 {
		return Return{}, apperr.New(apperr.NotAllowed, "Nothing was sent on this order that is not refunded, so there is nothing to return.")
	}
	if err := tx.QueryRow(`SELECT COUNT(*) FROM returns WHERE live_key = $1`, orderID).Scan(&live); err != nil {
		return Return{}, err
	}
	if live > 0 {
		return Return{}, errAlreadyRegistered
	}
	id := ids.New()
	r := Return{ID: id, personID: personID}
	sealed, err := s.vault.SealString(tx, r.subject(), ContextTracking, tracking)
	if err != nil {
		return Return{}, err
	}
	linesJSON, _ := json.Marshal(lines)
	until := tx.Now.Add(time.Duration(s.cfg.PauseDays) * 24 * time.Hour)
	if _, err := tx.Exec(`INSERT INTO returns (id, order_id, person_id, merchant_id, live_key, status, lines, amount, currency, carrier, tracking_number,
    created_at, pause_until) VALUES ($1, $2, $3, $4, $2, $5, $6, $7, $8, $9, $10, $11, $12)`,
		id, orderID, personID, merchantID, string(Registered), string(linesJSON), amount, currency, carrierName, sealed,
		store.Micros(tx.Now), store.Micros(until)); store.IsUniqueViolation(err) {
		return Return{}, errAlreadyRegistered // registered meanwhile by a concurrent request
	} else if err != nil {
		return Return{}, err
	}
	if r, err = load(tx, id); err != nil {
		return Return{}, err
	}
	r.TrackingNumber = tracking
	if _, err := audit.Append(tx, actor, ActionRegistered, orderID, map[string]any{"return_id": id, "amount": amount, "currency": currency,
		"carrier": carrierName, "pause_until": until.Format(time.RFC3339)}); err != nil {
		return Return{}, err
	}
	if err := s.plans.Pause(tx, orderID, holder(id), s.cfg.PauseDays); err != nil && apperr.Code(err) != apperr.NoSuchOrder {
		return Return{}, err
	}
	if _, err := notify.Enqueue(tx, merchantID, orderID, WebhookRegistered, "", registeredBody(r, tx.Now)); err != nil {
		return Return{}, err
	}
	if err := s.mailMerchant(tx, r, "return.mail.registered"); err != nil {
		return Return{}, err
	}
	return r, jobs.Enqueue(tx, jobs.Job{Kind: JobPauseEnd, UniqueKey: JobPauseEnd + ":" + id, Payload: payload{id}, RunAt: until})
}

// registeredBody is the return.registered webhook body: the order, the
// return, the lines sent back, the carrier and the tracking number (the
// merchant needs them to find the parcel); no name or address.
func registeredBody(r Return, now time.Time) []byte {
	b, err := json.Marshal(struct {
		EventID        string `json:"event_id"`
		EventType      string `json:"event_type"`
		OccurredAt     string `json:"occurred_at"`
		OrderID        string `json:"order_id"`
		ReturnID       string `json:"return_id"`
		Lines          []Line `json:"lines"`
		Amount         int64  `json:"amount"`
		Currency       string `json:"currency"`
		Carrier        string `json:"carrier"`
		TrackingNumber string `json:"tracking_number"`
		PauseUntil     string `json:"pause_until"`
	}{ids.New(), WebhookRegistered, now.UTC().Format("2006-01-02T15:04:05.000Z"), r.OrderID, r.ID, r.Lines, r.Amount, r.Currency,
		r.Carrier, r.TrackingNumber, r.PauseUntil.UTC().Format("2006-01-02T15:04:05.000Z")})
	if err != nil { // cannot happen: strings and integers
		panic("returns: encode webhook: " + err.Error())
	}
	return b
}

// Cancel withdraws the person's registered return, in tx; the plan
// resumes. Errors: NOT_FOUND, CodeChanged, CodeNotLive (also for a return
// the merchant already received).
func (s *Service) Cancel(tx *store.Tx, personID, actor, id string, version int64) (Return, error) {
	r, err := load(tx, id)
	if err != nil {
		return Return{}, err
	}
	if r.personID != personID {
		return Return{}, errNotFound
	}
	if err := r.check(version); err != nil {
		return Return{}, err
	}
	if r.Status != Registered {
		return Return{}, apperr.New(CodeNotLive, "The merchant has received the return; it can no longer be withdrawn.")
	}
	return s.close(tx, r, actor, Cancelled, ActionCancelled, nil)
}

// MarkReceived records that the merchant has the parcel of a return of
// the merchant's order, in tx. by names who did it ("merchant_user:<id>",
// or "api"). Errors: NOT_FOUND (unknown, another merchant's, or not of the
// order), CodeChanged, CodeNotLive.
func (s *Service) MarkReceived(tx *store.Tx, merchantID, orderID, by, id string, version int64) (Return, error) {
	r, err := load(tx, id)
	if err != nil {
		return Return{}, err
	}
	if r.MerchantID != merchantID || r.OrderID != orderID {
		return Return{}, errNotFound
	}
	if err := r.check(version); err != nil {
		return Return{}, err
	}
	if r.Status == Received {
		return Return{}, apperr.New(CodeNotLive, "The return is already received.")
	}
	now := tx.Now
	r.Status, r.ReceivedAt = Received, &now
	if err := r.save(tx); err != nil {
		return Return{}, err
	}
	if _, err := audit.Append(tx, by, ActionReceived, r.OrderID, map[string]string{"return_id": r.ID}); err != nil {
		return Return{}, err
	}
	return s.open(tx, r)
}

// Refunded is checkout's OnRefund hook: a refund of an order with a live
// return marks the return refunded and resumes the plan, in tx.
func (s *Service) Refunded(tx *store.Tx, orderID, refundID string, amount int64) error {
	var id string
	err := tx.QueryRow(`SELECT id FROM returns WHERE live_key = $1`, orderID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	r, err := load(tx, id)
	if err != nil {
		return err
	}
	r.RefundID = refundID
	_, err = s.close(tx, r, "system", Refunded, ActionRefunded, map[string]any{"refund_id": refundID, "refunded_amount": amount})
	return err
}

// holder names a return's hold on its order's payment plan.
func holder(returnID string) string { return "return:" + returnID }

// close ends a live return with status, ends its hold on the plan (which
// stays paused while a dispute or a fraud case still holds it) and audits.
func (s *Service) close(tx *store.Tx, r Return, actor string, st Status, action string, detail map[string]any) (Return, error) {
	now := tx.Now
	r.Status, r.ClosedAt = st, &now
	if err := r.save(tx); err != nil {
		return Return{}, err
	}
	if err := s.plans.Resume(tx, r.OrderID, holder(r.ID)); err != nil && apperr.Code(err) != apperr.NoSuchOrder { // no plan
		return Return{}, err
	}
	if detail == nil {
		detail = map[string]any{}
	}
	detail["return_id"] = r.ID
	if _, err := audit.Append(tx, actor, action, r.OrderID, detail); err != nil {
		return Return{}, err
	}
	return s.open(tx, r)
}

// pauseEnd closes a return still live when its pause ends: unrefunded, the
// plan resumes and the consumer is invited to dispute.
func (s *Service) pauseEnd(ctx context.Context, raw []byte) error {
	var p payload
	if err := json.Unmarshal(raw, &p); err != nil {
		return jobs.Drop(err)
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		r, err := load(tx, p.ReturnID)
		if apperr.Code(err) == apperr.NotFound {
			return jobs.Drop(err)
		}
		if err != nil || !r.Status.Live() || tx.Now.Before(r.PauseUntil) {
			return err
		}
		if r, err = s.close(tx, r, "system", Unrefunded, ActionUnrefunded, nil); err != nil {
			return err
		}
		return s.mailConsumer(tx, r)
	})
}

// mailMerchant e-mails the merchant's active owners and admins, in
// English: subject and body are key+".subject" and key+".body" with the
// order reference, amount, carrier and tracking number.
func (s *Service) mailMerchant(tx *store.Tx, r Return, key string) error {
	to, err := account.MerchantContacts(tx, r.MerchantID)
	if err != nil {
		return err
	}
	pr := i18n.Printer{Lang: i18n.Default}
	subject := pr.T(key+".subject", "reference", r.Reference)
	body := pr.T(key+".body", "reference", r.Reference, "amount", pr.Money(r.Amount, r.Currency), "carrier", r.Carrier, "tracking", r.TrackingNumber)
	for _, addr := range to {
		if _, err := outbox.Enqueue(tx, s.vault, s.lookupKey, outbox.Message{Channel: outbox.Email, To: addr, Subject: subject, Body: body}); err != nil {
			return err
		}
	}
	return nil
}

// mailConsumer e-mails the order's consumer, in the order's language, that
// no refund came and that they may open a returned_not_refunded dispute.
func (s *Service) mailConsumer(tx *store.Tx, r Return) error {
	to, ok, err := outbox.OrderRecipient(tx, s.vault, r.OrderID)
	if err != nil || !ok {
		return err // an erased person when !ok: no address to write to
	}
	pr := i18n.Printer{Lang: to.Lang}
	_, err = outbox.Enqueue(tx, s.vault, s.lookupKey, outbox.Message{Channel: outbox.Email, To: to.Email, PersonID: to.PersonID,
		Subject: pr.T("return.mail.unrefunded.subject", "reference", r.Reference),
		Body:    pr.T("return.mail.unrefunded.body", "reference", r.Reference, "link", s.baseURL+"/app/orders/"+r.OrderID)})
	return err
}
