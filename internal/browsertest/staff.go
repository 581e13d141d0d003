package browsertest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/totp"
)

// Signing a member of staff in to the back office through its English
// pages takes two steps (docs/account-security.md): the password at
// /staff/signin, then the code page at /staff/signin/verify. There, a member
// of staff without an authenticator sets one up (the page shows its secret
// in #totp-secret), types its first code and is shown recovery codes once
// (#recovery-codes) before going on; one with an authenticator types its
// code.

// Authenticator is a member of staff's authenticator app as a test holds
// it. The zero value has none set up yet: SignInStaff and StaffCode set it
// up from the code page. A test that sets staff up directly
// (account.Service.StartEnrolment) keeps the secret in Secret, confirms
// with Code and keeps the recovery codes it gets back in Recovery. Share
// one Authenticator per member of staff between all of a test's sign-ins:
// Tillit refuses a code whose step was used before.
type Authenticator struct {
	// Secret is the app's secret, base32 as Tillit shows it.
	Secret string
	// Recovery holds the recovery codes not handed out yet.
	Recovery []string
	// lastStep is the time step of the last code Code handed out.
	lastStep int64
}

// Code returns a code Tillit has not accepted yet at now: the app's code of
// the earliest step of the window Tillit accepts (totp.Skew steps either
// side of now) after the last one handed out, else, since a test's clock
// may stand still while it signs in many times, a recovery code. It fails
// the test when it has no secret or runs out of codes. The secret, the
// recovery codes and each code are registered with logscan.Secret.
func (a *Authenticator) Code(t testing.TB, now time.Time) string {
	t.Helper()
	logscan.Secret(logscan.AuthenticatorSecret, a.Secret)
	for _, c := range a.Recovery {
		logscan.Secret(logscan.OneTimeCode, c)
	}
	step := max(a.lastStep+1, totp.Step(now)-totp.Skew)
	if a.Secret == "" || step > totp.Step(now)+totp.Skew {
		if len(a.Recovery) == 0 {
			t.Fatal("authenticator: no code left to give (move the clock on, or keep the recovery codes)")
		}
		c := a.Recovery[0]
		a.Recovery = a.Recovery[1:]
		return c
	}
	c, err := totp.Code(a.Secret, time.Unix(step*int64(totp.Period/time.Second), 0))
	if err != nil {
		t.Fatalf("authenticator: %v", err)
	}
	a.lastStep = step
	logscan.Secret(logscan.OneTimeCode, c)
	return c
}

// SignInStaff signs the member of staff with the e-mail address and
// password in to the back office of the Tillit at base (the server's URL):
// it opens the sign-in page, sends the password and answers the code page
// with StaffCode, with a, whose codes are computed at now() (the test's
// clock). It fails the test unless the browser ends on a back-office page
// (the home page), signed in. The password is registered with
// logscan.Secret.
func (b *Browser) SignInStaff(base, email, password string, a *Authenticator, now func() time.Time) {
	b.t.Helper()
	logscan.Secret(logscan.Password, password)
	if status := b.Navigate(base + "/staff/signin"); status != http.StatusOK {
		b.t.Fatalf("staff sign-in page: %d at %s", status, b.URL())
	}
	b.Fill("E-mail", email)
	b.Fill("Password", password)
	if status := b.Submit("Sign in"); status != http.StatusOK || b.path() != "/staff/signin/verify" {
		b.t.Fatalf("staff sign-in as %s: %d at %s, want the code page", email, status, b.URL())
	}
	b.StaffCode(a, now)
}

// StaffCode answers the back office's code page, where the browser is after
// a member of staff's password: when the page sets up an authenticator, it
// takes the page's secret into a (replacing what a held), types the first
// code and keeps the recovery codes shown, then goes on; otherwise it types
// a's code (computed at now()). It fails the test unless the browser ends
// signed in, on a back-office page past the sign-in pages.
func (b *Browser) StaffCode(a *Authenticator, now func() time.Time) {
	b.t.Helper()
	if p := b.path(); p != "/staff/signin/verify" {
		b.t.Fatalf("staff code: the browser is at %s, not on the code page", b.URL())
	}
	enrol := b.Count("#totp-secret") == 1
	if enrol {
		*a = Authenticator{Secret: strings.TrimSpace(b.Text("#totp-secret"))}
	}
	b.Fill("Code", a.Code(b.t, now()))
	status := b.Submit("Sign in")
	if status != http.StatusOK || b.path() == "/staff/signin/verify" && b.Count("#recovery-codes") == 0 {
		problem := ""
		if b.Count("#verify-problem") == 1 {
			problem = b.Text("#verify-problem")
		}
		b.t.Fatalf("staff code: %d at %s %s", status, b.URL(), problem)
	}
	if enrol {
		if b.Count("#recovery-codes") != 1 {
			b.t.Fatalf("staff code: no recovery codes after setting up the authenticator (at %s)", b.URL())
		}
		a.Recovery = Eval[[]string](b, `[...document.querySelectorAll("#recovery-codes code")].map(c => c.textContent.trim())`)
		for _, c := range a.Recovery {
			logscan.Secret(logscan.OneTimeCode, c)
		}
		if len(a.Recovery) == 0 {
			b.t.Fatalf("staff code: the recovery code list is empty")
		}
		if status := b.Submit("I have stored them safely, continue"); status != http.StatusOK {
			b.t.Fatalf("staff code: continue past the recovery codes: %d at %s", status, b.URL())
		}
	}
	if p := b.path(); !strings.HasPrefix(p, "/staff/") || strings.HasPrefix(p, "/staff/signin") {
		b.t.Fatalf("staff code: not signed in, at %s", b.URL())
	}
}

// path returns the path of the current page's URL.
func (b *Browser) path() string {
	b.t.Helper()
	u, err := url.Parse(b.URL())
	if err != nil {
		b.t.Fatalf("browser: URL: %v", err)
	}
	return u.Path
}
