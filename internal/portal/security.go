package portal

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/tillit/tillit/internal/access"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/web"
)

// The security settings page (T11): every merchant user, whatever their
// role, manages their own account's two-step verification (turn it on with
// an authenticator app, see the recovery codes once, make new ones, turn it
// off with a code) and their sessions (see where they are signed in, end
// one or all the others). Package account audits each change.

// securityPath is the security settings page.
const securityPath = Prefix + "security"

// Code fields of the page's forms; each form has its own so that an error
// shows beside the form that was sent.
const (
	fieldConfirmCode    = "confirm_code"
	fieldDisableCode    = "disable_code"
	fieldRegenerateCode = "regenerate_code"
)

// securityPageData is the security settings page.
type securityPageData struct {
	page
	TwoStep account.TwoStep
	// Enrolment is the authenticator being set up, waiting for its first
	// code, and EnrolmentLink its otpauth:// URI, which html/template would
	// otherwise refuse as a link.
	Enrolment     *account.Enrolment
	EnrolmentLink template.URL
	// RecoveryCodes are new recovery codes, shown this once.
	RecoveryCodes []string
	Sessions      []account.ListedSession
	// Confirm, Disable and Regenerate are the code forms, with their
	// errors when one was sent.
	Confirm, Disable, Regenerate *web.Form
	// Problem is why a code was refused.
	Problem *web.Message
}

// SecurityPath is where the page lives, for the shared partials.
func (securityPageData) SecurityPath() string { return securityPath }

// routeSecurity serves the security settings page and its actions.
func (p *Pages) routeSecurity(mux *access.Router) {
	mux.HandleFunc("GET "+securityPath, p.signedIn(p.securityPage))
	mux.HandleFunc("POST "+securityPath+"/two-step/start", p.signedIn(p.startTwoStep))
	mux.HandleFunc("POST "+securityPath+"/two-step/confirm", p.signedIn(p.confirmTwoStep))
	mux.HandleFunc("POST "+securityPath+"/two-step/disable", p.signedIn(p.disableTwoStep))
	mux.HandleFunc("POST "+securityPath+"/recovery-codes", p.signedIn(p.regenerateCodes))
	mux.HandleFunc("POST "+securityPath+"/sessions/revoke-others", p.signedIn(p.revokeOtherSessions))
	mux.HandleFunc("POST "+securityPath+"/sessions/{id}/revoke", p.signedIn(p.revokeSession))
}

// securityPage shows the page.
func (p *Pages) securityPage(w http.ResponseWriter, r *http.Request, u *user) {
	p.renderSecurity(w, r, u, http.StatusOK, securityPageData{})
}

// renderSecurity fills in the account's two-step state, the waiting
// enrolment and the sessions, and renders the page with status.
func (p *Pages) renderSecurity(w http.ResponseWriter, r *http.Request, u *user, status int, data securityPageData) {
	ctx := r.Context()
	var err error
	if data.TwoStep, err = p.cfg.Accounts.TwoStepStatus(ctx, account.KindMerchant, u.ID); err != nil {
		p.fail(w, r, "two-step status", err)
		return
	}
	if data.TwoStep.Pending {
		e, found, err := p.cfg.Accounts.PendingEnrolment(ctx, account.KindMerchant, u.ID)
		if err != nil {
			p.fail(w, r, "pending enrolment", err)
			return
		}
		if found && strings.HasPrefix(e.URI, "otpauth://") {
			data.Enrolment, data.EnrolmentLink = &e, template.URL(e.URI)
		}
	}
	sessions, err := p.cfg.Accounts.ListSessions(ctx, account.KindMerchant, u.ID)
	if err != nil {
		p.fail(w, r, "list sessions", err)
		return
	}
	data.Sessions = account.MarkCurrent(sessions, u.SessionID)
	for _, f := range []**web.Form{&data.Confirm, &data.Disable, &data.Regenerate} {
		if *f == nil {
			*f = web.NewForm(nil)
		}
	}
	data.page = page{User: u, Section: "security"}
	p.rd.Render(w, r, status, "merchant/security", data)
}

// codeFailure renders the page after a refused code: 401 for a wrong code,
// 429 while the account is locked, 409 when two-step verification is not in
// the state the action needs. It reports false for other errors, which the
// caller handles.
func (p *Pages) codeFailure(w http.ResponseWriter, r *http.Request, u *user, err error, data securityPageData) bool {
	switch apperr.Code(err) {
	case apperr.InvalidOTP:
		data.Problem = &web.Message{Key: "security.signin_code.wrong"}
		p.renderSecurity(w, r, u, http.StatusUnauthorized, data)
	case apperr.TooManyRequests:
		data.Problem = &web.Message{Key: "security.signin_code.locked", Args: []any{"minutes", int(p.cfg.Accounts.Config.SecondFactor.Lockout.Minutes())}}
		p.renderSecurity(w, r, u, http.StatusTooManyRequests, data)
	case apperr.NotAllowed:
		data.Problem = &web.Message{Key: "accountsecurity.two_step.changed"}
		p.renderSecurity(w, r, u, http.StatusConflict, data)
	default:
		return false
	}
	return true
}

// codeForm parses a form with one code field; it answers 400 for a body
// that does not parse, and re-renders the page with 422 (writing nothing)
// for a missing or oversized code.
func (p *Pages) codeForm(w http.ResponseWriter, r *http.Request, u *user, field string, slot func(*securityPageData) **web.Form) (*web.Form, bool) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return nil, false
	}
	form := web.NewForm(r.PostForm)
	form.Required(field)
	form.MaxLength(field, maxCode)
	if !form.Valid() {
		var data securityPageData
		*slot(&data) = form
		p.renderSecurity(w, r, u, http.StatusUnprocessableEntity, data)
		return nil, false
	}
	return form, true
}

// startTwoStep sets up a new authenticator, which the page then shows
// until its first code turns it on.
func (p *Pages) startTwoStep(w http.ResponseWriter, r *http.Request, u *user) {
	_, err := p.cfg.Accounts.StartEnrolment(r.Context(), account.KindMerchant, u.ID, u.MerchantID)
	if apperr.Code(err) == apperr.NotAllowed {
		p.codeFailure(w, r, u, err, securityPageData{})
		return
	}
	if err != nil {
		p.fail(w, r, "start enrolment", err)
		return
	}
	web.Redirect(w, r, securityPath+"#two-step")
}

// confirmTwoStep turns the authenticator on with its first code and shows
// the recovery codes once.
func (p *Pages) confirmTwoStep(w http.ResponseWriter, r *http.Request, u *user) {
	form, ok := p.codeForm(w, r, u, fieldConfirmCode, func(d *securityPageData) **web.Form { return &d.Confirm })
	if !ok {
		return
	}
	codes, err := p.cfg.Accounts.ConfirmEnrolment(r.Context(), account.KindMerchant, u.ID, form.Get(fieldConfirmCode))
	if err != nil {
		if !p.codeFailure(w, r, u, err, securityPageData{Confirm: form}) {
			p.fail(w, r, "confirm enrolment", err)
		}
		return
	}
	p.renderSecurity(w, r, u, http.StatusOK, securityPageData{RecoveryCodes: codes})
}

// disableTwoStep turns two-step verification off, given a current code
// from the authenticator.
func (p *Pages) disableTwoStep(w http.ResponseWriter, r *http.Request, u *user) {
	form, ok := p.codeForm(w, r, u, fieldDisableCode, func(d *securityPageData) **web.Form { return &d.Disable })
	if !ok {
		return
	}
	err := p.cfg.Accounts.DisableTwoStep(r.Context(), account.KindMerchant, u.ID, form.Get(fieldDisableCode))
	if err != nil {
		if !p.codeFailure(w, r, u, err, securityPageData{Disable: form}) {
			p.fail(w, r, "disable two-step", err)
		}
		return
	}
	web.Flash(w, r, web.FlashInfo, "accountsecurity.two_step.disabled")
	web.Redirect(w, r, securityPath)
}

// regenerateCodes replaces the recovery codes, given a current code from
// the authenticator, and shows the new ones once.
func (p *Pages) regenerateCodes(w http.ResponseWriter, r *http.Request, u *user) {
	form, ok := p.codeForm(w, r, u, fieldRegenerateCode, func(d *securityPageData) **web.Form { return &d.Regenerate })
	if !ok {
		return
	}
	codes, err := p.cfg.Accounts.RegenerateRecoveryCodes(r.Context(), account.KindMerchant, u.ID, form.Get(fieldRegenerateCode))
	if err != nil {
		if !p.codeFailure(w, r, u, err, securityPageData{Regenerate: form}) {
			p.fail(w, r, "regenerate recovery codes", err)
		}
		return
	}
	p.renderSecurity(w, r, u, http.StatusOK, securityPageData{RecoveryCodes: codes})
}

// revokeSession ends one of the user's own sessions; ending the current one
// signs this browser out. An id that is not one of the user's live
// sessions is 404 and ends nothing.
func (p *Pages) revokeSession(w http.ResponseWriter, r *http.Request, u *user) {
	id := r.PathValue("id")
	sessions, err := p.cfg.Accounts.ListSessions(r.Context(), account.KindMerchant, u.ID)
	if err != nil {
		p.fail(w, r, "list sessions", err)
		return
	}
	found := false
	for _, s := range sessions {
		found = found || s.ID == id
	}
	if !found {
		p.rd.Error(w, r, http.StatusNotFound)
		return
	}
	if err := p.cfg.Accounts.RevokeSession(r.Context(), account.KindMerchant, u.ID, id); err != nil {
		p.fail(w, r, "revoke session", err)
		return
	}
	if id == u.SessionID {
		p.setSessionCookie(w, r, "")
		web.Flash(w, r, web.FlashInfo, "auth.signed_out")
		web.Redirect(w, r, Prefix+"signin")
		return
	}
	web.Flash(w, r, web.FlashSuccess, "accountsecurity.sessions.revoked")
	web.Redirect(w, r, securityPath+"#sessions")
}

// revokeOtherSessions ends every session of the user but this browser's.
func (p *Pages) revokeOtherSessions(w http.ResponseWriter, r *http.Request, u *user) {
	n, err := p.cfg.Accounts.RevokeOtherSessions(r.Context(), account.KindMerchant, u.ID, u.SessionID)
	if err != nil {
		p.fail(w, r, "revoke other sessions", err)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "accountsecurity.sessions.others_revoked", "count", n)
	web.Redirect(w, r, securityPath+"#sessions")
}
