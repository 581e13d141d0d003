package web

import (
	"net/http"
	"strings"
)

// Policy is the part of a page's Content-Security-Policy a handler may widen.
// The rest is fixed: scripts, styles, images and fonts only from Tillit
// itself, no inline script or style, no plugins, no <base>.
type Policy struct {
	// FrameAncestors lists the origins allowed to show the page in a frame;
	// none when empty.
	FrameAncestors []string
	// FormAction lists origins, besides Tillit itself, that the page's forms
	// may submit to or be redirected to after submitting.
	FormAction []string
}

// String returns the Content-Security-Policy header value.
func (p Policy) String() string {
	ancestors := "'none'"
	if len(p.FrameAncestors) > 0 {
		ancestors = strings.Join(p.FrameAncestors, " ")
	}
	formAction := strings.Join(append([]string{"'self'"}, p.FormAction...), " ")
	return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"font-src 'self'; connect-src 'self'; form-action " + formAction + "; " +
		"frame-ancestors " + ancestors + "; base-uri 'none'; object-src 'none'"
}

// SetPolicy replaces the response's Content-Security-Policy, for a handler
// that lets named origins frame its page (the hosted checkout in a shop's
// iframe) or submit elsewhere. Call it before writing the response.
func SetPolicy(w http.ResponseWriter, p Policy) {
	h := w.Header()
	h.Set("Content-Security-Policy", p.String())
	if len(p.FrameAncestors) > 0 {
		h.Del("X-Frame-Options")
	} else {
		h.Set("X-Frame-Options", "DENY")
	}
}

// HSTS is the Strict-Transport-Security value of every HTTPS response: for
// two years, browsers reach this host and its subdomains over HTTPS only.
const HSTS = "max-age=63072000; includeSubDomains"

// SecurityHeaders sets the headers every response carries: the default
// Policy (no framing), nosniff, a same-origin referrer policy, a
// Permissions-Policy that turns off powerful features, cross-origin
// isolation of the browsing context and, on a request that came over TLS,
// HSTS. Tillit's whole handler is wrapped in it (package app), so pages,
// JSON APIs, static files and health checks alike carry them; a handler may
// widen its page's policy with SetPolicy.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", HSTS)
		}
		SetPolicy(w, Policy{})
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}
