package portal_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/settlement"
)

// TestPortalInBrowser walks the merchant portal in Chromium at desktop and
// phone widths: an owner signs in (after a wrong password), reads the
// dashboard, finds an order in the list, captures it in full, is told a
// refund above the captured amount is too much, refunds part, sees the day's
// settlement once it has run and downloads its CSV (which adds up to the
// payout the ledger paid), looks at the webhook log and the payment
// methods, and signs out. Every page passes the accessibility check; with
// TILLIT_SCREENSHOT_DIR set, each is saved there as
// merchant-<page>-<desktop|phone>.png.
func TestPortalInBrowser(t *testing.T) {
	shots := os.Getenv("TILLIT_SCREENSHOT_DIR")
	if shots != "" {
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, vp := range []struct {
		name string
		size browsertest.Viewport
	}{{"desktop", browsertest.Desktop}, {"phone", browsertest.Phone}} {
		t.Run(vp.name, func(t *testing.T) {
			b := browsertest.New(t)
			b.SetViewport(vp.size)
			e := newEnv(t)
			owner := e.user(account.MerchantOwner, "Olivia Owner")
			order := e.place(orderSpec{merchant: e.shop, amount: 125000, method: "pay_in_parts", ref: "SHOP-1001"})
			e.place(orderSpec{merchant: e.shop, amount: 39900, ref: "SHOP-1002"})
			ref := e.reference(order)

			// check runs the accessibility check and keeps a screenshot.
			check := func(page string) {
				t.Helper()
				b.CheckAccessibility(t)
				if shots != "" {
					b.Screenshot(filepath.Join(shots, "merchant-"+page+"-"+vp.name+".png"))
				}
			}
			wantH1 := func(want string) {
				t.Helper()
				if got := b.Text("h1"); got != want {
					t.Fatalf("h1 %q, want %q (at %s)", got, want, b.URL())
				}
			}
			wantText := func(selector, want string) {
				t.Helper()
				if got := b.Text(selector); !strings.Contains(got, want) {
					t.Errorf("%s reads %q, want %q in it", selector, got, want)
				}
			}

			// Signed out, the portal sends the browser to sign in.
			if status := b.Navigate(e.srv.URL + "/portal/"); status != http.StatusOK {
				t.Fatalf("sign-in page: %d", status)
			}
			wantH1("Merchant sign-in")
			check("signin")
			b.Fill("E-mail", owner.Email)
			b.Fill("Password", "not-my-password-at-all")
			if status := b.Submit("Sign in"); status != http.StatusUnauthorized {
				t.Fatalf("wrong password: %d", status)
			}
			wantText("#signin-problem", "The e-mail address or password is wrong.")
			check("signin-failed")
			b.Fill("Password", userPassword)
			if status := b.Submit("Sign in"); status != http.StatusOK {
				t.Fatalf("sign in: %d", status)
			}

			wantH1("Overview")
			wantText(".notice--success", "Welcome, Olivia Owner.")
			wantText("#approval", "Approval rate: 100.0% (2 of 2 authorizations approved).")
			wantText("#stats tbody", "DKK 1,649.00")
			check("dashboard")

			if status := b.Submit("Orders"); status != http.StatusOK {
				t.Fatalf("orders: %d", status)
			}
			wantH1("Orders")
			wantText("#orders tbody tr:first-child", "SHOP-1002")
			check("orders")
			// The filters are folded away until asked for.
			browsertest.Eval[bool](b, `(() => { document.querySelector("details summary").click(); return true; })()`)
			b.Fill("Search", "SHOP-1001")
			if status := b.Submit("Filter"); status != http.StatusOK {
				t.Fatalf("filter: %d", status)
			}
			if n := b.Count("#orders tbody tr"); n != 1 {
				t.Fatalf("search found %d orders", n)
			}
			check("orders-filtered")

			if status := b.Submit(ref); status != http.StatusOK {
				t.Fatalf("order page: %d", status)
			}
			wantH1("Order " + ref)
			wantText("#order-status", "Authorized")
			if got := b.Value("Amount to capture"); got != "1250.00" {
				t.Errorf("capture amount %q, want the whole order", got)
			}
			check("order")

			// Capture it in full.
			if status := b.Submit("Capture"); status != http.StatusOK {
				t.Fatalf("capture: %d", status)
			}
			wantText(".notice--success", "DKK 1,250.00 was captured.")
			wantText("#order-status", "Captured")
			wantText("#captures", "Olivia Owner")
			if n := b.Count("#installments tbody tr"); n != 3 {
				t.Errorf("the pay-in-3 plan shows %d instalments", n)
			}
			check("order-captured")

			// Too much is refused with an error by the field.
			b.Fill("Amount to refund", "1300")
			if status := b.Submit("Refund"); status != http.StatusUnprocessableEntity {
				t.Fatalf("refund too much: %d", status)
			}
			wantText("#f-refund_amount-error", "You can refund at most DKK 1,250.00")
			check("order-refund-error")

			b.Fill("Amount to refund", "250.00")
			b.Fill("Description", "One jacket came back")
			if status := b.Submit("Refund"); status != http.StatusOK {
				t.Fatalf("refund: %d", status)
			}
			wantText(".notice--success", "DKK 250.00 was refunded.")
			wantText("#order-refunded", "DKK 250.00")
			wantText("#refunds", "One jacket came back")
			check("order-refunded")
			e.verifyLedger()
			if o := e.getOrder(order); o.Status != checkout.StatusCaptured || o.CapturedAmount != 125000 || o.RefundedAmount != 25000 {
				t.Fatalf("order after the browser: %s %d %d", o.Status, o.CapturedAmount, o.RefundedAmount)
			}

			// The day ends (the session is kept alive on the way) and is
			// settled.
			e.clk.Advance(11 * time.Hour)
			b.Navigate(e.srv.URL + "/portal/")
			e.clk.Advance(5 * time.Hour)
			s := e.settle(e.shop, e.clk.Now().Add(-24*time.Hour))
			if status := b.Submit("Settlements"); status != http.StatusOK {
				t.Fatalf("settlements: %d", status)
			}
			wantH1("Settlements")
			check("settlements")
			if status := b.Submit("2 Mar 2026"); status != http.StatusOK {
				t.Fatalf("settlement page: %d", status)
			}
			wantH1("Settlement 2 Mar 2026 (DKK)")
			wantText("#payout", strings.ReplaceAll(i18n.FormatMoney(i18n.English, s.Payout, "DKK"), "\u00a0", " "))
			wantText("#settlement-lines", ref)
			check("settlement")

			// The CSV link downloads the lines, with the browser's session.
			csvURL := b.Attribute("#csv-link", "href")
			req, err := http.NewRequest("GET", e.srv.URL+csvURL, nil)
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
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil || res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
				t.Fatalf("CSV: %d %q %v", res.StatusCode, res.Header.Get("Content-Type"), err)
			}
			header, sum, _ := csvAmounts(t, string(body))
			if strings.Join(header, ",") != strings.Join(settlement.CSVColumns, ",") || sum != s.Payout || e.payoutPosted(s) != s.Payout {
				t.Errorf("CSV sums to %d, payout %d, ledger paid out %d", sum, s.Payout, e.payoutPosted(s))
			}

			if status := b.Submit("Webhooks"); status != http.StatusOK {
				t.Fatalf("webhooks: %d", status)
			}
			wantH1("Webhook deliveries")
			check("webhooks")
			if status := b.Submit("Payment methods"); status != http.StatusOK {
				t.Fatalf("payment methods: %d", status)
			}
			wantH1("Payment methods")
			check("methods")

			// The language switch works here too.
			if status := b.Submit("Dansk"); status != http.StatusOK {
				t.Fatalf("Danish: %d", status)
			}
			wantH1("Betalingsmetoder")
			b.CheckAccessibility(t)
			b.Submit("English")

			if status := b.Submit("Sign out"); status != http.StatusOK {
				t.Fatalf("sign out: %d", status)
			}
			wantH1("Merchant sign-in")
			wantText(".notice--info", "You are signed out.")
			check("signed-out")
		})
	}
}
