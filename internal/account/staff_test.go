package account_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/password"
)

func createStaff(t *testing.T, f fixture, email string, role account.Role) account.Staff {
	t.Helper()
	st, err := f.svc.CreateStaff(ctx, "cli", account.NewStaff{Email: email, Name: "Ana Berg", Role: role, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestParseRole(t *testing.T) {
	for _, r := range account.Roles {
		if got, err := account.ParseRole(" " + string(r) + " "); got != r || err != nil {
			t.Errorf("ParseRole(%q) = %q, %v", r, got, err)
		}
	}
	if got, err := account.ParseRole("AML_Officer"); got != account.RoleAMLOfficer || err != nil {
		t.Errorf("mixed case: %q %v", got, err)
	}
	if _, err := account.ParseRole("superuser"); apperr.Code(err) != apperr.BadValue {
		t.Errorf("unknown role: %v", err)
	}
}

func TestCreateStaff(t *testing.T) {
	f := setup(t)
	st, err := f.svc.CreateStaff(ctx, "cli", account.NewStaff{Email: "  Ana.Berg@Tillit.Example ", Name: " Ana Berg ", Role: "risk_analyst", Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	if st.Email != "ana.berg@tillit.example" || st.Name != "Ana Berg" || st.Role != account.RoleRiskAnalyst || !st.CreatedAt.Equal(f.clk.Now()) || st.ID == "" {
		t.Fatalf("created %+v", st)
	}
	hash := queryString(t, f.db, `SELECT password_hash FROM staff_users WHERE id = $1`, st.ID)
	if p, err := password.ParseParams(hash); err != nil || p != password.Default {
		t.Fatalf("stored hash %q: %+v %v", hash, p, err)
	}
	entries := auditActions(t, f.db, st.ID)
	if len(entries) != 1 || entries[0].Action != "staff.created" || entries[0].Actor != "cli" || details(t, entries[0])["role"] != "risk_analyst" {
		t.Fatalf("audit %+v", entries)
	}

	cases := []struct {
		name string
		n    account.NewStaff
	}{
		{"e-mail taken, other case", account.NewStaff{Email: "ANA.BERG@tillit.example", Name: "Other", Role: account.RoleAdmin, Password: testPassword}},
		{"not an e-mail", account.NewStaff{Email: "Ana <ana@tillit.example>", Name: "Ana", Role: account.RoleAdmin, Password: testPassword}},
		{"no name", account.NewStaff{Email: "b@tillit.example", Name: " ", Role: account.RoleAdmin, Password: testPassword}},
		{"bad role", account.NewStaff{Email: "b@tillit.example", Name: "B", Role: "root", Password: testPassword}},
		{"short password", account.NewStaff{Email: "b@tillit.example", Name: "B", Role: account.RoleAdmin, Password: "short"}},
		{"common password", account.NewStaff{Email: "b@tillit.example", Name: "B", Role: account.RoleAdmin, Password: "Password2026!"}},
		{"password is the address", account.NewStaff{Email: "bertil.long@tillit.example", Name: "B", Role: account.RoleAdmin, Password: "bertil.long@tillit.example"}},
	}
	for _, c := range cases {
		if _, err := f.svc.CreateStaff(ctx, "cli", c.n); apperr.Code(err) != apperr.BadValue {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	list, err := f.svc.ListStaff(ctx)
	if err != nil || len(list) != 1 || list[0].ID != st.ID {
		t.Fatalf("list %+v %v", list, err)
	}
	verifyAudit(t, f.db)
}

func TestAuthenticateStaff(t *testing.T) {
	f := setup(t)
	st := createStaff(t, f, "ana@tillit.example", account.RoleCustomerService)
	f.clk.Advance(time.Hour)

	got, err := f.svc.AuthenticateStaff(ctx, " ANA@tillit.example", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != st.ID || got.LastSignInAt == nil || !got.LastSignInAt.Equal(f.clk.Now()) {
		t.Fatalf("signed in %+v", got)
	}

	// A wrong password and an unknown address get exactly the same answer.
	_, wrong := f.svc.AuthenticateStaff(ctx, "ana@tillit.example", testPassword+"!")
	_, unknown := f.svc.AuthenticateStaff(ctx, "nobody@tillit.example", testPassword)
	_, empty := f.svc.AuthenticateStaff(ctx, "", "")
	wantCode(t, wrong, apperr.Unauthorized)
	if wrong.Error() != unknown.Error() || wrong.Error() != empty.Error() {
		t.Fatalf("distinguishable: %v / %v / %v", wrong, unknown, empty)
	}

	entries := auditActions(t, f.db, st.ID)
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Actor+" "+e.Action)
	}
	want := []string{"cli staff.created", "staff:" + st.ID + " staff.signed_in", "anonymous staff.sign_in_failed"}
	if len(actions) != len(want) {
		t.Fatalf("audit %v", actions)
	}
	for i := range want {
		if actions[i] != want[i] {
			t.Fatalf("audit %v, want %v", actions, want)
		}
	}
	if r := details(t, entries[2])["reason"]; r != "wrong_password" {
		t.Fatalf("failure reason %v", r)
	}
	unknownEntries := auditActions(t, f.db, "")
	if len(unknownEntries) != 2 || details(t, unknownEntries[0])["reason"] != "unknown_account" {
		t.Fatalf("unknown-account audit %+v", unknownEntries)
	}
	for _, e := range append(entries, unknownEntries...) {
		if s := string(e.Details); strings.Contains(s, "ana@") || strings.Contains(s, "nobody") || strings.Contains(s, "violet") {
			t.Fatalf("audit entry holds personal data or a password: %s", s)
		}
	}

	// A disabled member of staff is refused like a wrong password, and their
	// sessions end.
	token, _, err := startSession(t, f, account.KindStaff, st.ID, "", "test", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DisableStaff(ctx, "cli", st.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.svc.DisableStaff(ctx, "cli", st.ID), apperr.NotFound)
	_, err = f.svc.AuthenticateStaff(ctx, "ana@tillit.example", testPassword)
	if err == nil || err.Error() != wrong.Error() {
		t.Fatalf("disabled: %v", err)
	}
	_, err = f.svc.LookupSession(ctx, account.KindStaff, token)
	wantCode(t, err, apperr.Unauthorized)
	_, _, err = startSession(t, f, account.KindStaff, st.ID, "", "test", "192.0.2.1")
	wantCode(t, err, apperr.NotFound)
	verifyAudit(t, f.db)
}

func TestStaffLockout(t *testing.T) {
	f := setup(t)
	st := createStaff(t, f, "ana@tillit.example", account.RoleAdmin)

	// Failures below the limit are forgotten after a success.
	for range 4 {
		_, err := f.svc.AuthenticateStaff(ctx, "ana@tillit.example", "wrong password 1")
		wantCode(t, err, apperr.Unauthorized)
	}
	if _, err := f.svc.AuthenticateStaff(ctx, "ana@tillit.example", testPassword); err != nil {
		t.Fatal(err)
	}
	// Five failures in the window lock the address; even the right password
	// is then refused, without being checked.
	for range 5 {
		_, err := f.svc.AuthenticateStaff(ctx, "ana@tillit.example", "wrong password 2")
		wantCode(t, err, apperr.Unauthorized)
		f.clk.Advance(time.Minute)
	}
	_, err := f.svc.AuthenticateStaff(ctx, "Ana@tillit.example", testPassword)
	wantCode(t, err, apperr.TooManyRequests)

	// Another address is not affected; an unknown address locks the same way.
	createStaff(t, f, "bo@tillit.example", account.RoleAdmin)
	if _, err := f.svc.AuthenticateStaff(ctx, "bo@tillit.example", testPassword); err != nil {
		t.Fatal(err)
	}
	var lockedUnknown error
	for range 6 {
		_, lockedUnknown = f.svc.AuthenticateStaff(ctx, "nobody@tillit.example", "wrong password 3")
	}
	if lockedUnknown == nil || lockedUnknown.Error() != err.Error() {
		t.Fatalf("unknown address locked out: %v", lockedUnknown)
	}

	// The lockout lasts 15 minutes from the fifth failure.
	f.clk.Advance(account.DefaultSignInLockout - 2*time.Minute)
	_, err = f.svc.AuthenticateStaff(ctx, "ana@tillit.example", testPassword)
	wantCode(t, err, apperr.TooManyRequests)
	f.clk.Advance(time.Minute)
	if _, err := f.svc.AuthenticateStaff(ctx, "ana@tillit.example", testPassword); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}

	// Failures spread wider than the window never lock.
	for range 8 {
		_, err := f.svc.AuthenticateStaff(ctx, "ana@tillit.example", "wrong password 4")
		wantCode(t, err, apperr.Unauthorized)
		f.clk.Advance(4 * time.Minute)
	}

	var locked int
	for _, e := range auditActions(t, f.db, st.ID) {
		if e.Action == "staff.sign_in_failed" && details(t, e)["reason"] == "locked_out" {
			locked++
		}
	}
	if locked != 2 {
		t.Fatalf("%d locked-out attempts audited, want 2", locked)
	}
	verifyAudit(t, f.db)
}

func TestSignInRehashesOldParameters(t *testing.T) {
	f := setup(t)
	old := password.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	weak := account.New(f.db, account.Config{Password: old}, f.key, f.vault)
	st, err := weak.CreateStaff(ctx, "cli", account.NewStaff{Email: "ana@tillit.example", Name: "Ana", Role: account.RoleAdmin, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	before := queryString(t, f.db, `SELECT password_hash FROM staff_users WHERE id = $1`, st.ID)
	if _, err := f.svc.AuthenticateStaff(ctx, "ana@tillit.example", testPassword); err != nil {
		t.Fatal(err)
	}
	after := queryString(t, f.db, `SELECT password_hash FROM staff_users WHERE id = $1`, st.ID)
	if after == before || password.NeedsRehash(after, password.Default) {
		t.Fatalf("not rehashed: %q -> %q", before, after)
	}
	if _, err := f.svc.AuthenticateStaff(ctx, "ana@tillit.example", testPassword); err != nil {
		t.Fatalf("sign-in with the new hash: %v", err)
	}
	entries := auditActions(t, f.db, st.ID)
	if details(t, entries[1])["rehashed"] != true || details(t, entries[2])["rehashed"] != false {
		t.Fatalf("audit %s / %s", entries[1].Details, entries[2].Details)
	}
}
