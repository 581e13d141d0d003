package consumerapp

import (
	"html/template"
	"net/http"
	"regexp"
	"time"

	"github.com/tillit/tillit/internal/access"
	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/totp"
	"github.com/tillit/tillit/internal/web"
)

// Security settings (requirement T11, package account): the consumer turns
// two-step verification with an authenticator app on and off, gets new
// recovery codes, sees the browsers signed in to their account and signs
// them out, and freezes their account (see cards.go).
const securityPath = Prefix + "security"

// secretPattern is an authenticator secret as package totp writes it
// (base32 without padding); the enrolment form carries it back only to
// show it again after a wrong first code.
var secretPattern = regexp.MustCompile(`^[A-Z2-7]{16,64}$`)

// addSecurity serves the security settings.
func (p *Pages) addSecurity(mux *access.Router) {
	mux.HandleFunc("GET "+securityPath, p.signedIn(p.security))
	mux.HandleFunc("POST "+securityPath+"/two-step", p.signedIn(p.startEnrolment))
	mux.HandleFunc("POST "+securityPath+"/two-step/confirm", p.signedIn(p.confirmEnrolment))
	mux.HandleFunc("POST "+securityPath+"/two-step/disable", p.signedIn(p.disableTwoStep))
	mux.HandleFunc("POST "+securityPath+"/recovery-codes", p.signedIn(p.regenerateCodes))
	mux.HandleFunc("POST "+securityPath+"/sessions/others/revoke", p.signedIn(p.revokeOthers))
	mux.HandleFunc("POST "+securityPath+"/sessions/{session}/revoke", p.signedIn(p.revokeSession))
}

// sessionRow is a signed-in browser in the list.
type sessionRow struct {
	account.Session
	// Current is the browser looking at the page.
	Current bool
	// CreatedClock and LastSeenClock are the times of day (UTC) next to
	// the dates.
	CreatedClock, LastSeenClock string
}

// securityPage is the data of the security settings page.
type securityPage struct {
	shell
	Freeze  accountFreeze
	TwoStep account.TwoStep
	// EnabledAt is when two-step verification was turned on.
	EnabledAt time.Time
	Sessions  []sessionRow
	// DisableForm and RegenerateForm are the code forms, with their
	// errors after a failed try.
	DisableForm    *web.Form
	RegenerateForm *web.Form
}

// security shows the settings.
func (p *Pages) security(w http.ResponseWriter, r *http.Request, cv consumerView) {
	p.showSecurity(w, r, cv, http.StatusOK, nil, nil)
}

// showSecurity renders the settings page; disable and regenerate are the
// forms that failed, if any.
func (p *Pages) showSecurity(w http.ResponseWriter, r *http.Request, cv consumerView, status int, disable, regenerate *web.Form) {
	page := securityPage{shell: shell{Email: cv.Consumer.Email, Nav: "security"}, DisableForm: disable, RegenerateForm: regenerate}
	if page.DisableForm == nil {
		page.DisableForm = web.NewForm(nil)
	}
	if page.RegenerateForm == nil {
		page.RegenerateForm = web.NewForm(nil)
	}
	var err error
	if page.Freeze, err = p.accountFreeze(r, cv); err != nil {
		p.serverError(w, r, err)
		return
	}
	if page.TwoStep, err = p.cfg.Accounts.TwoStepStatus(r.Context(), account.KindConsumer, cv.Consumer.ID); err != nil {
		p.serverError(w, r, err)
		return
	}
	if page.TwoStep.EnabledAt != nil {
		page.EnabledAt = *page.TwoStep.EnabledAt
	}
	sessions, err := p.cfg.Accounts.ListSessions(r.Context(), account.KindConsumer, cv.Consumer.ID)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	for _, s := range sessions {
		page.Sessions = append(page.Sessions, sessionRow{Session: s, Current: s.ID == cv.Session.ID,
			CreatedClock: sessionTime(s.CreatedAt), LastSeenClock: sessionTime(s.LastSeenAt)})
	}
	p.rd.Render(w, r, status, "consumer/security", page)
}

// enrolPage is the data of the page that sets up an authenticator.
type enrolPage struct {
	shell
	// URI is the otpauth:// link that adds the account to an app on the
	// same device (built here from the secret, so safe as a link); Key the
	// secret in groups of four, for typing.
	URI    template.URL
	Key    string
	Secret string
	Form   *web.Form
}

func (p *Pages) renderEnrol(w http.ResponseWriter, r *http.Request, cv consumerView, status int, secret string, form *web.Form) {
	p.rd.Render(w, r, status, "consumer/security_enrol", enrolPage{
		shell: shell{Email: cv.Consumer.Email, Nav: "security"}, Secret: secret, Key: groupDigits(secret, 4),
		URI: template.URL(totp.URI(secret, account.Issuer, cv.Consumer.Email)), Form: form,
	})
}

// startEnrolment sets up a new authenticator, waiting for its first code.
func (p *Pages) startEnrolment(w http.ResponseWriter, r *http.Request, cv consumerView) {
	e, err := p.cfg.Accounts.StartEnrolment(r.Context(), account.KindConsumer, cv.Consumer.ID, "")
	switch errCode(err) {
	case "":
	case apperr.NotAllowed:
		web.Flash(w, r, web.FlashInfo, "consumersecurity.twostep.already_on")
		web.Redirect(w, r, securityPath)
		return
	default:
		p.serverError(w, r, err)
		return
	}
	p.renderEnrol(w, r, cv, http.StatusOK, e.Secret, web.NewForm(nil))
}

// codesPage shows new recovery codes, once.
type codesPage struct {
	shell
	Codes []string
}

// confirmEnrolment turns two-step verification on with the first code from
// the app and shows the recovery codes once. A wrong code shows the same
// setup again.
func (p *Pages) confirmEnrolment(w http.ResponseWriter, r *http.Request, cv consumerView) {
	if !p.parseForm(w, r) {
		return
	}
	form := web.NewForm(r.PostForm)
	secret := form.Get("secret")
	if !secretPattern.MatchString(secret) {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form.Required("code")
	form.MaxLength("code", maxCodeLength)
	if !form.Valid() {
		p.renderEnrol(w, r, cv, http.StatusUnprocessableEntity, secret, form)
		return
	}
	codes, err := p.cfg.Accounts.ConfirmEnrolment(r.Context(), account.KindConsumer, cv.Consumer.ID, form.Get("code"))
	switch errCode(err) {
	case "":
	case apperr.InvalidOTP:
		form.AddError("code", "security.signin_code.wrong")
		p.renderEnrol(w, r, cv, http.StatusUnprocessableEntity, secret, form)
		return
	case apperr.TooManyRequests:
		form.AddError("code", "security.signin_code.locked", "minutes", p.lockedFor(r, cv.Consumer.ID, p.cfg.Accounts.Config.SecondFactor.Lockout))
		p.renderEnrol(w, r, cv, http.StatusTooManyRequests, secret, form)
		return
	case apperr.NotAllowed:
		web.Flash(w, r, web.FlashWarning, "consumersecurity.twostep.start_again")
		web.Redirect(w, r, securityPath)
		return
	default:
		p.serverError(w, r, err)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "consumersecurity.twostep.enabled")
	p.rd.Render(w, r, http.StatusOK, "consumer/security_codes", codesPage{shell{Email: cv.Consumer.Email, Nav: "security"}, codes})
}

// Fields of the settings page's two code forms (distinct, as both can be
// on the page at once).
const (
	disableField    = "disable_code"
	regenerateField = "regenerate_code"
)

// codeField reads a posted form with one authenticator code in field
// name; it answers 400 and reports false when the form cannot be parsed.
func (p *Pages) codeField(w http.ResponseWriter, r *http.Request, name string) (*web.Form, bool) {
	if !p.parseForm(w, r) {
		return nil, false
	}
	form := web.NewForm(r.PostForm)
	form.Required(name)
	form.MaxLength(name, maxCodeLength)
	return form, true
}

// codeError adds to field name of form the error of a failed authenticator
// code and returns the status to answer, or reports false for an error
// that is not about the code.
func (p *Pages) codeError(r *http.Request, cv consumerView, form *web.Form, name string, err error) (int, bool) {
	switch errCode(err) {
	case apperr.InvalidOTP:
		form.AddError(name, "security.signin_code.wrong")
		return http.StatusUnprocessableEntity, true
	case apperr.NotAllowed:
		form.AddError(name, "consumersecurity.twostep.not_on")
		return http.StatusConflict, true
	case apperr.TooManyRequests:
		form.AddError(name, "security.signin_code.locked", "minutes", p.lockedFor(r, cv.Consumer.ID, p.cfg.Accounts.Config.SecondFactor.Lockout))
		return http.StatusTooManyRequests, true
	}
	return 0, false
}

// disableTwoStep turns two-step verification off, given a current code
// from the app.
func (p *Pages) disableTwoStep(w http.ResponseWriter, r *http.Request, cv consumerView) {
	form, ok := p.codeField(w, r, disableField)
	if !ok {
		return
	}
	if !form.Valid() {
		p.showSecurity(w, r, cv, http.StatusUnprocessableEntity, form, nil)
		return
	}
	err := p.cfg.Accounts.DisableTwoStep(r.Context(), account.KindConsumer, cv.Consumer.ID, form.Get(disableField))
	if status, ok := p.codeError(r, cv, form, disableField, err); ok {
		p.showSecurity(w, r, cv, status, form, nil)
		return
	}
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "consumersecurity.twostep.disabled")
	web.Redirect(w, r, securityPath)
}

// regenerateCodes replaces the recovery codes, given a current code from
// the app, and shows the new ones once.
func (p *Pages) regenerateCodes(w http.ResponseWriter, r *http.Request, cv consumerView) {
	form, ok := p.codeField(w, r, regenerateField)
	if !ok {
		return
	}
	if !form.Valid() {
		p.showSecurity(w, r, cv, http.StatusUnprocessableEntity, nil, form)
		return
	}
	codes, err := p.cfg.Accounts.RegenerateRecoveryCodes(r.Context(), account.KindConsumer, cv.Consumer.ID, form.Get(regenerateField))
	if status, ok := p.codeError(r, cv, form, regenerateField, err); ok {
		p.showSecurity(w, r, cv, status, nil, form)
		return
	}
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "consumersecurity.recovery.replaced")
	p.rd.Render(w, r, http.StatusOK, "consumer/security_codes", codesPage{shell{Email: cv.Consumer.Email, Nav: "security"}, codes})
}

// revokeSession signs one of the consumer's browsers out; it takes effect
// at that browser's next request. Signing out the browser asking is
// signing out. A session that is not one of theirs answers 404.
func (p *Pages) revokeSession(w http.ResponseWriter, r *http.Request, cv consumerView) {
	id := r.PathValue("session")
	sessions, err := p.cfg.Accounts.ListSessions(r.Context(), account.KindConsumer, cv.Consumer.ID)
	if err != nil {
		p.serverError(w, r, err)
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
	if err := p.cfg.Accounts.RevokeSession(r.Context(), account.KindConsumer, cv.Consumer.ID, id); err != nil {
		p.serverError(w, r, err)
		return
	}
	if id == cv.Session.ID {
		http.SetCookie(w, p.cookie(r, SessionCookie, "", Prefix, -1))
		web.Flash(w, r, web.FlashInfo, "auth.signed_out")
		web.Redirect(w, r, signInPath)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "consumersecurity.sessions.revoked")
	web.Redirect(w, r, securityPath)
}

// revokeOthers signs out every browser of the consumer but this one.
func (p *Pages) revokeOthers(w http.ResponseWriter, r *http.Request, cv consumerView) {
	n, err := p.cfg.Accounts.RevokeOtherSessions(r.Context(), account.KindConsumer, cv.Consumer.ID, cv.Session.ID)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "consumersecurity.sessions.others_revoked", "count", n)
	web.Redirect(w, r, securityPath)
}

// sessionTime is how the list writes a session's times: the date and the
// time of day (UTC).
func sessionTime(t time.Time) string { return t.UTC().Format("15:04") }
