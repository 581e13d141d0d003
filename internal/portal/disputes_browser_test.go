package portal_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/dispute"
)

// attachPDF puts a small PDF named name into the file input selected by
// selector, as a person choosing it in the file picker would.
func attachPDF(b *browsertest.Browser, selector, name string) {
	browsertest.Eval[bool](b, fmt.Sprintf(`(() => {
  const dt = new DataTransfer();
  dt.items.add(new File([%q], %q, {type: "application/pdf"}));
  const input = document.querySelector(%q);
  input.files = dt.files;
  return input.files.length === 1;
})()`, string(pdf), name, selector))
}

// TestDisputesInBrowser has a merchant owner, in Chromium at desktop and
// phone widths, follow the overview's banner to the dispute list, open the
// dispute and contest it with an uploaded PDF. Every page passes the
// accessibility check, which includes horizontal overflow on the phone;
// with TILLIT_SCREENSHOT_DIR set, each is saved there as
// merchant-dispute-<page>-<desktop|phone>.png.
func TestDisputesInBrowser(t *testing.T) {
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
			e := newDisputeEnv(t)
			owner := e.user(account.MerchantOwner, "Olivia Owner")
			d := e.disputed(40000, true)

			check := func(page string) {
				t.Helper()
				b.CheckAccessibility(t)
				if shots != "" {
					b.Screenshot(filepath.Join(shots, "merchant-dispute-"+page+"-"+vp.name+".png"))
				}
			}
			wantText := func(selector, want string) {
				t.Helper()
				if got := b.Text(selector); !strings.Contains(got, want) {
					t.Errorf("%s reads %q, want %q in it (at %s)", selector, got, want, b.URL())
				}
			}

			b.Navigate(e.srv.URL + "/portal/signin")
			b.Fill("E-mail", owner.Email)
			b.Fill("Password", userPassword)
			if status := b.Submit("Sign in"); status != http.StatusOK {
				t.Fatalf("sign in: %d", status)
			}
			wantText("#dispute-banner", "Disputes waiting for your answer: 1.")
			wantText("#nav-disputes-count", "1")
			check("banner")
			if status := b.Submit("Answer the disputes"); status != http.StatusOK {
				t.Fatalf("list: %d", status)
			}
			if n := b.Count("#disputes tbody tr"); n != 1 {
				t.Errorf("the list shows %d disputes", n)
			}
			check("list")
			if status := b.Submit("Answer " + d.Reference); status != http.StatusOK {
				t.Fatalf("dispute page: %d", status)
			}
			wantText("h1", "Dispute on order "+d.Reference)
			wantText("#dispute-status", "Waiting for your answer")
			check("detail")
			// The longest language fits too.
			b.Navigate(e.srv.URL + "/portal/disputes/" + d.ID + "?lang=nl")
			check("detail-nl")
			b.Navigate(e.srv.URL + "/portal/disputes/" + d.ID + "?lang=en")

			b.Fill("Carrier", "PostNord")
			b.Fill("Tracking number", "00370712345678901")
			b.Fill("What happened", "Delivered to the parcel shop and picked up on 2 March.")
			attachPDF(b, "#f-documents", "receipt.pdf")
			if status := b.Submit("Contest the dispute"); status != http.StatusOK {
				t.Fatalf("contest: %d", status)
			}
			wantText(".notice--success", "Your evidence has been sent")
			wantText("#dispute-status", "Waiting for Tillit's decision")
			wantText("#dispute-documents", "receipt.pdf")
			if b.Count("#contest-form") != 0 {
				t.Error("a contested dispute still offers the forms")
			}
			check("contested")
			v := e.dispute(d.ID)
			if v.Dispute.Status != dispute.AwaitingDecision || len(v.Documents) != 1 || v.Documents[0].ContentType != "application/pdf" {
				t.Errorf("after contesting: %s, documents %+v", v.Dispute.Status, v.Documents)
			}
			if b.Count("#nav-disputes-count") != 0 {
				t.Error("the navigation still counts a dispute waiting")
			}
		})
	}
}
