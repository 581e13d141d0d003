package consumerapp_test

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/repayment"
)

// screenshotDir is where the browser tests leave their screenshots:
// TILLIT_SCREENSHOT_DIR when set (scripts/screenshots sets it), else "": none
// are taken.
func screenshotDir(t *testing.T) string {
	d := os.Getenv("TILLIT_SCREENSHOT_DIR")
	if d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// screenshot saves the page b shows as name in dir when screenshots are
// wanted (dir is not ""); otherwise it does nothing, since a full-page
// picture of a long page is the slowest thing a browser test does.
func screenshot(b *browsertest.Browser, dir, name string) {
	if dir != "" {
		b.Screenshot(filepath.Join(dir, name))
	}
}

var mailedCode = regexp.MustCompile(`sign-in code is (\d{6})`)

// TestConsumerAppInBrowser walks the consumer app in Chromium at desktop and
// phone widths: sign in with the code read from the demo mailbox, see the
// purchases and upcoming payments, pay the next pay-in-3 instalment and see
// it paid with a receipt once the rail confirms, pay off a financing order,
// switch language and sign out; every page passes the accessibility check.
func TestConsumerAppInBrowser(t *testing.T) {
	shots := screenshotDir(t)
	for _, vp := range []struct {
		name string
		size browsertest.Viewport
	}{{"desktop", browsertest.Desktop}, {"phone", browsertest.Phone}} {
		t.Run(vp.name, func(t *testing.T) {
			e := newEnv(t, true)
			// Financing bought 40 days ago: a statement has been issued
			// and the first instalment is overdue with a reminder fee.
			// Pay in 3 bought and sent today, and an order not sent yet.
			fin := e.order(anna, repayment.CategoryFinancing, 1200000, 12)
			e.capture(fin, 1200000)
			e.advanceDays(40)
			in3 := e.order(anna, repayment.CategoryPayIn3, 60000, 0)
			e.capture(in3, 60000)
			e.order(anna, repayment.CategoryPayLater, 25000, 0)
			e.runJobs()
			base := e.srv.URL

			b := browsertest.New(t)
			b.SetViewport(vp.size)
			check := func(page string) {
				t.Helper()
				b.CheckAccessibility(t)
				screenshot(b, shots, "consumer-"+page+"-"+vp.name+".png")
			}
			expect := func(selector, want string) {
				t.Helper()
				if got := b.Text(selector); !strings.Contains(got, want) {
					t.Errorf("%s reads %q, want %q in it", selector, got, want)
				}
			}

			// Signed out, the app asks for an e-mail address.
			if status := b.Navigate(base + "/app/"); status != http.StatusOK || !strings.HasSuffix(b.URL(), "/app/signin") {
				t.Fatalf("signed out: status %d at %s", status, b.URL())
			}
			expect("h1", "Sign in")
			check("signin")
			b.Fill("E-mail", anna)
			if status := b.Submit("Send me a code"); status != http.StatusOK || !strings.HasSuffix(b.URL(), "/app/signin/code") {
				t.Fatalf("after the e-mail: status %d at %s", status, b.URL())
			}
			expect("main", "Enter the code we sent to "+anna)
			check("code")

			// The demo mailbox shows the code.
			if status := b.Submit("Read the code in the demo mailbox"); status != http.StatusOK {
				t.Fatalf("mailbox: status %d", status)
			}
			expect(".notice--warning", "This is a demo tool")
			check("mailbox")
			m := mailedCode.FindStringSubmatch(b.Text("main"))
			if m == nil {
				t.Fatalf("no code in the mailbox: %s", b.Text("main"))
			}
			logscan.Secret(logscan.OneTimeCode, m[1])
			b.Submit("Back to the sign-in code")
			b.Fill("One-time code", m[1])
			if status := b.Submit("Sign in"); status != http.StatusOK || !strings.HasSuffix(b.URL(), "/app/") {
				t.Fatalf("after the code: status %d at %s", status, b.URL())
			}
			expect(".notice--success", "Signed in as "+anna)
			check("home")

			// Three purchases; two upcoming payments, the overdue financing
			// instalment first.
			if n := b.Count("#purchase-list tbody tr"); n != 3 {
				t.Errorf("%d purchases, want 3", n)
			}
			if n := b.Count("#upcoming-payments tbody tr"); n != 2 {
				t.Errorf("%d upcoming payments, want 2", n)
			}
			expect("#upcoming-payments tbody tr:first-child", e.reference(fin))
			expect("#upcoming-payments tbody tr:first-child", "Overdue")
			expect("#upcoming-payments tbody tr:nth-child(2)", "DKK 200.00")
			expect("#purchase-list", "Not sent yet")

			// Pay the next pay-in-3 instalment.
			if status := b.Submit(e.reference(in3)); status != http.StatusOK {
				t.Fatalf("pay-in-3 order: status %d", status)
			}
			order := b.URL()
			expect("h1", "Order "+e.reference(in3))
			expect("#installments tbody tr:first-child", "Due")
			check("order")
			b.Submit("Pay next instalment")
			expect(".notice--success", "Your payment of DKK 200.00 has started")
			expect("#processing", "being processed")
			expect("#receipt-list", "Processing")
			check("order-processing")

			// The rail confirms; the reloaded page shows it paid.
			e.settle()
			b.Navigate(order)
			if b.Count("#processing") != 0 {
				t.Error("still processing after the rail confirmed")
			}
			expect("#installments tbody tr:first-child", "Paid")
			expect("#installments tbody tr:nth-child(2)", "Due")
			expect("#receipt-list", "Completed")
			b.Submit("View receipt")
			expect("h1", "Receipt")
			expect("#receipt", "DKK 200.00")
			expect("#receipt", e.reference(in3))
			expect("#receipt", "Nordic Rain")
			check("receipt")

			// The financing order: terms, statement, the overdue
			// instalment's reminder fee; pay everything.
			b.Navigate(base + "/app/orders/" + fin)
			expect("#financing + dl", "19.95%")
			expect("#statements + table", "DKK 0.00")
			expect("#installments tbody tr:first-child", "Overdue")
			expect("#installments tbody tr:first-child", "Reminder fee DKK 100.00")
			check("financing")
			b.Submit("Pay everything")
			expect("#processing", "being processed")
			e.settle()
			b.Navigate(base + "/app/orders/" + fin)
			expect("#order-status", "Paid")
			expect("#owed", "DKK 0.00")
			if n := b.Count("#installments .badge--success"); n != 12 {
				t.Errorf("%d instalments paid, want 12", n)
			}
			check("financing-paid")

			// The language switch works on every page, amounts included.
			b.Submit("Dansk")
			expect("h1", "Ordre "+e.reference(fin))
			expect("#owed", "0,00 kr.")
			check("financing-da")
			b.Submit("Tilbage til dine køb")
			expect("h1", "Dine køb")

			// Signing out ends the session.
			if status := b.Submit("Log ud"); status != http.StatusOK || !strings.HasSuffix(b.URL(), "/app/signin") {
				t.Fatalf("sign out: status %d at %s", status, b.URL())
			}
			expect(".notice--info", "Du er logget ud.")
			b.Navigate(order)
			if !strings.HasSuffix(b.URL(), "/app/signin") {
				t.Errorf("after signing out the order page is at %s", b.URL())
			}
		})
	}
}
