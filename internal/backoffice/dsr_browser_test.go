package backoffice_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/dsr"
)

// TestDataSubjectRequestsInBrowser walks the data protection team's pages
// in Chromium at desktop and phone widths: the queue with a request that is
// due soon, the form to record a request (with its errors), the request's
// page, starting, extending and answering it by hand. Every page passes the
// accessibility check; with TILLIT_SCREENSHOT_DIR set, each is saved there
// as staff-dsr-<page>-<desktop|phone>.png.
func TestDataSubjectRequestsInBrowser(t *testing.T) {
	shots := os.Getenv("TILLIT_SCREENSHOT_DIR")
	for _, vp := range []struct {
		name string
		size browsertest.Viewport
	}{{"desktop", browsertest.Desktop}, {"phone", browsertest.Phone}} {
		t.Run(vp.name, func(t *testing.T) {
			b := browsertest.New(t)
			b.SetViewport(vp.size)
			e := newDSREnv(t)
			dpo := e.staff(account.RoleDataProtection, "Dora Protect")
			e.person("anna@example.dk")
			waiting := e.consumerRequest("bo@example.dk", dsr.KindRectification, "My street is Sletten 1, not Sletten 11.")
			e.clk.Set(waiting.DueAt.AddDate(0, 0, -3))
			check := func(page string) {
				t.Helper()
				b.CheckAccessibility(t)
				if shots != "" {
					b.Screenshot(filepath.Join(shots, "staff-dsr-"+page+"-"+vp.name+".png"))
				}
			}
			wantH1 := func(want string) {
				t.Helper()
				if got := b.Text("h1"); got != want {
					t.Fatalf("h1 %q, want %q (at %s)", got, want, b.URL())
				}
			}

			b.SignInStaff(e.srv.URL, dpo.Email, staffPassword, e.auth[dpo.ID], e.clk.Now)
			if status := b.Submit("Data-subject requests"); status != http.StatusOK {
				t.Fatalf("queue: %d", status)
			}
			wantH1("Data-subject requests")
			if got := b.Text("#dsr-open tbody tr:first-child"); !strings.Contains(got, waiting.Reference) || !strings.Contains(got, "Due soon, days left: 3") {
				t.Errorf("queue row %q", got)
			}
			check("queue")

			if status := b.Submit("Record a request for a person"); status != http.StatusOK {
				t.Fatalf("new: %d", status)
			}
			wantH1("Record a request for a person")
			check("new")
			b.Fill("The person's e-mail address", "nobody@example.dk")
			if status := b.Submit("Record request"); status != http.StatusUnprocessableEntity {
				t.Fatalf("empty form: %d", status)
			}
			if got := b.Text("#f-identity_note-error"); got != "Error: Fill in this field." {
				t.Errorf("identity note error %q", got)
			}
			check("new-errors")

			selectOption(b, "#f-kind", "erasure")
			b.Fill("What the person wrote", "Erase my account.")
			b.Fill("How you verified the person's identity", "Letter signed; called back on the number on file.")
			if status := b.Submit("Record request"); status != http.StatusUnprocessableEntity {
				t.Fatalf("unknown person: %d", status)
			}
			if got := b.Text("#f-email-error"); !strings.Contains(got, "No person is known by this e-mail address") {
				t.Errorf("e-mail error %q", got)
			}
			b.Fill("The person's e-mail address", "anna@example.dk")
			if status := b.Submit("Record request"); status != http.StatusOK {
				t.Fatalf("record: %d", status)
			}
			if !strings.HasPrefix(b.Text("h1"), "Request PR-") {
				t.Fatalf("after recording: %q", b.Text("h1"))
			}
			if got := b.Text("#identity"); !strings.Contains(got, "Letter signed") {
				t.Errorf("identity %q", got)
			}
			check("request")

			b.Submit("Start work")
			b.Fill("Reason for the extension", "We must ask three merchants.")
			if status := b.Submit("Extend deadline"); status != http.StatusOK {
				t.Fatalf("extend: %d", status)
			}
			if got := b.Text("#status"); got != "In progress, deadline extended" {
				t.Errorf("status %q", got)
			}
			if status := b.Submit("Send answer"); status != http.StatusUnprocessableEntity {
				t.Fatalf("empty answer: %d", status)
			}
			check("answer-errors")
			b.Fill("What was done", "Account erased.")
			b.Fill("What was not done, and why", "Orders kept for bookkeeping until 2033.")
			if status := b.Submit("Send answer"); status != http.StatusOK {
				t.Fatalf("answer: %d", status)
			}
			if got := b.Text("#outcome"); !strings.Contains(got, "Not done: Orders kept for bookkeeping until 2033.") {
				t.Errorf("outcome %q", got)
			}
			if got := b.Text("#history"); !strings.Contains(got, "Deadline extended") || !strings.Contains(got, "We must ask three merchants.") {
				t.Errorf("history %q", got)
			}
			check("answered")
		})
	}
}

// selectOption chooses value in the select matching selector.
func selectOption(b *browsertest.Browser, selector, value string) {
	browsertest.Eval[bool](b, fmt.Sprintf(`(() => { document.querySelector(%q).value = %q; return true; })()`, selector, value))
}
