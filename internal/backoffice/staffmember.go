package backoffice

import (
	"net/http"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/web"
)

// The admin's page of one member of staff: their role and status, their
// two-step verification, and whether too many failed sign-ins locked them
// out, with the button that unlocks them (account.UnlockAccount, audited
// as account.unlocked with the admin as actor).

// staffMemberPageData is the data of the page.
type staffMemberPageData struct {
	frame
	Member  account.Staff
	RoleKey string
	TwoStep account.TwoStep
	// LockedUntil is when the member's lockout ends; nil when they are not
	// locked out.
	LockedUntil *time.Time
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
	data := staffMemberPageData{frame: newFrame(v, "staff"), Member: st, RoleKey: roleKey(st.Role)}
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
	p.rd.Render(w, r, http.StatusOK, "staff/staff_member", data)
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
