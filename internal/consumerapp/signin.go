package consumerapp

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/web"
)

// signInCookie remembers, between the e-mail form and the code form, which
// address the code went to. It is scoped to the sign-in pages and lives a
// little longer than a code.
const (
	signInCookie    = "tillit_consumer_signin"
	signInCookieAge = account.LoginCodeLifetime + 5*time.Minute
	maxEmailLength  = 254
	maxCodeLength   = 20
)

// locales maps a page language to the locale a new consumer's account gets.
var locales = map[i18n.Lang]string{
	i18n.Danish: "da-DK", i18n.English: "en-GB", i18n.Dutch: "nl-NL", i18n.Swedish: "sv-SE",
}

// signInPage is the data of the e-mail form.
type signInPage struct {
	Form *web.Form
}

// codePage is the data of the code form.
type codePage struct {
	Form    *web.Form
	Email   string
	Minutes int
	// Mailbox links to the demo mailbox for the address (demo mode only).
	Mailbox string
}

// signInEmail returns the address the sign-in cookie remembers, or "".
func signInEmail(r *http.Request) string {
	c, err := r.Cookie(signInCookie)
	if err != nil {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(b) > maxEmailLength {
		return ""
	}
	return string(b)
}

// signInForm shows the e-mail form, or the app to a consumer who is signed in.
func (p *Pages) signInForm(w http.ResponseWriter, r *http.Request) {
	if state(r).session != nil {
		web.Redirect(w, r, Prefix)
		return
	}
	form := web.NewForm(nil)
	form.Values.Set("email", signInEmail(r))
	p.rd.Render(w, r, http.StatusOK, "consumer/signin", signInPage{form})
}

// requestCode e-mails a sign-in code (the same answer whether or not the
// address has an account) and moves on to the code form. It also serves the
// code form's "send a new code" button.
func (p *Pages) requestCode(w http.ResponseWriter, r *http.Request) {
	if !p.parseForm(w, r) {
		return
	}
	form := web.NewForm(r.PostForm)
	form.Required("email")
	form.MaxLength("email", maxEmailLength)
	form.Email("email")
	if !form.Valid() {
		p.rd.Render(w, r, http.StatusUnprocessableEntity, "consumer/signin", signInPage{form})
		return
	}
	email := form.Get("email")
	err := p.cfg.Accounts.RequestLoginCode(r.Context(), email, locales[web.Lang(r)])
	switch errCode(err) {
	case "":
	case apperr.TooManyRequests:
		form.AddError("email", "consumer.signin.too_many", "minutes", lockMinutes(p.cfg.Accounts.Config.CodeRequests.Lockout))
		p.rd.Render(w, r, http.StatusTooManyRequests, "consumer/signin", signInPage{form})
		return
	case apperr.BadValue:
		form.AddError("email", "form.invalid_email")
		p.rd.Render(w, r, http.StatusUnprocessableEntity, "consumer/signin", signInPage{form})
		return
	default:
		p.serverError(w, r, err)
		return
	}
	http.SetCookie(w, p.cookie(r, signInCookie, base64.RawURLEncoding.EncodeToString([]byte(email)), signInPath, int(signInCookieAge/time.Second)))
	if form.Get("resend") != "" {
		web.Flash(w, r, web.FlashInfo, "consumer.signin.code_resent")
	}
	web.Redirect(w, r, codePath)
}

// codeForm asks for the code sent to the remembered address.
func (p *Pages) codeForm(w http.ResponseWriter, r *http.Request) {
	if state(r).session != nil {
		web.Redirect(w, r, Prefix)
		return
	}
	email := signInEmail(r)
	if email == "" {
		web.Redirect(w, r, signInPath)
		return
	}
	p.rd.Render(w, r, http.StatusOK, "consumer/code", p.codePage(web.NewForm(nil), email))
}

func (p *Pages) codePage(form *web.Form, email string) codePage {
	page := codePage{Form: form, Email: email, Minutes: int(account.LoginCodeLifetime / time.Minute)}
	if p.cfg.Demo {
		page.Mailbox = MailboxPath + "?" + url.Values{"email": {email}}.Encode()
	}
	return page
}

// verifyCode checks the code and, when it is right, starts a session and
// opens the app.
func (p *Pages) verifyCode(w http.ResponseWriter, r *http.Request) {
	email := signInEmail(r)
	if email == "" {
		web.Flash(w, r, web.FlashWarning, "consumer.signin.start_again")
		web.Redirect(w, r, signInPath)
		return
	}
	if !p.parseForm(w, r) {
		return
	}
	form := web.NewForm(r.PostForm)
	form.Required("code")
	form.MaxLength("code", maxCodeLength)
	if !form.Valid() {
		p.rd.Render(w, r, http.StatusUnprocessableEntity, "consumer/code", p.codePage(form, email))
		return
	}
	c, err := p.cfg.Accounts.VerifyLoginCode(r.Context(), email, form.Get("code"))
	switch errCode(err) {
	case "":
	case apperr.InvalidOTP:
		form.AddError("code", "consumer.signin.bad_code")
		p.rd.Render(w, r, http.StatusUnprocessableEntity, "consumer/code", p.codePage(form, email))
		return
	case apperr.TooManyRequests:
		form.AddError("code", "consumersecurity.signin.code_locked", "minutes", lockMinutes(p.cfg.Accounts.Config.CodeChecks.Lockout))
		p.rd.Render(w, r, http.StatusTooManyRequests, "consumer/code", p.codePage(form, email))
		return
	default:
		p.serverError(w, r, err)
		return
	}
	if old := state(r).session; old != nil {
		if err := p.cfg.Accounts.RevokeSession(r.Context(), account.KindConsumer, old.SubjectID, old.ID); err != nil {
			p.serverError(w, r, err)
			return
		}
	}
	// With two-step verification on, the session starts only after the
	// authenticator (or a recovery code) on the next page.
	in, err := p.cfg.Accounts.BeginSignIn(r.Context(), account.KindConsumer, c.ID, "", r.UserAgent(), clientIP(r))
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	http.SetCookie(w, p.cookie(r, signInCookie, "", signInPath, -1))
	if in.Pending != nil {
		http.SetCookie(w, p.cookie(r, pendingCookie, in.Pending.Token, signInPath, int(account.PendingLifetime/time.Second)))
		web.Redirect(w, r, secondStepPath)
		return
	}
	p.setSessionCookie(w, r, in.Token, in.Session.ExpiresAt)
	web.Flash(w, r, web.FlashSuccess, "auth.signed_in_as", "email", c.Email)
	web.Redirect(w, r, Prefix)
}

// signOut ends the session and forgets its cookie.
func (p *Pages) signOut(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	if st.err != nil {
		p.serverError(w, r, st.err)
		return
	}
	if sess := st.session; sess != nil {
		if err := p.cfg.Accounts.RevokeSession(r.Context(), account.KindConsumer, sess.SubjectID, sess.ID); err != nil {
			p.serverError(w, r, err)
			return
		}
		web.Flash(w, r, web.FlashInfo, "auth.signed_out")
	}
	http.SetCookie(w, p.cookie(r, SessionCookie, "", Prefix, -1))
	web.Redirect(w, r, signInPath)
}
