package checkout

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/notify"
	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/store"
)

// Fraud notification event types sent to merchants.
const (
	EventFraudAccepted = "FRAUD_RISK_ACCEPTED"
	EventFraudRejected = "FRAUD_RISK_REJECTED"
	EventFraudStopped  = "FRAUD_RISK_STOPPED"
)

var fraudEvents = map[string]string{
	FraudAccepted: EventFraudAccepted,
	FraudRejected: EventFraudRejected,
	FraudStopped:  EventFraudStopped,
}

// SetFraudStatus changes an order's fraud status after it was created (manual
// review, stop requests) and notifies the merchant in the same transaction;
// stopping an order opens its stop request (OnStopped).
// Setting the status it already has changes nothing and sends nothing.
// Errors: NO_SUCH_ORDER, BAD_VALUE (unknown status or PENDING).
func (s *Service) SetFraudStatus(tx *store.Tx, orderID, status string) error {
	eventType, ok := fraudEvents[status]
	if !ok {
		return apperr.BadField("fraud_status", "must be ACCEPTED, REJECTED or STOPPED")
	}
	o, err := loadOrder(tx, "", orderID)
	if err != nil {
		return err
	}
	if o.FraudStatus == status {
		return nil
	}
	if err := s.decodeDetails(tx, o); err != nil {
		return err
	}
	o.FraudStatus = status
	if err := o.save(tx); err != nil {
		return err
	}
	url := ""
	if o.Data.MerchantURLs != nil {
		url = o.Data.MerchantURLs.Notification
	}
	body := notify.FraudEventBody(o.ID, eventType, "", tx.Now)
	if status == FraudStopped && s.OnStopped != nil {
		form, err := s.OnStopped(tx, o.ID)
		if err != nil {
			return err
		}
		body = notify.StopEventBody(o.ID, "", tx.Now, form)
	}
	_, err = notify.Enqueue(tx, o.MerchantID, o.ID, eventType, url, body)
	return err
}

// Register installs checkout's job handlers on the runner.
func (s *Service) Register(r *jobs.Runner) {
	r.Register(JobExpireOrder, s.expireOrder)
	r.Register(JobResolveTestReview, s.resolveTestReview)
}

// expireOrder ends an authorization whose time ran out: an order without
// captures becomes EXPIRED; a part-captured order releases what remains and
// becomes CAPTURED. An order extended meanwhile is left alone (its new expiry
// has its own job).
func (s *Service) expireOrder(ctx context.Context, payload []byte) error {
	var p orderPayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return jobs.Drop(err)
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		o, err := loadOrder(tx, "", p.OrderID)
		if apperr.Code(err) == apperr.NoSuchOrder {
			return jobs.Drop(err)
		}
		if err != nil {
			return err
		}
		if !o.open() || tx.Now.UnixMicro() < o.ExpiresAt {
			return nil
		}
		if o.Captured == 0 {
			o.Status = StatusExpired
		} else {
			o.Released += o.remaining()
			o.settle()
		}
		if err := o.save(tx); err != nil {
			return err
		}
		return s.orderEnded(tx, o.ID)
	})
}

// resolveTestReview finishes the simulated manual review of a test-mode order
// whose e-mail asked for it.
func (s *Service) resolveTestReview(ctx context.Context, payload []byte) error {
	var p orderPayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return jobs.Drop(err)
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		o, err := loadOrder(tx, "", p.OrderID)
		if err != nil {
			if apperr.Code(err) == apperr.NoSuchOrder {
				return jobs.Drop(err)
			}
			return err
		}
		if err := s.decodeDetails(tx, o); err != nil {
			return err
		}
		outcome := risk.TestOutcome(o.Consumer.BillingAddress.Email)
		if o.FraudStatus != FraudPending || outcome == "" {
			return nil
		}
		return s.SetFraudStatus(tx, o.ID, outcome)
	})
}

// DecideFraudStatus records an operator's decision on an order's fraud
// status (until the review queue exists, the way a PENDING order is cleared
// or an order is stopped) and audits it in the same transaction. reason must
// not hold personal data. Errors: NO_SUCH_ORDER, BAD_VALUE.
func (s *Service) DecideFraudStatus(ctx context.Context, actor, orderID, status, reason string) error {
	if strings.TrimSpace(actor) == "" {
		return apperr.BadField("actor", "is required")
	}
	if strings.TrimSpace(reason) == "" || len(reason) > 500 {
		return apperr.BadField("reason", "must be 1-500 characters")
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := s.SetFraudStatus(tx, orderID, status); err != nil {
			return err
		}
		if _, err := audit.Append(tx, actor, "order.fraud_status", orderID, map[string]string{"fraud_status": status, "reason": reason}); err != nil {
			return err
		}
		if s.FraudConfirmed != nil && (status == FraudRejected || status == FraudStopped) {
			return s.FraudConfirmed(tx, actor, orderID, status)
		}
		return nil
	})
}
