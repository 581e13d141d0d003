package checkout

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/tillit/tillit/internal/aml"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/plan"
	"github.com/tillit/tillit/internal/store"
)

// GetOrder returns a merchant's order with its captures and refunds.
// Errors: NO_SUCH_ORDER.
func (s *Service) GetOrder(ctx context.Context, merchantID, orderID string) (Order, error) {
	var out Order
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		o, err := loadOrder(tx, merchantID, orderID)
		if err != nil {
			return err
		}
		if err := s.decodeDetails(tx, o); err != nil {
			return err
		}
		shipping, err := o.shipping()
		if err != nil {
			return err
		}
		captures, err := listCaptures(tx, o)
		if err != nil {
			return err
		}
		refunds, err := listRefunds(tx, o.ID)
		if err != nil {
			return err
		}
		out = o.view(captures, refunds, shipping)
		return nil
	})
	return out, err
}

// view renders the stored order in the public shape.
func (o *orderRow) view(captures []Capture, refunds []Refund, shipping []ShippingInfo) Order {
	pm, _ := paymentMethod(o.PaymentMethod)
	customer := o.Consumer.Customer
	billing := o.Consumer.BillingAddress
	shippingAddress := o.Consumer.ShippingAddress
	if shippingAddress == nil {
		shippingAddress = &billing
	}
	view := Order{
		OrderID: o.ID, Status: o.Status, FraudStatus: o.FraudStatus, OrderAmount: o.Amount, OriginalOrderAmount: o.OriginalAmount,
		CapturedAmount: o.Captured, RefundedAmount: o.Refunded, RemainingAuthorizedAmount: o.remaining(),
		PurchaseCurrency: o.Currency, PurchaseCountry: o.Country, Locale: o.Locale, OrderTaxAmount: o.TaxAmount,
		OrderLines: o.Data.OrderLines, MerchantReference1: o.Ref1, MerchantReference2: o.Ref2, KlarnaReference: o.Reference,
		Customer: &customer, BillingAddress: &billing, ShippingAddress: shippingAddress,
		CreatedAt: timestamp(store.FromMicros(o.CreatedAt)), ExpiresAt: timestamp(store.FromMicros(o.ExpiresAt)),
		Captures: captures, Refunds: refunds, ShippingInfo: shipping, MerchantData: o.Data.MerchantData,
		InitialPaymentMethod: pm, MerchantURLs: o.Data.MerchantURLs,
	}
	if billing.Email == "" {
		// Authorization requires an address, so none means the person was
		// erased: there is nobody to show.
		view.Customer, view.BillingAddress, view.ShippingAddress = nil, nil, nil
	}
	return view
}

func listCaptures(tx *store.Tx, o *orderRow) ([]Capture, error) {
	rows, err := tx.Query(`SELECT id, reference, captured_amount, refunded_amount, description, merchant_ref, order_lines, shipping_info, captured_at
		FROM captures WHERE order_id = $1 ORDER BY captured_at, id`, o.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Capture{}
	for rows.Next() {
		c, err := scanCapture(rows, o)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

type scanner interface{ Scan(dest ...any) error }

func scanCapture(row scanner, o *orderRow) (Capture, error) {
	var (
		c               Capture
		lines, shipping string
		at              int64
	)
	if err := row.Scan(&c.CaptureID, &c.KlarnaReference, &c.CapturedAmount, &c.RefundedAmount, &c.Description, &c.Reference, &lines, &shipping, &at); err != nil {
		return Capture{}, err
	}
	if err := json.Unmarshal([]byte(lines), &c.OrderLines); err != nil {
		return Capture{}, err
	}
	if err := json.Unmarshal([]byte(shipping), &c.ShippingInfo); err != nil {
		return Capture{}, err
	}
	c.CapturedAt = timestamp(store.FromMicros(at))
	billing := o.Consumer.BillingAddress
	c.BillingAddress = &billing
	c.ShippingAddress = o.Consumer.ShippingAddress
	if c.ShippingAddress == nil {
		c.ShippingAddress = &billing
	}
	return c, nil
}

func listRefunds(tx *store.Tx, orderID string) ([]Refund, error) {
	rows, err := tx.Query(`SELECT `+refundColumns+` FROM refunds WHERE order_id = $1 ORDER BY refunded_at, id`, orderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Refund{}
	for rows.Next() {
		r, err := scanRefund(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// refundColumns are the columns scanRefund reads.
const refundColumns = `id, refunded_amount, description, merchant_ref, order_lines, refunded_at, kind`

func scanRefund(row scanner) (Refund, error) {
	var (
		r           Refund
		lines, kind string
		at          int64
	)
	if err := row.Scan(&r.RefundID, &r.RefundedAmount, &r.Description, &r.Reference, &lines, &at, &kind); err != nil {
		return Refund{}, err
	}
	r.RefundedAt = timestamp(store.FromMicros(at))
	if kind != RefundKindMerchant {
		r.Type = kind
	}
	return r, json.Unmarshal([]byte(lines), &r.OrderLines)
}

// GetCaptures lists an order's captures. Errors: NO_SUCH_ORDER.
func (s *Service) GetCaptures(ctx context.Context, merchantID, orderID string) ([]Capture, error) {
	var out []Capture
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		o, err := loadOrder(tx, merchantID, orderID)
		if err == nil {
			err = s.decodeDetails(tx, o)
		}
		if err != nil {
			return err
		}
		out, err = listCaptures(tx, o)
		return err
	})
	return out, err
}

// GetCapture returns one capture. Errors: NO_SUCH_ORDER, NO_SUCH_CAPTURE.
func (s *Service) GetCapture(ctx context.Context, merchantID, orderID, captureID string) (Capture, error) {
	var out Capture
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		o, err := loadOrder(tx, merchantID, orderID)
		if err == nil {
			err = s.decodeDetails(tx, o)
		}
		if err != nil {
			return err
		}
		out, err = loadCapture(tx, o, captureID)
		return err
	})
	return out, err
}

func loadCapture(tx *store.Tx, o *orderRow, captureID string) (Capture, error) {
	notFound := apperr.New(apperr.NoSuchCapture, "No capture with id %q on this order.", captureID)
	if !ids.Valid(captureID) {
		return Capture{}, notFound
	}
	c, err := scanCapture(tx.QueryRow(`SELECT id, reference, captured_amount, refunded_amount, description, merchant_ref, order_lines, shipping_info, captured_at
		FROM captures WHERE id = $1 AND order_id = $2`, captureID, o.ID), o)
	if errors.Is(err, sql.ErrNoRows) {
		return Capture{}, notFound
	}
	return c, err
}

// GetRefund returns one refund. Errors: NO_SUCH_ORDER, NO_SUCH_REFUND.
func (s *Service) GetRefund(ctx context.Context, merchantID, orderID, refundID string) (Refund, error) {
	var out Refund
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		o, err := loadOrder(tx, merchantID, orderID)
		if err != nil {
			return err
		}
		notFound := apperr.New(apperr.NoSuchRefund, "No refund with id %q on this order.", refundID)
		if !ids.Valid(refundID) {
			return notFound
		}
		out, err = scanRefund(tx.QueryRow(`SELECT `+refundColumns+` FROM refunds WHERE id = $1 AND order_id = $2`, refundID, o.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound
		}
		return err
	})
	return out, err
}

// validateLinesFor checks optional order lines sent with a capture or refund:
// when present they must add up to the amount.
func validateLinesFor(field string, lines []OrderLine, amount int64) error {
	if len(lines) == 0 {
		return nil
	}
	if len(lines) > MaxOrderLines {
		return apperr.BadField("order_lines", "must hold at most %d lines", MaxOrderLines)
	}
	sum, _, err := sumLines("order_lines", lines)
	if err != nil {
		return err
	}
	if sum != amount {
		return apperr.BadField(field, "is %d but the order lines add up to %d", amount, sum)
	}
	return nil
}

// Capture captures part or all of the remaining authorized amount and posts
// it to the ledger. The capture returned carries no addresses (GetCapture has
// them). Errors: NO_SUCH_ORDER, BAD_VALUE, CAPTURE_NOT_ALLOWED
// (order not open, fraud status not ACCEPTED, amount above what remains).
func (s *Service) Capture(tx *store.Tx, merchantID, orderID string, req CaptureRequest) (Capture, error) {
	if req.CapturedAmount <= 0 {
		return Capture{}, apperr.BadField("captured_amount", "must be positive")
	}
	if err := checkTexts(map[string]string{"description": req.Description, "reference": req.Reference}); err != nil {
		return Capture{}, err
	}
	if req.ShippingDelay < 0 || req.ShippingDelay > 180 {
		return Capture{}, apperr.BadField("shipping_delay", "must be between 0 and 180 days")
	}
	if err := validateLinesFor("captured_amount", req.OrderLines, req.CapturedAmount); err != nil {
		return Capture{}, err
	}
	if err := validateShipping("shipping_info", req.ShippingInfo); err != nil {
		return Capture{}, err
	}
	o, err := loadOrder(tx, merchantID, orderID)
	if err != nil {
		return Capture{}, err
	}
	switch {
	case !o.open():
		return Capture{}, apperr.New(apperr.CaptureNotAllowed, "The order is %s and can no longer be captured.", o.Status)
	case o.FraudStatus != FraudAccepted:
		return Capture{}, apperr.New(apperr.CaptureNotAllowed, "The order's fraud status is %s; capture only after it is ACCEPTED.", o.FraudStatus)
	case tx.Now.UnixMicro() >= o.ExpiresAt:
		return Capture{}, apperr.New(apperr.CaptureNotAllowed, "The authorization has expired.")
	case req.CapturedAmount > o.remaining():
		return Capture{}, apperr.New(apperr.CaptureNotAllowed, "Captured amount %d is higher than the remaining authorized amount %d.", req.CapturedAmount, o.remaining())
	}
	id := ids.New()
	lines, shipping := req.OrderLines, req.ShippingInfo
	if lines == nil {
		lines = []OrderLine{}
	}
	if shipping == nil {
		shipping = []ShippingInfo{}
	}
	linesJSON, _ := json.Marshal(lines)
	shippingJSON, _ := json.Marshal(shipping)
	ref := shortReference()
	if _, err := tx.Exec(`INSERT INTO captures (id, order_id, reference, captured_amount, description, merchant_ref, order_lines, shipping_info, shipping_delay_days, captured_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		id, o.ID, ref, req.CapturedAmount, req.Description, req.Reference, string(linesJSON), string(shippingJSON), req.ShippingDelay, store.Micros(tx.Now)); err != nil {
		return Capture{}, err
	}
	o.Captured += req.CapturedAmount
	o.settle()
	if err := o.save(tx); err != nil {
		return Capture{}, err
	}
	if err := ledger.Capture(tx, id, o.ID, o.MerchantID, o.Currency, req.CapturedAmount); err != nil {
		return Capture{}, err
	}
	if s.Plans != nil {
		ship := plan.ShipDate(tx.Now, time.Time{}, int(req.ShippingDelay))
		if err := s.Plans.Captured(tx, o.ID, id, req.CapturedAmount, ship); err != nil {
			return Capture{}, err
		}
	}
	return Capture{CaptureID: id, KlarnaReference: ref, CapturedAmount: req.CapturedAmount, CapturedAt: timestamp(tx.Now),
		Description: req.Description, Reference: req.Reference, OrderLines: lines, ShippingInfo: shipping}, nil
}

// AddCaptureShippingInfo adds shipments to a capture. Errors: NO_SUCH_ORDER,
// NO_SUCH_CAPTURE, BAD_VALUE.
func (s *Service) AddCaptureShippingInfo(tx *store.Tx, merchantID, orderID, captureID string, req ShippingInfoRequest) error {
	o, err := loadOrder(tx, merchantID, orderID)
	if err != nil {
		return err
	}
	if err := s.decodeDetails(tx, o); err != nil {
		return err
	}
	c, err := loadCapture(tx, o, captureID)
	if err != nil {
		return err
	}
	all, err := addShipments(c.ShippingInfo, req)
	if err != nil {
		return err
	}
	allJSON, _ := json.Marshal(all)
	if _, err := tx.Exec(`UPDATE captures SET shipping_info = $1 WHERE id = $2`, string(allJSON), c.CaptureID); err != nil {
		return err
	}
	return o.save(tx) // bumps the version so concurrent changes to the order retry
}

// Refund refunds part or all of what was captured and posts it to the
// ledger. The refund is allocated to captures oldest first. Errors:
// NO_SUCH_ORDER, BAD_VALUE, REFUND_NOT_ALLOWED.
func (s *Service) Refund(tx *store.Tx, merchantID, orderID string, req RefundRequest) (Refund, error) {
	if req.RefundedAmount <= 0 {
		return Refund{}, apperr.BadField("refunded_amount", "must be positive")
	}
	if err := checkTexts(map[string]string{"description": req.Description, "reference": req.Reference}); err != nil {
		return Refund{}, err
	}
	if err := validateLinesFor("refunded_amount", req.OrderLines, req.RefundedAmount); err != nil {
		return Refund{}, err
	}
	o, err := loadOrder(tx, merchantID, orderID)
	if err != nil {
		return Refund{}, err
	}
	if left := o.Captured - o.Refunded; req.RefundedAmount > left {
		return Refund{}, apperr.New(apperr.RefundNotAllowed, "Refunded amount %d is higher than the captured amount not yet refunded, %d.", req.RefundedAmount, left)
	}
	if err := allocateRefund(tx, o.ID, req.RefundedAmount); err != nil {
		return Refund{}, err
	}
	id := ids.New()
	lines := req.OrderLines
	if lines == nil {
		lines = []OrderLine{}
	}
	linesJSON, _ := json.Marshal(lines)
	if _, err := tx.Exec(`INSERT INTO refunds (id, order_id, refunded_amount, description, merchant_ref, order_lines, refunded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		id, o.ID, req.RefundedAmount, req.Description, req.Reference, string(linesJSON), store.Micros(tx.Now)); err != nil {
		return Refund{}, err
	}
	o.Refunded += req.RefundedAmount
	o.settle()
	if err := o.save(tx); err != nil {
		return Refund{}, err
	}
	if err := ledger.Refund(tx, id, o.ID, o.MerchantID, o.Currency, req.RefundedAmount); err != nil {
		return Refund{}, err
	}
	if err := aml.OnRefund(tx, o.ID); err != nil {
		return Refund{}, err
	}
	if s.Plans != nil {
		if err := s.Plans.Refunded(tx, o.ID, id, req.RefundedAmount); err != nil {
			return Refund{}, err
		}
	}
	if s.OnRefund != nil {
		if err := s.OnRefund(tx, o.ID, id, req.RefundedAmount); err != nil {
			return Refund{}, err
		}
	}
	return Refund{RefundID: id, RefundedAmount: req.RefundedAmount, RefundedAt: timestamp(tx.Now), Description: req.Description, Reference: req.Reference, OrderLines: lines}, nil
}

// allocateRefund spreads a refund over the order's captures, oldest first.
func allocateRefund(tx *store.Tx, orderID string, amount int64) error {
	rows, err := tx.Query(`SELECT id, captured_amount - refunded_amount FROM captures WHERE order_id = $1 ORDER BY captured_at, id`, orderID)
	if err != nil {
		return err
	}
	type share struct {
		id   string
		left int64
	}
	var shares []share
	for rows.Next() {
		var s share
		if err := rows.Scan(&s.id, &s.left); err != nil {
			rows.Close()
			return err
		}
		shares = append(shares, s)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, s := range shares {
		take := min(amount, s.left)
		if take <= 0 {
			continue
		}
		if _, err := tx.Exec(`UPDATE captures SET refunded_amount = refunded_amount + $1 WHERE id = $2`, take, s.id); err != nil {
			return err
		}
		amount -= take
	}
	return nil
}

// Cancel cancels an order that has not been captured. Errors: NO_SUCH_ORDER,
// CANCEL_NOT_ALLOWED.
func (s *Service) Cancel(tx *store.Tx, merchantID, orderID string) error {
	o, err := loadOrder(tx, merchantID, orderID)
	if err != nil {
		return err
	}
	if o.Status == StatusCancelled {
		return nil
	}
	if o.Status != StatusAuthorized || o.Captured > 0 {
		return apperr.New(apperr.CancelNotAllowed, "The order is %s; only an order without captures can be cancelled.", o.Status)
	}
	o.Status = StatusCancelled
	if err := o.save(tx); err != nil {
		return err
	}
	return s.orderEnded(tx, o.ID)
}

// ReleaseRemaining releases the part of the authorization not captured, so a
// part-captured order becomes CAPTURED. Errors: NO_SUCH_ORDER, NOT_ALLOWED.
func (s *Service) ReleaseRemaining(tx *store.Tx, merchantID, orderID string) error {
	o, err := loadOrder(tx, merchantID, orderID)
	if err != nil {
		return err
	}
	switch o.Status {
	case StatusCaptured, StatusClosed:
		return nil
	case StatusPartCaptured:
		o.Released += o.remaining()
		o.settle()
		if err := o.save(tx); err != nil {
			return err
		}
		return s.orderEnded(tx, o.ID)
	}
	return apperr.New(apperr.NotAllowed, "The order is %s; release applies to part-captured orders (cancel an order without captures).", o.Status)
}

// ExtendAuthorization moves the expiry to now plus the merchant's
// authorization period, never past 180 days after the order was created.
// Extending twice on one day gives the same date. Errors: NO_SUCH_ORDER,
// NOT_ALLOWED (not open, or already at the limit).
func (s *Service) ExtendAuthorization(tx *store.Tx, m merchant.Merchant, orderID string) error {
	o, err := loadOrder(tx, m.ID, orderID)
	if err != nil {
		return err
	}
	if !o.open() || tx.Now.UnixMicro() >= o.ExpiresAt {
		return apperr.New(apperr.NotAllowed, "The order is %s and its authorization cannot be extended.", o.Status)
	}
	limit := store.FromMicros(o.CreatedAt).Add(MaxAuthorizationAge)
	created := store.FromMicros(o.CreatedAt)
	timeOfDay := created.Sub(created.Truncate(24 * time.Hour))
	next := tx.Now.Truncate(24*time.Hour).Add(timeOfDay).AddDate(0, 0, m.ExpiryDays)
	if next.After(limit) {
		next = limit
	}
	if store.Micros(next) <= o.ExpiresAt {
		if o.ExpiresAt >= store.Micros(limit) {
			return apperr.New(apperr.NotAllowed, "The authorization already lasts the longest time allowed, 180 days from the order.")
		}
		return nil
	}
	o.ExpiresAt = store.Micros(next)
	if err := o.save(tx); err != nil {
		return err
	}
	return jobs.Enqueue(tx, jobs.Job{Kind: JobExpireOrder, UniqueKey: JobExpireOrder + ":" + o.ID, Payload: orderPayload{o.ID}, RunAt: next})
}

// Acknowledge records that the merchant has received the order.
// Errors: NO_SUCH_ORDER.
func (s *Service) Acknowledge(tx *store.Tx, merchantID, orderID string) error {
	o, err := loadOrder(tx, merchantID, orderID)
	if err != nil {
		return err
	}
	if o.AcknowledgedAt.Valid {
		return nil
	}
	o.AcknowledgedAt = sql.NullInt64{Int64: store.Micros(tx.Now), Valid: true}
	return o.save(tx)
}

// AddShippingInfo adds shipments to the order. Errors: NO_SUCH_ORDER, BAD_VALUE.
func (s *Service) AddShippingInfo(tx *store.Tx, merchantID, orderID string, req ShippingInfoRequest) error {
	o, err := loadOrder(tx, merchantID, orderID)
	if err != nil {
		return err
	}
	shipping, err := o.shipping()
	if err != nil {
		return err
	}
	if shipping, err = addShipments(shipping, req); err != nil {
		return err
	}
	raw, _ := json.Marshal(shipping)
	o.shippingJSON = string(raw)
	return o.save(tx)
}

// addShipments validates the shipments of a request and appends them to those
// an order or capture already has, within the limit.
func addShipments(existing []ShippingInfo, req ShippingInfoRequest) ([]ShippingInfo, error) {
	if len(req.ShippingInfo) == 0 {
		return nil, apperr.BadField("shipping_info", "must hold at least one shipment")
	}
	if err := validateShipping("shipping_info", req.ShippingInfo); err != nil {
		return nil, err
	}
	if len(existing)+len(req.ShippingInfo) > maxShipments {
		return nil, apperr.BadField("shipping_info", "at most %d shipments can be recorded", maxShipments)
	}
	return append(existing, req.ShippingInfo...), nil
}

// UpdateMerchantReferences sets the merchant's references on the order.
// Errors: NO_SUCH_ORDER, BAD_VALUE.
func (s *Service) UpdateMerchantReferences(tx *store.Tx, merchantID, orderID string, req MerchantReferences) error {
	for field, v := range map[string]*string{"merchant_reference1": req.MerchantReference1, "merchant_reference2": req.MerchantReference2} {
		if v != nil && len(*v) > maxText {
			return apperr.BadField(field, "must be at most %d characters", maxText)
		}
	}
	o, err := loadOrder(tx, merchantID, orderID)
	if err != nil {
		return err
	}
	if req.MerchantReference1 != nil {
		o.Ref1 = *req.MerchantReference1
	}
	if req.MerchantReference2 != nil {
		o.Ref2 = *req.MerchantReference2
	}
	return o.save(tx)
}

// orderEnded tells the payment plan that nothing more can be captured.
func (s *Service) orderEnded(tx *store.Tx, orderID string) error {
	if s.Plans == nil {
		return nil
	}
	return s.Plans.OrderEnded(tx, orderID)
}
