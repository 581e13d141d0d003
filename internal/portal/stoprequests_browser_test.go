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
)

// browserAnswer is one answer a merchant gives in the browser: the radio
// buttons it picks (name, value), the fields it fills (label, value), and
// the status the request then shows.
type browserAnswer struct {
	name    string
	capture bool
	choose  [][2]string
	fill    [][2]string
	status  string
}

var browserAnswers = []browserAnswer{
	{name: "not-shipped", choose: [][2]string{{"answer", "not_shipped"}, {"removal_not_shipped", "tillit"}}, status: "Closed"},
	{name: "service", capture: true, choose: [][2]string{{"answer", "service"}, {"service_stopped", "no"}},
		status: "Awaiting a dispute"},
	{name: "shipped", capture: true, choose: [][2]string{{"answer", "shipped"}, {"picked_up", "no"}},
		fill: [][2]string{{"Carrier", "PostNord"}, {"Tracking number", "RR 1234 5670 6DK"}}, status: "Awaiting the parcel"},
	{name: "returned", capture: true, choose: [][2]string{{"answer", "returned"}, {"removal_returned", "tillit"}}, status: "Closed"},
}

// TestStopRequestsInBrowser has a merchant answer each of the four answers
// in Chromium at desktop and phone widths, once through the e-mailed link
// without signing in and once signed in to the portal (after following the
// banner to the list). Every page passes the accessibility check, which
// includes horizontal overflow on the phone; with TILLIT_SCREENSHOT_DIR set,
// each is saved there as merchant-stop-<page>-<desktop|phone>.png.
func TestStopRequestsInBrowser(t *testing.T) {
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
			e := newStopEnv(t)
			owner := e.user(account.MerchantOwner, "Olivia Owner")

			check := func(page string) {
				t.Helper()
				b.CheckAccessibility(t)
				if shots != "" {
					b.Screenshot(filepath.Join(shots, "merchant-stop-"+page+"-"+vp.name+".png"))
				}
			}
			wantText := func(selector, want string) {
				t.Helper()
				if got := b.Text(selector); !strings.Contains(got, want) {
					t.Errorf("%s reads %q, want %q in it (at %s)", selector, got, want, b.URL())
				}
			}
			answer := func(a browserAnswer, shot string) {
				t.Helper()
				for _, c := range a.choose {
					browsertest.Eval[bool](b, fmt.Sprintf(`(() => { document.querySelector('input[name=%q][value=%q]').click(); return true; })()`, c[0], c[1]))
				}
				// Once an answer is chosen, the other answers' parts fold
				// away (in a browser with :has; all show without it).
				shown := browsertest.Eval[[]string](b, `[...document.querySelectorAll(".answer-part")].filter((p) => getComputedStyle(p).display !== "none").map((p) => p.dataset.answer)`)
				if want := a.choose[0][1]; len(shown) != 1 || shown[0] != want {
					t.Errorf("%s: the parts shown are %v, want %s's alone", a.name, shown, want)
				}
				for _, f := range a.fill {
					b.Fill(f[0], f[1])
				}
				if status := b.Submit("Send the answer"); status != http.StatusOK {
					t.Fatalf("%s: answer %d", a.name, status)
				}
				wantText(".notice--success", "Thank you. Your answer is recorded.")
				e.runJobs()
				b.Navigate(b.URL())
				wantText("#stop-request-status", a.status)
				if b.Count("#answer-form") != 0 && a.status == "Closed" {
					t.Errorf("%s: a closed request still offers the form", a.name)
				}
				check(shot)
			}

			// Through the link, signed out: the form first shows every
			// part, with the reason and no consumer details.
			for i, a := range browserAnswers {
				req, link := e.stopped(int64(30000+i*1000), a.capture)
				if status := b.Navigate(e.srv.URL + link); status != http.StatusOK {
					t.Fatalf("%s link: %d", a.name, status)
				}
				if got, want := b.Text("h1"), "Stop request for order "+req.Reference; got != want {
					t.Fatalf("h1 %q, want %q", got, want)
				}
				for _, part := range []string{"#part-not_shipped", "#part-service", "#part-shipped", "#part-returned", "#stop-request-why"} {
					if b.Count(part) != 1 {
						t.Errorf("the link's form lacks %s", part)
					}
				}
				if i == 0 {
					wantText("#recall-info", "With PostNord or DB Schenker (Privpak), Tillit asks the carrier to recall the parcel for you.")
					wantText("#no-tracking", "breaches your agreement with Tillit")
					check("link-form")
					// The longest language fits too.
					b.Navigate(e.srv.URL + link + "?lang=da")
					if got := b.Text("h1"); got != "Stopanmodning for ordre "+req.Reference {
						t.Errorf("Danish h1 %q", got)
					}
					check("link-form-da")
					b.Navigate(e.srv.URL + link + "?lang=en")
				}
				answer(a, "link-"+a.name)
				if r := e.stopRequest(req.OrderID); r.AnsweredBy != "link" {
					t.Errorf("%s: answered by %q", a.name, r.AnsweredBy)
				}
			}

			// Signed in: the banner leads to the list, the list to each
			// request.
			var refs []string
			for i, a := range browserAnswers {
				req, _ := e.stopped(int64(50000+i*1000), a.capture)
				refs = append(refs, req.ID)
			}
			b.Navigate(e.srv.URL + "/portal/signin")
			b.Fill("E-mail", owner.Email)
			b.Fill("Password", userPassword)
			if status := b.Submit("Sign in"); status != http.StatusOK {
				t.Fatalf("sign in: %d", status)
			}
			wantText("#stop-request-banner", fmt.Sprintf("Stop requests waiting for you: %d.", len(browserAnswers)))
			check("banner")
			if status := b.Submit("Answer the stop requests"); status != http.StatusOK {
				t.Fatalf("list: %d", status)
			}
			if n := b.Count("#waiting tbody tr"); n != len(browserAnswers)+2 { // and the link's service and shipped parcel
				t.Errorf("the list shows %d waiting requests", n)
			}
			check("list")
			for i, a := range browserAnswers {
				if status := b.Navigate(e.srv.URL + "/portal/stop-requests/" + refs[i]); status != http.StatusOK {
					t.Fatalf("%s page: %d", a.name, status)
				}
				if i == 0 {
					check("portal-form")
				}
				answer(a, "portal-"+a.name)
			}
			if status := b.Navigate(e.srv.URL + "/portal/stop-requests"); status != http.StatusOK {
				t.Fatalf("list: %d", status)
			}
			if b.Count("#stop-request-banner") != 0 {
				t.Error("the banner stays with nothing waiting for the merchant")
			}
			check("list-answered")
			b.Navigate(e.srv.URL + "/portal/stop-requests?lang=nl")
			check("list-answered-nl")
		})
	}
}
