// Package apptest helps tests that run the whole platform (app.App) set the
// scene: a test-mode merchant, an order placed and captured through
// checkout, a consumer signed up with the code e-mailed to them. It is
// imported by tests only.
package apptest

import (
	"context"
	"regexp"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/store"
)

// OrderAmount is the amount of the orders Order places: 400.00 DKK.
const OrderAmount = 40000

// Merchant creates a test-mode merchant settling in DKK and returns it
// with its API credentials (the password registered with logscan).
func Merchant(t testing.TB, a *app.App, name string) (merchant.Merchant, merchant.Credentials) {
	t.Helper()
	ctx := context.Background()
	creds, err := merchant.Create(ctx, a.DB, merchant.NewMerchant{Name: name, TestMode: true, SettlementCurrency: "DKK"})
	if err != nil {
		t.Fatal(err)
	}
	logscan.Secret(logscan.Password, creds.Password)
	m, err := merchant.Get(ctx, a.DB, creds.MerchantID)
	if err != nil {
		t.Fatal(err)
	}
	return m, creds
}

// OrderData is the one-line order Order places: a rain jacket for
// OrderAmount, bought in Denmark.
func OrderData() checkout.OrderData {
	return checkout.OrderData{PurchaseCountry: "DK", PurchaseCurrency: "DKK", Locale: "da-DK", OrderAmount: OrderAmount,
		OrderLines: []checkout.OrderLine{{Type: "physical", Reference: "SKU-1", Name: "Rain jacket", Quantity: 1, UnitPrice: OrderAmount, TotalAmount: OrderAmount}}}
}

// Order places an order of OrderData at m for the consumer with the
// address, paid later, through checkout (the test-mode code), captures it
// in full and returns its id.
func Order(t testing.TB, a *app.App, m merchant.Merchant, email string) string {
	t.Helper()
	ctx := context.Background()
	data := OrderData()
	sess, err := a.Checkout.CreateSession(ctx, m, data, "https://tillit.example")
	if err != nil {
		t.Fatal(err)
	}
	auth, err := a.Checkout.Authorize(ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: "pay_later", Customer: checkout.Customer{DateOfBirth: "1990-05-17"},
		BillingAddress: &checkout.Address{GivenName: "Anna", FamilyName: "Jensen", Email: email, Phone: "+4520123456",
			StreetAddress: "Sletten 1", PostalCode: "9270", City: "Klarup", Country: "DK"},
		OTP: checkout.TestOTP,
	})
	if err != nil || !auth.Approved {
		t.Fatalf("authorize: %+v %v", auth, err)
	}
	created, err := a.Checkout.CreateOrder(ctx, m, auth.AuthorizationToken, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := a.Checkout.Capture(tx, m.ID, created.OrderID, checkout.CaptureRequest{CapturedAmount: data.OrderAmount})
		return err
	}); err != nil {
		t.Fatalf("capture: %v", err)
	}
	return created.OrderID
}

// code is a sign-in code in an e-mail.
var code = regexp.MustCompile(`\b\d{6}\b`)

// Consumer signs the consumer with the address up to the app with the
// code e-mailed to them (registered with logscan), which makes their
// account and person, and returns the account.
func Consumer(t testing.TB, a *app.App, email string) account.Consumer {
	t.Helper()
	ctx := context.Background()
	if err := a.Accounts.RequestLoginCode(ctx, email, "en-DK"); err != nil {
		t.Fatal(err)
	}
	mail, err := a.Accounts.DemoMailbox(ctx, email, 1)
	if err != nil || len(mail) == 0 {
		t.Fatalf("no sign-in code e-mailed: %v", err)
	}
	c := code.FindString(mail[0].Body)
	if c == "" {
		t.Fatalf("no code in %q", mail[0].Body)
	}
	logscan.Secret(logscan.OneTimeCode, c)
	consumer, err := a.Accounts.VerifyLoginCode(ctx, email, c)
	if err != nil {
		t.Fatal(err)
	}
	return consumer
}
