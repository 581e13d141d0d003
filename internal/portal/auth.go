package portal

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
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/password"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

// SessionCookie is the cookie that carries a merchant user's session token.
const SessionCookie = "tillit_merchant"

// user is the signed-in merchant user of a request.
type user struct {
	ID           string
	MerchantID   string
	MerchantName string
	// Currency is the merchant's settlement currency, which amounts typed
	// into filters are read in.
	Currency string
	Email    string
	Name     string
	Role     account.MerchantRole
	// SessionID is the web session's id (not its token), which CSRF tokens
	// are bound to.
	SessionID string
	// StopRequestsWaiting is how many of the merchant's stop requests wait
	// for an answer or a confirmation (the banner on every page).
	StopRequestsWaiting int
	// DisputesWaiting is how many of the merchant's disputes wait for its
	// answer (the navigation's count and the overview's banner).
	DisputesWaiting int
}

// CanManage reports whether the user may change orders, as the access
// table says for capturing one: owners and admins may, viewers may only
// look.
func (u *user) CanManage() bool {
	return access.Allows("POST /portal/orders/{id}/capture", u.principal())
}

// principal is the user as the access table knows them.
func (u *user) principal() access.Principal {
	return access.Principal{Audience: access.MerchantUser, MerchantRole: u.Role}
}

// actor is the user as the audit log names them.
func (u *user) actor() string { return "merchant_user:" + u.ID }

// sessionState is what withSession learned about a request's cookie.
type sessionState struct {
	user *user
	// stale is set when the request carried a cookie that no longer names a
	// live session, so the cookie should be cleared.
	stale bool
	err   error
}

type sessionKey struct{}

func state(r *http.Request) *sessionState {
	st, _ := r.Context().Value(sessionKey{}).(*sessionState)
	if st == nil {
		return &sessionState{}
	}
	return st
}

// currentUser returns the request's signed-in user, or nil.
func currentUser(r *http.Request) *user { return state(r).user }

// withSession looks the session cookie up on every request, before the
// renderer's middleware so that CSRF tokens are bound to the session, and
// puts what it found in the request's context. A session whose user was
// disabled or moved to another merchant counts as signed out.
func (p *Pages) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &sessionState{}
		if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			st.user, st.err = p.lookup(r.Context(), c.Value)
			if st.err != nil && apperr.Code(st.err) == apperr.Unauthorized {
				st.err = nil
			}
			st.stale = st.user == nil && st.err == nil
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, st)))
	})
}

// lookup returns the user of a session token, nil when it names no live
// session of an active merchant user.
func (p *Pages) lookup(ctx context.Context, token string) (*user, error) {
	sess, err := p.cfg.Accounts.LookupSession(ctx, account.KindMerchant, token)
	if err != nil {
		return nil, err
	}
	mu, err := p.cfg.Accounts.GetMerchantUser(ctx, sess.SubjectID)
	if apperr.Code(err) == apperr.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if mu.DisabledAt != nil || mu.MerchantID != sess.MerchantID {
		return nil, nil
	}
	m, err := merchant.Get(ctx, p.cfg.DB, mu.MerchantID)
	if err != nil {
		return nil, err
	}
	return &user{ID: mu.ID, MerchantID: mu.MerchantID, MerchantName: m.Name, Currency: m.SettlementCurrency, Email: mu.Email, Name: mu.Name, Role: mu.Role, SessionID: sess.ID}, nil
}

// setSessionCookie sets (or, with an empty token, deletes) the session
// cookie: HttpOnly, SameSite=Lax, only for the portal's paths, and Secure on
// HTTPS or when the configuration says so.
func (p *Pages) setSessionCookie(w http.ResponseWriter, r *http.Request, token string) {
	c := &http.Cookie{
		Name: SessionCookie, Value: token, Path: Prefix, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil || p.cfg.SecureCookies,
	}
	if token == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// gate identifies the merchant user withSession found, for the access
// table to decide on. A browser turned away for want of a session goes to
// the sign-in page, which brings it back afterwards; a role the table does
// not allow (a viewer, where a change is asked for) gets 403.
func (p *Pages) gate() access.Gate {
	return access.Gate{
		Identify: func(r *http.Request, _ access.Audience) (access.Principal, *http.Request, error) {
			st := state(r)
			if st.err != nil {
				return access.Principal{}, r, st.err
			}
			if st.user == nil {
				return access.Principal{}, r, nil
			}
			return st.user.principal(), r, nil
		},
		Deny: func(w http.ResponseWriter, r *http.Request, _ access.Audience, d access.Decision) {
			if d == access.Forbid {
				p.rd.Error(w, r, http.StatusForbidden)
				return
			}
			if state(r).stale {
				p.setSessionCookie(w, r, "")
				web.Flash(w, r, web.FlashWarning, "auth.session_expired")
			}
			target := Prefix + "signin"
			if r.Method == http.MethodGet && r.URL.Path != Prefix {
				target += "?" + url.Values{"next": {r.URL.RequestURI()}}.Encode()
			}
			web.Redirect(w, r, target)
		},
		Fail: func(w http.ResponseWriter, r *http.Request, err error) { p.fail(w, r, "look up session", err) },
	}
}

// signedIn adapts a handler of a merchant user route to the user the gate
// let through. Registered on a route the table does not keep for merchant
// users, it answers 403 rather than serve nobody.
func (p *Pages) signedIn(h func(http.ResponseWriter, *http.Request, *user)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u := currentUser(r)
		if u == nil {
			p.cfg.Logger.Error("portal: merchant user handler without a signed-in user", "pattern", r.Pattern)
			p.rd.Error(w, r, http.StatusForbidden)
			return
		}
		h(w, r, u)
	}
}

// safeNext returns where to go after signing in: a path inside the portal
// given by the sign-in link, or the dashboard.
func safeNext(next string) string {
	if strings.HasPrefix(next, Prefix) && !strings.HasPrefix(next, Prefix+"signin") &&
		!strings.ContainsAny(next, "\\\r\n") && !strings.Contains(next, "//") {
		if u, err := url.Parse(next); err == nil && u.Host == "" && u.Scheme == "" {
			return next
		}
	}
	return Prefix
}

// signinPageData is the sign-in page.
type signinPageData struct {
	page
	Form *web.Form
	Next string
	// Problem is why signing in failed, beyond the fields' own errors.
	Problem *web.Message
}

func (p *Pages) signinPage(w http.ResponseWriter, r *http.Request) {
	if currentUser(r) != nil {
		web.Redirect(w, r, safeNext(r.URL.Query().Get("next")))
		return
	}
	if state(r).stale {
		p.setSessionCookie(w, r, "")
	}
	p.rd.Render(w, r, http.StatusOK, "merchant/signin", signinPageData{Form: web.NewForm(nil), Next: safeNext(r.URL.Query().Get("next"))})
}

// maxEmail is the longest e-mail address the form takes.
const maxEmail = 254

// signin checks the e-mail address and password and starts a session, or,
// for a user with two-step verification on, sends the browser to the code
// page. A wrong password, an unknown address and a disabled user get the
// same answer; an address with too many failed attempts is told how long to
// wait.
func (p *Pages) signin(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form := web.NewForm(r.PostForm)
	data := signinPageData{Form: form, Next: safeNext(form.Get("next"))}
	form.Required("email")
	form.Email("email")
	form.MaxLength("email", maxEmail)
	if form.Values.Get("password") == "" {
		form.AddError("password", "form.required")
	} else if len(form.Values.Get("password")) > password.MaxBytes {
		form.AddError("password", "form.too_long", "max", password.MaxBytes)
	}
	if !form.Valid() {
		p.rd.Render(w, r, http.StatusUnprocessableEntity, "merchant/signin", data)
		return
	}
	mu, err := p.cfg.Accounts.AuthenticateMerchantUser(r.Context(), form.Get("email"), form.Values.Get("password"))
	switch apperr.Code(err) {
	case apperr.Unauthorized:
		data.Problem = &web.Message{Key: "merchant.signin.failed"}
		p.rd.Render(w, r, http.StatusUnauthorized, "merchant/signin", data)
		return
	case apperr.TooManyRequests:
		minutes := int(p.cfg.Accounts.Config.SignIn.Lockout.Minutes())
		data.Problem = &web.Message{Key: "merchant.signin.locked", Args: []any{"minutes", minutes}}
		p.rd.Render(w, r, http.StatusTooManyRequests, "merchant/signin", data)
		return
	}
	if err != nil {
		p.fail(w, r, "sign in", err)
		return
	}
	in, err := p.cfg.Accounts.BeginSignIn(r.Context(), account.KindMerchant, mu.ID, mu.MerchantID, r.UserAgent(), clientIP(r))
	if err != nil {
		p.fail(w, r, "begin sign-in", err)
		return
	}
	if in.Pending != nil {
		// Two-step verification is on: the code page (signin_verify.go)
		// finishes the sign-in.
		p.setPendingCookie(w, r, in.Pending.Token)
		web.Redirect(w, r, verifyPath+"?"+url.Values{"next": {data.Next}}.Encode())
		return
	}
	p.startSession(w, r, mu.Name, in.Token, data.Next)
}

// startSession puts a new session's token in the cookie (ending any session
// the browser had, and clearing a pending sign-in), welcomes the user by
// name and goes on to next.
func (p *Pages) startSession(w http.ResponseWriter, r *http.Request, name, token, next string) {
	if old := currentUser(r); old != nil {
		if err := p.cfg.Accounts.RevokeSession(r.Context(), account.KindMerchant, old.ID, old.SessionID); err != nil {
			p.fail(w, r, "end the previous session", err)
			return
		}
	}
	p.setSessionCookie(w, r, token)
	p.setPendingCookie(w, r, "")
	web.Flash(w, r, web.FlashSuccess, "merchant.signin.welcome", "name", name)
	web.Redirect(w, r, next)
}

// ActionSignedOut is the audit action of a merchant user signing out
// (package account audits signing in).
const ActionSignedOut = "merchant_user.signed_out"

// signout ends the session on the server, audits it and clears the cookie.
func (p *Pages) signout(w http.ResponseWriter, r *http.Request, u *user) {
	if err := p.cfg.Accounts.RevokeSession(r.Context(), account.KindMerchant, u.ID, u.SessionID); err != nil {
		p.fail(w, r, "sign out", err)
		return
	}
	err := p.cfg.DB.Write(r.Context(), func(tx *store.Tx) error {
		_, err := audit.Append(tx, u.actor(), ActionSignedOut, u.ID, map[string]string{"session": u.SessionID})
		return err
	})
	if err != nil {
		p.fail(w, r, "audit sign-out", err)
		return
	}
	p.setSessionCookie(w, r, "")
	web.Flash(w, r, web.FlashInfo, "auth.signed_out")
	web.Redirect(w, r, Prefix+"signin")
}

// clientIP is the address the request came from, as sessions record it.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
