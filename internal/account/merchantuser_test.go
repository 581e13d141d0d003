package account_test

import (
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/merchant"
)

func createMerchant(t *testing.T, f fixture, name string) string {
	t.Helper()
	creds, err := merchant.Create(ctx, f.db, merchant.NewMerchant{Name: name, SettlementCurrency: "DKK"})
	if err != nil {
		t.Fatal(err)
	}
	return creds.MerchantID
}

func TestParseMerchantRole(t *testing.T) {
	for _, r := range account.MerchantRoles {
		if got, err := account.ParseMerchantRole(string(r)); got != r || err != nil {
			t.Errorf("ParseMerchantRole(%q) = %q, %v", r, got, err)
		}
	}
	if _, err := account.ParseMerchantRole("admin "); err != nil {
		t.Error(err)
	}
	if _, err := account.ParseMerchantRole("customer_service"); apperr.Code(err) != apperr.BadValue {
		t.Errorf("staff role accepted: %v", err)
	}
}

func TestMerchantUsers(t *testing.T) {
	f := setup(t)
	shop := createMerchant(t, f, "Shop")
	other := createMerchant(t, f, "Other Shop")

	u, err := f.svc.CreateMerchantUser(ctx, "cli", account.NewMerchantUser{MerchantID: shop, Email: "Owner@Shop.Example", Name: "Olga", Role: "owner", Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "owner@shop.example" || u.MerchantID != shop || u.Role != account.MerchantOwner {
		t.Fatalf("created %+v", u)
	}
	entries := auditActions(t, f.db, u.ID)
	if len(entries) != 1 || entries[0].Action != "merchant_user.created" || details(t, entries[0])["merchant_id"] != shop {
		t.Fatalf("audit %+v", entries)
	}

	_, err = f.svc.CreateMerchantUser(ctx, "cli", account.NewMerchantUser{MerchantID: other, Email: "owner@shop.example", Name: "Olga", Role: "viewer", Password: testPassword})
	wantCode(t, err, apperr.BadValue)
	_, err = f.svc.CreateMerchantUser(ctx, "cli", account.NewMerchantUser{MerchantID: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", Email: "x@shop.example", Name: "X", Role: "viewer", Password: testPassword})
	wantCode(t, err, apperr.NotFound)
	_, err = f.svc.CreateMerchantUser(ctx, "cli", account.NewMerchantUser{MerchantID: shop, Email: "x@shop.example", Name: "X", Role: "admin", Password: "qwertyuiopasdf"})
	wantCode(t, err, apperr.BadValue)

	got, err := f.svc.AuthenticateMerchantUser(ctx, "owner@shop.example", testPassword)
	if err != nil || got.ID != u.ID || got.MerchantID != shop || got.LastSignInAt == nil {
		t.Fatalf("sign-in %+v %v", got, err)
	}
	_, wrong := f.svc.AuthenticateMerchantUser(ctx, "owner@shop.example", "not the password")
	_, unknown := f.svc.AuthenticateMerchantUser(ctx, "nobody@shop.example", testPassword)
	wantCode(t, wrong, apperr.Unauthorized)
	if wrong.Error() != unknown.Error() {
		t.Fatalf("distinguishable: %v / %v", wrong, unknown)
	}
	// A staff address is not a merchant user, and the other way round.
	createStaff(t, f, "staff@tillit.example", account.RoleAdmin)
	_, err = f.svc.AuthenticateMerchantUser(ctx, "staff@tillit.example", testPassword)
	wantCode(t, err, apperr.Unauthorized)
	_, err = f.svc.AuthenticateStaff(ctx, "owner@shop.example", testPassword)
	wantCode(t, err, apperr.Unauthorized)

	// Merchant-user and staff sign-ins are throttled separately.
	for range 5 {
		_, _ = f.svc.AuthenticateStaff(ctx, "owner@shop.example", "not the password")
	}
	if _, err := f.svc.AuthenticateMerchantUser(ctx, "owner@shop.example", testPassword); err != nil {
		t.Fatalf("merchant sign-in after staff failures: %v", err)
	}
	for range 5 {
		_, _ = f.svc.AuthenticateMerchantUser(ctx, "owner@shop.example", "not the password")
	}
	_, err = f.svc.AuthenticateMerchantUser(ctx, "owner@shop.example", testPassword)
	wantCode(t, err, apperr.TooManyRequests)

	list, err := f.svc.ListMerchantUsers(ctx, shop)
	if err != nil || len(list) != 1 || list[0].ID != u.ID {
		t.Fatalf("list %+v %v", list, err)
	}
	if list, _ := f.svc.ListMerchantUsers(ctx, other); len(list) != 0 {
		t.Fatalf("other merchant's users %+v", list)
	}

	// Sessions are bound to the user's merchant.
	_, _, err = startSession(t, f, account.KindMerchant, u.ID, other, "", "")
	wantCode(t, err, apperr.NotFound)
	_, _, err = startSession(t, f, account.KindMerchant, u.ID, "", "", "")
	wantCode(t, err, apperr.BadValue)
	token, sess, err := startSession(t, f, account.KindMerchant, u.ID, shop, "", "")
	if err != nil || sess.MerchantID != shop {
		t.Fatalf("start %+v %v", sess, err)
	}
	if err := f.svc.DisableMerchantUser(ctx, "merchant_user:"+u.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.LookupSession(ctx, account.KindMerchant, token)
	wantCode(t, err, apperr.Unauthorized)
	verifyAudit(t, f.db)
}
