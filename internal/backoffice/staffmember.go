package backoffice

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/web"
)

// The admin's page of one member of staff: their role and status, their
// two-step verification, and whether too many failed sign-ins locked them
// out, with the button that unlocks them (account.UnlockAccount, audited
// as account.unlocked with the admin as actor) and the form that resets
// their two-step verification with a reason (account.ResetTwoStep, audited
// as account.two_step_reset), for a member who lost both their
// authenticator and their recovery codes.

// staffMemberPageData is the data of the page.
type staffMemberPageData struct {
	frame
	Member  account.Staff
	RoleKey string
	TwoStep account.TwoStep
	// LockedUntil is when the member's lockout ends; nil when they are not
	// locked out.
	LockedUntil *time.Time
	// Self is the signed-in admin's own page, which offers no reset.
	Self bool
	// ResetForm is the reset form as sent, with its errors.
	ResetForm *web.Form
	// MaxReason is the longest reason the reset form takes.
	MaxReason int
}

// staffMemberPage shows a member of staff to an admin.
func (p *Pages) staffMemberPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	st, err := p.cfg.Accounts.GetStaff(r.Context(), r.PathValue("id"))
	if apperr.Code(err) == apperr.NotFound {
		p.rd.Error(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		p.fail(w, r, "read staff", err)
		return
	}
	p.showStaffMember(w, r, v, http.StatusOK, st, web.NewForm(nil))
}

// showStaffMember renders st's page with the reset form (empty, or as
// submitted with its errors).
func (p *Pages) showStaffMember(w http.ResponseWriter, r *http.Request, v *viewer, status int, st account.Staff, form *web.Form) {
	data := staffMemberPageData{frame: newFrame(v, "staff"), Member: st, RoleKey: roleKey(st.Role),
		Self: st.ID == v.Staff.ID, ResetForm: form, MaxReason: account.MaxResetReason}
	var err error
	if data.TwoStep, err = p.cfg.Accounts.TwoStepStatus(r.Context(), account.KindStaff, st.ID); err != nil {
		p.fail(w, r, "two-step status", err)
		return
	}
	until, err := p.cfg.Accounts.LockedUntil(r.Context(), account.KindStaff, st.ID)
	if err != nil {
		p.fail(w, r, "lock state", err)
		return
	}
	if !until.IsZero() {
		data.LockedUntil = &until
	}
	p.rd.Render(w, r, status, "staff/staff_member", data)
}

// unlockStaff ends a member of staff's lockout before its time.
func (p *Pages) unlockStaff(w http.ResponseWriter, r *http.Request, v *viewer) {
	id := r.PathValue("id")
	st, err := p.cfg.Accounts.GetStaff(r.Context(), id)
	if apperr.Code(err) == apperr.NotFound {
		p.rd.Error(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		p.fail(w, r, "read staff", err)
		return
	}
	switch err := p.cfg.Accounts.UnlockAccount(r.Context(), v.Staff, account.KindStaff, id); apperr.Code(err) {
	case apperr.Forbidden:
		p.rd.Error(w, r, http.StatusForbidden)
		return
	case apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
		return
	default:
		if err != nil {
			p.fail(w, r, "unlock", err)
			return
		}
	}
	web.Flash(w, r, web.FlashSuccess, "accountsecurity.staff.unlocked", "name", st.Name)
	web.Redirect(w, r, staffPath+"/"+id)
}

// resetStaffTwoStep removes a member's authenticator and recovery codes
// and signs them out everywhere, with the admin's reason; their next
// sign-in sets up a new authenticator. A missing, too long or non-text
// reason is 422 and changes nothing; the admin's own account is 403.
func (p *Pages) resetStaffTwoStep(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	st, err := p.cfg.Accounts.GetStaff(r.Context(), r.PathValue("id"))
	if apperr.Code(err) == apperr.NotFound {
		p.rd.Error(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		p.fail(w, r, "read staff", err)
		return
	}
	if st.ID == v.Staff.ID {
		p.rd.Error(w, r, http.StatusForbidden)
		return
	}
	form := web.NewForm(r.PostForm)
	reason := strings.TrimSpace(form.Values.Get("reason"))
	switch {
	case reason == "":
		form.AddError("reason", "form.required")
	case !utf8.ValidString(reason) || strings.ContainsRune(reason, 0):
		form.AddError("reason", "accountsecurity.staff.reset_reason_not_text")
	case utf8.RuneCountInString(reason) > account.MaxResetReason:
		form.AddError("reason", "form.too_long", "max", account.MaxResetReason)
	}
	if !form.Valid() {
		p.showStaffMember(w, r, v, http.StatusUnprocessableEntity, st, form)
		return
	}
	switch err := p.cfg.Accounts.ResetTwoStep(r.Context(), v.Staff, account.KindStaff, st.ID, reason); apperr.Code(err) {
	case apperr.Forbidden:
		p.rd.Error(w, r, http.StatusForbidden)
		return
	case apperr.NotFound:
		p.rd.Error(w, r, http.StatusNotFound)
		return
	default:
		if err != nil {
			p.fail(w, r, "reset two-step", err)
			return
		}
	}
	web.Flash(w, r, web.FlashSuccess, "accountsecurity.staff.two_step_reset_done", "name", st.Name)
	web.Redirect(w, r, staffPath+"/"+st.ID)
}
