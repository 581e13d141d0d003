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

// SecurityHeaders sets the headers every page carries: the default Policy
// (no framing), nosniff, a same-origin referrer policy, a Permissions-Policy
// that turns off powerful features, and cross-origin isolation of the
// browsing context.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		SetPolicy(w, Policy{})
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}
