// Package access is the one place that says who may use each route Tillit
// serves, and the one place that checks it.
//
// Every pattern any part of Tillit registers is listed in the table in
// routes.go with its audience (the public, staff, merchant portal users, a
// merchant's API credentials, consumers or the card network) and, for staff
// and merchant users, the roles that may use it. Each part registers its
// routes on a Router, which refuses an unlisted pattern at start-up and
// puts the check in front of every handler: it asks the part's Gate who
// sent the request, decides from the table, and lets the Gate turn away
// whoever may not pass (to sign in, or forbidden). Handlers check only what
// the table cannot know: whether the resource a path names belongs to the
// merchant or consumer asking.
package access

import (
	"fmt"
	"net/http"
	"slices"
	"sort"

	"github.com/tillit/tillit/internal/account"
)

// Audience is who a route is for.
type Audience string

// Audiences.
const (
	// Public routes are open to anyone: sign-in pages, the privacy notice,
	// health checks, and pages that carry their own proof (a checkout
	// session, a signed link).
	Public Audience = "public"
	// Staff routes are for signed-in members of staff (the back office).
	Staff Audience = "staff"
	// MerchantUser routes are for signed-in merchant users (the portal).
	MerchantUser Audience = "merchant_user"
	// MerchantAPI routes are for a merchant's API credentials.
	MerchantAPI Audience = "merchant_api"
	// Consumer routes are for signed-in consumers (the consumer app).
	Consumer Audience = "consumer"
	// Network routes are for the card network's credentials.
	Network Audience = "card_network"
)

// Rule is who may use one route.
type Rule struct {
	Audience Audience
	// StaffRoles, for a Staff route, are the roles that may use it besides
	// admin, who may use every staff route; none means every member.
	StaffRoles []account.Role
	// MerchantRoles, for a MerchantUser route, are the merchant user roles
	// that may use it; none means every user.
	MerchantRoles []account.MerchantRole
}

// Principal is who sent a request, as the part of Tillit serving it
// identified them. The zero Principal is nobody: not signed in, or no
// valid credentials.
type Principal struct {
	// Audience is what kind of caller this is; empty for nobody.
	Audience Audience
	// StaffRole is a member of staff's role.
	StaffRole account.Role
	// MerchantRole is a merchant user's role.
	MerchantRole account.MerchantRole
}

// StaffMember is the principal of a signed-in member of staff with role.
func StaffMember(role account.Role) Principal {
	return Principal{Audience: Staff, StaffRole: role}
}

// Decision is what the table says about a request.
type Decision int

// Decisions.
const (
	// Allow lets the request through to its handler.
	Allow Decision = iota
	// SignIn turns away a request from nobody: it must sign in (or send
	// credentials) first.
	SignIn
	// Forbid turns away a caller the route is not for.
	Forbid
)

// Decide says whether p may use a route with this rule.
func (rule Rule) Decide(p Principal) Decision {
	if rule.Audience == Public {
		return Allow
	}
	if p.Audience == "" {
		return SignIn
	}
	if p.Audience != rule.Audience {
		return Forbid
	}
	switch rule.Audience {
	case Staff:
		if p.StaffRole == account.RoleAdmin || len(rule.StaffRoles) == 0 || slices.Contains(rule.StaffRoles, p.StaffRole) {
			return Allow
		}
		return Forbid
	case MerchantUser:
		if len(rule.MerchantRoles) == 0 || slices.Contains(rule.MerchantRoles, p.MerchantRole) {
			return Allow
		}
		return Forbid
	}
	return Allow
}

// Lookup returns the rule of a route pattern, as registered.
func Lookup(pattern string) (Rule, bool) {
	rule, ok := routes[pattern]
	return rule, ok
}

// Allows reports whether p may use the route registered as pattern; an
// unlisted pattern allows nobody. Pages use it to show only the links and
// buttons their viewer may follow.
func Allows(pattern string, p Principal) bool {
	rule, ok := routes[pattern]
	return ok && rule.Decide(p) == Allow
}

// StaffRoles returns the roles besides admin that may use the staff route
// registered as pattern; it panics for a pattern that is not a staff route,
// a programming error caught at start-up.
func StaffRoles(pattern string) []account.Role {
	rule, ok := routes[pattern]
	if !ok || rule.Audience != Staff {
		panic(fmt.Sprintf("access: %q is not a staff route in the access table", pattern))
	}
	return rule.StaffRoles
}

// Patterns lists every route pattern in the table, sorted.
func Patterns() []string {
	out := make([]string, 0, len(routes))
	for p := range routes {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Gate is how a Router learns who sent a request and turns them away.
type Gate struct {
	// Identify returns who sent r to a route for audience, and r carrying
	// in its context what the route's handler needs to know about them.
	// Missing or wrong credentials are nobody, not an error; an error is
	// a failure to find out (the Router answers it with Fail).
	Identify func(r *http.Request, audience Audience) (Principal, *http.Request, error)
	// Deny answers a request the table turns away (d is SignIn or Forbid).
	Deny func(w http.ResponseWriter, r *http.Request, audience Audience, d Decision)
	// Fail answers a request whose sender could not be identified.
	Fail func(w http.ResponseWriter, r *http.Request, err error)
}

// Router is an http.ServeMux whose every route is in the access table and
// checked against it before its handler runs.
type Router struct {
	mux  *http.ServeMux
	gate Gate
}

// NewRouter returns a Router that identifies callers through gate. A part
// serving only public routes may pass the zero Gate.
func NewRouter(gate Gate) *Router {
	return &Router{mux: http.NewServeMux(), gate: gate}
}

// Handle registers h for pattern, behind the table's check. It panics when
// pattern is not in the table: a new route must say who may use it.
func (rt *Router) Handle(pattern string, h http.Handler) {
	rule, ok := routes[pattern]
	if !ok {
		panic(fmt.Sprintf("access: route %q is not in the access table (internal/access/routes.go)", pattern))
	}
	if rule.Audience == Public {
		rt.mux.Handle(pattern, h)
		return
	}
	if rt.gate.Identify == nil || rt.gate.Deny == nil || rt.gate.Fail == nil {
		panic(fmt.Sprintf("access: route %q is for %s but its router has no gate", pattern, rule.Audience))
	}
	rt.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, r2, err := rt.gate.Identify(r, rule.Audience)
		if err != nil {
			rt.gate.Fail(w, r, err)
			return
		}
		if d := rule.Decide(p); d != Allow {
			rt.gate.Deny(w, r2, rule.Audience, d)
			return
		}
		h.ServeHTTP(w, r2)
	}))
}

// HandleFunc registers f for pattern, like Handle.
func (rt *Router) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	rt.Handle(pattern, http.HandlerFunc(f))
}

// Handler returns the handler and pattern r would be routed to, like
// http.ServeMux.Handler.
func (rt *Router) Handler(r *http.Request) (http.Handler, string) { return rt.mux.Handler(r) }

// ServeHTTP routes r.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) { rt.mux.ServeHTTP(w, r) }
