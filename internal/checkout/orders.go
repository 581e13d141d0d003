package checkout

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/aml"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/disclosure"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/risk/history"
	"github.com/tillit/tillit/internal/risk/record"
	"github.com/tillit/tillit/internal/store"
)

// Job kinds checkout runs.
const (
	JobExpireOrder       = "order.expire"
	JobResolveTestReview = "order.resolve_test_review"
)

// orderPayload is the payload of checkout's jobs.
type orderPayload struct {
	OrderID string `json:"order_id"`
}

// orderRow is a stored order.
type orderRow struct {
	ID, MerchantID, SessionID, Reference string
	Status, FraudStatus, PaymentMethod   string
	Country, Currency, Locale            string
	OriginalAmount, Amount, TaxAmount    int64
	Captured, Refunded, Released         int64
	Ref1, Ref2                           string
	// PersonID is the person the order is about.
	PersonID string
	// The JSON documents of the order are decoded only by the operations
	// that need them (decodeDetails, shipping); captures and refunds do not.
	// personal and consumer are sealed (personal.go).
	dataJSON, shippingJSON         string
	sealedPersonal, sealedConsumer string
	Data                           OrderData
	Consumer                       consumerData
	CreatedAt, ExpiresAt           int64
	AcknowledgedAt                 sql.NullInt64
	Version                        int64
}

const orderColumns = `id, merchant_id, session_id, reference, status, fraud_status, payment_method, purchase_country, purchase_currency, locale,
	original_order_amount, order_amount, order_tax_amount, captured_amount, refunded_amount, released_amount,
	merchant_reference1, merchant_reference2, COALESCE(person_id, ''), data, personal, consumer, shipping_info, created_at, expires_at, acknowledged_at, version`

func scanOrder(row *sql.Row) (*orderRow, error) {
	var o orderRow
	err := row.Scan(&o.ID, &o.MerchantID, &o.SessionID, &o.Reference, &o.Status, &o.FraudStatus, &o.PaymentMethod,
		&o.Country, &o.Currency, &o.Locale, &o.OriginalAmount, &o.Amount, &o.TaxAmount, &o.Captured, &o.Refunded, &o.Released,
		&o.Ref1, &o.Ref2, &o.PersonID, &o.dataJSON, &o.sealedPersonal, &o.sealedConsumer, &o.shippingJSON, &o.CreatedAt, &o.ExpiresAt, &o.AcknowledgedAt, &o.Version)
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// decodeDetails decodes the order's purchase and opens its personal data;
// an erased person's reads as absent.
func (s *Service) decodeDetails(tx *store.Tx, o *orderRow) error {
	if err := json.Unmarshal([]byte(o.dataJSON), &o.Data); err != nil {
		return err
	}
	var personal personalData
	if err := s.openJSON(tx, o.PersonID, contextPersonal, o.sealedPersonal, &personal); err != nil {
		return err
	}
	personal.mergeInto(&o.Data)
	var err error
	o.Consumer, err = s.openConsumer(tx, o.PersonID, o.sealedConsumer)
	return err
}

// shipping decodes the order's shipments.
func (o *orderRow) shipping() ([]ShippingInfo, error) {
	var s []ShippingInfo
	return s, json.Unmarshal([]byte(o.shippingJSON), &s)
}

// loadOrder loads an order of merchantID; any other merchant's order is
// NO_SUCH_ORDER, exactly like an order that does not exist.
func loadOrder(tx *store.Tx, merchantID, orderID string) (*orderRow, error) {
	notFound := apperr.New(apperr.NoSuchOrder, "No order with id %q.", orderID)
	if !ids.Valid(orderID) {
		return nil, notFound
	}
	o, err := scanOrder(tx.QueryRow(`SELECT `+orderColumns+` FROM orders WHERE id = $1`, orderID))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && merchantID != "" && o.MerchantID != merchantID) {
		return nil, notFound
	}
	return o, err
}

// save writes the order's mutable fields if nobody changed it meanwhile.
func (o *orderRow) save(tx *store.Tx) error {
	err := tx.ExecOne(`UPDATE orders SET status = $1, fraud_status = $2, captured_amount = $3, refunded_amount = $4, released_amount = $5,
		merchant_reference1 = $6, merchant_reference2 = $7, shipping_info = $8, expires_at = $9, acknowledged_at = $10, version = version + 1
		WHERE id = $11 AND version = $12`,
		o.Status, o.FraudStatus, o.Captured, o.Refunded, o.Released, o.Ref1, o.Ref2, o.shippingJSON, o.ExpiresAt, o.AcknowledgedAt, o.ID, o.Version)
	if err == nil {
		o.Version++
	}
	return err
}

// open reports whether the authorization can still be captured or released.
func (o *orderRow) open() bool {
	return o.Status == StatusAuthorized || o.Status == StatusPartCaptured
}

// remaining is the authorized amount not yet captured or released.
func (o *orderRow) remaining() int64 {
	if !o.open() {
		return 0
	}
	return o.Amount - o.Captured - o.Released
}

// settle derives the status from the amounts after a capture, refund or
// release: nothing left to capture means CAPTURED, and a captured order whose
// every captured unit was refunded is CLOSED.
func (o *orderRow) settle() {
	if o.open() {
		switch {
		case o.remaining() == 0:
			o.Status = StatusCaptured
		case o.Captured > 0:
			o.Status = StatusPartCaptured
		}
	}
	if o.Status == StatusCaptured && o.Captured > 0 && o.Refunded == o.Captured {
		o.Status = StatusClosed
	}
}

// CreateOrder places the order for an approved authorization. The token can
// be used once. Errors: NO_SUCH_AUTHORIZATION, AUTHORIZATION_ALREADY_USED,
// BAD_VALUE, NOT_ALLOWED (amount above what was authorized, or another
// country or currency).
func (s *Service) CreateOrder(ctx context.Context, m merchant.Merchant, token string, d OrderData) (OrderCreated, error) {
	if err := d.Validate(); err != nil {
		return OrderCreated{}, err
	}
	var out OrderCreated
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		a, err := loadAuthorization(tx, m.ID, token)
		if err != nil {
			return err
		}
		switch {
		case a.status == authUsed:
			return apperr.New(apperr.TokenUsed, "The authorization token was already used to place an order.")
		case a.status != authActive || tx.Now.UnixMicro() >= a.expiresAt:
			return apperr.New(apperr.NoSuchToken, "The authorization token is unknown, expired or cancelled.")
		}
		var country, currency, sessionData string
		if err := tx.QueryRow(`SELECT purchase_country, purchase_currency, data FROM payment_sessions WHERE id = $1`, a.sessionID).
			Scan(&country, &currency, &sessionData); err != nil {
			return err
		}
		if d.PurchaseCountry != country || d.PurchaseCurrency != currency {
			return apperr.New(apperr.NotAllowed, "The order's purchase country and currency must match the authorized session.")
		}
		if d.OrderAmount > a.approvedAmount {
			return apperr.New(apperr.NotAllowed, "The order amount %d is above the authorized amount %d; authorize again.", d.OrderAmount, a.approvedAmount)
		}
		if d.MerchantURLs == nil {
			var sessionURLs struct {
				MerchantURLs *MerchantURLs `json:"merchant_urls"`
			}
			if err := json.Unmarshal([]byte(sessionData), &sessionURLs); err != nil {
				return err
			}
			d.MerchantURLs = sessionURLs.MerchantURLs
		}
		orderID := ids.New()
		expires := tx.Now.Add(time.Duration(m.ExpiryDays) * 24 * time.Hour)
		purchase, personal := splitPersonal(d)
		data, _ := json.Marshal(purchase)
		sealedPersonal, err := s.sealJSON(tx, a.personID, contextPersonal, personal, personal.empty())
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO orders (id, merchant_id, session_id, person_id, reference, status, fraud_status, payment_method, purchase_country, purchase_currency, locale,
			original_order_amount, order_amount, order_tax_amount, merchant_reference1, merchant_reference2, data, personal, consumer, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
			orderID, m.ID, a.sessionID, a.personID, shortReference(), StatusAuthorized, a.fraudStatus, a.paymentMethod, d.PurchaseCountry, d.PurchaseCurrency, d.Locale,
			d.OrderAmount, d.OrderAmount, d.OrderTaxAmount, d.MerchantReference1, d.MerchantReference2, string(data), sealedPersonal, a.consumer,
			store.Micros(tx.Now), store.Micros(expires)); err != nil {
			return err
		}
		if err := tx.ExecOne(`UPDATE authorizations SET status = $1, order_id = $2, version = version + 1 WHERE token = $3 AND version = $4`,
			authUsed, orderID, token, a.version); err != nil {
			return err
		}
		if err := history.Placed(tx, token, orderID); err != nil {
			return err
		}
		if err := record.Placed(tx, token, orderID); err != nil {
			return err
		}
		// The merchant receives the person's identity, contact and address
		// with the order (D10).
		if err := disclosure.OrderPlaced(tx, a.personID, m.ID, orderID); err != nil {
			return err
		}
		// Transaction monitoring (T8) sees the order with the billing
		// country the person authorized with.
		c, err := s.openConsumer(tx, a.personID, a.consumer)
		if err != nil {
			return err
		}
		if err := aml.OnOrderPlaced(tx, aml.Placed{PersonID: a.personID, OrderID: orderID, Amount: d.OrderAmount, Currency: d.PurchaseCurrency,
			Country: d.PurchaseCountry, BillingCountry: c.BillingAddress.Country, At: tx.Now}); err != nil {
			return err
		}
		if err := jobs.Enqueue(tx, jobs.Job{Kind: JobExpireOrder, UniqueKey: JobExpireOrder + ":" + orderID, Payload: orderPayload{orderID}, RunAt: expires}); err != nil {
			return err
		}
		if s.Plans != nil {
			if err := s.Plans.OrderPlaced(tx, repayment.Placed{OrderID: orderID, MerchantID: m.ID, Category: a.paymentMethod,
				Currency: d.PurchaseCurrency, Locale: d.Locale, PersonID: a.personID, Instrument: a.instrument,
				Amount: d.OrderAmount, FinancingMonths: a.financingMonths}); err != nil {
				return err
			}
		}
		if a.fraudStatus == FraudPending && m.TestMode {
			if risk.TestOutcome(c.BillingAddress.Email) != "" {
				if err := jobs.Enqueue(tx, jobs.Job{Kind: JobResolveTestReview, UniqueKey: JobResolveTestReview + ":" + orderID,
					Payload: orderPayload{orderID}, RunAt: tx.Now.Add(TestReviewDelay)}); err != nil {
					return err
				}
			}
		}
		pm, _ := paymentMethod(a.paymentMethod)
		out = OrderCreated{OrderID: orderID, FraudStatus: a.fraudStatus, AuthorizedPaymentMethod: pm}
		if d.MerchantURLs != nil && d.MerchantURLs.Confirmation != "" {
			out.RedirectURL = strings.ReplaceAll(d.MerchantURLs.Confirmation, "{order.id}", orderID)
		}
		return nil
	})
	return out, err
}

// shortReference is the short, human-friendly order reference consumers see.
func shortReference() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	raw := ids.Token(10)
	var b strings.Builder
	for i := 0; i < 10; i++ {
		b.WriteByte(alphabet[int(raw[i])%len(alphabet)])
	}
	return b.String()
}

// authorizationRow is a stored authorization.
type authorizationRow struct {
	sessionID, status, fraudStatus, paymentMethod string
	// personID is the person who authorized; consumer is their sealed
	// consumer document.
	personID, consumer, instrument     string
	approvedAmount, expiresAt, version int64
	financingMonths                    int
}

func loadAuthorization(tx *store.Tx, merchantID, token string) (*authorizationRow, error) {
	notFound := apperr.New(apperr.NoSuchToken, "The authorization token is unknown, expired or cancelled.")
	if !ids.Valid(token) {
		return nil, notFound
	}
	var (
		a     authorizationRow
		owner string
	)
	err := tx.QueryRow(`SELECT session_id, merchant_id, status, fraud_status, payment_method, COALESCE(person_id, ''), consumer, approved_amount, expires_at, version,
		financing_months, payment_instrument FROM authorizations WHERE token = $1`, token).
		Scan(&a.sessionID, &owner, &a.status, &a.fraudStatus, &a.paymentMethod, &a.personID, &a.consumer, &a.approvedAmount, &a.expiresAt, &a.version,
			&a.financingMonths, &a.instrument)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && owner != merchantID) {
		return nil, notFound
	}
	return &a, err
}

// CancelAuthorization withdraws an authorization that has not been used to
// place an order. Errors: NO_SUCH_AUTHORIZATION, AUTHORIZATION_ALREADY_USED.
func (s *Service) CancelAuthorization(ctx context.Context, merchantID, token string) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		a, err := loadAuthorization(tx, merchantID, token)
		if err != nil {
			return err
		}
		switch a.status {
		case authUsed:
			return apperr.New(apperr.TokenUsed, "The authorization was used to place an order; cancel the order instead.")
		case authCancelled:
			return nil
		}
		return tx.ExecOne(`UPDATE authorizations SET status = $1, version = version + 1 WHERE token = $2 AND version = $3`, authCancelled, token, a.version)
	})
}
