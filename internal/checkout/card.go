package checkout

import (
	"encoding/json"

	"github.com/tillit/tillit/internal/aml"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/store"
)

// CodeAccountFrozen is the error Authorize returns when the person the
// purchase's e-mail address belongs to has frozen their account (T10):
// no new purchase goes through until they unfreeze it.
const CodeAccountFrozen = "ACCOUNT_FROZEN"

// errAccountFrozen is the error of a frozen person's authorization.
var errAccountFrozen = apperr.New(CodeAccountFrozen, "The account is frozen: new purchases are declined until its owner unfreezes it.")

// CardPurchase is a card network authorization that package card approved,
// to be placed as an order of the consumer (T9): the order belongs to the
// card network's settlement counterparty (a merchants row, see package
// card) instead of a shop integrating the API, and is captured at once
// because the shop is paid through the network.
type CardPurchase struct {
	// NetworkID is the merchants row of the card network.
	NetworkID string
	// PersonID is the card holder; Email their address, which the order's
	// consumer document carries (sealed) like any checkout order's.
	PersonID, Email string
	// Category is the payment method the consumer chose for the card
	// (pay_now, pay_later, pay_in_parts, pay_over_time) and
	// FinancingMonths its term (financing only).
	Category        string
	FinancingMonths int
	// Amount in minor units of Currency; Country and Locale are the card's.
	Amount                    int64
	Currency, Country, Locale string
	MerchantName, NetworkRef  string
}

// PlaceCardPurchase places an approved card purchase as an order in the
// caller's transaction and captures it in full: the order (AUTHORIZED, then
// CAPTURED, fraud status ACCEPTED), its payment plan with the consumer's
// payment method, the capture's ledger journal (consumer receivable against
// the network's payable) and the plan's schedule, exactly as a merchant's
// order and capture would. The order line names the shop the network
// named. It returns the order's id.
func (s *Service) PlaceCardPurchase(tx *store.Tx, p CardPurchase) (string, error) {
	if s.Plans == nil {
		return "", apperr.New(apperr.NotAllowed, "Card purchases need payment plans.")
	}
	line := OrderLine{Type: "digital", Reference: p.NetworkRef, Name: p.MerchantName, Quantity: 1,
		UnitPrice: p.Amount, TotalAmount: p.Amount}
	d := OrderData{PurchaseCountry: p.Country, PurchaseCurrency: p.Currency, Locale: p.Locale, OrderAmount: p.Amount,
		OrderLines: []OrderLine{line}, MerchantReference1: p.NetworkRef}
	data, err := json.Marshal(d)
	if err != nil {
		return "", err
	}
	sessionID, orderID := ids.New(), ids.New()
	now := store.Micros(tx.Now)
	if _, err := tx.Exec(`INSERT INTO payment_sessions (id, merchant_id, status, purchase_country, purchase_currency, locale, order_amount, data, personal,
		person_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '', $9, $10, $11)`,
		sessionID, p.NetworkID, SessionComplete, p.Country, p.Currency, p.Locale, p.Amount, string(data), p.PersonID, now, now); err != nil {
		return "", err
	}
	consumer, err := s.sealConsumer(tx, p.PersonID, consumerData{BillingAddress: Address{Email: p.Email, Country: p.Country}})
	if err != nil {
		return "", err
	}
	if _, err := tx.Exec(`INSERT INTO orders (id, merchant_id, session_id, person_id, reference, status, fraud_status, payment_method, purchase_country, purchase_currency, locale,
		original_order_amount, order_amount, order_tax_amount, merchant_reference1, merchant_reference2, data, personal, consumer, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, $14, '', $15, '', $16, $17, $18)`,
		orderID, p.NetworkID, sessionID, p.PersonID, shortReference(), StatusAuthorized, FraudAccepted, p.Category, p.Country, p.Currency, p.Locale,
		p.Amount, p.Amount, p.NetworkRef, string(data), consumer, now, now+int64(MaxAuthorizationAge.Microseconds())); err != nil {
		return "", err
	}
	if err := aml.OnOrderPlaced(tx, aml.Placed{PersonID: p.PersonID, OrderID: orderID, Amount: p.Amount, Currency: p.Currency,
		Country: p.Country, BillingCountry: p.Country, At: tx.Now}); err != nil {
		return "", err
	}
	if err := s.Plans.OrderPlaced(tx, repayment.Placed{OrderID: orderID, MerchantID: p.NetworkID, Category: p.Category,
		Currency: p.Currency, Locale: p.Locale, PersonID: p.PersonID, Amount: p.Amount, FinancingMonths: p.FinancingMonths}); err != nil {
		return "", err
	}
	if _, err := s.Capture(tx, p.NetworkID, orderID, CaptureRequest{CapturedAmount: p.Amount, Reference: p.NetworkRef}); err != nil {
		return "", err
	}
	return orderID, nil
}
