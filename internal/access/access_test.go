package access_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/access"
	"github.com/tillit/tillit/internal/account"
)

func TestDecide(t *testing.T) {
	analysts := access.Rule{Audience: access.Staff, StaffRoles: []account.Role{account.RoleSecurityAnalyst}}
	managers := access.Rule{Audience: access.MerchantUser, MerchantRoles: []account.MerchantRole{account.MerchantOwner}}
	for _, tc := range []struct {
		name string
		rule access.Rule
		who  access.Principal
		want access.Decision
	}{
		{"public lets nobody in", access.Rule{Audience: access.Public}, access.Principal{}, access.Allow},
		{"nobody signs in", analysts, access.Principal{}, access.SignIn},
		{"listed role", analysts, access.StaffMember(account.RoleSecurityAnalyst), access.Allow},
		{"admin always", analysts, access.StaffMember(account.RoleAdmin), access.Allow},
		{"other role", analysts, access.StaffMember(account.RoleCustomerService), access.Forbid},
		{"no roles: every member", access.Rule{Audience: access.Staff}, access.StaffMember(account.RoleCustomerService), access.Allow},
		{"consumer on a staff route", analysts, access.Principal{Audience: access.Consumer}, access.Forbid},
		{"merchant admin is not a staff admin", managers, access.Principal{Audience: access.MerchantUser, MerchantRole: account.MerchantAdmin}, access.Forbid},
		{"merchant owner", managers, access.Principal{Audience: access.MerchantUser, MerchantRole: account.MerchantOwner}, access.Allow},
		{"staff admin on a merchant route", managers, access.StaffMember(account.RoleAdmin), access.Forbid},
	} {
		if got := tc.rule.Decide(tc.who); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestRouterRefusesAnUnlistedRoute(t *testing.T) {
	defer func() {
		if p := recover(); p == nil || !strings.Contains(p.(string), "not in the access table") {
			t.Errorf("registering an unlisted route: %v, want a panic naming the table", p)
		}
	}()
	access.NewRouter(access.Gate{}).HandleFunc("GET /staff/no-such-route", func(http.ResponseWriter, *http.Request) {})
}

func TestRouterNeedsAGateForPrivateRoutes(t *testing.T) {
	defer func() {
		if p := recover(); p == nil {
			t.Error("a staff route registered without a gate did not panic")
		}
	}()
	access.NewRouter(access.Gate{}).HandleFunc("GET /staff/audit", func(http.ResponseWriter, *http.Request) {})
}

// TestRouterChecksBeforeTheHandler serves an admin-only route through a
// gate whose caller is set per request, and checks who reaches the
// handler and what the others are told.
func TestRouterChecksBeforeTheHandler(t *testing.T) {
	var (
		who     access.Principal
		failing error
		reached bool
	)
	rt := access.NewRouter(access.Gate{
		Identify: func(r *http.Request, audience access.Audience) (access.Principal, *http.Request, error) {
			if audience != access.Staff {
				t.Errorf("asked about %s, want staff", audience)
			}
			return who, r, failing
		},
		Deny: func(w http.ResponseWriter, _ *http.Request, _ access.Audience, d access.Decision) {
			if d == access.SignIn {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			w.WriteHeader(http.StatusForbidden)
		},
		Fail: func(w http.ResponseWriter, _ *http.Request, _ error) { w.WriteHeader(http.StatusInternalServerError) },
	})
	rt.HandleFunc("GET /staff/audit", func(w http.ResponseWriter, _ *http.Request) { reached = true })
	for _, tc := range []struct {
		who     access.Principal
		failing error
		status  int
		reached bool
	}{
		{access.Principal{}, nil, http.StatusUnauthorized, false},
		{access.StaffMember(account.RoleCustomerService), nil, http.StatusForbidden, false},
		{access.StaffMember(account.RoleAdmin), errors.New("database down"), http.StatusInternalServerError, false},
		{access.StaffMember(account.RoleAdmin), nil, http.StatusOK, true},
	} {
		who, failing, reached = tc.who, tc.failing, false
		rec := httptest.NewRecorder()
		rt.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/staff/audit", nil))
		if rec.Code != tc.status || reached != tc.reached {
			t.Errorf("as %+v (err %v): %d, handler reached %t; want %d, %t", tc.who, tc.failing, rec.Code, reached, tc.status, tc.reached)
		}
	}
}

func TestStaffRolesAndAllows(t *testing.T) {
	if roles := access.StaffRoles("GET /staff/screening"); len(roles) != 1 || roles[0] != account.RoleAMLOfficer {
		t.Errorf("screening roles: %v", roles)
	}
	if access.Allows("GET /staff/screening", access.StaffMember(account.RoleCustomerService)) {
		t.Error("customer service may open the screening page")
	}
	if access.Allows("GET /no-such-route", access.Principal{}) {
		t.Error("an unlisted route allows someone")
	}
	defer func() {
		if recover() == nil {
			t.Error("StaffRoles of a portal route did not panic")
		}
	}()
	access.StaffRoles("GET /portal/orders")
}
