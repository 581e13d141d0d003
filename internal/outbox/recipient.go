package outbox

import (
	"encoding/json"
	"errors"

	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Recipient is where a message about an order goes: the order's consumer,
// their e-mail address from the order's sealed consumer details, and the
// language of the order's locale.
type Recipient struct {
	PersonID  string
	Email     string
	Reference string // the order's reference
	Lang      i18n.Lang
}

// OrderRecipient returns the consumer of an order to write to. ok is false
// when there is no address: the order has no person, the person was erased
// (their key shredded) or they gave no e-mail address.
func OrderRecipient(tx *store.Tx, v *vault.Vault, orderID string) (r Recipient, ok bool, err error) {
	var locale, consumer string
	if err := tx.QueryRow(`SELECT COALESCE(person_id, ''), reference, locale, consumer FROM orders WHERE id = $1`, orderID).
		Scan(&r.PersonID, &r.Reference, &locale, &consumer); err != nil {
		return Recipient{}, false, err
	}
	if r.PersonID == "" {
		return Recipient{}, false, nil
	}
	raw, err := v.Open(tx, r.PersonID, person.ContextConsumer, consumer)
	if errors.Is(err, vault.ErrShredded) {
		return Recipient{}, false, nil
	}
	if err != nil {
		return Recipient{}, false, err
	}
	var c struct {
		BillingAddress struct {
			Email string `json:"email"`
		} `json:"billing_address"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return Recipient{}, false, err
	}
	if c.BillingAddress.Email == "" {
		return Recipient{}, false, nil
	}
	r.Email = c.BillingAddress.Email
	if r.Lang, ok = i18n.Parse(locale); !ok {
		r.Lang = i18n.Default
	}
	return r, true, nil
}
