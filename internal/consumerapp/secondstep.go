package consumerapp

import (
	"net/http"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/web"
)

// The second step of signing in, for a consumer with two-step verification
// on: after the e-mailed code, a code from their authenticator app or one of
// their recovery codes (package account's BeginSignIn and CompleteSignIn).
const (
	secondStepPath = Prefix + "signin/verify"
	// pendingCookie holds the pending sign-in's token between the two
	// steps, scoped to the sign-in pages.
	pendingCookie = "tillit_consumer_pending"
)

// secondStepPage is the data of the authenticator code form.
type secondStepPage struct {
	Form *web.Form
}

// lockMinutes is a lockout period in whole minutes, rounded up, at least 1.
func lockMinutes(d time.Duration) int {
	return max(1, int((d+time.Minute-1)/time.Minute))
}

// lockedFor is how many minutes are left of the account's lockout
// (package account's LockedUntil), or fallback's when it cannot tell.
func (p *Pages) lockedFor(r *http.Request, consumerID string, fallback time.Duration) int {
	until, err := p.cfg.Accounts.LockedUntil(r.Context(), account.KindConsumer, consumerID)
	if err != nil || until.IsZero() {
		return lockMinutes(fallback)
	}
	return lockMinutes(until.Sub(p.cfg.Clock.Now()))
}

// pendingSignIn returns the pending sign-in of the request's cookie, or
// sends the browser back to the start (its sign-in expired) and reports
// false.
func (p *Pages) pendingSignIn(w http.ResponseWriter, r *http.Request) (account.Pending, string, bool) {
	c, err := r.Cookie(pendingCookie)
	token := ""
	if err == nil {
		token = c.Value
	}
	pending, err := p.cfg.Accounts.PendingSignIn(r.Context(), account.KindConsumer, token)
	switch errCode(err) {
	case "":
		return pending, token, true
	case apperr.Unauthorized:
		http.SetCookie(w, p.cookie(r, pendingCookie, "", signInPath, -1))
		web.Flash(w, r, web.FlashWarning, "security.signin_code.expired")
		web.Redirect(w, r, signInPath)
		return account.Pending{}, "", false
	}
	p.serverError(w, r, err)
	return account.Pending{}, "", false
}

// secondStepForm asks for the authenticator or recovery code.
func (p *Pages) secondStepForm(w http.ResponseWriter, r *http.Request) {
	if state(r).session != nil {
		web.Redirect(w, r, Prefix)
		return
	}
	if _, _, ok := p.pendingSignIn(w, r); !ok {
		return
	}
	p.rd.Render(w, r, http.StatusOK, "consumer/secondstep", secondStepPage{web.NewForm(nil)})
}

// secondStep checks the code and starts the session. A wrong code is shown
// again (401); too many wrong codes lock the account for a while, and the
// page says for how long (429).
func (p *Pages) secondStep(w http.ResponseWriter, r *http.Request) {
	pending, token, ok := p.pendingSignIn(w, r)
	if !ok || !p.parseForm(w, r) {
		return
	}
	form := web.NewForm(r.PostForm)
	form.Required("code")
	form.MaxLength("code", maxCodeLength)
	if !form.Valid() {
		p.rd.Render(w, r, http.StatusUnprocessableEntity, "consumer/secondstep", secondStepPage{form})
		return
	}
	in, err := p.cfg.Accounts.CompleteSignIn(r.Context(), account.KindConsumer, token, form.Get("code"), r.UserAgent(), clientIP(r))
	switch errCode(err) {
	case "":
	case apperr.Unauthorized:
		p.pendingSignIn(w, r)
		return
	case apperr.InvalidOTP:
		form.AddError("code", "security.signin_code.wrong")
		p.rd.Render(w, r, http.StatusUnauthorized, "consumer/secondstep", secondStepPage{form})
		return
	case apperr.TooManyRequests:
		form.AddError("code", "security.signin_code.locked", "minutes", p.lockedFor(r, pending.SubjectID, p.cfg.Accounts.Config.SecondFactor.Lockout))
		p.rd.Render(w, r, http.StatusTooManyRequests, "consumer/secondstep", secondStepPage{form})
		return
	default:
		p.serverError(w, r, err)
		return
	}
	c, err := p.cfg.Accounts.GetConsumer(r.Context(), pending.SubjectID)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	p.setSessionCookie(w, r, in.Token, in.Session.ExpiresAt)
	http.SetCookie(w, p.cookie(r, pendingCookie, "", signInPath, -1))
	if in.UsedRecoveryCode {
		web.Flash(w, r, web.FlashWarning, "security.recovery.used", "count", in.RecoveryCodesLeft)
	}
	web.Flash(w, r, web.FlashSuccess, "auth.signed_in_as", "email", c.Email)
	web.Redirect(w, r, Prefix)
}
