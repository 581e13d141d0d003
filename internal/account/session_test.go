package account_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
)

func TestSessionStoresOnlyTheTokenHash(t *testing.T) {
	f := setup(t)
	st := createStaff(t, f, "ana@tillit.example", account.RoleAdmin)
	token, sess, err := startSession(t, f, account.KindStaff, st.ID, "", strings.Repeat("Mozilla ", 100), "192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	if len(token) < 43 || sess.Kind != account.KindStaff || sess.SubjectID != st.ID || len(sess.UserAgent) != 512 || sess.IP != "192.0.2.7" {
		t.Fatalf("session %+v, token %q", sess, token)
	}
	if !sess.ExpiresAt.Equal(f.clk.Now().Add(account.DefaultStaffLifetime)) || !sess.IdleExpiresAt.Equal(f.clk.Now().Add(account.DefaultStaffIdle)) {
		t.Fatalf("expiry %+v", sess)
	}
	if stored := queryString(t, f.db, `SELECT token_hash FROM web_sessions WHERE id = $1`, sess.ID); stored != ids.Hash(token) {
		t.Fatalf("stored %q", stored)
	}
	if n := count(t, f.db, `SELECT COUNT(*) FROM web_sessions WHERE token_hash = $1 OR id = $1 OR user_agent = $1 OR ip = $1`, token); n != 0 {
		t.Fatal("the token itself is stored")
	}
	got, err := f.svc.LookupSession(ctx, account.KindStaff, token)
	if err != nil || got.ID != sess.ID {
		t.Fatalf("lookup %+v %v", got, err)
	}
	for name, lookup := range map[string]func() error{
		"wrong kind":    func() error { _, err := f.svc.LookupSession(ctx, account.KindConsumer, token); return err },
		"hash as token": func() error { _, err := f.svc.LookupSession(ctx, account.KindStaff, ids.Hash(token)); return err },
		"empty token":   func() error { _, err := f.svc.LookupSession(ctx, account.KindStaff, ""); return err },
		"other token":   func() error { _, err := f.svc.LookupSession(ctx, account.KindStaff, ids.Token(32)); return err },
	} {
		if err := lookup(); apperr.Code(err) != apperr.Unauthorized {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestSessionIdleTimeout(t *testing.T) {
	f := setup(t)
	st := createStaff(t, f, "ana@tillit.example", account.RoleAdmin)
	start := f.clk.Now()
	token, sess, err := startSession(t, f, account.KindStaff, st.ID, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	lastSeen := func() time.Time {
		t.Helper()
		return time.UnixMicro(int64(count(t, f.db, `SELECT last_seen_at FROM web_sessions WHERE id = $1`, sess.ID))).UTC()
	}

	// Within a minute a lookup writes nothing.
	f.clk.Advance(30 * time.Second)
	if _, err := f.svc.LookupSession(ctx, account.KindStaff, token); err != nil {
		t.Fatal(err)
	}
	if !lastSeen().Equal(start) {
		t.Fatalf("last seen moved to %v within a minute", lastSeen())
	}
	// Later it slides.
	f.clk.Advance(29 * time.Minute)
	got, err := f.svc.LookupSession(ctx, account.KindStaff, token)
	if err != nil {
		t.Fatal(err)
	}
	if !lastSeen().Equal(f.clk.Now()) || !got.LastSeenAt.Equal(f.clk.Now()) || !got.IdleExpiresAt.Equal(f.clk.Now().Add(account.DefaultStaffIdle)) {
		t.Fatalf("not slid: %v, %+v", lastSeen(), got)
	}
	// 30 minutes without use end it.
	f.clk.Advance(account.DefaultStaffIdle - time.Second)
	if _, err := f.svc.LookupSession(ctx, account.KindStaff, token); err != nil {
		t.Fatalf("just before the idle timeout: %v", err)
	}
	f.clk.Advance(account.DefaultStaffIdle)
	_, err = f.svc.LookupSession(ctx, account.KindStaff, token)
	wantCode(t, err, apperr.Unauthorized)
	if list, _ := f.svc.ListSessions(ctx, account.KindStaff, st.ID); len(list) != 0 {
		t.Fatalf("idle session listed: %+v", list)
	}
}

func TestSessionLifetime(t *testing.T) {
	f := setup(t)
	st := createStaff(t, f, "ana@tillit.example", account.RoleAdmin)
	token, _, err := startSession(t, f, account.KindStaff, st.ID, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	// Used every 20 minutes, a staff session still ends after 12 hours.
	used := time.Duration(0)
	for ; used+20*time.Minute < account.DefaultStaffLifetime; used += 20 * time.Minute {
		f.clk.Advance(20 * time.Minute)
		if _, err := f.svc.LookupSession(ctx, account.KindStaff, token); err != nil {
			t.Fatalf("after %v: %v", used, err)
		}
	}
	f.clk.Advance(account.DefaultStaffLifetime - used)
	_, err = f.svc.LookupSession(ctx, account.KindStaff, token)
	wantCode(t, err, apperr.Unauthorized)
}

func TestSessionPoliciesByKind(t *testing.T) {
	f := setup(t)
	shop := createMerchant(t, f, "Shop")
	u, err := f.svc.CreateMerchantUser(ctx, "cli", account.NewMerchantUser{MerchantID: shop, Email: "o@shop.example", Name: "O", Role: "owner", Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RequestLoginCode(ctx, "anna@example.dk", ""); err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.VerifyLoginCode(ctx, "anna@example.dk", latestCode(t, f, "anna@example.dk"))
	if err != nil {
		t.Fatal(err)
	}
	merchantToken, _, err := startSession(t, f, account.KindMerchant, u.ID, shop, "", "")
	if err != nil {
		t.Fatal(err)
	}
	consumerToken, _, err := startSession(t, f, account.KindConsumer, c.ID, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(account.DefaultMerchantIdle - time.Minute)
	for kind, token := range map[account.Kind]string{account.KindMerchant: merchantToken, account.KindConsumer: consumerToken} {
		if _, err := f.svc.LookupSession(ctx, kind, token); err != nil {
			t.Fatalf("%s after 12h less a minute: %v", kind, err)
		}
	}
	f.clk.Advance(account.DefaultMerchantIdle)
	_, err = f.svc.LookupSession(ctx, account.KindMerchant, merchantToken)
	wantCode(t, err, apperr.Unauthorized)
	if _, err := f.svc.LookupSession(ctx, account.KindConsumer, consumerToken); err != nil {
		t.Fatalf("consumer after a day: %v", err)
	}
	f.clk.Advance(account.DefaultConsumerIdle)
	_, err = f.svc.LookupSession(ctx, account.KindConsumer, consumerToken)
	wantCode(t, err, apperr.Unauthorized)

	for _, bad := range []struct {
		kind              account.Kind
		subject, merchant string
		code              string
	}{
		{"admin", u.ID, "", apperr.BadValue},
		{account.KindConsumer, c.ID, shop, apperr.BadValue},
		{account.KindConsumer, ids.New(), "", apperr.NotFound},
		{account.KindStaff, u.ID, "", apperr.NotFound},
	} {
		_, _, err := startSession(t, f, bad.kind, bad.subject, bad.merchant, "", "")
		if apperr.Code(err) != bad.code {
			t.Errorf("StartSession(%s, %s, %q): %v, want %s", bad.kind, bad.subject, bad.merchant, err, bad.code)
		}
	}
}

func TestRevokeSessions(t *testing.T) {
	f := setup(t)
	ana := createStaff(t, f, "ana@tillit.example", account.RoleAdmin)
	bo := createStaff(t, f, "bo@tillit.example", account.RoleAdmin)
	var tokens []string
	var sessions []account.Session
	for range 3 {
		token, sess, err := startSession(t, f, account.KindStaff, ana.ID, "", "", "")
		if err != nil {
			t.Fatal(err)
		}
		tokens, sessions = append(tokens, token), append(sessions, sess)
		f.clk.Advance(time.Second)
	}
	boToken, _, err := startSession(t, f, account.KindStaff, bo.ID, "", "", "")
	if err != nil {
		t.Fatal(err)
	}

	list, err := f.svc.ListSessions(ctx, account.KindStaff, ana.ID)
	if err != nil || len(list) != 3 || list[0].ID != sessions[2].ID {
		t.Fatalf("list %+v %v", list, err)
	}

	// Someone else cannot end Ana's session; Ana can.
	if err := f.svc.RevokeSession(ctx, account.KindStaff, bo.ID, sessions[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.LookupSession(ctx, account.KindStaff, tokens[0]); err != nil {
		t.Fatalf("revoked by someone else: %v", err)
	}
	if err := f.svc.RevokeSession(ctx, account.KindStaff, ana.ID, sessions[0].ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.LookupSession(ctx, account.KindStaff, tokens[0])
	wantCode(t, err, apperr.Unauthorized)
	if err := f.svc.RevokeSession(ctx, account.KindStaff, ana.ID, sessions[0].ID); err != nil {
		t.Fatalf("revoking twice: %v", err)
	}

	n, err := f.svc.RevokeAllSessions(ctx, account.KindStaff, ana.ID)
	if err != nil || n != 2 {
		t.Fatalf("revoke all: %d %v", n, err)
	}
	for _, token := range tokens {
		_, err := f.svc.LookupSession(ctx, account.KindStaff, token)
		wantCode(t, err, apperr.Unauthorized)
	}
	if list, _ := f.svc.ListSessions(ctx, account.KindStaff, ana.ID); len(list) != 0 {
		t.Fatalf("listed after revoke all: %+v", list)
	}
	if _, err := f.svc.LookupSession(ctx, account.KindStaff, boToken); err != nil {
		t.Fatalf("Bo's session: %v", err)
	}
}

func TestPurge(t *testing.T) {
	f := setup(t)
	st := createStaff(t, f, "ana@tillit.example", account.RoleAdmin)
	live, _, err := startSession(t, f, account.KindStaff, st.ID, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	_, revoked, err := startSession(t, f, account.KindStaff, st.ID, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RevokeSession(ctx, account.KindStaff, st.ID, revoked.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RequestLoginCode(ctx, "anna@example.dk", ""); err != nil {
		t.Fatal(err)
	}
	_, _ = f.svc.AuthenticateStaff(ctx, "ana@tillit.example", "wrong password here")

	n, err := f.svc.Purge(ctx)
	if err != nil || n != 1 {
		t.Fatalf("purge now: %d %v", n, err)
	}
	if _, err := f.svc.LookupSession(ctx, account.KindStaff, live); err != nil {
		t.Fatalf("live session purged: %v", err)
	}
	f.clk.Advance(time.Hour)
	// The idle staff session, the expired code, and both throttle counters.
	n, err = f.svc.Purge(ctx)
	if err != nil || n != 4 {
		t.Fatalf("purge after an hour: %d %v", n, err)
	}
	for _, table := range []string{"web_sessions", "login_codes", "sign_in_throttle"} {
		if c := count(t, f.db, `SELECT COUNT(*) FROM `+table); c != 0 {
			t.Errorf("%d rows left in %s", c, table)
		}
	}
}

// TestSessionDeviceDetailsAreSealed checks that a session's user agent and
// IP address are stored only sealed, under the consumer's person or the
// staff member's own key, that the subject's session list opens them, and
// that a consumer's become unreadable when the person's key is shredded.
func TestSessionDeviceDetailsAreSealed(t *testing.T) {
	f := setup(t)
	const anna, agent, ip = "anna@example.dk", "Mozilla/5.0 (X11; Linux) Firefox/140.0", "198.51.100.23"
	if err := f.svc.RequestLoginCode(ctx, anna, ""); err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.VerifyLoginCode(ctx, anna, latestCode(t, f, anna))
	if err != nil {
		t.Fatal(err)
	}
	st := createStaff(t, f, "ana@tillit.example", account.RoleAdmin)
	for _, s := range []struct {
		kind    account.Kind
		subject string
	}{{account.KindConsumer, c.ID}, {account.KindStaff, st.ID}} {
		_, sess, err := startSession(t, f, s.kind, s.subject, "", agent, ip)
		if err != nil {
			t.Fatal(err)
		}
		if sess.UserAgent != agent || sess.IP != ip {
			t.Errorf("%s: the started session reads %q %q", s.kind, sess.UserAgent, sess.IP)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM web_sessions WHERE id = $1 AND (user_agent LIKE '%Firefox%' OR ip LIKE '%198.51%' OR user_agent = '')`, sess.ID); n != 0 {
			t.Errorf("%s: the browser details are stored in clear", s.kind)
		}
		list, err := f.svc.ListSessions(ctx, s.kind, s.subject)
		if err != nil || len(list) != 1 || list[0].UserAgent != agent || list[0].IP != ip {
			t.Errorf("%s: listed %+v %v", s.kind, list, err)
		}
		token, _, err := startSession(t, f, s.kind, s.subject, "", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := f.svc.LookupSession(ctx, s.kind, token); err != nil || got.UserAgent != "" {
			t.Errorf("%s: lookup %+v %v", s.kind, got, err)
		}
	}
	if err := f.db.Write(ctx, func(tx *store.Tx) error { return f.vault.Shred(tx, c.PersonID) }); err != nil {
		t.Fatal(err)
	}
	list, err := f.svc.ListSessions(ctx, account.KindConsumer, c.ID)
	if err != nil || len(list) != 2 || list[1].UserAgent != "" || list[1].IP != "" {
		t.Errorf("after the shred: %+v %v", list, err)
	}
}
