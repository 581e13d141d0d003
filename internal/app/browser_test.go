package app_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/settlement"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

// mailedCode finds the consumer app's sign-in code in the demo mailbox.
var mailedCode = regexp.MustCompile(`sign-in code is (\d{6})`)

// TestPlatformInBrowser walks the whole platform, served as `tillit serve
// --demo` serves it, in Chromium: a consumer buys in the demo shop four
// times, once with each payment method, through the hosted checkout; the
// merchant signs in to the portal, captures every order and refunds part of
// the pay-in-3 one; the consumer signs in to the consumer app with a code
// from the demo mailbox, sees the re-shaped schedule and pays an instalment;
// the day is settled and the merchant downloads the settlement CSV, which
// adds up to the payout the ledger posted. The ledger balances at the end.
func TestPlatformInBrowser(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewManual(storetest.Start)
	a, err := app.New(ctx, app.Config{
		DatabaseURL: storetest.DSN(t), Clock: clk, Demo: true,
		Logger: logscan.Logger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(func() {
		srv.Close()
		if report, err := ledger.Verify(ctx, a.DB); err != nil || !report.OK() {
			t.Errorf("ledger: %v %v", err, report.Problems)
		}
		a.Close()
	})
	runJobs := func() {
		t.Helper()
		if _, err := a.Runner.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	b := browsertest.New(t)
	b.SetViewport(browsertest.Desktop)
	expect := func(selector, want string) {
		t.Helper()
		if got := b.Text(selector); !strings.Contains(got, want) {
			t.Fatalf("%s reads %q, want %q in it (at %s)", selector, got, want, b.URL())
		}
	}
	click := func(selector string) {
		t.Helper()
		cctx, cancel := context.WithTimeout(b.Context(), browsertest.Timeout)
		defer cancel()
		if _, err := chromedp.Run(cctx, chromedp.Click(chromedp.CSS(selector), chromedp.NodeVisible)); err != nil {
			t.Fatalf("click %s: %v", selector, err)
		}
	}

	// The consumer buys once with each payment method.
	const email = "anna@example.com"
	orders := map[string]string{}
	for _, method := range []string{repayment.CategoryPayNow, repayment.CategoryPayLater, repayment.CategoryPayIn3, repayment.CategoryFinancing} {
		if status := b.Navigate(srv.URL + "/"); status != http.StatusOK {
			t.Fatalf("demo index: status %d", status)
		}
		b.Submit("Demo shop")
		if status := b.Submit("Continue to payment"); status != http.StatusOK {
			t.Fatalf("%s: to the checkout: status %d at %s", method, status, b.URL())
		}
		for _, f := range [][2]string{
			{"First name", "Anna"}, {"Last name", "Jensen"}, {"E-mail", email},
			{"Street and house number", "Sletten 1"}, {"Postcode", "9270"}, {"Town or city", "Klarup"}, {"Date of birth", "17-05-1990"},
		} {
			b.Fill(f[0], f[1])
		}
		click(fmt.Sprintf(`input[name="payment_method"][value=%q]`, method))
		switch method {
		case repayment.CategoryPayNow:
			click(`input[name="instrument"][value="card"]`)
		case repayment.CategoryFinancing:
			click(`input[name="financing_months"][value="12"]`)
		}
		if status := b.Submit("Continue"); status != http.StatusOK || !strings.HasSuffix(b.URL(), "/code") {
			t.Fatalf("%s: after the details: status %d at %s", method, status, b.URL())
		}
		b.Fill("One-time code", checkout.TestOTP)
		if status := b.Submit("Confirm purchase"); status != http.StatusOK {
			t.Fatalf("%s: after the code: status %d at %s", method, status, b.URL())
		}
		expect("h1", "Thank you for your order")
		expect("#order-fraud", "Accepted")
		orders[method] = b.Text("#order-id")
	}
	// Pay now charged the consumer at purchase; the rail confirms.
	runJobs()
	clk.Advance(time.Minute)
	runJobs()

	// The merchant captures every order in the portal and refunds part of
	// the pay-in-3 one.
	b.Navigate(srv.URL + "/portal/")
	b.Fill("E-mail", a.Demo.MerchantPortal.Email)
	logscan.Secret(logscan.Password, a.Demo.MerchantPortal.Password)
	b.Fill("Password", a.Demo.MerchantPortal.Password)
	if status := b.Submit("Sign in"); status != http.StatusOK {
		t.Fatalf("portal sign-in: status %d", status)
	}
	b.CheckAccessibility(t)
	for method, id := range orders {
		b.Navigate(srv.URL + "/portal/orders/" + id)
		if status := b.Submit("Capture"); status != http.StatusOK {
			t.Fatalf("%s: capture: status %d", method, status)
		}
		expect("#order-status", "Captured")
	}
	in3 := orders[repayment.CategoryPayIn3]
	b.Navigate(srv.URL + "/portal/orders/" + in3)
	b.Fill("Amount to refund", "300.00")
	if status := b.Submit("Refund"); status != http.StatusOK {
		t.Fatalf("refund: status %d", status)
	}
	expect(".notice--success", "was refunded")
	b.CheckAccessibility(t)

	// The refund re-shapes the pay-in-3 schedule: the last instalments shrink.
	p, err := a.Plans.Get(ctx, in3)
	if err != nil {
		t.Fatal(err)
	}
	var owed int64
	for _, in := range p.Installments {
		owed += in.Amount
	}
	o, err := a.Checkout.GetOrder(ctx, a.Demo.Merchant.ID, in3)
	if err != nil {
		t.Fatal(err)
	}
	if owed != o.CapturedAmount-o.RefundedAmount {
		t.Fatalf("pay-in-3 instalments add up to %d, the order owes %d", owed, o.CapturedAmount-o.RefundedAmount)
	}

	// The consumer signs in with a code from the demo mailbox and pays the
	// first pay-in-3 instalment.
	b.Navigate(srv.URL + "/app/")
	b.Fill("E-mail", email)
	b.Submit("Send me a code")
	b.Submit("Read the code in the demo mailbox")
	m := mailedCode.FindStringSubmatch(b.Text("main"))
	if m == nil {
		t.Fatalf("no sign-in code in the demo mailbox: %s", b.Text("main"))
	}
	logscan.Secret(logscan.OneTimeCode, m[1])
	b.Submit("Back to the sign-in code")
	b.Fill("One-time code", m[1])
	if status := b.Submit("Sign in"); status != http.StatusOK || !strings.HasSuffix(b.URL(), "/app/") {
		t.Fatalf("consumer sign-in: status %d at %s", status, b.URL())
	}
	if n := b.Count("#purchase-list tbody tr"); n != len(orders) {
		t.Errorf("%d purchases in the consumer app, want %d", n, len(orders))
	}
	b.Navigate(srv.URL + "/app/orders/" + in3)
	if n := b.Count("#installments tbody tr"); n != 3 {
		t.Errorf("%d pay-in-3 instalments shown, want 3", n)
	}
	b.Submit("Pay next instalment")
	expect(".notice--success", "has started")
	runJobs()
	clk.Advance(time.Minute)
	runJobs()
	b.Navigate(srv.URL + "/app/orders/" + in3)
	expect("#installments tbody tr:first-child", "Paid")
	expect("#receipt-list", "Completed")
	b.CheckAccessibility(t)

	// The day is settled; the merchant downloads the CSV from the portal.
	start, end := settlement.DayPeriod(clk.Now())
	s, err := settlement.Run(ctx, a.DB, a.Demo.Merchant.ID, start, end)
	if err != nil {
		t.Fatal(err)
	}
	b.Navigate(srv.URL + "/portal/settlements/" + s.ID)
	csvURL := b.Attribute("#csv-link", "href")
	req, err := http.NewRequest("GET", srv.URL+csvURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ck := range b.Cookies() {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(res.Body).ReadAll()
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK || len(rows) < 2 {
		t.Fatalf("settlement CSV: status %d, %v, %d rows", res.StatusCode, err, len(rows))
	}
	col := slices.Index(rows[0], "amount")
	var sum int64
	for _, r := range rows[1:] {
		n, err := strconv.ParseInt(r[col], 10, 64)
		if err != nil {
			t.Fatalf("CSV amount %q: %v", r[col], err)
		}
		sum += n
	}
	var posted int64
	err = a.DB.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COALESCE(SUM(en.amount), 0) FROM ledger_entries en JOIN ledger_journals j ON j.id = en.journal_id
			WHERE j.kind = $1 AND j.reference = $2 AND en.account = $3`, ledger.KindMerchantPayout, s.ID, ledger.PayableAccount(s.MerchantID)).Scan(&posted)
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum != s.Payout || posted != s.Payout || s.Payout <= 0 {
		t.Errorf("CSV adds up to %d, payout %d, ledger posted %d", sum, s.Payout, posted)
	}
}
