package backoffice

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/tillit/tillit/internal/access"
	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/password"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// CookieName is the cookie that carries a member of staff's session token.
const CookieName = "tillit_staff"

// signInPath is the sign-in page.
const signInPath = Prefix + "signin"

// setSessionCookie sets (or, with an empty token, deletes) the staff
// session cookie: HttpOnly, SameSite=Strict, only sent to the back office,
// Secure on HTTPS or when configured. It lasts as long as the browser; the
// session's own idle timeout and lifetime end it on the server.
func (p *Pages) setSessionCookie(w http.ResponseWriter, r *http.Request, token string) {
	c := &http.Cookie{
		Name: CookieName, Value: token, Path: Prefix,
		HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: p.cfg.SecureCookies || r.TLS != nil,
	}
	if token == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// lookup returns the member of staff the request's cookie signs in, or nil
// when there is none or it is no longer valid (expired, idle too long,
// revoked, or the account disabled); hadCookie tells the two apart.
func (p *Pages) lookup(ctx context.Context, r *http.Request) (v *viewer, hadCookie bool, err error) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return nil, false, nil
	}
	sess, err := p.cfg.Accounts.LookupSession(ctx, account.KindStaff, c.Value)
	if apperr.Code(err) == apperr.Unauthorized {
		return nil, true, nil
	}
	if err != nil {
		return nil, true, err
	}
	st, err := p.cfg.Accounts.GetStaff(ctx, sess.SubjectID)
	if apperr.Code(err) == apperr.NotFound || (err == nil && st.DisabledAt != nil) {
		return nil, true, nil
	}
	if err != nil {
		return nil, true, err
	}
	return &viewer{Staff: st, Session: sess}, true, nil
}

// viewerKey is the context key of the request's signInState.
type viewerKey struct{}

// signInState is what the gate found out about a request's sender.
type signInState struct {
	viewer    *viewer
	hadCookie bool
}

// gate identifies the member of staff the request's cookie signs in, for
// the access table to decide on. A browser turned away for want of a live
// session goes to the sign-in page (coming back here afterwards, for a
// GET), told that its session ended if it had one; a role the table does
// not allow gets 403.
func (p *Pages) gate() access.Gate {
	return access.Gate{
		Identify: func(r *http.Request, _ access.Audience) (access.Principal, *http.Request, error) {
			v, hadCookie, err := p.lookup(r.Context(), r)
			if err != nil {
				return access.Principal{}, r, err
			}
			r = r.WithContext(context.WithValue(r.Context(), viewerKey{}, signInState{viewer: v, hadCookie: hadCookie}))
			if v == nil {
				return access.Principal{}, r, nil
			}
			return access.StaffMember(v.Staff.Role), r, nil
		},
		Deny: func(w http.ResponseWriter, r *http.Request, _ access.Audience, d access.Decision) {
			if d == access.Forbid {
				p.rd.Error(w, r, http.StatusForbidden)
				return
			}
			if st, _ := r.Context().Value(viewerKey{}).(signInState); st.hadCookie {
				p.setSessionCookie(w, r, "")
				web.Flash(w, r, web.FlashWarning, "auth.session_expired")
			}
			to := signInPath
			if (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.URL.RequestURI() != Prefix {
				to += "?" + url.Values{"next": {r.URL.RequestURI()}}.Encode()
			}
			web.Redirect(w, r, to)
		},
		Fail: func(w http.ResponseWriter, r *http.Request, err error) { p.fail(w, r, "session lookup", err) },
	}
}

// staff adapts a handler of a staff route to the signed-in member the
// gate found. Registered on a route the table does not keep for staff, it
// answers 403 rather than serve nobody.
func (p *Pages) staff(h func(http.ResponseWriter, *http.Request, *viewer)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st, _ := r.Context().Value(viewerKey{}).(signInState)
		if st.viewer == nil {
			p.log.Error("backoffice: staff handler without a signed-in member", "pattern", r.Pattern)
			p.rd.Error(w, r, http.StatusForbidden)
			return
		}
		h(w, r, st.viewer)
	})
}

// may reports whether v may use the route registered as pattern; pages
// use it to offer only what their viewer may follow.
func (v *viewer) may(pattern string) bool {
	return access.Allows(pattern, access.StaffMember(v.Staff.Role))
}

// safeNext returns where to go after signing in: next when it is a page of
// the back office (never another site), else the home page.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil ||
		!strings.HasPrefix(next, Prefix) || strings.Contains(next, "//") || strings.ContainsAny(next, "\\\r\n") ||
		u.Path == signInPath {
		return Prefix
	}
	return next
}

// signInPage is the data of the sign-in page.
type signInPage struct {
	Form *web.Form
	// Problem is why signing in failed, beyond the fields' own errors.
	Problem *web.Message
	Next    string
}

// signInPage shows the sign-in form, or sends a signed-in member home.
func (p *Pages) signInPage(w http.ResponseWriter, r *http.Request) {
	v, _, err := p.lookup(r.Context(), r)
	if err != nil {
		p.fail(w, r, "session lookup", err)
		return
	}
	next := safeNext(r.URL.Query().Get("next"))
	if v != nil {
		web.Redirect(w, r, next)
		return
	}
	p.rd.Render(w, r, http.StatusOK, "staff/signin", signInPage{Form: web.NewForm(nil), Next: next})
}

// maxEmail is the longest e-mail address a form takes.
const maxEmail = 254

// signIn checks the e-mail address and password. Unknown addresses, wrong
// passwords and disabled accounts get the same answer; an address with too
// many failed attempts is told, politely, to wait.
func (p *Pages) signIn(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form := web.NewForm(r.PostForm)
	form.Required("email")
	form.Email("email")
	form.MaxLength("email", maxEmail)
	if form.Values.Get("password") == "" {
		form.AddError("password", "form.required")
	} else if len(form.Values.Get("password")) > password.MaxBytes {
		form.AddError("password", "form.too_long", "max", password.MaxBytes)
	}
	page := signInPage{Form: form, Next: safeNext(form.Get("next"))}
	if !form.Valid() {
		p.rd.Render(w, r, http.StatusUnprocessableEntity, "staff/signin", page)
		return
	}
	st, err := p.cfg.Accounts.AuthenticateStaff(r.Context(), form.Get("email"), form.Values.Get("password"))
	switch apperr.Code(err) {
	case apperr.Unauthorized:
		page.Problem = &web.Message{Key: "staff.signin.failed"}
		p.rd.Render(w, r, http.StatusUnauthorized, "staff/signin", page)
		return
	case apperr.TooManyRequests:
		minutes := int(p.cfg.Accounts.Config.SignIn.Lockout.Minutes())
		page.Problem = &web.Message{Key: "staff.signin.locked", Args: []any{"minutes", minutes}}
		p.rd.Render(w, r, http.StatusTooManyRequests, "staff/signin", page)
		return
	}
	if err != nil {
		p.fail(w, r, "sign in", err)
		return
	}
	p.passwordVerified(w, r, st, page.Next)
}

// passwordVerified is the step after a correct password: the second factor
// is mandatory for staff, so the sign-in waits (account.BeginSignIn) in a
// pending state whose token is kept in a cookie of its own, and the
// browser goes to the code page (verifyPath).
func (p *Pages) passwordVerified(w http.ResponseWriter, r *http.Request, st account.Staff, next string) {
	in, err := p.cfg.Accounts.BeginSignIn(r.Context(), account.KindStaff, st.ID, "", r.UserAgent(), clientIP(r))
	if err != nil {
		p.fail(w, r, "begin sign-in", err)
		return
	}
	if in.Session != nil {
		p.startSession(w, r, st, in.Token, next)
		return
	}
	p.setPendingCookie(w, r, in.Pending.Token)
	web.Redirect(w, r, verifyPath+"?"+url.Values{"next": {next}}.Encode())
}

// startSession puts a new session's token in a fresh cookie (ending any
// session the browser already had, and the pending sign-in's cookie),
// welcomes st and goes on to next.
func (p *Pages) startSession(w http.ResponseWriter, r *http.Request, st account.Staff, token, next string) {
	if old, _, err := p.lookup(r.Context(), r); err == nil && old != nil {
		if err := p.cfg.Accounts.RevokeSession(r.Context(), account.KindStaff, old.Staff.ID, old.Session.ID); err != nil {
			p.fail(w, r, "end the previous session", err)
			return
		}
	}
	p.setSessionCookie(w, r, token)
	p.setPendingCookie(w, r, "")
	web.Flash(w, r, web.FlashSuccess, "staff.signin.welcome", "name", st.Name)
	web.Redirect(w, r, next)
}

// clientIP is the address the request came from, as recorded on the session.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// signOut ends the session, audits it and deletes the cookie.
func (p *Pages) signOut(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := p.cfg.Accounts.RevokeSession(r.Context(), account.KindStaff, v.Staff.ID, v.Session.ID); err != nil {
		p.fail(w, r, "sign out", err)
		return
	}
	err := p.cfg.DB.Write(r.Context(), func(tx *store.Tx) error {
		_, err := audit.Append(tx, v.actor(), ActionSignedOut, v.Staff.ID, map[string]string{"session": v.Session.ID})
		return err
	})
	if err != nil {
		p.fail(w, r, "audit sign-out", err)
		return
	}
	p.setSessionCookie(w, r, "")
	web.Flash(w, r, web.FlashInfo, "auth.signed_out")
	web.Redirect(w, r, signInPath)
}
