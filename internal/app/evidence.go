package app

import (
	"strconv"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/fraudcase"
	"github.com/tillit/tillit/internal/merchantmsg"
	"github.com/tillit/tillit/internal/risk/postapproval"
	"github.com/tillit/tillit/internal/stoprequest"
	"github.com/tillit/tillit/internal/store"
)

// caseEvidence returns the fraud-case attachments of an order: its stop
// request with the merchant's answers, and the merchant's messages about
// it (T7: the investigation uses what the merchant told Tillit).
func caseEvidence(stops *stoprequest.Service, messages *merchantmsg.Service) func(tx *store.Tx, orderID string) ([]fraudcase.Attachment, error) {
	return func(tx *store.Tx, orderID string) ([]fraudcase.Attachment, error) {
		var out []fraudcase.Attachment
		r, found, err := stops.Evidence(tx, orderID)
		if err != nil {
			return nil, err
		}
		if found {
			out = append(out, stopRequestAttachment(r))
		}
		msgs, err := messages.ForOrder(tx, orderID)
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			a := fraudcase.Attachment{Title: "Merchant message (" + string(m.Topic) + ")", At: m.SentAt,
				Fields: []fraudcase.Field{{Label: "Message", Value: m.Text}, {Label: "Status", Value: string(m.Status)}}}
			if m.Reply != "" {
				a.Fields = append(a.Fields, fraudcase.Field{Label: "Tillit's reply", Value: m.Reply})
			}
			out = append(out, a)
		}
		return out, nil
	}
}

// stopRequestAttachment is the stop request as a case attachment.
func stopRequestAttachment(r stoprequest.Request) fraudcase.Attachment {
	at := r.CreatedAt
	if r.AnsweredAt != nil {
		at = *r.AnsweredAt
	}
	field := func(label, value string) fraudcase.Field { return fraudcase.Field{Label: label, Value: value} }
	when := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.UTC().Format(time.RFC3339)
	}
	fields := []fraudcase.Field{
		field("Stop request", r.ID),
		field("Opened", r.CreatedAt.UTC().Format(time.RFC3339)),
		field("Deadline", r.DeadlineAt.UTC().Format(time.RFC3339)),
		field("Status", r.Status),
		field("Answer", orDash(r.Answer)),
		field("Answered", when(r.AnsweredAt)),
		field("Answered in time", strconv.FormatBool(r.AnsweredInTime)),
		field("Answered by", orDash(r.AnsweredBy)),
	}
	d := r.Details
	if d.InvoiceRemoval != "" {
		fields = append(fields, field("Invoice removed by", d.InvoiceRemoval))
	}
	if d.ServiceStopped != nil {
		fields = append(fields, field("Service stopped", strconv.FormatBool(*d.ServiceStopped)))
	}
	if r.Answer == stoprequest.AnswerShipped {
		fields = append(fields, field("Carrier", orDash(r.Carrier)), field("Tracking number", orDash(r.TrackingNumber)),
			field("Shipped without a tracking number", strconv.FormatBool(d.NoTrackingNumber)), field("Picked up", orDash(d.PickedUp)),
			field("Recall", orDash(strings.TrimSpace(r.RecallStatus+" "+r.RecallReference))))
	}
	if r.Outcome != "" {
		fields = append(fields, field("Outcome", r.Outcome), field("Closed", when(r.ClosedAt)))
	}
	return fraudcase.Attachment{Title: "Stop request and the merchant's answers", At: at, Fields: fields}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// cancelClaim is the fraud cases' ClaimCancelled: the order is confirmed
// fraud (labelled in the purchase history, the orders linked to it
// re-assessed), and the victim's claim is written off through the order's
// stop request (policy as the merchant's answers earned it), or directly
// when it had none. A claim the stop request already removed (stopped in
// time, returned) or wrote off has nothing left to cancel.
func cancelClaim(stops *stoprequest.Service, reviews *postapproval.Service) func(tx *store.Tx, actor, orderID string) error {
	return func(tx *store.Tx, actor, orderID string) error {
		if _, err := reviews.FraudConfirmed(tx, actor, orderID, postapproval.StatusRejected); err != nil {
			return err
		}
		r, found, err := stoprequest.ForOrder(tx, orderID)
		if err != nil {
			return err
		}
		if found && (r.Outcome == stoprequest.OutcomeRemoved || r.Outcome == stoprequest.OutcomeReturned ||
			r.Outcome == stoprequest.OutcomeWrittenOff || r.Outcome == stoprequest.OutcomeReversed) {
			return nil
		}
		_, err = stops.WriteOff(tx, actor, orderID, "fraud investigation: victim confirmed")
		if apperr.Code(err) == apperr.NotAllowed && !found {
			return nil // written off already
		}
		return err
	}
}

// underFraudHandling reports whether the order has a stop request that is
// not closed or a live fraud investigation.
func underFraudHandling(tx *store.Tx, orderID string) (bool, error) {
	if stopped, err := stoprequest.UnderFraudHandling(tx, orderID); err != nil || stopped {
		return stopped, err
	}
	return fraudcase.LiveFor(tx, orderID)
}
