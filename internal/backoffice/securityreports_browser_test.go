package backoffice_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/securityreport"
	"github.com/tillit/tillit/internal/store"
)

// TestSecurityReportInBrowser: a visitor reports a phishing website on the
// public page and is given a reference; a security analyst signs in (two
// steps), finds the report in the security queue, reads the address
// defanged, takes the report and closes it as confirmed phishing. Every
// page passes the accessibility check.
func TestSecurityReportInBrowser(t *testing.T) {
	b := browsertest.New(t)
	e := newSecurityReportsEnv(t)
	analyst := e.staff(account.RoleSecurityAnalyst, "Sara Analyst")
	expect := func(selector, want string) {
		t.Helper()
		if got := b.Text(selector); !strings.Contains(got, want) {
			t.Errorf("%s reads %q, want %q in it", selector, got, want)
		}
	}

	if status := b.Navigate(e.srv.URL + "/report-suspicious"); status != http.StatusOK {
		t.Fatalf("public page: %d", status)
	}
	b.CheckAccessibility(t)
	browsertest.Eval[string](b, `document.querySelector("#f-kind").value = "website"`)
	b.Fill("What happened?", "A shop copies Tillit's checkout and asks for my card's PIN")
	b.Fill("The suspicious web address (optional)", "https://pay.tillit-checkout.example/step2")
	if status := b.Submit("Send the report"); status != http.StatusOK {
		t.Fatalf("submit: %d", status)
	}
	ref := regexp.MustCompile(`S-[2-9A-Z]{6}`).FindString(b.Text("#report-thanks"))
	if ref == "" {
		t.Fatalf("no reference on the thanks page: %q", b.Text("#report-thanks"))
	}
	b.CheckAccessibility(t)

	b.SignInStaff(e.srv.URL, analyst.Email, staffPassword, e.auth[analyst.ID], e.clk.Now)
	if status := b.Submit("Security reports"); status != http.StatusOK {
		t.Fatalf("queue: %d", status)
	}
	expect("h1", "Security reports")
	expect("#security-reports tbody", ref)
	expect("#security-reports tbody", "A website")
	b.CheckAccessibility(t)

	if status := b.Submit(ref); status != http.StatusOK {
		t.Fatalf("report page: %d", status)
	}
	expect("h1", "Security report "+ref)
	expect("#report-url", "hxxps://pay[.]tillit-checkout[.]example/step2")
	expect("#report-text", "asks for my card's PIN")
	expect("#report-reporter", "The public page")
	if n := b.Count(`a[href*="tillit-checkout"]`); n != 0 {
		t.Errorf("the address is a link (%d)", n)
	}
	b.CheckAccessibility(t)

	if status := b.Submit("Take this report"); status != http.StatusOK {
		t.Fatalf("take: %d", status)
	}
	expect("#report-state", "In triage")
	expect("#report-owner", "Sara Analyst")
	if status := b.Submit("Close the report"); status != http.StatusUnprocessableEntity {
		t.Errorf("closing without outcome and notes: %d, want 422", status)
	}
	b.CheckAccessibility(t)
	browsertest.Eval[string](b, `document.querySelector("#f-outcome").value = "confirmed_phishing"`)
	b.Fill("Closing notes", "Cloned checkout; reported to the host for takedown")
	if status := b.Submit("Close the report"); status != http.StatusOK {
		t.Fatalf("close: %d", status)
	}
	expect("#report-state", "Confirmed phishing")
	expect("#report-notes", "reported to the host for takedown")
	expect("main", "Report "+ref+" closed.")
	b.CheckAccessibility(t)

	var id string
	if err := e.app.DB.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT id FROM security_reports WHERE reference = $1`, ref).Scan(&id)
	}); err != nil {
		t.Fatal(err)
	}
	if state, _ := e.reportState(id); state != securityreport.StateConfirmedPhishing {
		t.Errorf("stored state %s", state)
	}
	if n := len(e.auditEntries(id, securityreport.ActionClosed)); n != 1 {
		t.Errorf("%d closings audited, want 1", n)
	}
}
