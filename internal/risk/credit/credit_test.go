package credit_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/rights"
	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/risk/credit"
	"github.com/tillit/tillit/internal/risk/engine"
	"github.com/tillit/tillit/internal/store"
)

// want checks a decision's outcome, reasons and summary entries.
func want(t *testing.T, d risk.Decision, outcome string, reasons []string, summary map[string]string) {
	t.Helper()
	if d.Outcome != outcome || !slices.Equal(d.Reasons, reasons) {
		t.Fatalf("decision %s %v, want %s %v (summary %v)", d.Outcome, d.Reasons, outcome, reasons, d.Summary)
	}
	for k, v := range summary {
		if d.Summary[k] != v {
			t.Fatalf("summary[%s] = %q, want %q (summary %v)", k, d.Summary[k], v, d.Summary)
		}
	}
}

func TestFirstPurchaseIsAcceptedWithoutTheBureau(t *testing.T) {
	f := newFixture(t, credit.DefaultConfig())
	d := f.assess(t, "new@example.com", 30000)
	want(t, d, risk.Accepted, nil, map[string]string{
		"open_balance": "0", "overdue_count": "0", "late_count_12m": "0", "bureau_called": "false", "bureau_score": "none",
	})
	if d.Versions["credit_policy"] != credit.DefaultConfig().Version() || !strings.HasPrefix(d.Versions["credit_policy"], "credit-") {
		t.Fatalf("versions %v", d.Versions)
	}
	if f.bureau.count() != 0 {
		t.Fatalf("bureau asked %d times below the threshold", f.bureau.count())
	}
	in := f.input(t, "new@example.com", 30000)
	in.TestMode = true
	if d, err := f.stage.Assess(f.ctx, in); err != nil || d.Outcome != risk.Accepted {
		t.Fatalf("test-mode first purchase: %+v %v", d, err)
	}
}

func TestOpenBalanceCountsWhatIsStillOwed(t *testing.T) {
	f := newFixture(t, credit.DefaultConfig())
	const email = "balance@example.com"
	balance := func(want int64) {
		t.Helper()
		var h credit.History
		err := f.db.Read(f.ctx, func(tx *store.Tx) error {
			var err error
			h, err = credit.ReadHistory(tx, f.person(t, email), dkk, f.clk.Now(), credit.DefaultConfig())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if h.OpenBalance != want {
			t.Fatalf("open balance %d, want %d", h.OpenBalance, want)
		}
	}
	later := f.order(t, email, repayment.CategoryPayLater, 200000, "")
	balance(200000) // authorized, not captured: credit already granted
	f.capture(t, later, 100000)
	balance(200000) // half owed on the plan, half still to capture
	f.authorize(t, email, repayment.CategoryPayLater, 50000, "")
	balance(250000) // an approved authorization not yet made an order
	f.order(t, email, repayment.CategoryPayNow, 30000, "sim:ok")
	f.clk.Advance(time.Minute)
	f.runJobs(t)
	balance(250000) // paid at purchase: owes nothing
	parts := f.order(t, email, repayment.CategoryPayIn3, 90000, "")
	f.capture(t, parts, 90000)
	f.pay(t, email, parts, repayment.PayNext, "")
	balance(310000) // two of three instalments left
	f.pay(t, email, later, repayment.PayAll, "")
	balance(210000) // the captured half paid
	f.order(t, "someone.else@example.com", repayment.CategoryPayLater, 100000, "")
	balance(210000) // another person's order

	room := credit.DefaultConfig().MaxOpenBalance - 210000
	want(t, f.assess(t, email, room), risk.Accepted, nil, map[string]string{"open_balance": "210000", "bureau_called": "true"})
	want(t, f.assess(t, email, room+1), risk.Rejected, []string{credit.ReasonOpenBalanceLimit}, nil)
	if f.bureau.count() != 1 {
		t.Fatalf("bureau asked %d times, want once (not for the rejected purchase)", f.bureau.count())
	}
}

func TestArrearsRejectAndLatePaymentsSendToReview(t *testing.T) {
	f := newFixture(t, credit.DefaultConfig())
	const email = "late@example.com"
	id := f.order(t, email, repayment.CategoryPayLater, 50000, "")
	f.capture(t, id, 50000)
	p, err := f.plans.PersonPlan(f.ctx, f.person(t, email), id)
	if err != nil {
		t.Fatal(err)
	}
	due := p.Installments[0].Due
	f.advance(t, due.Add(20*time.Hour).Sub(f.clk.Now()))
	want(t, f.assess(t, email, 30000), risk.Accepted, nil, map[string]string{"overdue_count": "0"}) // due today
	f.advance(t, 24*time.Hour)
	want(t, f.assess(t, email, 30000), risk.Rejected, []string{credit.ReasonArrears},
		map[string]string{"overdue_count": "1", "collection_count": "0", "open_balance": "50000"})
	f.advance(t, 30*24*time.Hour)
	want(t, f.assess(t, email, 30000), risk.Rejected, []string{credit.ReasonArrears}, map[string]string{"overdue_count": "1", "collection_count": "1"})
	f.pay(t, email, id, repayment.PayAll, "")
	want(t, f.assess(t, email, 30000), risk.Accepted, nil, map[string]string{"overdue_count": "0", "late_count_12m": "1", "open_balance": "0"})

	// A second late payment: the history goes to review.
	id = f.order(t, email, repayment.CategoryPayLater, 40000, "")
	f.capture(t, id, 40000)
	f.advance(t, 33*24*time.Hour)
	f.pay(t, email, id, repayment.PayAll, "")
	want(t, f.assess(t, email, 30000), risk.Pending, []string{credit.ReasonLateHistory}, map[string]string{"late_count_12m": "2", "overdue_count": "0"})

	// A year on, the late payments no longer count.
	f.clk.Set(f.clk.Now().AddDate(1, 0, 1))
	want(t, f.assess(t, email, 30000), risk.Accepted, nil, map[string]string{"late_count_12m": "0"})
}

func TestPausedPlanIsNotInArrears(t *testing.T) {
	f := newFixture(t, credit.DefaultConfig())
	const email = "paused@example.com"
	id := f.order(t, email, repayment.CategoryPayLater, 50000, "")
	f.capture(t, id, 50000)
	f.advance(t, 29*24*time.Hour)
	if err := f.db.Write(f.ctx, func(tx *store.Tx) error { return f.plans.Pause(tx, id, "dispute:test", 14) }); err != nil {
		t.Fatal(err)
	}
	f.advance(t, 5*24*time.Hour) // past the original due date, inside the pause
	want(t, f.assess(t, email, 30000), risk.Accepted, nil, map[string]string{"overdue_count": "0", "open_balance": "50000"})
}

func TestFailedPaymentsSendToReview(t *testing.T) {
	f := newFixture(t, credit.DefaultConfig())
	const email = "failing@example.com"
	for i := range 3 {
		f.order(t, email, repayment.CategoryPayNow, 10000, "sim:fail:insufficient_funds")
		f.clk.Advance(time.Minute)
		f.runJobs(t)
		d := f.assess(t, email, 30000)
		if i < 2 {
			want(t, d, risk.Accepted, nil, nil)
			continue
		}
		want(t, d, risk.Pending, []string{credit.ReasonLateHistory}, map[string]string{"failed_payments_12m": "3", "open_balance": "30000"})
	}
}

func TestBureauAskedAboveTheThresholdAndCached(t *testing.T) {
	f := newFixture(t, credit.DefaultConfig())
	const email = "big@example.com"
	threshold := credit.DefaultConfig().BureauThreshold
	want(t, f.assess(t, email, threshold), risk.Accepted, nil, map[string]string{"bureau_called": "false"})
	if f.bureau.count() != 0 {
		t.Fatalf("bureau asked at the threshold")
	}
	want(t, f.assess(t, email, threshold+1), risk.Accepted, nil,
		map[string]string{"bureau_called": "true", "bureau_score": "720", "bureau_band": credit.BandB, "bureau_remarks": "false"})
	d := f.assess(t, email, threshold+1)
	want(t, d, risk.Accepted, nil, map[string]string{"bureau_called": "false", "bureau_cached": "true", "bureau_score": "720"})
	if f.bureau.count() != 1 || d.Versions["bureau"] != "fake-1" {
		t.Fatalf("bureau asked %d times, versions %v; want once, the report kept", f.bureau.count(), d.Versions)
	}
	// Another date of birth with the same address is another subject.
	in := f.input(t, email, threshold+1)
	in.DateOfBirth = "1985-01-01"
	if _, err := f.stage.Assess(f.ctx, in); err != nil || f.bureau.count() != 2 {
		t.Fatalf("another subject: %v, %d calls", err, f.bureau.count())
	}
	f.clk.Advance(31 * 24 * time.Hour)
	f.assess(t, email, threshold+1)
	if f.bureau.count() != 3 {
		t.Fatalf("bureau asked %d times, want again after the cache period", f.bureau.count())
	}
	// Each inquiry is in the disclosure log of the person, whom the first
	// one made known.
	id := f.person(t, email)
	if id == "" {
		t.Fatal("the buyer the bureau was asked about is not a person")
	}
	var logged int
	if err := f.db.Read(f.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM disclosures WHERE person_id = $1 AND recipient_kind = 'credit_bureau' AND purpose = 'credit_assessment'`, id).Scan(&logged)
	}); err != nil {
		t.Fatal(err)
	}
	if logged != 3 {
		t.Fatalf("%d disclosures to the bureau logged, want 3", logged)
	}

	// A small purchase on top of a large open balance asks too.
	const owing = "owing@example.com"
	f.order(t, owing, repayment.CategoryPayLater, threshold-10000, "")
	want(t, f.assess(t, owing, 10000), risk.Accepted, nil, map[string]string{"bureau_called": "false"})
	want(t, f.assess(t, owing, 10001), risk.Accepted, nil, map[string]string{"bureau_called": "true"})
}

func TestBureauDeclineAndUnavailable(t *testing.T) {
	cfg := credit.DefaultConfig()
	cfg.BureauTimeout = 20 * time.Millisecond
	f := newFixture(t, cfg)
	amount := cfg.BureauThreshold + 100000
	f.bureau.report = credit.Report{Score: 610, Band: credit.BandC, Remarks: true, Reference: "FAKE-2", Bureau: "fake-1"}
	want(t, f.assess(t, "remarks@example.com", amount), risk.Rejected, []string{credit.ReasonBureauDecline}, map[string]string{"bureau_remarks": "true"})
	f.bureau.report = credit.Report{Score: 250, Band: credit.BandE, Reference: "FAKE-3", Bureau: "fake-1"}
	want(t, f.assess(t, "low@example.com", amount), risk.Rejected, []string{credit.ReasonBureauDecline}, map[string]string{"bureau_score": "250"})
	// The decline is kept like any report.
	f.bureau.report = goodReport
	want(t, f.assess(t, "low@example.com", amount), risk.Rejected, []string{credit.ReasonBureauDecline}, map[string]string{"bureau_cached": "true"})

	f.bureau.err = credit.ErrUnavailable
	want(t, f.assess(t, "down@example.com", amount), risk.Pending, []string{credit.ReasonBureauUnavailable}, map[string]string{"bureau_score": "unavailable"})
	f.bureau.err, f.bureau.block = nil, true
	want(t, f.assess(t, "slow@example.com", amount), risk.Pending, []string{credit.ReasonBureauUnavailable}, nil)
	// Nothing was kept for the unanswered subjects: they are asked again.
	f.bureau.block = false
	calls := f.bureau.count()
	want(t, f.assess(t, "down@example.com", amount), risk.Accepted, nil, map[string]string{"bureau_called": "true"})
	if f.bureau.count() != calls+1 {
		t.Fatalf("bureau not asked again after it was unavailable")
	}
}

func TestTestModeIsMeasuredAndTagsReachTheBureausAnswers(t *testing.T) {
	f := newFixture(t, credit.DefaultConfig())
	const email = "sandbox@example.com"
	id := f.order(t, email, repayment.CategoryPayLater, 50000, "")
	f.capture(t, id, 50000)
	f.advance(t, 40*24*time.Hour)
	in := f.input(t, email, credit.DefaultConfig().MaxOpenBalance)
	in.TestMode = true
	d, err := f.stage.Assess(f.ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	want(t, d, risk.Accepted, nil, map[string]string{"overdue_count": "1", "test_mode": "measured, not applied", "bureau_called": "false"})
	for _, c := range []struct {
		email, outcome, reason string
	}{
		{"anna+bureau-decline@example.com", risk.Rejected, credit.ReasonBureauDecline},
		{"Anna+Bureau-Unavailable@example.com", risk.Pending, credit.ReasonBureauUnavailable},
	} {
		in := f.input(t, c.email, 30000)
		in.TestMode = true
		d, err := f.stage.Assess(f.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		want(t, d, c.outcome, []string{c.reason}, map[string]string{"bureau_called": "true"})
		// The tags do nothing for live merchants.
		in.TestMode = false
		if d, err := f.stage.Assess(f.ctx, in); err != nil || d.Outcome != risk.Accepted {
			t.Fatalf("live purchase with a tag: %+v %v", d, err)
		}
	}
	if f.bureau.count() != 0 {
		t.Fatalf("the live bureau was asked %d times about test purchases", f.bureau.count())
	}
}

func TestCheckoutWithTheCreditStage(t *testing.T) {
	f := newFixture(t, credit.DefaultConfig())
	logger := logscan.Logger()
	f.svc = checkout.New(f.db, engine.Pipeline(engine.Config{Credit: f.stage}), f.vault, "k", lookupKey, logger)
	f.svc.Plans = f.plans
	token, _ := f.authorize(t, "first@example.com", repayment.CategoryPayLater, 29900, "")
	var detail string
	if err := f.db.Read(f.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT detail FROM risk_assessments WHERE authorization_token = $1`, token).Scan(&detail)
	}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"credit_policy", "open_balance", `"bureau_called":"false"`} {
		if !strings.Contains(detail, s) {
			t.Fatalf("decision record %s lacks %s", detail, s)
		}
	}
	data := checkout.OrderData{PurchaseCountry: "DK", PurchaseCurrency: dkk, Locale: "da-DK", OrderAmount: 29900,
		OrderLines: []checkout.OrderLine{{Type: "physical", Reference: "SKU-1", Name: "Rain jacket", Quantity: 1, UnitPrice: 29900, TotalAmount: 29900}}}
	sess, err := f.svc.CreateSession(f.ctx, f.m, data, "https://tillit.example")
	if err != nil {
		t.Fatal(err)
	}
	auth, err := f.svc.Authorize(f.ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: repayment.CategoryPayLater, Customer: checkout.Customer{DateOfBirth: dob},
		BillingAddress: &checkout.Address{GivenName: "Anna", FamilyName: "Jensen", Email: "anna+bureau-decline@example.com",
			StreetAddress: "Sletten 1", PostalCode: "9270", City: "Klarup", Country: "DK"},
		OTP: checkout.TestOTP,
	})
	if err != nil || auth.Approved || auth.FraudStatus != risk.Rejected || !slices.Equal(auth.Reasons, []string{credit.ReasonBureauDecline}) {
		t.Fatalf("tagged authorization: %+v %v", auth, err)
	}
}

func TestSimulatedBureau(t *testing.T) {
	b := credit.Simulated{}
	ctx := context.Background()
	const n = 20000
	var remarks, low, good int
	for i := range n {
		s := credit.Subject{IdentityKey: "key-" + string(rune('a'+i%26)) + strings.Repeat("x", i%7) + strconv.Itoa(i), DateOfBirth: dob, Country: "DK"}
		r, err := b.Lookup(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := b.Lookup(ctx, s)
		if again != r {
			t.Fatalf("not deterministic: %+v then %+v", r, again)
		}
		if r.Band != credit.BandOf(r.Score) || r.Score < 0 || r.Score > 999 || r.Bureau != credit.SimulatedVersion || !strings.HasPrefix(r.Reference, "SIM-") {
			t.Fatalf("report %+v", r)
		}
		if r.Remarks {
			remarks++
		}
		switch r.Band {
		case credit.BandE:
			low++
		case credit.BandA, credit.BandB:
			good++
		}
	}
	share := func(k int) float64 { return float64(k) / n }
	if s := share(remarks); s < 0.03 || s > 0.05 {
		t.Errorf("remarks share %.3f, want about 0.04", s)
	}
	if s := share(low); s < 0.02 || s > 0.04 {
		t.Errorf("low share %.3f, want about 0.03", s)
	}
	if s := share(good); s < 0.6 {
		t.Errorf("good share %.3f, want most people", s)
	}
	if _, err := b.Lookup(ctx, credit.Subject{IdentityKey: "k", Test: credit.TestUnavailable}); !errors.Is(err, credit.ErrUnavailable) {
		t.Fatalf("scripted unavailable: %v", err)
	}
	if r, _ := b.Lookup(ctx, credit.Subject{IdentityKey: "k", Test: credit.TestDecline}); !r.Remarks {
		t.Fatalf("scripted decline: %+v", r)
	}
	slow := credit.Simulated{Latency: time.Hour}
	cctx, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	if _, err := slow.Lookup(cctx, credit.Subject{IdentityKey: "k"}); !errors.Is(err, credit.ErrUnavailable) {
		t.Fatalf("latency past the deadline: %v", err)
	}
}

func TestConfig(t *testing.T) {
	if err := credit.DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(*credit.Config){
		"no max":            func(c *credit.Config) { c.MaxOpenBalance = 0 },
		"negative":          func(c *credit.Config) { c.BureauThreshold = -1 },
		"no timeout":        func(c *credit.Config) { c.BureauTimeout = 0 },
		"score":             func(c *credit.Config) { c.MinBureauScore = 1000 },
		"collection":        func(c *credit.Config) { c.CollectionDays = c.ArrearsGraceDays },
		"no history":        func(c *credit.Config) { c.HistoryMonths = 0 },
		"no review trigger": func(c *credit.Config) { c.LateReviewCount = 0 },
	} {
		c := credit.DefaultConfig()
		change(&c)
		if c.Validate() == nil {
			t.Errorf("%s: invalid config accepted", name)
		}
		if _, err := credit.NewStage(nil, nil, c, nil); err == nil {
			t.Errorf("%s: NewStage accepted an invalid config", name)
		}
		if c.Version() == credit.DefaultConfig().Version() {
			t.Errorf("%s: version unchanged", name)
		}
	}
	if got := credit.TestTag("x+bureau-decline@example.com"); got != credit.TestDecline {
		t.Fatalf("tag %q", got)
	}
	if got := credit.TestTag("x@bureau-decline.example.com"); got != "" {
		t.Fatalf("tag in the domain: %q", got)
	}
}

// TestBureauReportIsThePersonsData: a kept bureau report is in the person's
// access extract and goes with an erasure.
func TestBureauReportIsThePersonsData(t *testing.T) {
	f := newFixture(t, credit.DefaultConfig())
	const email = "known@example.com"
	f.authorize(t, email, repayment.CategoryPayLater, 20000, "")
	f.assess(t, email, credit.DefaultConfig().BureauThreshold+1)
	id := f.person(t, email)
	rts := rights.New(f.db, f.vault)
	reports := func() int {
		var n int
		if err := f.db.Read(f.ctx, func(tx *store.Tx) error {
			h, err := rts.Collect(tx, id)
			n = len(h.Rows("credit_bureau_reports"))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := reports(); n != 1 {
		t.Fatalf("the person's data holds %d bureau reports, want 1", n)
	}
	if err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		_, err := rts.Erase(tx, id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := f.db.Read(f.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM credit_bureau_reports`).Scan(&left)
	}); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Fatalf("%d bureau reports left after erasure", left)
	}
}
