package stoprequest

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/carrier"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/store"
)

// Input is a merchant's answer to a stop request, as the form and the JSON
// endpoint send it.
type Input struct {
	// Answer is AnswerNotShipped, AnswerService, AnswerShipped or
	// AnswerReturned.
	Answer string `json:"answer"`
	// InvoiceRemoval (not shipped, a service that was stopped, returned)
	// is RemovalByTillit or RemovalByMerchant.
	InvoiceRemoval string `json:"invoice_removal,omitempty"`
	// ServiceStopped (service) says whether access was cut.
	ServiceStopped *bool `json:"service_stopped,omitempty"`
	// Carrier and TrackingNumber (shipped) name the shipment.
	Carrier        string `json:"carrier,omitempty"`
	TrackingNumber string `json:"tracking_number,omitempty"`
	// NoTrackingNumber (shipped) states the parcel went without one.
	NoTrackingNumber bool `json:"shipped_without_tracking_number,omitempty"`
	// PickedUp (shipped) is yes, no or unknown.
	PickedUp string `json:"picked_up,omitempty"`
}

// Limits of the free-text fields.
const (
	MaxCarrierLen  = 60
	MaxTrackingLen = 40
)

// pickedUp lists the accepted PickedUp values.
var pickedUp = map[string]bool{"yes": true, "no": true, "unknown": true}

// validate checks an answer's fields for its kind and returns it
// normalised. Errors: BAD_VALUE naming the field.
func (in Input) validate() (Input, error) {
	in.Answer = strings.TrimSpace(in.Answer)
	in.Carrier = strings.TrimSpace(in.Carrier)
	in.TrackingNumber = carrier.NormaliseTracking(strings.TrimSpace(in.TrackingNumber))
	removal := func() error {
		if in.InvoiceRemoval != RemovalByTillit && in.InvoiceRemoval != RemovalByMerchant {
			return apperr.BadField("invoice_removal", "must be %q or %q", RemovalByTillit, RemovalByMerchant)
		}
		return nil
	}
	switch in.Answer {
	case AnswerNotShipped, AnswerReturned:
		return in, removal()
	case AnswerService:
		if in.ServiceStopped == nil {
			return in, apperr.BadField("service_stopped", "is required for a service: true if access was cut, false if it cannot be stopped")
		}
		if *in.ServiceStopped {
			return in, removal()
		}
		in.InvoiceRemoval = ""
		return in, nil
	case AnswerShipped:
		if in.Carrier == "" || utf8.RuneCountInString(in.Carrier) > MaxCarrierLen || strings.IndexFunc(in.Carrier, unicode.IsControl) >= 0 {
			return in, apperr.BadField("carrier", "is required: 1-%d characters", MaxCarrierLen)
		}
		if !pickedUp[in.PickedUp] {
			return in, apperr.BadField("picked_up", "must be yes, no or unknown")
		}
		if in.NoTrackingNumber {
			if in.TrackingNumber != "" {
				return in, apperr.BadField("tracking_number", "must be empty when the parcel was shipped without one")
			}
			return in, nil
		}
		if in.TrackingNumber == "" {
			return in, apperr.BadField("tracking_number", "is required for a shipped order, whether or not the parcel was picked up")
		}
		if len(in.TrackingNumber) > MaxTrackingLen || strings.IndexFunc(in.TrackingNumber, func(r rune) bool {
			return (r < 'A' || r > 'Z') && (r < '0' || r > '9')
		}) >= 0 {
			return in, apperr.BadField("tracking_number", "must be 1-%d letters and digits", MaxTrackingLen)
		}
		return in, nil
	}
	return in, apperr.BadField("answer", "must be one of %s, %s, %s, %s", AnswerNotShipped, AnswerService, AnswerShipped, AnswerReturned)
}

// Respond records a merchant's answer in tx and acts on it (see the
// package comment). merchantID, when set, must own the request (the portal
// and the API; a signed link passes ""). by names who answered:
// "merchant_user:<id>", "api" or "link". Errors, each writing nothing:
// NOT_FOUND, BAD_VALUE, CodeAnswered (already answered, except a returned
// parcel after a shipped answer and a corrected tracking number the carrier
// did not know), and checkout's errors when Tillit removes the invoice.
func (s *Service) Respond(tx *store.Tx, merchantID, id, by string, in Input) (Request, error) {
	in, err := in.validate()
	if err != nil {
		return Request{}, err
	}
	r, err := load(tx, merchantID, id)
	if err != nil {
		return Request{}, err
	}
	correction := false
	switch {
	case r.Status == StatusOpen:
	case r.Status == StatusAwaitingReturn && in.Answer == AnswerReturned:
	case r.Status == StatusAwaitingReturn && in.Answer == AnswerShipped && r.RecallStatus == RecallUnknownTracking && !in.NoTrackingNumber:
		correction = true
	default:
		return Request{}, apperr.New(CodeAnswered, "This stop request was already answered (%s).", r.Answer)
	}
	if r.AnsweredAt == nil {
		now := tx.Now
		r.AnsweredAt = &now
		r.AnsweredBy = by
		r.AnsweredInTime = tx.Now.Before(r.DeadlineAt)
	}
	r.Answer = in.Answer
	r.Details.InvoiceRemoval = in.InvoiceRemoval
	r.Details.ServiceStopped = in.ServiceStopped
	auditAction := ActionAnswered
	if correction {
		auditAction = ActionAnsweredCorrect
	}
	switch {
	case in.Answer == AnswerShipped:
		if err := s.shipped(tx, &r, in); err != nil {
			return Request{}, err
		}
	case in.Answer == AnswerService && !*in.ServiceStopped:
		r.Status = StatusAwaitingDispute
	default: // stopped before shipping, a service cut off, a parcel back
		if err := s.removeInvoice(tx, &r, in.InvoiceRemoval); err != nil {
			return Request{}, err
		}
	}
	if !(in.Answer == AnswerShipped && in.NoTrackingNumber) { // the write-off saved it
		if err := r.save(tx); err != nil {
			return Request{}, err
		}
	}
	if _, err := audit.Append(tx, by, auditAction, r.OrderID, map[string]any{
		"stop_request_id": r.ID, "answer": r.Answer, "details": r.Details, "carrier": r.Carrier,
		"answered_in_time": r.AnsweredInTime, "status": r.Status, "outcome": r.Outcome,
	}); err != nil {
		return Request{}, err
	}
	return s.withTracking(tx, r)
}

// shipped records a shipped answer: the carrier and the sealed tracking
// number, and a recall when Tillit can make one. Without a tracking number
// the claim is reversed to the merchant at once.
func (s *Service) shipped(tx *store.Tx, r *Request, in Input) error {
	r.Carrier = in.Carrier
	r.Details.PickedUp = in.PickedUp
	r.Details.NoTrackingNumber = in.NoTrackingNumber
	if in.NoTrackingNumber {
		r.sealedTracking, r.RecallStatus = "", ""
		if err := r.save(tx); err != nil {
			return err
		}
		_, err := s.writeOff(tx, "system", r, false, "shipped without a tracking number")
		return err
	}
	sealed, err := s.vault.SealString(tx, subjectOf(*r), VaultContextTracking, in.TrackingNumber)
	if err != nil {
		return err
	}
	r.sealedTracking = sealed
	r.Status = StatusAwaitingReturn
	r.RecallReference = ""
	c, ok := carrier.Recallable(in.Carrier)
	if _, adapter := s.carriers[c]; !ok || !adapter {
		r.RecallStatus = RecallByMerchant
		return nil
	}
	r.RecallStatus = RecallPending
	return jobs.Enqueue(tx, jobs.Job{Kind: JobRecall, UniqueKey: JobRecall + ":" + r.ID, Payload: requestPayload{r.ID}})
}

// removeInvoice removes a stopped or returned order's invoice: Tillit
// cancels it (nothing captured) or refunds what was captured and releases
// the rest at once; with RemovalByMerchant the request waits for the
// merchant's own system and confirmation, unless the order already shows
// it removed.
func (s *Service) removeInvoice(tx *store.Tx, r *Request, by string) error {
	o, err := orderState(tx, r.OrderID)
	if err != nil {
		return err
	}
	if by == RemovalByTillit && !o.removed() {
		if o.Status == checkout.StatusAuthorized && o.Captured == 0 {
			err = s.checkout.Cancel(tx, r.MerchantID, r.OrderID)
		} else {
			err = s.refundAll(tx, r, o)
		}
		if err != nil {
			return err
		}
		o, err = orderState(tx, r.OrderID)
		if err != nil {
			return err
		}
	}
	if !o.removed() {
		r.Status = StatusAwaitingRemoval
		return nil
	}
	r.close(tx.Now, closedOutcome(r.Answer))
	return nil
}

// refundAll refunds what is captured and not yet refunded and releases the
// rest of the authorization.
func (s *Service) refundAll(tx *store.Tx, r *Request, o order) error {
	if left := o.Captured - o.Refunded; left > 0 {
		desc := "Stopped order"
		if r.Answer == AnswerReturned {
			desc = "Returned order"
		}
		if _, err := s.checkout.Refund(tx, r.MerchantID, r.OrderID, checkout.RefundRequest{RefundedAmount: left, Description: desc}); err != nil {
			return err
		}
	}
	if o.Status == checkout.StatusPartCaptured {
		return s.checkout.ReleaseRemaining(tx, r.MerchantID, r.OrderID)
	}
	return nil
}

// closedOutcome is the outcome of a request whose invoice was removed.
func closedOutcome(answer string) string {
	if answer == AnswerReturned {
		return OutcomeReturned
	}
	return OutcomeRemoved
}

// close closes the request with an outcome at now.
func (r *Request) close(now time.Time, outcome string) {
	r.Status, r.Outcome = StatusClosed, outcome
	r.ClosedAt = &now
}

// ConfirmRemoval records the merchant's confirmation that its own order
// system removed the invoice (cancelled, or refunded in full and released
// the rest) and closes the request. Errors, each writing nothing:
// NOT_FOUND, CodeAnswered (not waiting for a removal), CodeNotRemoved (the
// order does not show it yet).
func (s *Service) ConfirmRemoval(tx *store.Tx, merchantID, id, by string) (Request, error) {
	r, err := load(tx, merchantID, id)
	if err != nil {
		return Request{}, err
	}
	if r.Status != StatusAwaitingRemoval {
		return Request{}, apperr.New(CodeAnswered, "This stop request is not waiting for a removal (it is %s).", r.Status)
	}
	o, err := orderState(tx, r.OrderID)
	if err != nil {
		return Request{}, err
	}
	if !o.removed() {
		return Request{}, apperr.New(CodeNotRemoved, "The order still has %d authorized or captured and not refunded; cancel or refund it in full first.", o.outstanding())
	}
	confirmed := tx.Now
	r.Details.RemovalConfirmedAt = &confirmed
	r.close(tx.Now, closedOutcome(r.Answer))
	if err := r.save(tx); err != nil {
		return Request{}, err
	}
	if _, err := audit.Append(tx, by, ActionRemovalConfirm, r.OrderID, map[string]string{"stop_request_id": r.ID, "outcome": r.Outcome}); err != nil {
		return Request{}, err
	}
	return s.withTracking(tx, r)
}

// order is what stop requests read of an order.
type order struct {
	Status                               string
	Amount, Captured, Refunded, Released int64
}

func orderState(tx *store.Tx, orderID string) (order, error) {
	var o order
	err := tx.QueryRow(`SELECT status, order_amount, captured_amount, refunded_amount, released_amount FROM orders WHERE id = $1`, orderID).
		Scan(&o.Status, &o.Amount, &o.Captured, &o.Refunded, &o.Released)
	return o, err
}

// removed reports whether nothing of the order is left to charge the
// consumer: it was cancelled or expired, or everything captured was
// refunded and no authorization is left open.
func (o order) removed() bool {
	switch o.Status {
	case checkout.StatusCancelled, checkout.StatusExpired:
		return true
	case checkout.StatusAuthorized, checkout.StatusPartCaptured:
		return false
	}
	return o.Captured == o.Refunded
}

// outstanding is what the consumer could still be charged.
func (o order) outstanding() int64 {
	open := int64(0)
	if o.Status == checkout.StatusAuthorized || o.Status == checkout.StatusPartCaptured {
		open = o.Amount - o.Captured - o.Released
	}
	return open + o.Captured - o.Refunded
}
