package settlement_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/risk/engine"
	"github.com/tillit/tillit/internal/settlement"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/vault"
)

type env struct {
	t   *testing.T
	ctx context.Context
	db  *store.DB
	clk *clock.Manual
	svc *checkout.Service
	m   merchant.Merchant
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db, clk := storetest.Open(t)
	svc := checkout.New(db, engine.Pipeline(engine.Config{}), vault.New(db, vault.MasterKeys{Current: vault.NewMasterKey()}), "k", "consumer-lookup-key", logscan.Logger())
	creds, err := merchant.Create(ctx, db, merchant.NewMerchant{Name: "Settled Shop", TestMode: true, SettlementCurrency: "DKK"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := merchant.Get(ctx, db, creds.MerchantID)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: ctx, db: db, clk: clk, svc: svc, m: m}
}

func orderData(amount int64) checkout.OrderData {
	return checkout.OrderData{
		PurchaseCountry: "DK", PurchaseCurrency: "DKK", Locale: "da-DK", OrderAmount: amount,
		OrderLines: []checkout.OrderLine{{Type: "physical", Reference: "SKU-1", Name: "Rain jacket", Quantity: 1, UnitPrice: amount, TotalAmount: amount}},
	}
}

// order places an accepted order of amount through the checkout service.
func (e *env) order(amount int64) string {
	e.t.Helper()
	sess, err := e.svc.CreateSession(e.ctx, e.m, orderData(amount), "https://tillit.example")
	if err != nil {
		e.t.Fatal(err)
	}
	auth, err := e.svc.Authorize(e.ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: "pay_later",
		Customer:              checkout.Customer{DateOfBirth: "1990-05-17", NationalIdentificationNumber: "1705901234"},
		BillingAddress: &checkout.Address{GivenName: "Anna", FamilyName: "Jensen", Email: "anna@example.com", Phone: "+4520123456",
			StreetAddress: "Sletten 1", PostalCode: "9270", City: "Klarup", Country: "DK"},
		Device: checkout.Device{IP: "192.0.2.10", Fingerprint: "abc123"},
		OTP:    checkout.TestOTP,
	})
	if err != nil || !auth.Approved {
		e.t.Fatalf("authorize: %+v %v", auth, err)
	}
	created, err := e.svc.CreateOrder(e.ctx, e.m, auth.AuthorizationToken, orderData(amount))
	if err != nil {
		e.t.Fatal(err)
	}
	return created.OrderID
}

func (e *env) capture(orderID string, amount int64) string {
	e.t.Helper()
	var id string
	if err := e.db.Write(e.ctx, func(tx *store.Tx) error {
		c, err := e.svc.Capture(tx, e.m.ID, orderID, checkout.CaptureRequest{CapturedAmount: amount})
		id = c.CaptureID
		return err
	}); err != nil {
		e.t.Fatalf("capture: %v", err)
	}
	return id
}

func (e *env) refund(orderID string, amount int64) string {
	e.t.Helper()
	var id string
	if err := e.db.Write(e.ctx, func(tx *store.Tx) error {
		r, err := e.svc.Refund(tx, e.m.ID, orderID, checkout.RefundRequest{RefundedAmount: amount})
		id = r.RefundID
		return err
	}); err != nil {
		e.t.Fatalf("refund: %v", err)
	}
	return id
}

// at moves the clock to an absolute time.
func (e *env) at(t time.Time) { e.clk.Set(t) }

func (e *env) balance(account string) int64 {
	e.t.Helper()
	var b int64
	if err := e.db.Read(e.ctx, func(tx *store.Tx) error {
		var err error
		b, err = ledger.Balance(tx, account, "DKK")
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return b
}

func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.Read(e.ctx, func(tx *store.Tx) error { return tx.QueryRow(query, args...).Scan(&n) }); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) verify() {
	e.t.Helper()
	r, err := ledger.Verify(e.ctx, e.db)
	if err != nil || !r.OK() {
		e.t.Fatalf("ledger verify: %+v %v", r, err)
	}
}

// csvSum writes the settlement's CSV and returns the sum of its amount column.
func (e *env) csvSum(s settlement.Settlement, lines []settlement.Line) int64 {
	e.t.Helper()
	var buf bytes.Buffer
	if err := settlement.CSV(&buf, s, lines); err != nil {
		e.t.Fatal(err)
	}
	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		e.t.Fatal(err)
	}
	if len(records) != len(lines)+1 {
		e.t.Fatalf("csv has %d records, want header + %d", len(records), len(lines))
	}
	col := -1
	for i, name := range records[0] {
		if name == "amount" {
			col = i
		}
	}
	var sum int64
	for _, r := range records[1:] {
		v, err := strconv.ParseInt(r[col], 10, 64)
		if err != nil {
			e.t.Fatal(err)
		}
		sum += v
	}
	return sum
}

type lineKey struct {
	kind, source string
	amount, vat  int64
}

func keys(lines []settlement.Line) []lineKey {
	out := make([]lineKey, len(lines))
	for i, l := range lines {
		out[i] = lineKey{l.Kind, l.SourceID, l.Amount, l.VAT}
	}
	return out
}

func day(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }

func TestRunSettlesSalesRefundsAndFeesExactly(t *testing.T) {
	e := newEnv(t)
	if err := settlement.SetFeeTerms(e.ctx, e.db, e.m.ID, settlement.FeeTerms{PercentBP: 200, FixedMinor: 150, VATRateBP: 2500}); err != nil {
		t.Fatal(err)
	}
	a, b, c := e.order(100000), e.order(50000), e.order(30000)
	e.at(day(2).Add(9 * time.Hour))
	a1 := e.capture(a, 60000)
	e.at(day(2).Add(10 * time.Hour))
	a2 := e.capture(a, 40000)
	e.at(day(2).Add(11 * time.Hour))
	ra := e.refund(a, 15000)
	e.at(day(2).Add(12 * time.Hour))
	b1 := e.capture(b, 50000)
	e.at(day(3).Add(time.Hour)) // next day: not in this settlement
	e.capture(c, 30000)

	s, err := settlement.Run(e.ctx, e.db, e.m.ID, day(2), day(3))
	if err != nil {
		t.Fatal(err)
	}
	// Fees: 2% of each capture, 150 once per order, VAT 25% half up.
	want := []lineKey{
		{settlement.KindSale, a1, 60000, 0}, {settlement.KindFee, a1, -1350, 338}, {settlement.KindFeeVAT, a1, -338, 0},
		{settlement.KindSale, a2, 40000, 0}, {settlement.KindFee, a2, -800, 200}, {settlement.KindFeeVAT, a2, -200, 0},
		{settlement.KindRefund, ra, -15000, 0},
		{settlement.KindSale, b1, 50000, 0}, {settlement.KindFee, b1, -1150, 288}, {settlement.KindFeeVAT, b1, -288, 0},
	}
	got, lines, err := settlement.Get(e.ctx, e.db, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if gk := keys(lines); len(gk) != len(want) {
		t.Fatalf("lines %+v\nwant %+v", gk, want)
	} else {
		for i := range want {
			if gk[i] != want[i] {
				t.Errorf("line %d: %+v, want %+v", i, gk[i], want[i])
			}
		}
	}
	if s.Sales != 150000 || s.Refunds != 15000 || s.Fees != 3300 || s.FeeVAT != 826 || s.BroughtForward != 0 ||
		s.Net != 130874 || s.Payout != 130874 || s.Carried != 0 || s.Status != settlement.StatusClosed || s.Currency != "DKK" {
		t.Fatalf("totals %+v", s)
	}
	if got.ID != s.ID || got.Net != s.Net || !got.PeriodStart.Equal(day(2)) || !got.PeriodEnd.Equal(day(3)) {
		t.Fatalf("Get %+v, Run %+v", got, s)
	}
	if sum := e.csvSum(got, lines); sum != s.Payout {
		t.Fatalf("csv amounts add up to %d, payout %d", sum, s.Payout)
	}

	e.verify()
	// The payable holds only the capture not yet settled (order c, 30000).
	if p := e.balance(ledger.PayableAccount(e.m.ID)); p != -30000 {
		t.Fatalf("merchant payable %d, want -30000", p)
	}
	if f, v, cash := e.balance(ledger.FeesAccount("DKK")), e.balance(ledger.VATPayableAccount("DKK")), e.balance(ledger.CashAccount("DKK")); f != -3300 || v != -826 || cash != -130874 {
		t.Fatalf("fees %d, vat %d, cash %d", f, v, cash)
	}

	// The settlement.ready event was recorded with the settlement.
	var body string
	if err := e.db.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT body FROM webhook_events WHERE merchant_id = $1 AND event_type = $2`, e.m.ID, settlement.EventReady).Scan(&body)
	}); err != nil {
		t.Fatalf("settlement.ready event: %v", err)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		t.Fatal(err)
	}
	if ev["settlement_id"] != s.ID || ev["merchant_id"] != e.m.ID || ev["net"] != float64(130874) || ev["currency"] != "DKK" ||
		ev["event_type"] != "settlement.ready" || ev["event_id"] == "" || ev["period_start"] != "2026-03-02T00:00:00Z" || ev["period_end"] != "2026-03-03T00:00:00Z" {
		t.Fatalf("event body %s", body)
	}

	// Running the same period again changes nothing.
	counts := func() [4]int {
		return [4]int{
			e.count(`SELECT COUNT(*) FROM settlements`), e.count(`SELECT COUNT(*) FROM settlement_lines`),
			e.count(`SELECT COUNT(*) FROM ledger_journals`), e.count(`SELECT COUNT(*) FROM webhook_events`),
		}
	}
	before := counts()
	e.clk.Advance(time.Hour)
	again, err := settlement.Run(e.ctx, e.db, e.m.ID, day(2), day(3))
	if err != nil {
		t.Fatal(err)
	}
	if again != s || counts() != before {
		t.Fatalf("second run: %+v (first %+v), counts %v -> %v", again, s, before, counts())
	}
	list, err := settlement.List(e.ctx, e.db, e.m.ID)
	if err != nil || len(list) != 1 || list[0].ID != s.ID {
		t.Fatalf("List: %+v %v", list, err)
	}
	// An overlapping, different period is refused.
	if _, err := settlement.Run(e.ctx, e.db, e.m.ID, day(2).Add(12*time.Hour), day(3).Add(12*time.Hour)); err == nil {
		t.Fatal("overlapping period settled")
	}
	e.verify()
}

func TestBoundaryItemBelongsToOnePeriod(t *testing.T) {
	e := newEnv(t)
	a, b := e.order(10000), e.order(20000)
	e.at(day(3).Add(-time.Microsecond))
	last := e.capture(a, 10000)
	e.at(day(3)) // exactly the end of day 2 = the start of day 3
	edge := e.capture(b, 20000)

	d2, err := settlement.Run(e.ctx, e.db, e.m.ID, day(2), day(3))
	if err != nil {
		t.Fatal(err)
	}
	d3, err := settlement.Run(e.ctx, e.db, e.m.ID, day(3), day(4))
	if err != nil {
		t.Fatal(err)
	}
	_, l2, _ := settlement.Get(e.ctx, e.db, d2.ID)
	_, l3, _ := settlement.Get(e.ctx, e.db, d3.ID)
	if d2.Sales != 10000 || d3.Sales != 20000 {
		t.Fatalf("day 2 sales %d, day 3 sales %d", d2.Sales, d3.Sales)
	}
	if l2[0].SourceID != last || l3[0].SourceID != edge {
		t.Fatalf("day 2 lines %+v, day 3 lines %+v", l2, l3)
	}
	if n := e.count(`SELECT COUNT(*) FROM settlement_lines WHERE source_id = $1 AND kind = 'sale'`, edge); n != 1 {
		t.Fatalf("edge capture settled %d times", n)
	}
	// Default terms: 249 bp, VAT 25%: 20000 -> fee 498, VAT 124.5 -> 125.
	if d3.Fees != 498 || d3.FeeVAT != 125 || d3.Payout != 20000-498-125 {
		t.Fatalf("day 3 %+v", d3)
	}
	e.verify()
	if p := e.balance(ledger.PayableAccount(e.m.ID)); p != 0 {
		t.Fatalf("payable %d after settling everything", p)
	}
}

func TestNegativeNetCarriesToNextSettlement(t *testing.T) {
	e := newEnv(t)
	runner := jobs.NewRunner(e.db, logscan.Logger())
	settlement.Register(runner, e.db)
	a, b := e.order(10000), e.order(50000)
	e.at(day(2).Add(10 * time.Hour))
	e.capture(a, 10000)
	e.at(day(3).Add(10 * time.Hour))
	ra := e.refund(a, 10000)
	e.at(day(4).Add(10 * time.Hour))
	sb := e.capture(b, 50000)

	// The daily job settles the completed days 2 and 3 (not day 4, still open).
	if err := settlement.Schedule(e.ctx, e.db); err != nil {
		t.Fatal(err)
	}
	if _, err := runner.RunDue(e.ctx); err != nil {
		t.Fatal(err)
	}
	list, err := settlement.List(e.ctx, e.db, e.m.ID)
	if err != nil || len(list) != 2 {
		t.Fatalf("after the first job run: %+v %v", list, err)
	}
	d3, d2 := list[0], list[1]
	if !d2.PeriodStart.Equal(day(2)) || !d3.PeriodStart.Equal(day(3)) {
		t.Fatalf("periods %v %v", d2.PeriodStart, d3.PeriodStart)
	}
	if d2.Payout != 10000-249-62 {
		t.Fatalf("day 2 %+v", d2)
	}
	if d3.Net != -10000 || d3.Payout != 0 || d3.Carried != 10000 || d3.Fees != 0 {
		t.Fatalf("day 3 %+v", d3)
	}
	_, l3, _ := settlement.Get(e.ctx, e.db, d3.ID)
	if want := []lineKey{{settlement.KindRefund, ra, -10000, 0}, {settlement.KindCarriedForward, d3.ID, 10000, 0}}; len(l3) != 2 || keys(l3)[0] != want[0] || keys(l3)[1] != want[1] {
		t.Fatalf("day 3 lines %+v", keys(l3))
	}
	if sum := e.csvSum(d3, l3); sum != 0 {
		t.Fatalf("day 3 csv sums to %d, want payout 0", sum)
	}
	e.verify()
	// The merchant owes the refund until it is netted; day 4's capture is unsettled.
	if p := e.balance(ledger.PayableAccount(e.m.ID)); p != 10000-50000 {
		t.Fatalf("payable %d", p)
	}
	// The job re-enqueued itself for the next day.
	if n := e.count(`SELECT COUNT(*) FROM jobs WHERE kind = $1 AND run_at = $2`, settlement.JobRunDue, store.Micros(day(5).Add(settlement.RunOffset))); n != 1 {
		t.Fatalf("next daily job: %d", n)
	}

	// Next day's run brings the carried balance forward.
	e.at(day(5).Add(settlement.RunOffset))
	if _, err := runner.RunDue(e.ctx); err != nil {
		t.Fatal(err)
	}
	list, _ = settlement.List(e.ctx, e.db, e.m.ID)
	if len(list) != 3 {
		t.Fatalf("settlements %+v", list)
	}
	d4 := list[0]
	_, l4, _ := settlement.Get(e.ctx, e.db, d4.ID)
	want := []lineKey{
		{settlement.KindBroughtForward, d3.ID, -10000, 0},
		{settlement.KindSale, sb, 50000, 0}, {settlement.KindFee, sb, -1245, 311}, {settlement.KindFeeVAT, sb, -311, 0},
	}
	if gk := keys(l4); len(gk) != len(want) || gk[0] != want[0] || gk[1] != want[1] || gk[2] != want[2] || gk[3] != want[3] {
		t.Fatalf("day 4 lines %+v", gk)
	}
	if d4.BroughtForward != -10000 || d4.Net != 50000-1245-311-10000 || d4.Payout != d4.Net || d4.Carried != 0 {
		t.Fatalf("day 4 %+v", d4)
	}
	if sum := e.csvSum(d4, l4); sum != d4.Payout {
		t.Fatalf("day 4 csv sums to %d, payout %d", sum, d4.Payout)
	}
	e.verify()
	if p := e.balance(ledger.PayableAccount(e.m.ID)); p != 0 {
		t.Fatalf("payable %d after settling everything", p)
	}
	// Running due work again settles nothing more.
	again, err := settlement.RunDue(e.ctx, e.db, e.clk.Now())
	if err != nil || len(again) != 0 {
		t.Fatalf("RunDue again: %+v %v", again, err)
	}
	if n := e.count(`SELECT COUNT(*) FROM webhook_events WHERE event_type = $1`, settlement.EventReady); n != 3 {
		t.Fatalf("%d settlement.ready events, want 3", n)
	}
}

func TestLateItemIsSweptIntoTheNextSettlement(t *testing.T) {
	e := newEnv(t)
	a, b := e.order(10000), e.order(20000)
	e.at(day(2).Add(10 * time.Hour))
	e.capture(a, 10000)
	e.at(day(3).Add(time.Hour))
	if _, err := settlement.Run(e.ctx, e.db, e.m.ID, day(2), day(3)); err != nil {
		t.Fatal(err)
	}
	// A capture stamped inside the settled day 2 (its transaction started
	// before the run and committed after it).
	e.at(day(2).Add(23 * time.Hour))
	late := e.capture(b, 20000)
	e.at(day(4).Add(time.Hour))
	settled, err := settlement.RunDue(e.ctx, e.db, e.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(settled) != 1 || !settled[0].PeriodStart.Equal(day(3)) || settled[0].Sales != 20000 {
		t.Fatalf("RunDue: %+v", settled)
	}
	if n := e.count(`SELECT COUNT(*) FROM settlement_lines WHERE source_id = $1 AND kind = 'sale'`, late); n != 1 {
		t.Fatalf("late capture settled %d times", n)
	}
	e.verify()
}
