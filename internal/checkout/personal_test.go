package checkout_test

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/store"
)

// plaintextOf are strings of the test person that must never be stored in
// clear.
var plaintextOf = []string{"Jensen", "Sletten", "anna@example.dk", "1990-05-17", "Prefilled", "Hovedgaden"}

// rawColumns returns the stored text of the given columns of one row.
func (e *listEnv) rawColumns(table, keyColumn, key string, columns ...string) []string {
	e.t.Helper()
	out := make([]string, len(columns))
	dest := make([]any, len(columns))
	for i := range out {
		dest[i] = &out[i]
	}
	err := e.db.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT `+strings.Join(columns, ", ")+` FROM `+table+` WHERE `+keyColumn+` = $1`, key).Scan(dest...)
	})
	if err != nil {
		e.t.Fatalf("%s %s: %v", table, key, err)
	}
	return out
}

func (e *listEnv) assertNoPlaintext(where string, values []string) {
	e.t.Helper()
	for _, v := range values {
		for _, p := range plaintextOf {
			if strings.Contains(v, p) {
				e.t.Errorf("%s holds %q in clear: %s", where, p, v)
			}
		}
	}
}

func TestPersonalDataIsSealed(t *testing.T) {
	e := newListEnv(t)
	m := e.merchant("Rain Shop", "DKK")
	data := checkout.OrderData{
		PurchaseCountry: "DK", PurchaseCurrency: "DKK", Locale: "da-DK", OrderAmount: 10000,
		OrderLines:     []checkout.OrderLine{{Type: "physical", Name: "Umbrella", Quantity: 1, UnitPrice: 10000, TotalAmount: 10000}},
		BillingAddress: &checkout.Address{GivenName: "Prefilled", FamilyName: "Jensen", Email: "anna@example.dk", StreetAddress: "Hovedgaden 2", Country: "DK"},
	}
	sess, err := e.svc.CreateSession(e.ctx, m, data, "https://tillit.example")
	if err != nil {
		t.Fatal(err)
	}
	raw := e.rawColumns("payment_sessions", "id", sess.SessionID, "data", "personal")
	e.assertNoPlaintext("a new session", raw)
	if raw[1] == "" {
		t.Fatal("the merchant's prefilled address was not kept")
	}
	got, err := e.svc.GetSession(e.ctx, m.ID, sess.SessionID, "https://tillit.example")
	if err != nil || got.BillingAddress == nil || got.BillingAddress.GivenName != "Prefilled" {
		t.Fatalf("the merchant reads its session back: %+v %v", got.BillingAddress, err)
	}

	auth, err := e.svc.Authorize(e.ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: "pay_later", Customer: checkout.Customer{DateOfBirth: "1990-05-17"},
		BillingAddress: &checkout.Address{GivenName: "Anna", FamilyName: "Jensen", Email: "anna@example.dk", StreetAddress: "Sletten 1",
			PostalCode: "9270", City: "Klarup", Country: "DK"},
		OTP: checkout.TestOTP,
	})
	if err != nil || !auth.Approved {
		t.Fatalf("authorize: %+v %v", auth, err)
	}
	created, err := e.svc.CreateOrder(e.ctx, m, auth.AuthorizationToken, data)
	if err != nil {
		t.Fatal(err)
	}
	e.assertNoPlaintext("the authorized session", e.rawColumns("payment_sessions", "id", sess.SessionID, "data", "personal"))
	e.assertNoPlaintext("the authorization", e.rawColumns("authorizations", "token", auth.AuthorizationToken, "consumer"))
	e.assertNoPlaintext("the order", e.rawColumns("orders", "id", created.OrderID, "data", "personal", "consumer"))

	// Session, authorization and order name one person; the session's own
	// key, which sealed the prefilled address, is gone.
	people := map[string]bool{}
	people[e.rawColumns("payment_sessions", "id", sess.SessionID, "person_id")[0]] = true
	people[e.rawColumns("authorizations", "token", auth.AuthorizationToken, "person_id")[0]] = true
	people[e.rawColumns("orders", "id", created.OrderID, "person_id")[0]] = true
	if len(people) != 1 || people[""] {
		t.Fatalf("person ids: %v", people)
	}
	var personID string
	for id := range people {
		personID = id
	}
	var shredded sql.NullInt64
	e.write(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT shredded_at FROM subject_keys WHERE subject = $1`, sess.SessionID).Scan(&shredded)
	})
	if !shredded.Valid {
		t.Error("the session's own key outlived its authorization")
	}

	order, err := e.svc.GetOrder(e.ctx, m.ID, created.OrderID)
	if err != nil || order.BillingAddress == nil || order.BillingAddress.FamilyName != "Jensen" || order.Customer.DateOfBirth != "1990-05-17" {
		t.Fatalf("the merchant reads the order: %+v %v", order.BillingAddress, err)
	}
	// The same address is the same person; another is someone else.
	again := e.place(m, "DK", "DKK", 5000, "pay_later", "ANNA@Example.dk", "")
	other := e.place(m, "DK", "DKK", 5000, "pay_later", "bo@example.dk", "")
	if p := e.rawColumns("orders", "id", again, "person_id")[0]; p != personID {
		t.Errorf("a second purchase with the same address is person %s, not %s", p, personID)
	}
	if p := e.rawColumns("orders", "id", other, "person_id")[0]; p == personID {
		t.Error("two addresses share a person")
	}

	// Once the person's key is shredded the order has nobody on it; the
	// other person's order is untouched.
	e.write(func(tx *store.Tx) error { return e.svc.Vault.Shred(tx, personID) })
	order, err = e.svc.GetOrder(e.ctx, m.ID, created.OrderID)
	if err != nil || order.BillingAddress != nil || order.Customer != nil || order.ShippingAddress != nil || order.OrderAmount != 10000 {
		t.Fatalf("the order of an erased person: %+v %+v %v", order.BillingAddress, order.Customer, err)
	}
	if o, err := e.svc.GetOrder(e.ctx, m.ID, other); err != nil || o.BillingAddress == nil || o.BillingAddress.Email != "bo@example.dk" {
		t.Fatalf("someone else's order after the shred: %+v %v", o.BillingAddress, err)
	}
}
