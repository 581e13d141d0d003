package portal

import (
	"net/http"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/web"
)

// PendingCookie is the cookie that carries a merchant user's sign-in while
// it waits for the second factor (account.Pending): only between the
// password and the code.
const PendingCookie = "tillit_merchant_pending"

// verifyPath is the second step of signing in, for users with two-step
// verification on: a code from the authenticator app or a recovery code.
const verifyPath = Prefix + "signin/verify"

// maxCode is the longest code a form takes.
const maxCode = 64

// setPendingCookie sets (or, with an empty token, deletes) the pending
// sign-in cookie; it lasts as long as the pending sign-in.
func (p *Pages) setPendingCookie(w http.ResponseWriter, r *http.Request, token string) {
	c := &http.Cookie{
		Name: PendingCookie, Value: token, Path: Prefix, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil || p.cfg.SecureCookies, MaxAge: int(account.PendingLifetime.Seconds()),
	}
	if token == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// verifyPageData is the code page.
type verifyPageData struct {
	page
	Form *web.Form
	Next string
	// Problem is why the code was refused.
	Problem *web.Message
}

// pendingSignIn returns the browser's pending sign-in and its token, or
// sends the browser back to the password form (told it took too long) and
// returns false.
func (p *Pages) pendingSignIn(w http.ResponseWriter, r *http.Request) (account.Pending, string, bool) {
	if c, err := r.Cookie(PendingCookie); err == nil {
		pending, err := p.cfg.Accounts.PendingSignIn(r.Context(), account.KindMerchant, c.Value)
		if err == nil {
			return pending, c.Value, true
		}
		if apperr.Code(err) != apperr.Unauthorized {
			p.fail(w, r, "pending sign-in", err)
			return account.Pending{}, "", false
		}
	}
	p.setPendingCookie(w, r, "")
	web.Flash(w, r, web.FlashWarning, "security.signin_code.expired")
	web.Redirect(w, r, Prefix+"signin")
	return account.Pending{}, "", false
}

// verifyPage shows the code form.
func (p *Pages) verifyPage(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := p.pendingSignIn(w, r); !ok {
		return
	}
	p.rd.Render(w, r, http.StatusOK, "merchant/signin_verify", verifyPageData{Form: web.NewForm(nil), Next: safeNext(r.URL.Query().Get("next"))})
}

// verify checks the code (authenticator or recovery code) and starts the
// session; a wrong code is told so, and too many wrong codes pause signing
// in to the account for the lockout period.
func (p *Pages) verify(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	pending, token, ok := p.pendingSignIn(w, r)
	if !ok {
		return
	}
	form := web.NewForm(r.PostForm)
	form.Required("code")
	form.MaxLength("code", maxCode)
	data := verifyPageData{Form: form, Next: safeNext(form.Get("next"))}
	if !form.Valid() {
		p.rd.Render(w, r, http.StatusUnprocessableEntity, "merchant/signin_verify", data)
		return
	}
	in, err := p.cfg.Accounts.CompleteSignIn(r.Context(), account.KindMerchant, token, form.Get("code"), r.UserAgent(), clientIP(r))
	if apperr.Code(err) == apperr.Unauthorized {
		p.setPendingCookie(w, r, "")
		web.Flash(w, r, web.FlashWarning, "security.signin_code.expired")
		web.Redirect(w, r, Prefix+"signin")
		return
	}
	if problem, status, refused := web.CodeRefusal(err, p.cfg.Accounts.Config.SecondFactor.Lockout); refused {
		data.Problem = problem
		p.rd.Render(w, r, status, "merchant/signin_verify", data)
		return
	}
	if err != nil {
		p.fail(w, r, "complete sign-in", err)
		return
	}
	mu, err := p.cfg.Accounts.GetMerchantUser(r.Context(), pending.SubjectID)
	if err != nil {
		p.fail(w, r, "signed-in user", err)
		return
	}
	if in.UsedRecoveryCode {
		web.Flash(w, r, web.FlashWarning, "security.recovery.used", "count", in.RecoveryCodesLeft)
	}
	p.startSession(w, r, mu.Name, in.Token, data.Next)
}
