package checkout

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Personal data in checkout is stored only sealed by the vault (T12):
//
//   - authorizations.consumer and orders.consumer hold the consumer document
//     (consumerData) sealed under the person's key, in the vault context
//     person.ContextConsumer, so the sealed text is copied from the
//     authorization to the order as it is;
//   - payment_sessions.personal and orders.personal hold the personal fields
//     a merchant sent with the purchase (personalData), sealed in the
//     context contextPersonal. The rest of the purchase stays in data.
//
// A session's personal fields are sealed under the session's own id until
// authorization names its person; then they are sealed again under the
// person and the session's key is shredded. Whatever was sealed for an
// erased person reads as absent: their key is gone.

// contextPersonal is the vault context of a purchase's personal fields.
const contextPersonal = person.ContextPurchase

// personalData is the part of a purchase (OrderData) that is about the
// person: the addresses, the customer and the merchant's attachment (which
// carries the customer's account history at the merchant).
type personalData struct {
	BillingAddress  *Address        `json:"billing_address,omitempty"`
	ShippingAddress *Address        `json:"shipping_address,omitempty"`
	Customer        *Customer       `json:"customer,omitempty"`
	Attachment      json.RawMessage `json:"attachment,omitempty"`
}

// empty reports whether there is nothing to seal.
func (p personalData) empty() bool {
	return p.BillingAddress == nil && p.ShippingAddress == nil && p.Customer == nil && len(p.Attachment) == 0
}

// splitPersonal returns d without its personal fields, and those fields.
func splitPersonal(d OrderData) (OrderData, personalData) {
	p := personalData{BillingAddress: d.BillingAddress, ShippingAddress: d.ShippingAddress, Customer: d.Customer, Attachment: d.Attachment}
	d.BillingAddress, d.ShippingAddress, d.Customer, d.Attachment = nil, nil, nil, nil
	return d, p
}

// mergeInto puts the personal fields back into d.
func (p personalData) mergeInto(d *OrderData) {
	d.BillingAddress, d.ShippingAddress, d.Customer, d.Attachment = p.BillingAddress, p.ShippingAddress, p.Customer, p.Attachment
}

// sealJSON seals v as JSON for subject in context; nothing to seal gives "".
func (s *Service) sealJSON(tx *store.Tx, subject, context string, v any, empty bool) (string, error) {
	if empty {
		return "", nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return s.Vault.Seal(tx, subject, context, raw)
}

// openJSON opens what sealJSON sealed into v. An empty value, or one whose
// subject was shredded (erased), leaves v as it is.
func (s *Service) openJSON(tx *store.Tx, subject, context, sealed string, v any) error {
	if sealed == "" {
		return nil
	}
	raw, err := s.Vault.Open(tx, subject, context, sealed)
	if errors.Is(err, vault.ErrShredded) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checkout: open %s: %w", context, err)
	}
	return json.Unmarshal(raw, v)
}

// sealConsumer seals the consumer document for the person.
func (s *Service) sealConsumer(tx *store.Tx, personID string, c consumerData) (string, error) {
	return s.sealJSON(tx, personID, person.ContextConsumer, c, false)
}

// openConsumer opens a sealed consumer document; an erased person's reads
// as the zero document.
func (s *Service) openConsumer(tx *store.Tx, personID, sealed string) (consumerData, error) {
	var c consumerData
	return c, s.openJSON(tx, personID, person.ContextConsumer, sealed, &c)
}
