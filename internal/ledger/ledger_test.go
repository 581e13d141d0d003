package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/risk/engine"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/vault"
)

// The labels Verify reports problems under.
const (
	labelUnbalanced       = "journal does not balance"
	labelNoEntries        = "journal has no entries"
	labelCurrency         = "entry currency differs from its journal"
	labelOutOfRange       = "order amounts out of range"
	labelCapturedDiffers  = "order captured amount differs from its captures"
	labelRefundedDiffers  = "order refunded amount differs from its refunds"
	labelReceivableDiffer = "receivable from captures and refunds differs from the order"
	labelPayableDiffers   = "merchant payable from captures and refunds differs from the merchant's orders"
	labelCaptureNoJournal = "capture has no journal of its own"
	labelCaptureAmount    = "capture journal amount differs from the capture"
)

const dkk = "DKK"

// fixture is a migrated database on the test's engine with a checkout service
// and one test-mode merchant.
type fixture struct {
	ctx context.Context
	db  *store.DB
	svc *checkout.Service
	m   merchant.Merchant
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, _ := storetest.Open(t)
	logger := logscan.Logger()
	f := &fixture{ctx: ctx, db: db, svc: checkout.New(db, engine.Pipeline(engine.Config{}), vault.New(db, vault.MasterKeys{Current: vault.NewMasterKey()}), "k", "consumer-lookup-key", logger)}
	f.m = f.newMerchant(t, "Test Shop")
	return f
}

func (f *fixture) newMerchant(t *testing.T, name string) merchant.Merchant {
	t.Helper()
	creds, err := merchant.Create(f.ctx, f.db, merchant.NewMerchant{Name: name, TestMode: true, SettlementCurrency: dkk})
	if err != nil {
		t.Fatalf("create merchant: %v", err)
	}
	m, err := merchant.Get(f.ctx, f.db, creds.MerchantID)
	if err != nil {
		t.Fatalf("get merchant: %v", err)
	}
	return m
}

// order places an order of amount DKK minor units for the merchant through the
// checkout service (session, authorization with the test OTP, order) and
// returns its id. The consumer is an adult Dane, so fraud status is ACCEPTED.
func (f *fixture) order(t *testing.T, amount int64) string {
	m := f.m
	t.Helper()
	data := func() checkout.OrderData {
		return checkout.OrderData{
			PurchaseCountry: "DK", PurchaseCurrency: dkk, Locale: "da-DK", OrderAmount: amount,
			OrderLines: []checkout.OrderLine{{Type: "physical", Reference: "SKU-1", Name: "Rain jacket", Quantity: 1, UnitPrice: amount, TotalAmount: amount}},
		}
	}
	sess, err := f.svc.CreateSession(f.ctx, m, data(), "https://tillit.example")
	if err != nil {
		t.Fatalf("create session: %v", err)
	}
	auth, err := f.svc.Authorize(f.ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: "pay_later",
		Customer:              checkout.Customer{DateOfBirth: "1990-05-17", NationalIdentificationNumber: "1705901234"},
		BillingAddress: &checkout.Address{GivenName: "Anna", FamilyName: "Jensen", Email: "anna@example.com", Phone: "+4520123456",
			StreetAddress: "Sletten 1", PostalCode: "9270", City: "Klarup", Country: "DK"},
		Device: checkout.Device{IP: "192.0.2.10", Fingerprint: "abc123"},
		OTP:    checkout.TestOTP,
	})
	if err != nil || !auth.Approved {
		t.Fatalf("authorize: %+v, %v", auth, err)
	}
	created, err := f.svc.CreateOrder(f.ctx, m, auth.AuthorizationToken, data())
	if err != nil {
		t.Fatalf("create order: %v", err)
	}
	if created.FraudStatus != checkout.FraudAccepted {
		t.Fatalf("order fraud status %s, want ACCEPTED", created.FraudStatus)
	}
	return created.OrderID
}

// write runs fn in a transaction and fails the test on error.
func (f *fixture) write(t *testing.T, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := f.db.Write(f.ctx, fn); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	f.write(t, func(tx *store.Tx) error {
		res, err := tx.Exec(query, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("%s changed no rows (%v)", query, err)
		}
		return nil
	})
}

func (f *fixture) balance(t *testing.T, account, currency string) int64 {
	t.Helper()
	var b int64
	if err := f.db.Read(f.ctx, func(tx *store.Tx) error {
		var err error
		b, err = ledger.Balance(tx, account, currency)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *fixture) queryInt(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := f.db.Read(f.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(query, args...).Scan(&n)
	}); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// counts returns the number of journals and entries.
func (f *fixture) counts(t *testing.T) (journals, entries int64) {
	t.Helper()
	return f.queryInt(t, `SELECT COUNT(*) FROM ledger_journals`), f.queryInt(t, `SELECT COUNT(*) FROM ledger_entries`)
}

// expectBalances checks account balances in DKK and that all entries sum to zero.
func (f *fixture) expectBalances(t *testing.T, want map[string]int64) {
	t.Helper()
	for account, w := range want {
		if got := f.balance(t, account, dkk); got != w {
			t.Errorf("balance of %s = %d, want %d", account, got, w)
		}
	}
	if sum := f.queryInt(t, `SELECT COALESCE(SUM(amount), 0) FROM ledger_entries`); sum != 0 {
		t.Errorf("all entries sum to %d, want 0", sum)
	}
}

func (f *fixture) verify(t *testing.T) ledger.Report {
	t.Helper()
	r, err := ledger.Verify(f.ctx, f.db)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return r
}

func hasProblem(r ledger.Report, label string) bool {
	for _, p := range r.Problems {
		if strings.HasPrefix(p, label+": ") {
			return true
		}
	}
	return false
}

func TestPostRefusesBadJournalsAndWritesNothing(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name       string
		entries    []ledger.Entry
		unbalanced bool
	}{
		{name: "no entries"},
		{name: "single entry", entries: []ledger.Entry{{"a", 100}}},
		{name: "single zero entry", entries: []ledger.Entry{{"a", 0}}},
		{name: "only zero entries", entries: []ledger.Entry{{"a", 0}, {"b", 0}}},
		{name: "one non-zero entry and a zero", entries: []ledger.Entry{{"a", 100}, {"b", 0}}, unbalanced: true},
		{name: "two entries off by one", entries: []ledger.Entry{{"a", 100}, {"b", -99}}, unbalanced: true},
		{name: "same sign", entries: []ledger.Entry{{"a", 100}, {"b", 100}}, unbalanced: true},
		{name: "three entries", entries: []ledger.Entry{{"a", 100}, {"b", -60}, {"c", -41}}, unbalanced: true},
		// The int64 sum wraps around to exactly zero.
		{name: "overflow wrapping to zero", entries: []ledger.Entry{{"a", math.MaxInt64}, {"b", math.MaxInt64}, {"c", 2}}},
		{name: "negative overflow", entries: []ledger.Entry{{"a", math.MinInt64}, {"b", math.MinInt64}}},
	}
	for _, c := range cases {
		var postErr error
		// The transaction commits whatever Post wrote, so a refused journal
		// must have written nothing at all.
		f.write(t, func(tx *store.Tx) error {
			postErr = ledger.Post(tx, "test", c.name, "", dkk, c.entries...)
			return nil
		})
		if postErr == nil {
			t.Errorf("%s: Post accepted %v", c.name, c.entries)
			continue
		}
		if c.unbalanced && !errors.Is(postErr, ledger.ErrUnbalanced) {
			t.Errorf("%s: error %v, want ErrUnbalanced", c.name, postErr)
		}
	}
	// The movement helpers refuse a zero amount the same way.
	for _, post := range []func(tx *store.Tx) error{
		func(tx *store.Tx) error { return ledger.Capture(tx, "zero", "", f.m.ID, dkk, 0) },
		func(tx *store.Tx) error { return ledger.Refund(tx, "zero", "", f.m.ID, dkk, 0) },
		func(tx *store.Tx) error { return ledger.ConsumerPayment(tx, "zero", "", dkk, 0) },
		func(tx *store.Tx) error { return ledger.MerchantPayout(tx, "zero", f.m.ID, dkk, 0) },
	} {
		var postErr error
		f.write(t, func(tx *store.Tx) error {
			postErr = post(tx)
			return nil
		})
		if postErr == nil {
			t.Errorf("a zero movement was posted")
		}
	}
	if j, e := f.counts(t); j != 0 || e != 0 {
		t.Errorf("refused journals wrote %d journals and %d entries", j, e)
	}
	if r := f.verify(t); !r.OK() {
		t.Errorf("verify: %v", r.Problems)
	}
}

func TestPostBalancedJournal(t *testing.T) {
	f := newFixture(t)
	f.write(t, func(tx *store.Tx) error {
		if err := ledger.Post(tx, "test", "split", "", dkk, ledger.Entry{"a", 100}, ledger.Entry{"b", -60}, ledger.Entry{"c", -40}); err != nil {
			return err
		}
		// A zero line in a balanced journal is not stored.
		return ledger.Post(tx, "test", "with-zero", "", dkk, ledger.Entry{"a", 5}, ledger.Entry{"b", 0}, ledger.Entry{"c", -5})
	})
	if j, e := f.counts(t); j != 2 || e != 5 {
		t.Errorf("got %d journals and %d entries, want 2 and 5", j, e)
	}
	f.expectBalances(t, map[string]int64{"a": 105, "b": -60, "c": -45})
	if b := f.balance(t, "a", "EUR"); b != 0 {
		t.Errorf("balance of a in EUR = %d, want 0", b)
	}
	if r := f.verify(t); !r.OK() || r.Journals != 2 || r.Entries != 5 {
		t.Errorf("verify: %+v", r)
	}
}

func TestPostSameReferenceTwiceFails(t *testing.T) {
	f := newFixture(t)
	orderID := f.order(t, 10_000)
	receivable, payable := ledger.ReceivableAccount(orderID), ledger.PayableAccount(f.m.ID)

	f.write(t, func(tx *store.Tx) error {
		return ledger.Post(tx, "test", "r1", "", dkk, ledger.Entry{"a", 100}, ledger.Entry{"b", -100})
	})
	f.write(t, func(tx *store.Tx) error {
		return ledger.Capture(tx, "cap-1", orderID, f.m.ID, dkk, 4_000)
	})
	want := map[string]int64{"a": 100, "b": -100, receivable: 4_000, payable: -4_000}
	f.expectBalances(t, want)

	dups := []struct {
		name string
		post func(tx *store.Tx) error
	}{
		{"same journal again", func(tx *store.Tx) error {
			return ledger.Post(tx, "test", "r1", "", dkk, ledger.Entry{"a", 100}, ledger.Entry{"b", -100})
		}},
		{"other amounts and accounts", func(tx *store.Tx) error {
			return ledger.Post(tx, "test", "r1", "", dkk, ledger.Entry{"c", 7}, ledger.Entry{"d", -7})
		}},
		{"other currency", func(tx *store.Tx) error {
			return ledger.Post(tx, "test", "r1", "", "EUR", ledger.Entry{"a", 100}, ledger.Entry{"b", -100})
		}},
		{"capture posted twice", func(tx *store.Tx) error {
			return ledger.Capture(tx, "cap-1", orderID, f.m.ID, dkk, 4_000)
		}},
		{"capture id reused with another amount", func(tx *store.Tx) error {
			return ledger.Capture(tx, "cap-1", orderID, f.m.ID, dkk, 1)
		}},
		{"duplicate after a good posting in the same transaction", func(tx *store.Tx) error {
			if err := ledger.Refund(tx, "ref-1", orderID, f.m.ID, dkk, 500); err != nil {
				return err
			}
			return ledger.Capture(tx, "cap-1", orderID, f.m.ID, dkk, 4_000)
		}},
	}
	for _, d := range dups {
		err := f.db.Write(f.ctx, d.post)
		if err == nil {
			t.Errorf("%s: posted twice", d.name)
			continue
		}
		if !store.IsUniqueViolation(err) {
			t.Errorf("%s: error %v, want a unique violation", d.name, err)
		}
	}
	f.expectBalances(t, want)
	if j, e := f.counts(t); j != 2 || e != 4 {
		t.Errorf("got %d journals and %d entries, want 2 and 4", j, e)
	}

	// The reference is unique per kind only.
	f.write(t, func(tx *store.Tx) error {
		return ledger.Refund(tx, "cap-1", orderID, f.m.ID, dkk, 1_000)
	})
	want[receivable], want[payable] = 3_000, -3_000
	f.expectBalances(t, want)
}

func TestMovementsMoveBalancesAsDocumented(t *testing.T) {
	f := newFixture(t)
	other := f.newMerchant(t, "Other Shop")
	o1, o2 := f.order(t, 10_000), f.order(t, 5_000)
	o3 := f.order(t, 2_000)
	rec1, rec2, rec3 := ledger.ReceivableAccount(o1), ledger.ReceivableAccount(o2), ledger.ReceivableAccount(o3)
	pay, payOther := ledger.PayableAccount(f.m.ID), ledger.PayableAccount(other.ID)
	cash := ledger.CashAccount(dkk)

	steps := []struct {
		name string
		post func(tx *store.Tx) error
		want map[string]int64
	}{
		{"capture", func(tx *store.Tx) error { return ledger.Capture(tx, "c1", o1, f.m.ID, dkk, 6_000) },
			map[string]int64{rec1: 6_000, pay: -6_000, cash: 0, rec2: 0}},
		{"second capture", func(tx *store.Tx) error { return ledger.Capture(tx, "c2", o2, f.m.ID, dkk, 5_000) },
			map[string]int64{rec1: 6_000, rec2: 5_000, pay: -11_000}},
		{"capture for another merchant", func(tx *store.Tx) error { return ledger.Capture(tx, "c3", o3, other.ID, dkk, 2_000) },
			map[string]int64{rec3: 2_000, pay: -11_000, payOther: -2_000}},
		{"refund", func(tx *store.Tx) error { return ledger.Refund(tx, "r1", o1, f.m.ID, dkk, 1_000) },
			map[string]int64{rec1: 5_000, rec2: 5_000, pay: -10_000, payOther: -2_000}},
		{"consumer payment", func(tx *store.Tx) error { return ledger.ConsumerPayment(tx, "p1", o1, dkk, 5_000) },
			map[string]int64{rec1: 0, cash: 5_000, pay: -10_000}},
		{"merchant payout", func(tx *store.Tx) error { return ledger.MerchantPayout(tx, "po1", f.m.ID, dkk, 4_000) },
			map[string]int64{pay: -6_000, cash: 1_000, payOther: -2_000}},
		// Refunding after the consumer paid leaves Tillit owing the consumer
		// (a credit receivable) and the merchant owing Tillit less.
		{"refund after payment", func(tx *store.Tx) error { return ledger.Refund(tx, "r2", o1, f.m.ID, dkk, 2_500) },
			map[string]int64{rec1: -2_500, pay: -3_500, cash: 1_000}},
		{"payout of everything owed", func(tx *store.Tx) error { return ledger.MerchantPayout(tx, "po2", f.m.ID, dkk, 3_500) },
			map[string]int64{pay: 0, cash: -2_500, rec2: 5_000}},
		{"partial payment", func(tx *store.Tx) error { return ledger.ConsumerPayment(tx, "p2", o2, dkk, 1_500) },
			map[string]int64{rec2: 3_500, cash: -1_000, rec1: -2_500, rec3: 2_000, payOther: -2_000}},
	}
	for _, s := range steps {
		f.write(t, s.post)
		for account, w := range s.want {
			if got := f.balance(t, account, dkk); got != w {
				t.Errorf("after %s: balance of %s = %d, want %d", s.name, account, got, w)
			}
		}
		if sum := f.queryInt(t, `SELECT COALESCE(SUM(amount), 0) FROM ledger_entries`); sum != 0 {
			t.Errorf("after %s: entries sum to %d", s.name, sum)
		}
	}
	// Balances are per currency.
	for _, account := range []string{rec1, pay, cash} {
		if b := f.balance(t, account, "EUR"); b != 0 {
			t.Errorf("balance of %s in EUR = %d, want 0", account, b)
		}
	}
	if b := f.balance(t, ledger.CashAccount("EUR"), "EUR"); b != 0 {
		t.Errorf("EUR cash = %d, want 0", b)
	}
	// Journals record their kind and order; payouts belong to no order.
	for _, c := range []struct {
		kind, reference, order string
	}{
		{ledger.KindCapture, "c1", o1}, {ledger.KindRefund, "r2", o1},
		{ledger.KindConsumerPayment, "p2", o2}, {ledger.KindMerchantPayout, "po1", ""},
	} {
		n := f.queryInt(t, `SELECT COUNT(*) FROM ledger_journals WHERE kind = $1 AND reference = $2 AND COALESCE(order_id, '') = $3 AND currency = $4`,
			c.kind, c.reference, c.order, dkk)
		if n != 1 {
			t.Errorf("journal %s/%s for order %q: found %d", c.kind, c.reference, c.order, n)
		}
	}
	if j, e := f.counts(t); j != int64(len(steps)) || e != 2*int64(len(steps)) {
		t.Errorf("got %d journals and %d entries, want %d and %d", j, e, len(steps), 2*len(steps))
	}
}

// soundLedger is a consistent ledger for one merchant of its own, built
// through the checkout service: two orders, three captures, a refund, a
// release, a consumer payment and a payout.
type soundLedger struct {
	f                  *fixture // with f.m the ledger's own merchant
	orderA, orderB     string
	capA1, capA2, capB string
	refundA            string
	payment, payout    string
	// ids names everything the ledger's problems may mention.
	ids []string
}

// newSoundLedger builds a sound ledger for a new merchant in base's database.
func newSoundLedger(t *testing.T, base *fixture) *soundLedger {
	t.Helper()
	f := *base
	f.m = base.newMerchant(t, "Shop "+t.Name())
	s := &soundLedger{f: &f}
	s.orderA, s.orderB = f.order(t, 1_000), f.order(t, 500)
	s.payment, s.payout = "pay-"+s.orderB, "payout-"+f.m.ID
	capture := func(orderID string, amount int64) string {
		var id string
		f.write(t, func(tx *store.Tx) error {
			c, err := f.svc.Capture(tx, f.m.ID, orderID, checkout.CaptureRequest{CapturedAmount: amount})
			id = c.CaptureID
			return err
		})
		return id
	}
	s.capA1, s.capA2, s.capB = capture(s.orderA, 600), capture(s.orderA, 300), capture(s.orderB, 500)
	f.write(t, func(tx *store.Tx) error {
		r, err := f.svc.Refund(tx, f.m.ID, s.orderA, checkout.RefundRequest{RefundedAmount: 200})
		s.refundA = r.RefundID
		return err
	})
	f.write(t, func(tx *store.Tx) error {
		if err := ledger.ConsumerPayment(tx, s.payment, s.orderB, dkk, 500); err != nil {
			return err
		}
		return ledger.MerchantPayout(tx, s.payout, f.m.ID, dkk, 700)
	})
	f.write(t, func(tx *store.Tx) error {
		return f.svc.ReleaseRemaining(tx, f.m.ID, s.orderA)
	})
	for account, want := range map[string]int64{
		ledger.ReceivableAccount(s.orderA): 700, ledger.ReceivableAccount(s.orderB): 0, ledger.PayableAccount(f.m.ID): -500,
	} {
		if got := f.balance(t, account, dkk); got != want {
			t.Fatalf("balance of %s = %d, want %d", account, got, want)
		}
	}
	s.ids = []string{f.m.ID, s.orderA, s.orderB, s.capA1, s.capA2, s.capB, s.refundA, s.payment, s.payout}
	return s
}

// entryID returns the id of the entry on account in the journal kind/reference.
func (s *soundLedger) entryID(t *testing.T, kind, reference, account string) string {
	t.Helper()
	var id string
	if err := s.f.db.Read(s.f.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT e.id FROM ledger_entries e JOIN ledger_journals j ON j.id = e.journal_id
			WHERE j.kind = $1 AND j.reference = $2 AND e.account = $3`, kind, reference, account).Scan(&id)
	}); err != nil {
		t.Fatalf("entry %s/%s %s: %v", kind, reference, account, err)
	}
	s.ids = append(s.ids, id)
	return id
}

// problems returns the problems of r that concern this ledger.
func (s *soundLedger) problems(r ledger.Report) ledger.Report {
	var mine ledger.Report
	for _, p := range r.Problems {
		for _, id := range s.ids {
			if strings.Contains(p, id) {
				mine.Problems = append(mine.Problems, p)
				break
			}
		}
	}
	return mine
}

func TestVerifyPassesOnConsistentLedger(t *testing.T) {
	s := newSoundLedger(t, newFixture(t))
	r := s.f.verify(t)
	if !r.OK() {
		t.Fatalf("problems on a consistent ledger: %v", r.Problems)
	}
	// Four captures and refunds through checkout, one payment, one payout.
	if r.Journals != 6 || r.Entries != 12 || r.Orders != 2 {
		t.Errorf("report counts %+v, want 6 journals, 12 entries, 2 orders", r)
	}
	s.f.expectBalances(t, map[string]int64{ledger.CashAccount(dkk): -200})
}

// TestVerifyDetectsTampering tampers with one sound ledger per case, all in
// one database (a fresh database per case is slow on PostgreSQL), and checks
// the problems that concern that ledger.
func TestVerifyDetectsTampering(t *testing.T) {
	base := newFixture(t)
	cases := []struct {
		name   string
		tamper func(t *testing.T, s *soundLedger)
		labels []string // every one must be reported
	}{
		{"entry amount changed", func(t *testing.T, s *soundLedger) {
			id := s.entryID(t, ledger.KindCapture, s.capA1, ledger.ReceivableAccount(s.orderA))
			s.f.exec(t, `UPDATE ledger_entries SET amount = amount + 1 WHERE id = $1`, id)
		}, []string{labelUnbalanced, labelReceivableDiffer}},
		{"payable entry amount changed", func(t *testing.T, s *soundLedger) {
			id := s.entryID(t, ledger.KindRefund, s.refundA, ledger.PayableAccount(s.f.m.ID))
			s.f.exec(t, `UPDATE ledger_entries SET amount = amount - 50 WHERE id = $1`, id)
		}, []string{labelUnbalanced, labelPayableDiffers}},
		{"both entries of a journal changed so it still balances", func(t *testing.T, s *soundLedger) {
			s.f.exec(t, `UPDATE ledger_entries SET amount = amount + 100 WHERE id = $1`, s.entryID(t, ledger.KindCapture, s.capB, ledger.ReceivableAccount(s.orderB)))
			s.f.exec(t, `UPDATE ledger_entries SET amount = amount - 100 WHERE id = $1`, s.entryID(t, ledger.KindCapture, s.capB, ledger.PayableAccount(s.f.m.ID)))
		}, []string{labelReceivableDiffer, labelPayableDiffers}},
		{"payment entry amount changed", func(t *testing.T, s *soundLedger) {
			id := s.entryID(t, ledger.KindConsumerPayment, s.payment, ledger.CashAccount(dkk))
			s.f.exec(t, `UPDATE ledger_entries SET amount = 499 WHERE id = $1`, id)
		}, []string{labelUnbalanced}},
		{"entry deleted", func(t *testing.T, s *soundLedger) {
			id := s.entryID(t, ledger.KindCapture, s.capA2, ledger.PayableAccount(s.f.m.ID))
			s.f.exec(t, `DELETE FROM ledger_entries WHERE id = $1`, id)
		}, []string{labelUnbalanced, labelPayableDiffers}},
		{"all entries of a journal deleted", func(t *testing.T, s *soundLedger) {
			s.f.exec(t, `DELETE FROM ledger_entries WHERE id = $1`, s.entryID(t, ledger.KindRefund, s.refundA, ledger.PayableAccount(s.f.m.ID)))
			s.f.exec(t, `DELETE FROM ledger_entries WHERE id = $1`, s.entryID(t, ledger.KindRefund, s.refundA, ledger.ReceivableAccount(s.orderA)))
		}, []string{labelNoEntries, labelReceivableDiffer, labelPayableDiffers}},
		{"entry currency changed", func(t *testing.T, s *soundLedger) {
			id := s.entryID(t, ledger.KindMerchantPayout, s.payout, ledger.CashAccount(dkk))
			s.f.exec(t, `UPDATE ledger_entries SET currency = 'EUR' WHERE id = $1`, id)
		}, []string{labelCurrency}},
		{"order captured amount changed", func(t *testing.T, s *soundLedger) {
			s.f.exec(t, `UPDATE orders SET captured_amount = captured_amount - 1 WHERE id = $1`, s.orderB)
		}, []string{labelCapturedDiffers, labelReceivableDiffer, labelPayableDiffers}},
		{"order refunded amount changed", func(t *testing.T, s *soundLedger) {
			s.f.exec(t, `UPDATE orders SET refunded_amount = refunded_amount + 1 WHERE id = $1`, s.orderA)
		}, []string{labelRefundedDiffers, labelReceivableDiffer, labelPayableDiffers}},
		{"order refunded more than captured", func(t *testing.T, s *soundLedger) {
			s.f.exec(t, `UPDATE orders SET refunded_amount = captured_amount + 1 WHERE id = $1`, s.orderB)
		}, []string{labelOutOfRange, labelRefundedDiffers}},
		{"order captured and released more than its amount", func(t *testing.T, s *soundLedger) {
			s.f.exec(t, `UPDATE orders SET released_amount = released_amount + 1 WHERE id = $1`, s.orderA)
		}, []string{labelOutOfRange}},
		{"capture row without a journal", func(t *testing.T, s *soundLedger) {
			// A capture stored with its order updated, as if the ledger
			// posting had been lost.
			order := s.f.order(t, 800)
			s.ids = append(s.ids, order)
			s.f.write(t, func(tx *store.Tx) error {
				if _, err := tx.Exec(`INSERT INTO captures (id, order_id, reference, captured_amount, order_lines, shipping_info, captured_at)
					VALUES ('00000000-0000-7000-8000-000000000001', $1, 'TAMPERED01', 300, '[]', '[]', $2)`, order, store.Micros(tx.Now)); err != nil {
					return err
				}
				return tx.ExecOne(`UPDATE orders SET captured_amount = 300, status = 'PART_CAPTURED' WHERE id = $1`, order)
			})
		}, []string{labelReceivableDiffer, labelPayableDiffers}},
		{"capture row added alone", func(t *testing.T, s *soundLedger) {
			s.f.exec(t, `INSERT INTO captures (id, order_id, reference, captured_amount, order_lines, shipping_info, captured_at)
				VALUES ('00000000-0000-7000-8000-000000000002', $1, 'TAMPERED02', 100, '[]', '[]', 0)`, s.orderA)
		}, []string{labelCapturedDiffers}},
		{"capture journal deleted", func(t *testing.T, s *soundLedger) {
			s.f.exec(t, `DELETE FROM ledger_entries WHERE journal_id = (SELECT id FROM ledger_journals WHERE kind = 'capture' AND reference = $1)`, s.capB)
			s.f.exec(t, `DELETE FROM ledger_journals WHERE kind = 'capture' AND reference = $1`, s.capB)
		}, []string{labelReceivableDiffer, labelPayableDiffers}},
		{"capture journal swapped for a stray one of the same amount", func(t *testing.T, s *soundLedger) {
			// Totals per order and merchant still agree; only the link from
			// the capture to its own journal is broken.
			s.f.exec(t, `UPDATE ledger_journals SET reference = 'stray-posting' WHERE kind = 'capture' AND reference = $1`, s.capB)
		}, []string{labelCaptureNoJournal}},
		{"capture journal amount differs from its capture", func(t *testing.T, s *soundLedger) {
			s.f.exec(t, `UPDATE captures SET captured_amount = captured_amount + 100 WHERE id = $1`, s.capA1)
			s.f.exec(t, `UPDATE captures SET captured_amount = captured_amount - 100 WHERE id = $1`, s.capA2)
		}, []string{labelCaptureAmount}},
		{"refund row without a journal", func(t *testing.T, s *soundLedger) {
			s.f.write(t, func(tx *store.Tx) error {
				if _, err := tx.Exec(`INSERT INTO refunds (id, order_id, refunded_amount, order_lines, refunded_at)
					VALUES ('00000000-0000-7000-8000-000000000003', $1, 100, '[]', 0)`, s.orderB); err != nil {
					return err
				}
				return tx.ExecOne(`UPDATE orders SET refunded_amount = refunded_amount + 100 WHERE id = $1`, s.orderB)
			})
		}, []string{labelReceivableDiffer, labelPayableDiffers}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSoundLedger(t, base)
			if r := s.problems(s.f.verify(t)); !r.OK() {
				t.Fatalf("problems before tampering: %v", r.Problems)
			}
			c.tamper(t, s)
			r := s.problems(s.f.verify(t))
			if r.OK() {
				t.Fatalf("tampering not detected")
			}
			for _, label := range c.labels {
				if !hasProblem(r, label) {
					t.Errorf("no %q problem; got %v", label, r.Problems)
				}
			}
		})
	}
}
