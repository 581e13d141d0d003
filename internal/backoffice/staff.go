package backoffice

import (
	"errors"
	"net/http"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/password"
	"github.com/tillit/tillit/internal/web"
)

// staffPath is the admin page of staff accounts.
const staffPath = Prefix + "staff"

// maxName is the longest name a member of staff may have.
const maxName = 200

// staffPageData is the data of the staff page.
type staffPageData struct {
	frame
	Staff []staffRow
	Form  *web.Form
	Roles []roleOption
	// MinPassword is the fewest characters a password may have.
	MinPassword int
}

// staffRow is a member of staff in the list.
type staffRow struct {
	account.Staff
	RoleKey string
	// Self is the signed-in admin, who cannot disable themselves.
	Self bool
}

// roleOption is a choice of the role select.
type roleOption struct {
	Value    string
	Key      string
	Selected bool
}

// staffPage lists every member of staff with the form to add one.
func (p *Pages) staffPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	p.showStaff(w, r, v, http.StatusOK, web.NewForm(nil))
}

// showStaff renders the staff page with form (empty, or as submitted with
// its errors).
func (p *Pages) showStaff(w http.ResponseWriter, r *http.Request, v *viewer, status int, form *web.Form) {
	list, err := p.cfg.Accounts.ListStaff(r.Context())
	if err != nil {
		p.fail(w, r, "list staff", err)
		return
	}
	page := staffPageData{frame: newFrame(v, "staff"), Form: form, Staff: make([]staffRow, 0, len(list)), MinPassword: password.MinLength}
	for _, st := range list {
		page.Staff = append(page.Staff, staffRow{Staff: st, RoleKey: roleKey(st.Role), Self: st.ID == v.Staff.ID})
	}
	for _, role := range account.Roles {
		page.Roles = append(page.Roles, roleOption{Value: string(role), Key: roleKey(role), Selected: form.Get("role") == string(role)})
	}
	p.rd.Render(w, r, status, "staff/staff", page)
}

// weakPassword maps password.Check's refusals to catalog keys.
var weakPassword = []struct {
	err  error
	key  string
	args []any
}{
	{password.ErrTooShort, "staff.password.too_short", []any{"min", password.MinLength}},
	{password.ErrTooLong, "form.too_long", []any{"max", password.MaxBytes}},
	{password.ErrCommon, "staff.password.common", nil},
	{password.ErrPersonal, "staff.password.personal", nil},
	{password.ErrRepeating, "staff.password.repeating", nil},
}

// createStaff adds a member of staff with the role and initial password the
// admin chose (the admin hands the password over in person). The account
// service audits it with the admin as actor.
func (p *Pages) createStaff(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form := web.NewForm(r.PostForm)
	form.Required("name")
	form.MaxLength("name", maxName)
	form.Required("email")
	form.Email("email")
	form.MaxLength("email", maxEmail)
	role, roleErr := account.ParseRole(form.Get("role"))
	if form.Get("role") == "" {
		form.AddError("role", "form.required")
	} else if roleErr != nil {
		form.AddError("role", "form.invalid_choice")
	}
	pw := form.Values.Get("password")
	if pw == "" {
		form.AddError("password", "form.required")
	} else if err := password.Check(pw, form.Get("email"), form.Get("name")); err != nil {
		for _, weak := range weakPassword {
			if errors.Is(err, weak.err) {
				form.AddError("password", weak.key, weak.args...)
			}
		}
		form.AddError("password", "staff.password.weak")
	}
	if !form.Valid() {
		p.showStaff(w, r, v, http.StatusUnprocessableEntity, form)
		return
	}
	st, err := p.cfg.Accounts.CreateStaff(r.Context(), v.actor(), account.NewStaff{
		Email: form.Get("email"), Name: form.Get("name"), Role: role, Password: pw,
	})
	if apperr.Code(err) == apperr.BadValue {
		// The form checked everything else, so the address is taken.
		form.AddError("email", "staff.staff.email_taken")
		p.showStaff(w, r, v, http.StatusUnprocessableEntity, form)
		return
	}
	if err != nil {
		p.fail(w, r, "create staff", err)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "staff.staff.created", "name", st.Name)
	web.Redirect(w, r, staffPath)
}

// disableStaff stops a member of staff from signing in and ends their
// sessions; admins cannot disable themselves.
func (p *Pages) disableStaff(w http.ResponseWriter, r *http.Request, v *viewer) {
	id := r.PathValue("id")
	if id == v.Staff.ID {
		web.Flash(w, r, web.FlashError, "staff.staff.cannot_disable_self")
		web.Redirect(w, r, staffPath)
		return
	}
	st, err := p.cfg.Accounts.GetStaff(r.Context(), id)
	if apperr.Code(err) == apperr.NotFound {
		p.rd.Error(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		p.fail(w, r, "read staff", err)
		return
	}
	switch err := p.cfg.Accounts.DisableStaff(r.Context(), v.actor(), id); {
	case err == nil:
		web.Flash(w, r, web.FlashSuccess, "staff.staff.disabled", "name", st.Name)
	case apperr.Code(err) == apperr.NotFound:
		web.Flash(w, r, web.FlashInfo, "staff.staff.already_disabled", "name", st.Name)
	default:
		p.fail(w, r, "disable staff", err)
		return
	}
	web.Redirect(w, r, staffPath)
}
