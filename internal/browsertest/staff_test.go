package browsertest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/totp"
)

// now is the frozen clock of these tests.
var now = time.Date(2031, 5, 17, 12, 0, 10, 0, time.UTC)

// TestAuthenticatorCodes: with the clock standing still, Code gives the
// codes of the three steps Tillit accepts, in order, each of which
// totp.Verify takes after the one before, then the recovery codes; once
// the clock moves on, codes of the new window again.
func TestAuthenticatorCodes(t *testing.T) {
	secret, err := totp.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	a := &browsertest.Authenticator{Secret: secret, Recovery: []string{"aaaaaaaa-bbbbbbbb", "cccccccc-dddddddd"}}
	var last int64
	for i, at := range []time.Time{now.Add(-totp.Period), now, now.Add(totp.Period)} {
		want, err := totp.Code(secret, at)
		if err != nil {
			t.Fatal(err)
		}
		got := a.Code(t, now)
		if got != want {
			t.Fatalf("code %d: %q, want %q (the code at %s)", i, got, want, at)
		}
		step, ok, err := totp.Verify(secret, got, now, last)
		if err != nil || !ok {
			t.Fatalf("code %d is refused after step %d: %v", i, last, err)
		}
		last = step
	}
	for _, want := range []string{"aaaaaaaa-bbbbbbbb", "cccccccc-dddddddd"} {
		if got := a.Code(t, now); got != want {
			t.Errorf("after the window: %q, want the recovery code %q", got, want)
		}
	}
	later := now.Add(10 * time.Minute)
	want, err := totp.Code(secret, later.Add(-totp.Period))
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Code(t, later); got != want {
		t.Errorf("ten minutes later: %q, want %q", got, want)
	}
}

// fakeBackOffice answers the back office's sign-in pages the way Tillit
// does for one member of staff (anna@tillit.example, password "pw"): the
// code page sets up an authenticator first and shows recovery codes once,
// and afterwards asks for a code that totp.Verify accepts and that was not
// used before, or an unused recovery code. signIns counts the sessions it
// started.
type fakeBackOffice struct {
	mu       sync.Mutex
	secret   string
	enrolled bool
	lastStep int64
	recovery []string
	signIns  int
}

// page is an English page with a main heading and body.
func page(h1, body string) string {
	return `<!doctype html><html lang="en"><head><title>` + h1 + `</title></head><body><main><h1>` + h1 + `</h1>` + body + `</main></body></html>`
}

// codeForm is the code page's form.
const codeForm = `<form method="post" action="/staff/signin/verify"><label for="f-code">Code</label><input id="f-code" name="code"><button type="submit">Sign in</button></form>`

func (f *fakeBackOffice) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	switch r.Method + " " + r.URL.Path {
	case "GET /staff/signin":
		fmt.Fprint(w, page("Staff sign-in", `<form method="post" action="/staff/signin">
<label for="f-email">E-mail</label><input id="f-email" name="email">
<label for="f-password">Password</label><input id="f-password" name="password" type="password">
<button type="submit">Sign in</button></form>`))
	case "POST /staff/signin":
		if r.FormValue("email") != "anna@tillit.example" || r.FormValue("password") != "pw" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, page("Staff sign-in", `<p id="signin-problem">Wrong</p>`))
			return
		}
		http.Redirect(w, r, "/staff/signin/verify?next=%2Fstaff%2F", http.StatusSeeOther)
	case "GET /staff/signin/verify":
		if f.enrolled {
			fmt.Fprint(w, page("Two-step verification", codeForm))
			return
		}
		fmt.Fprint(w, page("Set up two-step verification", `<p>Setup key: <code id="totp-secret">`+f.secret+`</code></p>`+codeForm))
	case "POST /staff/signin/verify":
		code := r.FormValue("code")
		step, ok, err := totp.Verify(f.secret, code, now, f.lastStep)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if i := slices.Index(f.recovery, code); !ok && f.enrolled && i >= 0 {
			f.recovery = slices.Delete(f.recovery, i, i+1)
			ok, step = true, f.lastStep
		}
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, page("Two-step verification", `<p id="verify-problem">That code is not right</p>`+codeForm))
			return
		}
		f.lastStep = step
		f.signIns++
		if !f.enrolled {
			f.enrolled = true
			f.recovery = []string{"aaaaaaaa-bbbbbbbb", "cccccccc-dddddddd"}
			fmt.Fprint(w, page("Your recovery codes", `<ul id="recovery-codes"><li><code>aaaaaaaa-bbbbbbbb</code></li><li><code> cccccccc-dddddddd </code></li></ul>
<p><a href="/staff/">I have stored them safely, continue</a></p>`))
			return
		}
		http.Redirect(w, r, "/staff/", http.StatusSeeOther)
	case "GET /staff/":
		fmt.Fprint(w, page("Back office", ""))
	default:
		http.NotFound(w, r)
	}
}

// TestSignInStaff signs in to a fake back office: the first time the
// helper sets up the authenticator from the page and keeps the recovery
// codes; with the clock standing still, the next sign-ins use the codes of
// the later steps and then the recovery codes.
func TestSignInStaff(t *testing.T) {
	b := browsertest.New(t)
	secret, err := totp.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackOffice{secret: secret}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	clock := func() time.Time { return now }

	a := &browsertest.Authenticator{}
	b.SignInStaff(srv.URL, "anna@tillit.example", "pw", a, clock)
	if a.Secret != secret || !slices.Equal(a.Recovery, []string{"aaaaaaaa-bbbbbbbb", "cccccccc-dddddddd"}) {
		t.Fatalf("after setting up: %+v", a)
	}
	if got := b.Text("h1"); got != "Back office" || !strings.HasSuffix(b.URL(), "/staff/") {
		t.Fatalf("after setting up: %q at %s", got, b.URL())
	}
	// The first code used the step before now's: two codes and the two
	// recovery codes are left.
	for i := range 4 {
		b.SignInStaff(srv.URL, "anna@tillit.example", "pw", a, clock)
		if got := b.Text("h1"); got != "Back office" {
			t.Fatalf("sign-in %d: %q at %s", i+2, got, b.URL())
		}
	}
	if f.signIns != 5 || len(f.recovery) != 0 || len(a.Recovery) != 0 {
		t.Errorf("%d sign-ins, recovery codes left: %q here, %q held", f.signIns, f.recovery, a.Recovery)
	}
}
