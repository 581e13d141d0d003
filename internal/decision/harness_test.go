package decision_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/decision"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/risk/engine"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/vault"
)

// env is checkout, staff accounts and the decision service on the test's
// engine with a manual clock and one test-mode merchant.
type env struct {
	t        *testing.T
	ctx      context.Context
	db       *store.DB
	vault    *vault.Vault
	checkout *checkout.Service
	accounts *account.Service
	runner   *jobs.Runner
	clk      *clock.Manual
	svc      *decision.Service
	m        merchant.Merchant
	// lookupKey is the instance secret consumer keys are made with.
	lookupKey string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db, clk := storetest.Open(t)
	logger := logscan.Logger()
	t.Cleanup(func() {
		if r, err := audit.Verify(ctx, db); err != nil || !r.OK() {
			t.Errorf("audit verify: %v %v", r.Problems, err)
		}
	})
	tokenKey, err := db.InstanceSecret(ctx, "client_token_key")
	if err != nil {
		t.Fatal(err)
	}
	lookupKey, err := db.InstanceSecret(ctx, ids.ConsumerKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	vlt := vault.New(db, vault.MasterKeys{Current: vault.NewMasterKey()})
	co := checkout.New(db, engine.Pipeline(engine.Config{}), vlt, tokenKey, lookupKey, logger)
	runner := jobs.NewRunner(db, logger)
	co.Register(runner)
	svc, err := decision.New(db, vlt, lookupKey)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := merchant.Create(ctx, db, merchant.NewMerchant{Name: "Nordic Rain", TestMode: true, SettlementCurrency: "DKK"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := merchant.Get(ctx, db, creds.MerchantID)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: ctx, db: db, vault: vlt, checkout: co, accounts: account.New(db, account.DefaultConfig(), lookupKey, vlt),
		runner: runner, clk: clk, svc: svc, m: m, lookupKey: lookupKey}
}

// buy is one purchase attempt at checkout.
type buy struct {
	email  string
	amount int64
	dob    string
	// order places the order when the authorization is approved.
	order bool
}

// authorize runs a purchase through the real checkout and returns the
// buyer's person id. The authorization carries the person (set here when
// checkout has not set it).
func (e *env) authorize(b buy) string {
	e.t.Helper()
	if b.dob == "" {
		b.dob = "1990-05-17"
	}
	data := checkout.OrderData{
		PurchaseCountry: "DK", PurchaseCurrency: "DKK", Locale: "da-DK", OrderAmount: b.amount, OrderTaxAmount: b.amount / 5,
		OrderLines: []checkout.OrderLine{{Type: "physical", Reference: "SKU-1", Name: "Rain jacket", Quantity: 1,
			UnitPrice: b.amount, TaxRate: 2500, TotalAmount: b.amount, TotalTaxAmount: b.amount / 5}},
	}
	sess, err := e.checkout.CreateSession(e.ctx, e.m, data, "https://tillit.example")
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := e.checkout.Authorize(e.ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: "pay_later",
		Customer:              checkout.Customer{DateOfBirth: b.dob},
		BillingAddress: &checkout.Address{GivenName: "Anna", FamilyName: "Jensen", Email: b.email, Phone: "+4520123456",
			StreetAddress: "Sletten 1", PostalCode: "9270", City: "Klarup", Country: "DK"},
		OTP: checkout.TestOTP,
	})
	if err != nil {
		e.t.Fatalf("authorize: %v", err)
	}
	personID := e.attach(sess.SessionID, b.email)
	if b.order {
		if !res.Approved {
			e.t.Fatalf("authorization for %s was not approved: %+v", b.email, res)
		}
		if _, err := e.checkout.CreateOrder(e.ctx, e.m, res.AuthorizationToken, data); err != nil {
			e.t.Fatal(err)
		}
	}
	return personID
}

// attach makes sure the session's authorization names the person of the
// e-mail address, as checkout records it, and returns the person's id.
func (e *env) attach(sessionID, email string) string {
	e.t.Helper()
	var personID string
	err := e.db.Write(e.ctx, func(tx *store.Tx) (err error) {
		if personID, err = person.Resolve(tx, ids.ConsumerKey(e.lookupKey, email)); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE authorizations SET person_id = $1 WHERE session_id = $2 AND person_id IS NULL`, personID, sessionID); err != nil {
			return err
		}
		var got string
		if err := tx.QueryRow(`SELECT person_id FROM authorizations WHERE session_id = $1`, sessionID).Scan(&got); err != nil {
			return err
		}
		if got != personID {
			e.t.Errorf("the authorization names person %s, want %s", got, personID)
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return personID
}

// decisions lists the person's decisions.
func (e *env) decisions(personID string) []decision.Decision {
	e.t.Helper()
	var out []decision.Decision
	err := e.db.Read(e.ctx, func(tx *store.Tx) (err error) {
		out, err = e.svc.ForPerson(tx, personID)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// contest files a contest and returns the error.
func (e *env) contest(personID, ref, statement string) (decision.Contest, error) {
	var c decision.Contest
	err := e.db.Write(e.ctx, func(tx *store.Tx) (err error) {
		c, err = e.svc.Contest(tx, decision.ContestRequest{PersonID: personID, DecisionRef: ref, Statement: statement,
			ReplyTo: "anna@example.dk", Locale: "da-DK"})
		return err
	})
	return c, err
}

// review records a review and returns the error.
func (e *env) review(st account.Staff, id string, outcome decision.ReviewOutcome, note string) (decision.Contest, error) {
	var c decision.Contest
	err := e.db.Write(e.ctx, func(tx *store.Tx) (err error) {
		c, err = e.svc.Review(tx, st, id, outcome, note)
		return err
	})
	return c, err
}

// staff creates a member of staff with the role.
func (e *env) staff(role account.Role) account.Staff {
	e.t.Helper()
	logscan.Secret(logscan.Password, "Lantern-harbour-violet-1987")
	st, err := e.accounts.CreateStaff(e.ctx, "cli", account.NewStaff{
		Email: string(role) + "@tillit.example", Name: "Member " + string(role), Role: role, Password: "Lantern-harbour-violet-1987",
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

// count returns a single number from the database.
func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	err := e.db.Read(e.ctx, func(tx *store.Tx) error { return tx.QueryRow(query, args...).Scan(&n) })
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// mails returns the outbox messages to the address, opened, oldest first,
// after checking that they are stored sealed under the person's key.
func (e *env) mails(to string) []string {
	e.t.Helper()
	var out []string
	err := e.db.Read(e.ctx, func(tx *store.Tx) error {
		msgs, err := outbox.To(tx, e.vault, e.lookupKey, outbox.Email, to, 100)
		if err != nil {
			return err
		}
		slices.Reverse(msgs)
		for _, m := range msgs {
			out = append(out, m.Subject+"\n"+m.Body)
			var stored string
			if err := tx.QueryRow(`SELECT recipient || subject || body FROM outbox_messages WHERE id = $1`, m.ID).Scan(&stored); err != nil {
				return err
			}
			if m.PersonID == "" || strings.Contains(stored, to) || strings.Contains(stored, m.Subject) {
				e.t.Errorf("message %s is not sealed under a person: %q", m.ID, stored)
			}
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// kinds summarises decisions as "kind:outcome[reasons]".
func kinds(ds []decision.Decision) []string {
	var out []string
	for _, d := range ds {
		var codes []string
		for _, r := range d.Reasons {
			codes = append(codes, r.Code)
		}
		s := string(d.Kind) + ":" + string(d.Outcome) + "[" + strings.Join(codes, ",") + "]"
		if d.SettledAs != "" {
			s += "->" + string(d.SettledAs)
		}
		out = append(out, s)
	}
	return out
}

// later moves the clock on, so the next purchase is newer.
func (e *env) later() { e.clk.Advance(time.Minute) }
