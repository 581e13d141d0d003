package backoffice_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/checkout"
)

// TestBackOfficeInBrowser walks the back office in Chromium at desktop and
// phone widths: an admin signs in (after a wrong password, then with the
// code of their authenticator), sees the review queue's count, opens the
// PENDING order, is told a decision needs a reason, accepts it, finds the
// queue empty and the decision in the audit log (whose chain verifies), adds
// and disables a member of staff, and signs out.
// Every page passes the accessibility check; with TILLIT_SCREENSHOT_DIR set,
// each is saved there as staff-<page>-<desktop|phone>.png.
func TestBackOfficeInBrowser(t *testing.T) {
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
			admin := e.staff(account.RoleAdmin, "Ada Admin")
			order := e.order(pendingEmail, 125000)
			o, err := e.app.Checkout.ReviewOrder(e.ctx, order)
			if err != nil {
				t.Fatal(err)
			}
			// check runs the accessibility check and keeps a screenshot.
			check := func(page string) {
				t.Helper()
				b.CheckAccessibility(t)
				if shots != "" {
					b.Screenshot(filepath.Join(shots, "staff-"+page+"-"+vp.name+".png"))
				}
			}
			wantH1 := func(want string) {
				t.Helper()
				if got := b.Text("h1"); got != want {
					t.Fatalf("h1 %q, want %q (at %s)", got, want, b.URL())
				}
			}

			// Signed out, the back office sends the browser to sign in.
			if status := b.Navigate(e.srv.URL + "/staff/"); status != http.StatusOK {
				t.Fatalf("sign-in page: %d", status)
			}
			wantH1("Staff sign-in")
			check("signin")

			b.Fill("E-mail", admin.Email)
			b.Fill("Password", "not-my-password-at-all")
			if status := b.Submit("Sign in"); status != http.StatusUnauthorized {
				t.Fatalf("wrong password: %d", status)
			}
			if got := b.Text("#signin-problem"); !strings.Contains(got, "The e-mail address or password is wrong.") {
				t.Errorf("problem %q", got)
			}
			if got := b.Value("Password"); got != "" {
				t.Errorf("the password field kept %q", got)
			}
			check("signin-failed")

			// The right password leads to the code of the authenticator.
			b.Fill("Password", staffPassword)
			if status := b.Submit("Sign in"); status != http.StatusOK {
				t.Fatalf("sign in: %d", status)
			}
			wantH1("Two-step verification")
			check("signin-code")
			b.StaffCode(e.auth[admin.ID], e.clk.Now)
			wantH1("Back office")
			if got := b.Text(".notice--success"); got != "Done: Welcome, Ada Admin." {
				t.Errorf("welcome %q", got)
			}
			if got := b.Text("#queues tbody tr:first-child td:nth-child(2)"); got != "1" {
				t.Errorf("review queue count %q, want 1", got)
			}
			check("home")

			// The language switch works here too.
			if status := b.Submit("Dansk"); status != http.StatusOK {
				t.Fatalf("Danish: %d", status)
			}
			if got := b.Text("#who"); got != "Logget ind som Ada Admin (Administrator)." {
				t.Errorf("Danish home %q", got)
			}
			b.CheckAccessibility(t)
			b.Submit("English")

			if status := b.Submit("Orders in manual review"); status != http.StatusOK {
				t.Fatalf("queue: %d", status)
			}
			wantH1("Orders in manual review")
			if got := b.Text("#queue-items tbody tr:first-child td:nth-child(2)"); got != "Nordic Rain" {
				t.Errorf("queue row merchant %q", got)
			}
			check("queue")

			if status := b.Submit(o.Reference); status != http.StatusOK {
				t.Fatalf("order page: %d", status)
			}
			wantH1("Order " + o.Reference)
			if got := b.Text("#fraud-status"); got != "Pending review" {
				t.Errorf("fraud status %q", got)
			}
			if got := b.Text("#reasons"); !strings.Contains(got, "TEST_DATA_PENDING") {
				t.Errorf("reasons %q", got)
			}
			check("order")

			if status := b.Submit("Accept order"); status != http.StatusUnprocessableEntity {
				t.Fatalf("accept without a reason: %d", status)
			}
			if got := b.Text("#f-reason-error"); got != "Error: Fill in this field." {
				t.Errorf("reason error %q", got)
			}
			check("order-error")

			reason := "The shop confirmed the delivery by phone."
			b.Fill("Reason", reason)
			if status := b.Submit("Accept order"); status != http.StatusOK {
				t.Fatalf("accept: %d", status)
			}
			wantH1("Orders in manual review")
			if got := b.Text(".notice--success"); got != "Done: Order "+o.Reference+" accepted. The merchant has been notified." {
				t.Errorf("notice %q", got)
			}
			if got := b.Text("#queue-empty"); got != "Nothing is waiting in this queue." {
				t.Errorf("queue not empty: %q", got)
			}
			if got := e.fraudStatus(order); got != checkout.FraudAccepted {
				t.Errorf("fraud status %s", got)
			}
			check("queue-empty")

			if status := b.Submit("Audit log"); status != http.StatusOK {
				t.Fatalf("audit log: %d", status)
			}
			wantH1("Audit log")
			latest := b.Text("#audit-entries tbody tr:first-child")
			for _, want := range []string{"staff:" + admin.ID, "order.fraud_status", order, reason} {
				if !strings.Contains(latest, want) {
					t.Errorf("latest audit entry %q lacks %q", latest, want)
				}
			}
			if status := b.Submit("Verify the chain"); status != http.StatusOK {
				t.Fatalf("verify: %d", status)
			}
			if got := b.Text("#verify-result"); !strings.HasPrefix(got, "The chain is intact") {
				t.Errorf("verify result %q", got)
			}
			check("audit")

			if status := b.Submit("Staff"); status != http.StatusOK {
				t.Fatalf("staff page: %d", status)
			}
			wantH1("Staff")
			b.Fill("Name", "Rita Risk")
			b.Fill("E-mail", "rita@tillit.example")
			browsertest.Eval[string](b, `document.getElementById("f-role").value = "risk_analyst"`)
			b.Fill("Initial password", "Copper-meadow-lantern-2031")
			if status := b.Submit("Add member of staff"); status != http.StatusOK {
				t.Fatalf("add member: %d", status)
			}
			if got := b.Text(".notice--success"); got != "Done: Rita Risk was added. Give them their password in person." {
				t.Errorf("notice %q", got)
			}
			if got := b.Text("#staff-list"); !strings.Contains(got, "rita@tillit.example") || !strings.Contains(got, "Risk analyst") {
				t.Errorf("staff list %q", got)
			}
			check("staff")

			if status := b.Submit("Disable Rita Risk"); status != http.StatusOK {
				t.Fatalf("disable: %d", status)
			}
			if got := b.Text(".notice--success"); got != "Done: Rita Risk was disabled and signed out everywhere." {
				t.Errorf("notice %q", got)
			}

			if status := b.Submit("Sign out"); status != http.StatusOK {
				t.Fatalf("sign out: %d", status)
			}
			wantH1("Staff sign-in")
			if got := b.Text(".notice--info"); got != "Information: You are signed out." {
				t.Errorf("notice %q", got)
			}
			check("signed-out")
		})
	}
}
