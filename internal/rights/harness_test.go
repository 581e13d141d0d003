package rights_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/consent"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/rights"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

// shopper is a test person with everything that identifies them.
type shopper struct {
	email, given, family, street, dob, nationalID, phone, ip string
}

// secrets are the shopper's strings that must never be found in clear
// once they are erased.
func (s shopper) secrets() []string {
	return []string{s.email, s.given, s.family, s.street, s.dob, s.nationalID, s.phone, s.ip}
}

var (
	anna = shopper{email: "anna.jensen@example.dk", given: "Annabella", family: "Jensenius", street: "Slettenvej 17",
		dob: "1987-04-21", nationalID: "210487-1234", phone: "+4520304050", ip: "198.51.100.23"}
	bo = shopper{email: "bo.berg@example.dk", given: "Bonifacius", family: "Bergstrand", street: "Havnegade 99",
		dob: "1979-11-02", nationalID: "021179-4321", phone: "+4560708090", ip: "203.0.113.77"}
	// rejected is refused by the test-mode assessor (its "+denied" tag).
	rejected = shopper{email: "carla+denied@example.dk", given: "Carlotta", family: "Rasmussenova", street: "Byvej 3",
		dob: "1990-01-30", nationalID: "300190-5555", phone: "+4511223344", ip: "192.0.2.55"}
)

// env is the whole platform on the test's engine with a manual clock.
type env struct {
	t      *testing.T
	ctx    context.Context
	app    *app.App
	clk    *clock.Manual
	m      merchant.Merchant
	rights *rights.Service
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(storetest.Start)
	a, err := app.New(ctx, app.Config{DatabaseURL: storetest.DSN(t), Clock: clk, Logger: logscan.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	creds, err := merchant.Create(ctx, a.DB, merchant.NewMerchant{Name: "Regnvejr ApS", TestMode: true, SettlementCurrency: "DKK"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := merchant.Get(ctx, a.DB, creds.MerchantID)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, app: a, clk: clk, m: m, rights: rights.New(a.DB, a.Vault)}
	t.Cleanup(func() {
		if r, err := ledger.Verify(ctx, a.DB); err != nil || !r.OK() {
			t.Errorf("ledger: %+v %v", r, err)
		}
	})
	return e
}

// buy runs a purchase through checkout: the merchant sends the shopper's
// address with the session, the shopper authorizes, and when approved the
// order is placed. It returns the order id, "" when refused.
func (e *env) buy(s shopper, method string, amount int64) string {
	e.t.Helper()
	address := checkout.Address{GivenName: s.given, FamilyName: s.family, Email: s.email, Phone: s.phone,
		StreetAddress: s.street, PostalCode: "9270", City: "Klarup", Country: "DK"}
	data := checkout.OrderData{
		PurchaseCountry: "DK", PurchaseCurrency: "DKK", Locale: "da-DK", OrderAmount: amount,
		OrderLines:     []checkout.OrderLine{{Type: "physical", Name: "Paraply", Quantity: 1, UnitPrice: amount, TotalAmount: amount}},
		BillingAddress: &address,
	}
	sess, err := e.app.Checkout.CreateSession(e.ctx, e.m, data, "https://tillit.example")
	if err != nil {
		e.t.Fatal(err)
	}
	auth, err := e.app.Checkout.Authorize(e.ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: method, BillingAddress: &address, OTP: checkout.TestOTP,
		Customer: checkout.Customer{DateOfBirth: s.dob, NationalIdentificationNumber: s.nationalID},
		Device:   checkout.Device{IP: s.ip, UserAgent: "Mozilla/5.0 (test)"},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	if !auth.Approved {
		return ""
	}
	created, err := e.app.Checkout.CreateOrder(e.ctx, e.m, auth.AuthorizationToken, data)
	if err != nil {
		e.t.Fatal(err)
	}
	return created.OrderID
}

// capture captures the whole order.
func (e *env) capture(orderID string, amount int64) {
	e.t.Helper()
	e.write(func(tx *store.Tx) error {
		_, err := e.app.Checkout.Capture(tx, e.m.ID, orderID, checkout.CaptureRequest{CapturedAmount: amount})
		return err
	})
	e.runJobs()
}

// runJobs runs every due job.
func (e *env) runJobs() {
	e.t.Helper()
	for range 20 {
		n, err := e.app.Runner.RunDue(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// signIn signs the shopper in to the consumer app, making their account.
func (e *env) signIn(s shopper) {
	e.t.Helper()
	if err := e.app.Accounts.RequestLoginCode(e.ctx, s.email, "da-DK"); err != nil {
		e.t.Fatal(err)
	}
	mail, err := e.app.Accounts.DemoMailbox(e.ctx, s.email, 1)
	if err != nil || len(mail) == 0 {
		e.t.Fatalf("no sign-in code: %v", err)
	}
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(mail[0].Body)
	logscan.Secret(logscan.OneTimeCode, code)
	if _, err := e.app.Accounts.VerifyLoginCode(e.ctx, s.email, code); err != nil {
		e.t.Fatal(err)
	}
}

// person returns the shopper's person id ("" when Tillit does not know
// their address).
func (e *env) person(s shopper) string {
	e.t.Helper()
	secret, err := e.app.DB.InstanceSecret(e.ctx, ids.ConsumerKeySecret)
	if err != nil {
		e.t.Fatal(err)
	}
	var id string
	err = e.app.DB.Read(e.ctx, func(tx *store.Tx) error {
		var err error
		id, _, err = person.Lookup(tx, ids.ConsumerKey(secret, s.email))
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// consumer returns the id of the shopper's consumer account.
func (e *env) consumer(s shopper) string {
	e.t.Helper()
	var id string
	e.read(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT id FROM consumers WHERE person_id = $1`, e.person(s)).Scan(&id)
	})
	return id
}

func (e *env) consent(s shopper, p consent.Purpose, granted bool) {
	e.t.Helper()
	if _, err := e.app.Consents.Set(e.ctx, e.person(s), p, granted, consent.SourceApp, "consumer:test"); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) write(fn func(tx *store.Tx) error) {
	e.t.Helper()
	if err := e.app.DB.Write(e.ctx, fn); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) read(fn func(tx *store.Tx) error) {
	e.t.Helper()
	if err := e.app.DB.Read(e.ctx, fn); err != nil {
		e.t.Fatal(err)
	}
}

// dump returns every text and number stored in every table, one line per
// row, for scanning the whole database.
func (e *env) dump() map[string][]string {
	e.t.Helper()
	out := map[string][]string{}
	e.read(func(tx *store.Tx) error {
		tables := map[string]bool{}
		names, err := schemaTables(tx)
		if err != nil {
			return err
		}
		for _, t := range names {
			tables[t] = true
		}
		for t := range tables {
			rows, err := tx.Query(`SELECT * FROM ` + t)
			if err != nil {
				return err
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				values := make([]any, len(cols))
				dest := make([]any, len(cols))
				for i := range values {
					dest[i] = &values[i]
				}
				if err := rows.Scan(dest...); err != nil {
					rows.Close()
					return err
				}
				b, _ := json.Marshal(stringify(values))
				out[t] = append(out[t], string(b))
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
		return nil
	})
	return out
}

// stringify turns raw column values into readable text.
func stringify(values []any) []any {
	for i, v := range values {
		if b, ok := v.([]byte); ok {
			values[i] = string(b)
		}
	}
	return values
}

// schemaTables lists the tables of the migrated schema.
func schemaTables(tx *store.Tx) ([]string, error) {
	query := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`
	if tx.Dialect == store.Postgres {
		query = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	rows, err := tx.Query(query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		out = append(out, name)
	}
	return out, rows.Err()
}

// findIn returns the tables whose rows contain any of the strings.
func findIn(dump map[string][]string, needles []string) map[string][]string {
	found := map[string][]string{}
	for table, rows := range dump {
		for _, row := range rows {
			for _, n := range needles {
				if strings.Contains(strings.ToLower(row), strings.ToLower(n)) {
					found[table] = append(found[table], n)
				}
			}
		}
	}
	return found
}
