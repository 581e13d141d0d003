package backoffice

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/web"
)

// PendingCookieName is the cookie that carries a sign-in waiting for its
// second factor (account.Pending): only between the password and the code.
const PendingCookieName = "tillit_staff_pending"

// verifyPath is the second step of signing in: the authenticator code, or
// setting the authenticator up for a member of staff who has none.
const verifyPath = Prefix + "signin/verify"

// setPendingCookie sets (or, with an empty token, deletes) the pending
// sign-in cookie, which lasts as long as the pending sign-in.
func (p *Pages) setPendingCookie(w http.ResponseWriter, r *http.Request, token string) {
	c := &http.Cookie{
		Name: PendingCookieName, Value: token, Path: Prefix,
		HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: p.cfg.SecureCookies || r.TLS != nil, MaxAge: int(account.PendingLifetime.Seconds()),
	}
	if token == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// verifyPage is the data of the second step's page.
type verifyPage struct {
	Form *web.Form
	Next string
	// Enrolment is the authenticator to add, for a member of staff
	// without one, and EnrolmentLink its otpauth:// URI, which
	// html/template would otherwise refuse as a link.
	Enrolment     *account.Enrolment
	EnrolmentLink template.URL
	// Problem is why the code was refused.
	Problem *web.Message
	// RecoveryCodes are shown once, after the authenticator was set up.
	RecoveryCodes []string
}

// pendingSignIn returns the browser's pending sign-in, or sends it back to
// the password form (told that it took too long) and returns false.
func (p *Pages) pendingSignIn(w http.ResponseWriter, r *http.Request) (account.Pending, string, bool) {
	c, err := r.Cookie(PendingCookieName)
	if err == nil {
		pending, err := p.cfg.Accounts.PendingSignIn(r.Context(), account.KindStaff, c.Value)
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
	web.Redirect(w, r, signInPath)
	return account.Pending{}, "", false
}

// render shows the second step for the pending sign-in: for a member of
// staff without an authenticator, with the one to add.
func (p *Pages) renderVerify(w http.ResponseWriter, r *http.Request, status int, pending account.Pending, token string, page verifyPage) {
	if pending.Stage == account.StageEnrol {
		e, err := p.cfg.Accounts.EnrolForSignIn(r.Context(), account.KindStaff, token)
		if err != nil {
			p.fail(w, r, "enrol at sign-in", err)
			return
		}
		page.Enrolment = &e
		if strings.HasPrefix(e.URI, "otpauth://") {
			page.EnrolmentLink = template.URL(e.URI)
		}
	}
	p.rd.Render(w, r, status, "staff/signin_verify", page)
}

// verifyPageGet shows the code form.
func (p *Pages) verifyPageGet(w http.ResponseWriter, r *http.Request) {
	pending, token, ok := p.pendingSignIn(w, r)
	if !ok {
		return
	}
	p.renderVerify(w, r, http.StatusOK, pending, token, verifyPage{Form: web.NewForm(nil), Next: safeNext(r.URL.Query().Get("next"))})
}

// maxCode is the longest code the form takes.
const maxCode = 64

// verify checks the code and starts the session; after the authenticator
// was set up, it shows the recovery codes once.
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
	page := verifyPage{Form: form, Next: safeNext(form.Get("next"))}
	if !form.Valid() {
		p.renderVerify(w, r, http.StatusUnprocessableEntity, pending, token, page)
		return
	}
	in, err := p.cfg.Accounts.CompleteSignIn(r.Context(), account.KindStaff, token, form.Get("code"), r.UserAgent(), clientIP(r))
	if apperr.Code(err) == apperr.Unauthorized {
		p.pendingSignIn(w, r)
		return
	}
	if problem, status, refused := web.CodeRefusal(err, p.cfg.Accounts.Config.SecondFactor.Lockout); refused {
		page.Problem = problem
		p.renderVerify(w, r, status, pending, token, page)
		return
	}
	if err != nil {
		p.fail(w, r, "complete sign-in", err)
		return
	}
	st, err := p.cfg.Accounts.GetStaff(r.Context(), pending.SubjectID)
	if err != nil {
		p.fail(w, r, "signed-in staff", err)
		return
	}
	if in.UsedRecoveryCode {
		web.Flash(w, r, web.FlashWarning, "security.recovery.used", "count", in.RecoveryCodesLeft)
	}
	if len(in.RecoveryCodes) > 0 {
		p.setSessionCookie(w, r, in.Token)
		p.setPendingCookie(w, r, "")
		p.rd.Render(w, r, http.StatusOK, "staff/signin_verify", verifyPage{Next: page.Next, RecoveryCodes: in.RecoveryCodes})
		return
	}
	p.startSession(w, r, st, in.Token, page.Next)
}
