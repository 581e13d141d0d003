package consumerapp

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/tillit/tillit/internal/access"
	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/web"
)

// SessionCookie holds a signed-in consumer's session token.
const SessionCookie = "tillit_consumer"

// sessionState is what the session cookie of a request turned out to be.
type sessionState struct {
	// cookie is whether the request carried a session cookie at all.
	cookie bool
	// session is the live session, or nil.
	session *account.Session
	// err is a failure to look the session up (not "no such session").
	err error
}

type stateKey struct{}

// state returns the request's session state (zero outside withSession).
func state(r *http.Request) sessionState {
	st, _ := r.Context().Value(stateKey{}).(sessionState)
	return st
}

// sessionID is web.Options.SessionID: the live session's id, or "".
func sessionID(r *http.Request) string {
	if st := state(r); st.session != nil {
		return st.session.ID
	}
	return ""
}

// withSession looks up the session cookie once per request, before the
// renderer's middleware, so CSRF tokens are bound to the session.
func (p *Pages) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var st sessionState
		if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			st.cookie = true
			sess, err := p.cfg.Accounts.LookupSession(r.Context(), account.KindConsumer, c.Value)
			switch {
			case err == nil:
				st.session = &sess
			case apperr.Code(err) != apperr.Unauthorized:
				st.err = err
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), stateKey{}, st)))
	})
}

// setSessionCookie gives the browser its session token, for as long as the
// session can last at most. Path /app/ keeps it away from other areas.
func (p *Pages) setSessionCookie(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	maxAge := int(expires.Sub(p.cfg.Clock.Now()) / time.Second)
	if maxAge <= 0 {
		maxAge = -1
	}
	http.SetCookie(w, p.cookie(r, SessionCookie, token, Prefix, maxAge))
}

// cookie builds a cookie of the app: HttpOnly, SameSite=Lax, Secure on HTTPS
// or per Config.SecureCookies. A negative maxAge deletes it.
func (p *Pages) cookie(r *http.Request, name, value, path string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: p.cfg.SecureCookies || r.TLS != nil,
	}
}

// consumerView is the signed-in consumer, as handlers need them.
type consumerView struct {
	Session  account.Session
	Consumer account.Consumer
}

// shell is the part of every signed-in page's data the navigation uses.
type shell struct {
	Email string
	// Nav names the navigation entry of the page ("home", or "").
	Nav string
}

// gate identifies the consumer withSession found, for the access table to
// decide on. A browser turned away for want of a session goes to the
// sign-in page, told that its session ended if it had one.
func (p *Pages) gate() access.Gate {
	return access.Gate{
		Identify: func(r *http.Request, _ access.Audience) (access.Principal, *http.Request, error) {
			st := state(r)
			if st.err != nil {
				return access.Principal{}, r, st.err
			}
			if st.session == nil {
				return access.Principal{}, r, nil
			}
			return access.Principal{Audience: access.Consumer}, r, nil
		},
		Deny: func(w http.ResponseWriter, r *http.Request, _ access.Audience, d access.Decision) {
			if d == access.Forbid {
				p.rd.Error(w, r, http.StatusForbidden)
				return
			}
			if state(r).cookie {
				http.SetCookie(w, p.cookie(r, SessionCookie, "", Prefix, -1))
				web.Flash(w, r, web.FlashWarning, "auth.session_expired")
			}
			web.Redirect(w, r, signInPath)
		},
		Fail: p.serverError,
	}
}

// signedIn adapts a handler of a consumer route to the consumer the gate
// let through, in their language. Registered on a route the table does not
// keep for consumers, it answers 403 rather than serve nobody.
func (p *Pages) signedIn(h func(http.ResponseWriter, *http.Request, consumerView)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st := state(r)
		if st.session == nil {
			p.cfg.Logger.Error("consumerapp: consumer handler without a session", "pattern", r.Pattern)
			p.rd.Error(w, r, http.StatusForbidden)
			return
		}
		c, err := p.cfg.Accounts.GetConsumer(r.Context(), st.session.SubjectID)
		if err != nil {
			p.serverError(w, r, err)
			return
		}
		r = web.WithLang(r, i18n.Negotiate(r, c.Locale))
		h(w, r, consumerView{Session: *st.session, Consumer: c})
	}
}

// clientIP is the address the request came from, without the port.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
