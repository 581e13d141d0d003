package settlement_test

import (
	"bytes"
	"encoding/csv"
	"slices"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/settlement"
	"github.com/tillit/tillit/internal/store"
)

// taxedOrder places an accepted order of amount with 25% VAT included
// (10000 carries 2000 VAT).
func (e *env) taxedOrder(amount int64) string {
	e.t.Helper()
	d := orderData(amount)
	d.OrderTaxAmount = amount - amount*10000/12500
	d.OrderLines[0].TaxRate, d.OrderLines[0].TotalTaxAmount = 2500, d.OrderTaxAmount
	sess, err := e.svc.CreateSession(e.ctx, e.m, d, "https://tillit.example")
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
	created, err := e.svc.CreateOrder(e.ctx, e.m, auth.AuthorizationToken, d)
	if err != nil {
		e.t.Fatal(err)
	}
	return created.OrderID
}

func (e *env) writeOff(orderID string, policyMet bool) checkout.FraudWriteOff {
	e.t.Helper()
	var w checkout.FraudWriteOff
	if err := e.db.Write(e.ctx, func(tx *store.Tx) error {
		var err error
		w, err = e.svc.FraudWriteOff(tx, orderID, policyMet, "")
		return err
	}); err != nil {
		e.t.Fatalf("fraud write-off: %v", err)
	}
	return w
}

// wantLines fails unless the settlement's lines are exactly want, in order.
func (e *env) wantLines(s settlement.Settlement, want []lineKey) []settlement.Line {
	e.t.Helper()
	_, lines, err := settlement.Get(e.ctx, e.db, s.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	if got := keys(lines); !slices.Equal(got, want) {
		e.t.Fatalf("lines %+v\nwant  %+v", got, want)
	}
	return lines
}

// csvKinds returns the kind column of the settlement's CSV.
func (e *env) csvKinds(s settlement.Settlement, lines []settlement.Line) []string {
	e.t.Helper()
	var buf bytes.Buffer
	if err := settlement.CSV(&buf, s, lines); err != nil {
		e.t.Fatal(err)
	}
	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		e.t.Fatal(err)
	}
	col := slices.Index(records[0], "kind")
	var out []string
	for _, r := range records[1:] {
		out = append(out, r[col])
	}
	return out
}

func TestFraudWriteOffPolicyMetSettlesReturnAndPolicyLines(t *testing.T) {
	e := newEnv(t)
	a := e.taxedOrder(10000)
	e.at(day(2).Add(10 * time.Hour))
	sale := e.capture(a, 10000)
	e.at(day(2).Add(12 * time.Hour))
	w := e.writeOff(a, true)
	if w.Returned != 10000 || w.PolicyAmount != 8000 {
		t.Fatalf("write-off %+v", w)
	}

	s, err := settlement.Run(e.ctx, e.db, e.m.ID, day(2), day(3))
	if err != nil {
		t.Fatal(err)
	}
	lines := e.wantLines(s, []lineKey{
		{settlement.KindSale, sale, 10000, 0}, {settlement.KindFee, sale, -249, 62}, {settlement.KindFeeVAT, sale, -62, 0},
		{settlement.KindFraudReturn, w.RefundID, -10000, 0}, {settlement.KindFraudPolicy, w.RefundID, 8000, 2000},
	})
	if s.Sales != 10000 || s.Refunds != 0 || s.Fees != 249 || s.FeeVAT != 62 || s.FraudReturns != 10000 || s.FraudPolicy != 8000 ||
		s.Net != 10000-249-62-10000+8000 || s.Payout != s.Net || s.Carried != 0 {
		t.Fatalf("totals %+v", s)
	}
	got, _, err := settlement.Get(e.ctx, e.db, s.ID)
	if err != nil || got != s {
		t.Fatalf("Get %+v %v, Run %+v", got, err, s)
	}
	if sum := e.csvSum(s, lines); sum != s.Payout {
		t.Fatalf("csv sums to %d, payout %d", sum, s.Payout)
	}
	if kinds := e.csvKinds(s, lines); !slices.Contains(kinds, "fraud_return") || !slices.Contains(kinds, "fraud_policy") {
		t.Fatalf("csv kinds %v", kinds)
	}
	// Everything is settled: the payable is empty, Tillit bears the policy.
	e.verify()
	if p, l := e.balance(ledger.PayableAccount(e.m.ID)), e.balance(ledger.FraudLossAccount("DKK")); p != 0 || l != 8000 {
		t.Fatalf("payable %d, fraud losses %d", p, l)
	}
	if c := e.balance(ledger.CashAccount("DKK")); c != -s.Payout {
		t.Fatalf("cash %d, payout %d", c, s.Payout)
	}
}

func TestFraudWriteOffPolicyNotMetSettlesOnlyTheReturn(t *testing.T) {
	e := newEnv(t)
	a := e.taxedOrder(10000)
	e.at(day(2).Add(10 * time.Hour))
	sale := e.capture(a, 10000)
	e.at(day(2).Add(12 * time.Hour))
	w := e.writeOff(a, false)

	s, err := settlement.Run(e.ctx, e.db, e.m.ID, day(2), day(3))
	if err != nil {
		t.Fatal(err)
	}
	// The claim goes back to the merchant, and the fee stays charged: a
	// negative net, carried forward.
	lines := e.wantLines(s, []lineKey{
		{settlement.KindSale, sale, 10000, 0}, {settlement.KindFee, sale, -249, 62}, {settlement.KindFeeVAT, sale, -62, 0},
		{settlement.KindFraudReturn, w.RefundID, -10000, 0},
		{settlement.KindCarriedForward, s.ID, 311, 0},
	})
	if s.FraudReturns != 10000 || s.FraudPolicy != 0 || s.Net != -311 || s.Payout != 0 || s.Carried != 311 {
		t.Fatalf("totals %+v", s)
	}
	if sum := e.csvSum(s, lines); sum != 0 {
		t.Fatalf("csv sums to %d, want 0", sum)
	}
	if kinds := e.csvKinds(s, lines); !slices.Contains(kinds, "fraud_return") || slices.Contains(kinds, "fraud_policy") {
		t.Fatalf("csv kinds %v", kinds)
	}
	e.verify()
	if p, l := e.balance(ledger.PayableAccount(e.m.ID)), e.balance(ledger.FraudLossAccount("DKK")); p != 311 || l != 0 {
		t.Fatalf("payable %d (the merchant owes the carried 311), fraud losses %d", p, l)
	}
}

func TestFraudWriteOffAfterTheSaleWasSettledLandsOnTheNextSettlement(t *testing.T) {
	e := newEnv(t)
	a, b := e.taxedOrder(10000), e.taxedOrder(50000)
	e.at(day(2).Add(10 * time.Hour))
	sale := e.capture(a, 10000)
	d2, err := settlement.Run(e.ctx, e.db, e.m.ID, day(2), day(3))
	if err != nil || d2.Payout != 10000-249-62 {
		t.Fatalf("day 2 %+v %v", d2, err)
	}
	e.at(day(3).Add(9 * time.Hour))
	w := e.writeOff(a, true)
	e.at(day(4).Add(9 * time.Hour))
	saleB := e.capture(b, 50000)

	// The daily run finds day 3, which has only the write-off.
	e.at(day(4).Add(settlement.RunOffset))
	due, err := settlement.RunDue(e.ctx, e.db, e.clk.Now())
	if err != nil || len(due) != 1 || !due[0].PeriodStart.Equal(day(3)) {
		t.Fatalf("RunDue: %+v %v", due, err)
	}
	d3 := due[0]
	// Returned 10000, paid back 8000: the merchant owes 2000, carried.
	l3 := e.wantLines(d3, []lineKey{
		{settlement.KindFraudReturn, w.RefundID, -10000, 0}, {settlement.KindFraudPolicy, w.RefundID, 8000, 2000},
		{settlement.KindCarriedForward, d3.ID, 2000, 0},
	})
	if d3.Sales != 0 || d3.FraudReturns != 10000 || d3.FraudPolicy != 8000 || d3.Net != -2000 || d3.Payout != 0 || d3.Carried != 2000 {
		t.Fatalf("day 3 %+v", d3)
	}
	if sum := e.csvSum(d3, l3); sum != 0 {
		t.Fatalf("day 3 csv sums to %d", sum)
	}
	e.verify()
	if n := e.count(`SELECT COUNT(*) FROM settlement_lines WHERE source_id = $1`, sale); n != 3 {
		t.Fatalf("the settled sale has %d lines", n)
	}

	// Day 4 brings the carried 2000 in against the next sale.
	e.at(day(5).Add(settlement.RunOffset))
	due, err = settlement.RunDue(e.ctx, e.db, e.clk.Now())
	if err != nil || len(due) != 1 {
		t.Fatalf("RunDue day 4: %+v %v", due, err)
	}
	d4 := due[0]
	e.wantLines(d4, []lineKey{
		{settlement.KindBroughtForward, d3.ID, -2000, 0},
		{settlement.KindSale, saleB, 50000, 0}, {settlement.KindFee, saleB, -1245, 311}, {settlement.KindFeeVAT, saleB, -311, 0},
	})
	if d4.BroughtForward != -2000 || d4.FraudReturns != 0 || d4.Payout != 50000-1245-311-2000 {
		t.Fatalf("day 4 %+v", d4)
	}
	// Nothing is left to settle; the write-off was settled once.
	if again, err := settlement.RunDue(e.ctx, e.db, e.clk.Now()); err != nil || len(again) != 0 {
		t.Fatalf("RunDue again: %+v %v", again, err)
	}
	if n := e.count(`SELECT COUNT(*) FROM settlement_lines WHERE source_id = $1`, w.RefundID); n != 2 {
		t.Fatalf("the write-off has %d settlement lines", n)
	}
	e.verify()
	if p := e.balance(ledger.PayableAccount(e.m.ID)); p != 0 {
		t.Fatalf("payable %d after settling everything", p)
	}
}

// A merchant's refund and a fraud write-off on different orders of one day
// are told apart: the refund stays a refund line.
func TestRefundsAndFraudReturnsAreSeparateTotals(t *testing.T) {
	e := newEnv(t)
	a, b := e.taxedOrder(10000), e.taxedOrder(20000)
	e.at(day(2).Add(10 * time.Hour))
	e.capture(a, 10000)
	e.capture(b, 20000)
	e.at(day(2).Add(11 * time.Hour))
	r := e.refund(b, 5000)
	w := e.writeOff(a, false)
	s, err := settlement.Run(e.ctx, e.db, e.m.ID, day(2), day(3))
	if err != nil {
		t.Fatal(err)
	}
	if s.Refunds != 5000 || s.FraudReturns != 10000 || s.FraudPolicy != 0 {
		t.Fatalf("totals %+v", s)
	}
	if n := e.count(`SELECT COUNT(*) FROM settlement_lines WHERE kind = 'refund' AND source_id = $1`, r); n != 1 {
		t.Fatal("the merchant's refund is not a refund line")
	}
	if n := e.count(`SELECT COUNT(*) FROM settlement_lines WHERE kind = 'refund' AND source_id = $1`, w.RefundID); n != 0 {
		t.Fatal("the write-off settled as a refund")
	}
	e.verify()
}
