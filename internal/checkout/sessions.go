package checkout

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/store"
)

// Session statuses.
const (
	SessionIncomplete = "incomplete"
	SessionComplete   = "complete"
)

// Payment method categories a session offers (P3).
var methods = []struct{ id, name, typ, description string }{
	{"pay_now", "Pay now", "direct_debit", "Pay the full amount now."},
	{"pay_later", "Pay later", "invoice", "Pay within 30 days of shipping."},
	{"pay_in_parts", "Pay in 3", "fixed_amount", "Three interest-free payments, 30 days apart."},
	{"pay_over_time", "Financing", "account", "Monthly payments over 6 to 36 months."},
}

// Categories returns every payment method category, with badge URLs under
// baseURL; a session lists only those its merchant enabled (EnabledMethods).
func Categories(baseURL string) []PaymentMethodCategory {
	out := make([]PaymentMethodCategory, 0, len(methods))
	for _, m := range methods {
		u := baseURL + "/assets/payment-methods/" + m.id + ".svg"
		out = append(out, PaymentMethodCategory{Identifier: m.id, Name: m.name, AssetURLs: AssetURLs{Descriptive: u, Standard: u}})
	}
	return out
}

// paymentMethod describes a category as the order's payment method.
func paymentMethod(category string) (PaymentMethod, bool) {
	for _, m := range methods {
		if m.id == category {
			pm := PaymentMethod{Type: m.typ, Description: m.description}
			switch category {
			case "pay_later":
				pm.NumberOfDays = 30
			case "pay_in_parts":
				pm.NumberOfInstallments = 3
			}
			return pm, true
		}
	}
	return PaymentMethod{}, false
}

// CreateSession validates the purchase and opens a payment session for it.
// Errors: BAD_VALUE.
func (s *Service) CreateSession(ctx context.Context, m merchant.Merchant, d OrderData, baseURL string) (SessionCreated, error) {
	if err := d.Validate(); err != nil {
		return SessionCreated{}, err
	}
	purchase, personal := splitPersonal(d)
	data, err := json.Marshal(purchase)
	if err != nil {
		return SessionCreated{}, err
	}
	id := ids.New()
	var enabled []string
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		// Until the person is known, their data is sealed under the session.
		sealed, err := s.sealJSON(tx, id, contextPersonal, personal, personal.empty())
		if err != nil {
			return err
		}
		_, err = tx.Exec(`INSERT INTO payment_sessions (id, merchant_id, status, purchase_country, purchase_currency, locale, order_amount, data, personal, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			id, m.ID, SessionIncomplete, d.PurchaseCountry, d.PurchaseCurrency, d.Locale, d.OrderAmount, string(data), sealed,
			store.Micros(tx.Now), store.Micros(tx.Now.Add(SessionLifetime)))
		if err != nil {
			return err
		}
		enabled, err = enabledMethods(tx, m.ID)
		return err
	})
	if err != nil {
		return SessionCreated{}, err
	}
	return SessionCreated{SessionID: id, ClientToken: s.clientToken(id), PaymentMethodCategories: offeredCategories(baseURL, enabled)}, nil
}

// sessionRow is a stored session.
type sessionRow struct {
	ID, MerchantID, Status string
	// PersonID is the person who authorized the session; empty before.
	PersonID string
	// Data is the purchase with its personal fields opened.
	Data OrderData
	// sealedPersonal is payment_sessions.personal as stored.
	sealedPersonal       string
	AuthorizationToken   sql.NullString
	CreatedAt, ExpiresAt int64
	Version              int64
}

// subject is whom the session's personal fields are sealed under: its
// person once known, until then the session itself.
func (r *sessionRow) subject() string {
	if r.PersonID != "" {
		return r.PersonID
	}
	return r.ID
}

func (s *Service) loadSession(tx *store.Tx, id string) (*sessionRow, error) {
	if !ids.Valid(id) {
		return nil, apperr.New(apperr.NoSuchSession, "No session with id %q.", id)
	}
	var (
		r    sessionRow
		data string
	)
	err := tx.QueryRow(`SELECT id, merchant_id, status, COALESCE(person_id, ''), data, personal, authorization_token, created_at, expires_at, version
		FROM payment_sessions WHERE id = $1`, id).
		Scan(&r.ID, &r.MerchantID, &r.Status, &r.PersonID, &data, &r.sealedPersonal, &r.AuthorizationToken, &r.CreatedAt, &r.ExpiresAt, &r.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NoSuchSession, "No session with id %q.", id)
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(data), &r.Data); err != nil {
		return nil, err
	}
	var personal personalData
	if err := s.openJSON(tx, r.subject(), contextPersonal, r.sealedPersonal, &personal); err != nil {
		return nil, err
	}
	personal.mergeInto(&r.Data)
	return &r, nil
}

// merchantSession loads a session that must belong to merchantID.
func (s *Service) merchantSession(tx *store.Tx, merchantID, id string) (*sessionRow, error) {
	r, err := s.loadSession(tx, id)
	if err != nil {
		return nil, err
	}
	if r.MerchantID != merchantID {
		return nil, apperr.New(apperr.NoSuchSession, "No session with id %q.", id)
	}
	return r, nil
}

// GetSession returns a merchant's session. Errors: NO_SUCH_SESSION.
func (s *Service) GetSession(ctx context.Context, merchantID, id, baseURL string) (Session, error) {
	var (
		r       *sessionRow
		enabled []string
	)
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		if r, err = s.merchantSession(tx, merchantID, id); err != nil {
			return err
		}
		enabled, err = enabledMethods(tx, merchantID)
		return err
	})
	if err != nil {
		return Session{}, err
	}
	return Session{
		OrderData: r.Data, SessionID: r.ID, ClientToken: s.clientToken(r.ID), Status: r.Status,
		AuthorizationToken: r.AuthorizationToken.String, ExpiresAt: timestamp(store.FromMicros(r.ExpiresAt)),
		PaymentMethodCategories: offeredCategories(baseURL, enabled),
	}, nil
}

// UpdateSession merges the top-level fields present in patch into the
// session's purchase and validates the result. Errors: NO_SUCH_SESSION,
// SESSION_EXPIRED, NOT_ALLOWED (already authorized), BAD_VALUE.
func (s *Service) UpdateSession(ctx context.Context, merchantID, id string, patch []byte) error {
	var fields map[string]json.RawMessage
	if err := DecodeJSON(patch, &fields); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		r, err := s.merchantSession(tx, merchantID, id)
		if err != nil {
			return err
		}
		if tx.Now.UnixMicro() >= r.ExpiresAt {
			return apperr.New(apperr.SessionExpired, "The session has expired.")
		}
		if r.Status != SessionIncomplete {
			return apperr.New(apperr.NotAllowed, "The session is already authorized and can no longer change.")
		}
		var merged map[string]json.RawMessage
		current, _ := json.Marshal(r.Data)
		if err := json.Unmarshal(current, &merged); err != nil {
			return err
		}
		for k, v := range fields {
			merged[k] = v
		}
		raw, _ := json.Marshal(merged)
		d, err := ParseOrderData(raw)
		if err != nil {
			return err
		}
		if err := d.Validate(); err != nil {
			return err
		}
		purchase, personal := splitPersonal(d)
		data, _ := json.Marshal(purchase)
		sealed, err := s.sealJSON(tx, r.subject(), contextPersonal, personal, personal.empty())
		if err != nil {
			return err
		}
		return tx.ExecOne(`UPDATE payment_sessions SET data = $1, personal = $2, purchase_country = $3, purchase_currency = $4, locale = $5, order_amount = $6,
			version = version + 1 WHERE id = $7 AND version = $8`, string(data), sealed, d.PurchaseCountry, d.PurchaseCurrency, d.Locale, d.OrderAmount, r.ID, r.Version)
	})
}

// ParseOrderData decodes a purchase from a request body and checks that the
// fields the public API requires are present (a missing amount is not the same
// as zero). It does not run Validate.
func ParseOrderData(body []byte) (OrderData, error) {
	var presence struct {
		PurchaseCountry  *string          `json:"purchase_country"`
		PurchaseCurrency *string          `json:"purchase_currency"`
		OrderAmount      *json.RawMessage `json:"order_amount"`
		OrderLines       []struct {
			Quantity    *json.RawMessage `json:"quantity"`
			UnitPrice   *json.RawMessage `json:"unit_price"`
			TotalAmount *json.RawMessage `json:"total_amount"`
		} `json:"order_lines"`
	}
	var d OrderData
	if err := DecodeJSON(body, &d); err != nil {
		return OrderData{}, err
	}
	if err := json.Unmarshal(body, &presence); err != nil {
		return OrderData{}, DecodeError(err)
	}
	for field, present := range map[string]bool{
		"purchase_country": presence.PurchaseCountry != nil, "purchase_currency": presence.PurchaseCurrency != nil,
		"order_amount": presence.OrderAmount != nil, "order_lines": presence.OrderLines != nil,
	} {
		if !present {
			return OrderData{}, apperr.BadField(field, "is required")
		}
	}
	for i, l := range presence.OrderLines {
		for field, present := range map[string]bool{"quantity": l.Quantity != nil, "unit_price": l.UnitPrice != nil, "total_amount": l.TotalAmount != nil} {
			if !present {
				return OrderData{}, apperr.BadField(fmt.Sprintf("order_lines[%d].%s", i, field), "is required")
			}
		}
	}
	return d, nil
}

// DecodeJSON decodes JSON into v and turns decoding failures into BAD_VALUE
// errors that name the offending field.
func DecodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return DecodeError(err)
	}
	// The decoder stops after the first value; the body must be exactly one
	// (a stray "}" after it is not caught by dec.More).
	if dec.More() || !json.Valid(data) {
		return apperr.New(apperr.BadValue, "Malformed JSON: unexpected data after the object.")
	}
	return nil
}

// DecodeError turns a JSON decoding error into a BAD_VALUE error naming the
// field, without echoing the input back.
func DecodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return apperr.BadField(field, "must be %s", jsonKind(typeErr.Type))
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return apperr.New(apperr.BadValue, "Malformed JSON at byte %d.", syntaxErr.Offset)
	}
	return apperr.New(apperr.BadValue, "Malformed JSON: the body must be one JSON object.")
}

// jsonKind names a Go type the way a JSON client thinks of it.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer in range"
	case reflect.Bool:
		return "a boolean"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	default:
		return "an object"
	}
}
