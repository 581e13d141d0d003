package demoshop_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/demoshop"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/password"
)

// TestSeed checks that Seed makes a test-mode merchant with working API
// credentials and two working sign-ins, and that a second call makes new,
// different ones.
func TestSeed(t *testing.T) {
	e := newEnv(t)
	first := e.demo
	second, err := demoshop.Seed(e.ctx, e.app.DB, e.app.Accounts)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []demoshop.Demo{first, second} {
		m := d.Merchant
		if m.Name != demoshop.MerchantName || !m.TestMode || m.SettlementCurrency != "DKK" || m.ID != d.APICredentials.MerchantID {
			t.Errorf("merchant %+v, credentials for %s", m, d.APICredentials.MerchantID)
		}
		if got, err := merchant.Authenticate(e.ctx, e.app.DB, d.APICredentials.Username, d.APICredentials.Password); err != nil || got.ID != m.ID {
			t.Errorf("API credentials: %v, merchant %s", err, got.ID)
		}
		if d.TestOTP != "123456" {
			t.Errorf("test code %q", d.TestOTP)
		}

		owner, err := e.app.Accounts.AuthenticateMerchantUser(e.ctx, d.MerchantPortal.Email, d.MerchantPortal.Password)
		if err != nil {
			t.Fatalf("owner sign-in: %v", err)
		}
		if owner.MerchantID != m.ID || owner.Role != account.MerchantOwner || d.MerchantPortal.Path != "/portal/" {
			t.Errorf("owner %+v at %s", owner, d.MerchantPortal.Path)
		}
		admin, err := e.app.Accounts.AuthenticateStaff(e.ctx, d.BackOffice.Email, d.BackOffice.Password)
		if err != nil {
			t.Fatalf("admin sign-in: %v", err)
		}
		if admin.Role != account.RoleAdmin || d.BackOffice.Path != "/staff/" {
			t.Errorf("admin %+v at %s", admin, d.BackOffice.Path)
		}
		for _, s := range []demoshop.SignIn{d.MerchantPortal, d.BackOffice} {
			if !strings.HasSuffix(s.Email, "@"+demoshop.EmailDomain) {
				t.Errorf("e-mail %q", s.Email)
			}
			if err := password.Check(s.Password, s.Email); err != nil || len(s.Password) < 20 {
				t.Errorf("password for %s: %v", s.Email, err)
			}
		}
		if _, err := e.app.Accounts.AuthenticateStaff(e.ctx, d.BackOffice.Email, d.BackOffice.Password+"x"); err == nil {
			t.Error("a wrong password signed in")
		}
	}

	if first.Merchant.ID == second.Merchant.ID || first.APICredentials.Username == second.APICredentials.Username {
		t.Error("the second demo has the first's merchant")
	}
	seen := map[string]bool{}
	for _, s := range []demoshop.SignIn{first.MerchantPortal, first.BackOffice, second.MerchantPortal, second.BackOffice} {
		if seen[s.Email] || seen[s.Password] {
			t.Errorf("%s or its password repeats", s.Email)
		}
		seen[s.Email], seen[s.Password] = true, true
	}
	// Each demo's owner sees only their own merchant.
	users, err := e.app.Accounts.ListMerchantUsers(e.ctx, second.Merchant.ID)
	if err != nil || len(users) != 1 || users[0].Email != second.MerchantPortal.Email {
		t.Errorf("second merchant's users %+v, %v", users, err)
	}
}

// TestDemoJSON checks the shape the command line prints.
func TestDemoJSON(t *testing.T) {
	e := newEnv(t)
	b, err := json.Marshal(e.demo)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for obj, fields := range map[string][]string{
		"merchant":        {"merchant_id", "name", "test_mode"},
		"api_credentials": {"username", "password", "signing_secret"},
		"merchant_portal": {"path", "email", "password"},
		"back_office":     {"path", "email", "password"},
	} {
		var o map[string]any
		if err := json.Unmarshal(got[obj], &o); err != nil {
			t.Fatalf("%s: %v in %s", obj, err, b)
		}
		for _, f := range fields {
			if _, ok := o[f]; !ok {
				t.Errorf("%s has no %s: %s", obj, f, b)
			}
		}
	}
	if !strings.Contains(string(b), `"test_otp":"123456"`) {
		t.Errorf("no test_otp: %s", b)
	}
}
