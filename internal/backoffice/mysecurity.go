package backoffice

import (
	"net/http"

	"github.com/tillit/tillit/internal/access"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// "My security" (T11, T13): every member of staff sees their own two-step
// verification (mandatory for staff, so there is no way to turn it off),
// makes new recovery codes with a current authenticator code, and sees and
// ends their sessions.

// mySecurityPath is the signed-in member's security page.
const mySecurityPath = Prefix + "my-security"

// ActionSessionRevoked is a member of staff ending one of their own
// sessions from the list (package account audits ending all the others).
const ActionSessionRevoked = "staff.session_revoked"

// fieldRegenerateCode is the code field of the recovery codes form.
const fieldRegenerateCode = "regenerate_code"

// mySecurityPageData is the data of the page.
type mySecurityPageData struct {
	frame
	TwoStep account.TwoStep
	// RecoveryCodes are new recovery codes, shown this once.
	RecoveryCodes []string
	Sessions      []account.ListedSession
	Form          *web.Form
	// Problem is why a code was refused.
	Problem *web.Message
}

// SecurityPath is where the page lives, for the shared partials.
func (mySecurityPageData) SecurityPath() string { return mySecurityPath }

// addMySecurity serves the page and its actions to every member of staff.
func (p *Pages) addMySecurity(mux *access.Router) {
	mux.Handle("GET "+mySecurityPath, p.staff(p.mySecurityPage))
	mux.Handle("POST "+mySecurityPath+"/recovery-codes", p.staff(p.regenerateStaffCodes))
	mux.Handle("POST "+mySecurityPath+"/sessions/revoke-others", p.staff(p.revokeOtherStaffSessions))
	mux.Handle("POST "+mySecurityPath+"/sessions/{id}/revoke", p.staff(p.revokeStaffSession))
}

// mySecurityPage shows the page.
func (p *Pages) mySecurityPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	p.renderMySecurity(w, r, v, http.StatusOK, mySecurityPageData{})
}

// renderMySecurity fills in the two-step state and the sessions and
// renders the page with status.
func (p *Pages) renderMySecurity(w http.ResponseWriter, r *http.Request, v *viewer, status int, data mySecurityPageData) {
	var err error
	if data.TwoStep, err = p.cfg.Accounts.TwoStepStatus(r.Context(), account.KindStaff, v.Staff.ID); err != nil {
		p.fail(w, r, "two-step status", err)
		return
	}
	sessions, err := p.cfg.Accounts.ListSessions(r.Context(), account.KindStaff, v.Staff.ID)
	if err != nil {
		p.fail(w, r, "list sessions", err)
		return
	}
	data.Sessions = account.MarkCurrent(sessions, v.Session.ID)
	if data.Form == nil {
		data.Form = web.NewForm(nil)
	}
	data.frame = newFrame(v, "my_security")
	p.rd.Render(w, r, status, "staff/my_security", data)
}

// regenerateStaffCodes replaces the member's recovery codes, given a
// current authenticator code, and shows the new ones once (package account
// audits it).
func (p *Pages) regenerateStaffCodes(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form := web.NewForm(r.PostForm)
	form.Required(fieldRegenerateCode)
	form.MaxLength(fieldRegenerateCode, maxCode)
	if !form.Valid() {
		p.renderMySecurity(w, r, v, http.StatusUnprocessableEntity, mySecurityPageData{Form: form})
		return
	}
	codes, err := p.cfg.Accounts.RegenerateRecoveryCodes(r.Context(), account.KindStaff, v.Staff.ID, form.Get(fieldRegenerateCode))
	switch {
	case err == nil:
		p.renderMySecurity(w, r, v, http.StatusOK, mySecurityPageData{RecoveryCodes: codes})
	case apperr.Code(err) == apperr.InvalidOTP:
		p.renderMySecurity(w, r, v, http.StatusUnauthorized, mySecurityPageData{Form: form, Problem: &web.Message{Key: "security.signin_code.wrong"}})
	case apperr.Code(err) == apperr.TooManyRequests:
		p.renderMySecurity(w, r, v, http.StatusTooManyRequests, mySecurityPageData{Form: form,
			Problem: &web.Message{Key: "security.signin_code.locked", Args: []any{"minutes", int(p.cfg.Accounts.Config.SecondFactor.Lockout.Minutes())}}})
	default:
		p.fail(w, r, "regenerate recovery codes", err)
	}
}

// revokeStaffSession ends one of the member's own sessions and audits it;
// ending the current one signs this browser out. An id that is not one of
// their live sessions is 404 and ends nothing.
func (p *Pages) revokeStaffSession(w http.ResponseWriter, r *http.Request, v *viewer) {
	id := r.PathValue("id")
	sessions, err := p.cfg.Accounts.ListSessions(r.Context(), account.KindStaff, v.Staff.ID)
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
	if err := p.cfg.Accounts.RevokeSession(r.Context(), account.KindStaff, v.Staff.ID, id); err != nil {
		p.fail(w, r, "revoke session", err)
		return
	}
	err = p.cfg.DB.Write(r.Context(), func(tx *store.Tx) error {
		_, err := audit.Append(tx, v.actor(), ActionSessionRevoked, v.Staff.ID, map[string]string{"session": id})
		return err
	})
	if err != nil {
		p.fail(w, r, "audit session revocation", err)
		return
	}
	if id == v.Session.ID {
		p.setSessionCookie(w, r, "")
		web.Flash(w, r, web.FlashInfo, "auth.signed_out")
		web.Redirect(w, r, signInPath)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "accountsecurity.sessions.revoked")
	web.Redirect(w, r, mySecurityPath+"#sessions")
}

// revokeOtherStaffSessions ends every session of the member but this
// browser's (package account audits it).
func (p *Pages) revokeOtherStaffSessions(w http.ResponseWriter, r *http.Request, v *viewer) {
	n, err := p.cfg.Accounts.RevokeOtherSessions(r.Context(), account.KindStaff, v.Staff.ID, v.Session.ID)
	if err != nil {
		p.fail(w, r, "revoke other sessions", err)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "accountsecurity.sessions.others_revoked", "count", n)
	web.Redirect(w, r, mySecurityPath+"#sessions")
}
