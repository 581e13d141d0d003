package retention_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/consent"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/retention"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/vault"
)

// TestRulesApplyTheRegistry pins, for every rule, the registry's retention
// it applies, so that a change to the registry shows here (and in
// docs/retention.md) rather than silently moving a deletion day.
func TestRulesApplyTheRegistry(t *testing.T) {
	after := func(n int, u privacy.Unit, e privacy.Event, a privacy.Action) privacy.Retention {
		return privacy.Retention{Period: privacy.Period{N: n, Unit: u}, From: e, Then: a}
	}
	want := map[string]privacy.Retention{
		retention.RuleCheckoutCodes:          after(0, privacy.Days, privacy.EventExpired, privacy.Delete),
		retention.RuleUnplacedAuthorizations: after(3, privacy.Months, privacy.EventCollected, privacy.Delete),
		retention.RuleAbandonedSessions:      after(3, privacy.Months, privacy.EventCollected, privacy.Delete),
		retention.RuleSignInCodes:            after(0, privacy.Days, privacy.EventExpired, privacy.Delete),
		retention.RuleWebSessions:            after(0, privacy.Days, privacy.EventExpired, privacy.Delete),
		retention.RuleSignInThrottle:         after(0, privacy.Days, privacy.EventExpired, privacy.Delete),
		retention.RuleOutboxMessages:         after(3, privacy.Months, privacy.EventCollected, privacy.Delete),
		retention.RuleMerchantMessages:       after(3, privacy.Months, privacy.EventCollected, privacy.Delete),
		retention.RuleConsumerAccounts:       after(3, privacy.Months, privacy.EventRelationshipEnded, privacy.Delete),
		retention.RuleConsentRecords:         after(3, privacy.Years, privacy.EventRelationshipEnded, privacy.Delete),
		retention.RulePersonRecords:          after(10, privacy.Years, privacy.EventContractEnded, privacy.CryptoShred),
		retention.RuleStaffAccounts:          after(3, privacy.Months, privacy.EventRelationshipEnded, privacy.Delete),
		retention.RuleMerchantUserAccounts:   after(3, privacy.Months, privacy.EventRelationshipEnded, privacy.Delete),
		retention.RuleSecurityReports:        after(1, privacy.Years, privacy.EventClosed, privacy.Delete),
		retention.RuleSupportConversations:   after(10, privacy.Years, privacy.EventCollected, privacy.Delete),
	}
	rules := retention.New(nil, retention.DefaultRules(nil), retention.Config{}, nil).Rules()
	if len(rules) != len(want) {
		t.Errorf("%d rules, want %d", len(rules), len(want))
	}
	for _, r := range rules {
		if got, ok := want[r.Name]; !ok || r.Retention != got {
			t.Errorf("%s applies %+v, want %+v", r.Name, r.Retention, got)
		}
		p, _ := privacy.LookupPurpose(r.Purpose)
		if reg, ok := p.RetentionFor(r.Category); !ok || reg != r.Retention {
			t.Errorf("%s: the registry's rule for %s/%s is %+v, the rule applies %+v", r.Name, r.Purpose, r.Category, reg, r.Retention)
		}
	}
}

// TestPersonTablesCoverTheRegistry checks that the person-level rule says
// what happens to every table the registry links to a person.
func TestPersonTablesCoverTheRegistry(t *testing.T) {
	for _, table := range privacy.LinkedTables() {
		if retention.PersonTables[table] == "" {
			t.Errorf("table %s holds data about people (privacy.LinkedTables) but retention.PersonTables does not say what happens to it", table)
		}
	}
	for table := range retention.PersonTables {
		if _, ok := privacy.PersonLinks(table); !ok {
			t.Errorf("retention.PersonTables names %s, which the registry does not link to people", table)
		}
	}
}

func TestCheckoutCodesGoWhenTheyExpire(t *testing.T) {
	w := newWorld(t)
	w.session("s1", at(2026, 3, 2, 9, 0), false)
	w.session("s2", at(2026, 3, 2, 9, 0), false)
	w.exec(`INSERT INTO otp_challenges (session_id, code_hash, attempts, expires_at) VALUES ('s1', 'h1', 0, $1), ('s2', 'h2', 0, $2)`,
		us(at(2026, 3, 5, 12, 0)), us(at(2026, 3, 5, 12, 0).Add(time.Second)))
	w.fires(firing{at: at(2026, 3, 5, 12, 0), items: map[string]int{retention.RuleCheckoutCodes: 1},
		want: map[string]change{"otp_challenges": {1, 0}}})
	if n := w.count(`SELECT COUNT(*) FROM otp_challenges WHERE session_id = 's2'`); n != 1 {
		t.Errorf("the code expiring a second later went too")
	}
}

// TestAbandonedSessionsAfterThreeMonths: three calendar months from 30
// November end on 28 February; a session created on 1 December waits for
// 1 March. The session's own vault key, which sealed its personal fields,
// is shredded.
func TestAbandonedSessionsAfterThreeMonths(t *testing.T) {
	w := newWorld(t)
	w.session("s1", at(2026, 11, 30, 12, 0), true)
	w.session("s2", at(2026, 12, 1, 0, 0), false)
	w.fires(firing{at: at(2027, 2, 28, 12, 0), items: map[string]int{retention.RuleAbandonedSessions: 1},
		want: map[string]change{"payment_sessions": {1, 0}, "subject_keys": {1, 1}}})
	w.fires(firing{at: at(2027, 3, 1, 0, 0), items: map[string]int{retention.RuleAbandonedSessions: 1},
		want: map[string]change{"payment_sessions": {1, 0}}})
	if err := w.db.Read(w.ctx, func(tx *store.Tx) error {
		_, err := w.vault.Open(tx, "s1", "checkout.personal", "v1.AAAA")
		return err
	}); !errors.Is(err, vault.ErrShredded) {
		t.Errorf("the session's key was not shredded: %v", err)
	}
}

// TestUnplacedAuthorizationsAfterThreeMonths: an authorization from 30
// November 2027 goes on the leap day 2028, and its session, whose own
// period had ended an hour before, goes with it.
func TestUnplacedAuthorizationsAfterThreeMonths(t *testing.T) {
	w := newWorld(t)
	w.session("s1", at(2027, 11, 30, 11, 0), false)
	w.authorization("t1", "s1", at(2027, 11, 30, 12, 0))
	w.session("s2", at(2027, 11, 30, 23, 0), false)
	w.authorization("t2", "s2", at(2027, 12, 1, 0, 0))
	w.fires(firing{at: at(2028, 2, 29, 12, 0), items: map[string]int{retention.RuleUnplacedAuthorizations: 1},
		want: map[string]change{"authorizations": {1, 0}, "payment_sessions": {1, 0}}})
	w.fires(firing{at: at(2028, 3, 1, 0, 0), items: map[string]int{retention.RuleUnplacedAuthorizations: 1},
		want: map[string]change{"authorizations": {1, 0}, "payment_sessions": {1, 0}}})
}

func TestSignInCodesGoWhenTheyExpire(t *testing.T) {
	w := newWorld(t)
	w.exec(`INSERT INTO login_codes (consumer_key, code_hash, locale, attempts, created_at, expires_at) VALUES ('k1', 'h', 'da-DK', 0, $1, $2), ('k2', 'h', 'da-DK', 0, $1, $3)`,
		us(at(2026, 3, 31, 23, 50)), us(at(2026, 4, 1, 0, 5)), us(at(2026, 4, 1, 0, 6)))
	w.fires(firing{at: at(2026, 4, 1, 0, 5), items: map[string]int{retention.RuleSignInCodes: 1},
		want: map[string]change{"login_codes": {1, 0}}})
}

// TestWebSessionsGoWhenRevokedOrExpired: a revoked session goes at its
// revocation, another at the end of its lifetime.
func TestWebSessionsGoWhenRevokedOrExpired(t *testing.T) {
	w := newWorld(t)
	insert := func(id string, expires time.Time, revoked any) {
		w.exec(`INSERT INTO web_sessions (id, token_hash, kind, subject_id, created_at, last_seen_at, expires_at, revoked_at, user_agent, ip)
VALUES ($1, $2, 'consumer', 'c1', $3, $3, $4, $5, 'Mozilla/5.0', '192.0.2.1')`, id, "hash-"+id, us(at(2026, 3, 2, 9, 0)), us(expires), revoked)
	}
	insert("revoked", at(2026, 7, 1, 9, 0), us(at(2026, 5, 1, 10, 0)))
	insert("expires", at(2026, 5, 31, 9, 0), nil)
	insert("later", at(2026, 5, 31, 9, 1), nil)
	w.fires(firing{at: at(2026, 5, 1, 10, 0), items: map[string]int{retention.RuleWebSessions: 1},
		want: map[string]change{"web_sessions": {1, 0}}})
	w.fires(firing{at: at(2026, 5, 31, 9, 0), items: map[string]int{retention.RuleWebSessions: 1},
		want: map[string]change{"web_sessions": {1, 0}}})
}

func TestSignInThrottleGoesWhenItExpires(t *testing.T) {
	w := newWorld(t)
	w.exec(`INSERT INTO sign_in_throttle (scope, key_hash, attempts, window_start, expires_at) VALUES ('staff', 'k1', 3, $1, $2), ('staff', 'k2', 3, $1, $3)`,
		us(at(2026, 3, 2, 9, 0)), us(at(2026, 3, 2, 9, 15)), us(at(2026, 3, 2, 9, 16)))
	w.fires(firing{at: at(2026, 3, 2, 9, 15), items: map[string]int{retention.RuleSignInThrottle: 1},
		want: map[string]change{"sign_in_throttle": {1, 0}}})
}

// TestOutboxMessagesAfterThreeMonths: three months from 31 January end on
// 30 April.
func TestOutboxMessagesAfterThreeMonths(t *testing.T) {
	w := newWorld(t)
	w.exec(`INSERT INTO outbox_messages (id, channel, recipient, subject, body, created_at, sent_at) VALUES
('m1', 'email', 'ada@example.dk', 'Your code', '123456', $1, $1), ('m2', 'email', 'bo@example.dk', 'Your code', '654321', $2, NULL)`,
		us(at(2026, 1, 31, 10, 0)), us(at(2026, 2, 1, 0, 0)))
	w.fires(firing{at: at(2026, 4, 30, 10, 0), items: map[string]int{retention.RuleOutboxMessages: 1},
		want: map[string]change{"outbox_messages": {1, 0}}})
	w.fires(firing{at: at(2026, 5, 1, 0, 0), items: map[string]int{retention.RuleOutboxMessages: 1},
		want: map[string]change{"outbox_messages": {1, 0}}})
}

// TestOutboxMessagesOwnKeysAreShredded: a message about nobody Tillit
// knows is sealed under its own key, which is shredded when it goes; a
// message about a person leaves their key alone.
func TestOutboxMessagesOwnKeysAreShredded(t *testing.T) {
	w := newWorld(t)
	w.person("p1", time.Time{})
	var own, theirs string
	if err := w.db.Write(w.ctx, func(tx *store.Tx) error {
		var err error
		if own, err = outbox.Enqueue(tx, w.vault, "lookup", outbox.Message{Channel: outbox.Email, To: "new@example.dk", Subject: "Your code", Body: "123456"}); err != nil {
			return err
		}
		theirs, err = outbox.Enqueue(tx, w.vault, "lookup", outbox.Message{Channel: outbox.Email, To: "ada@example.dk", PersonID: "p1", Subject: "Your code", Body: "654321"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	w.fires(firing{at: storetest.Start.AddDate(0, 3, 0), items: map[string]int{retention.RuleOutboxMessages: 2},
		want: map[string]change{"outbox_messages": {2, 0}, "subject_keys": {1, 1}}})
	if err := w.db.Read(w.ctx, func(tx *store.Tx) error {
		if _, err := w.vault.Open(tx, own, outbox.ContextBody, "v1.AAAA"); !errors.Is(err, vault.ErrShredded) {
			t.Errorf("the message's own key was not shredded: %v", err)
		}
		if _, err := w.vault.Open(tx, "p1", outbox.ContextBody, "v1.AAAA"); errors.Is(err, vault.ErrShredded) {
			t.Errorf("the person's key was shredded with their message %s", theirs)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestConsumerAccountsGoWhenTheRelationshipEnds: the account, its session
// and its sign-in code go three months after the relationship ends. The
// person held nothing else (no order, no consent), so nothing keeps them:
// the person-level rule finishes with them at the same moment.
func TestConsumerAccountsGoWhenTheRelationshipEnds(t *testing.T) {
	w := newWorld(t)
	w.person("p1", at(2026, 5, 15, 10, 0))
	w.person("p2", time.Time{})
	for _, p := range []string{"p1", "p2"} {
		w.exec(`INSERT INTO consumers (id, consumer_key, email, locale, created_at, person_id) VALUES ($1, $2, $3, 'da-DK', $4, $5)`,
			"c-"+p, "key-"+p, p+"@example.dk", us(at(2026, 3, 2, 9, 0)), p)
		w.exec(`INSERT INTO web_sessions (id, token_hash, kind, subject_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, 'consumer', $3, $4, $4, $5)`,
			"ws-"+p, "hash-"+p, "c-"+p, us(at(2026, 8, 1, 9, 0)), us(at(2026, 10, 30, 9, 0)))
		w.exec(`INSERT INTO login_codes (consumer_key, code_hash, locale, attempts, created_at, expires_at) VALUES ($1, 'h', 'da-DK', 0, $2, $3)`,
			"key-"+p, us(at(2026, 8, 15, 9, 55)), us(at(2026, 8, 15, 10, 10)))
	}
	w.fires(firing{at: at(2026, 8, 15, 10, 0),
		items: map[string]int{retention.RuleConsumerAccounts: 1, retention.RulePersonRecords: 1},
		want: map[string]change{"consumers": {1, 0}, "web_sessions": {1, 0}, "login_codes": {1, 0},
			"persons": {1, 1}, "subject_keys": {0, 1}, "retention_retired_persons": {0, 1}}})
	if n := w.count(`SELECT COUNT(*) FROM persons WHERE id = 'p1' AND consumer_key IS NULL AND erased_at IS NOT NULL`); n != 1 {
		t.Errorf("p1 is still found by their address")
	}
}

// TestConsentRecordsThreeYearsAfterTheRelationship: from the leap day 2028
// the three years end on 28 February 2031. A direct-marketing consent the
// person still gives stays, with its history; the rest goes. (Only the
// consent rule runs here: a person with no order keeps nothing longer, and
// the person-level rule would take everything at the same moment.)
func TestConsentRecordsThreeYearsAfterTheRelationship(t *testing.T) {
	w := newWorld(t)
	w.engine = retention.New(w.db, only(retention.DefaultRules(w.vault), retention.RuleConsentRecords), retention.Config{}, logscan.Logger())
	w.person("p1", at(2028, 2, 29, 12, 0))
	w.person("p2", at(2028, 3, 1, 0, 0))
	set := func(p string, purpose consent.Purpose, granted bool, when time.Time) {
		w.clk.Set(when)
		if err := w.db.Write(w.ctx, func(tx *store.Tx) error {
			_, err := consent.SetTx(tx, p, purpose, granted, consent.SourceApp, "consumer:test")
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"p1", "p2"} {
		set(p, consent.DirectMarketing, true, at(2026, 4, 1, 9, 0))
		set(p, consent.CallRecording, true, at(2026, 4, 1, 9, 0))
		set(p, consent.VulnerableCustomerSupport, true, at(2026, 4, 2, 9, 0))
		set(p, consent.VulnerableCustomerSupport, false, at(2026, 5, 2, 9, 0))
	}
	w.fires(firing{at: at(2031, 2, 28, 12, 0), items: map[string]int{retention.RuleConsentRecords: 1},
		want: map[string]change{"consents": {2, 0}, "consent_history": {3, 0}}})
	if n := w.count(`SELECT COUNT(*) FROM consent_history WHERE subject = 'p1' AND purpose = $1`, string(consent.DirectMarketing)); n != 1 {
		t.Errorf("the history of a consent still given went: %d rows left", n)
	}
	// Withdrawn later, it goes at the next run.
	set("p1", consent.DirectMarketing, false, at(2031, 6, 1, 9, 0))
	w.run()
	if n := w.count(`SELECT COUNT(*) FROM consents WHERE subject = 'p1'`) + w.count(`SELECT COUNT(*) FROM consent_history WHERE subject = 'p1'`); n != 0 {
		t.Errorf("%d consent rows of p1 left after the withdrawal", n)
	}
}

// TestWorkforceAccountsThreeMonthsAfterDisabling: a staff account disabled
// on 31 August goes on 30 November, a merchant user's on 1 December.
func TestWorkforceAccountsThreeMonthsAfterDisabling(t *testing.T) {
	w := newWorld(t)
	w.exec(`INSERT INTO staff_users (id, email, name, role, password_hash, created_at, password_set_at, disabled_at) VALUES
('st1', 'ana@tillit.example', 'Ana', 'customer_service', 'x', $1, $1, $2), ('st2', 'ben@tillit.example', 'Ben', 'admin', 'x', $1, $1, NULL)`,
		us(at(2026, 3, 2, 9, 0)), us(at(2026, 8, 31, 17, 0)))
	w.exec(`INSERT INTO merchant_users (id, merchant_id, email, name, role, password_hash, created_at, password_set_at, disabled_at) VALUES
('mu1', $1, 'eva@shop.example', 'Eva', 'viewer', 'x', $2, $2, $3)`, w.merchant, us(at(2026, 3, 2, 9, 0)), us(at(2026, 9, 1, 8, 0)))
	w.exec(`INSERT INTO web_sessions (id, token_hash, kind, subject_id, created_at, last_seen_at, expires_at, revoked_at) VALUES
('ws1', 'h1', 'staff', 'st1', $1, $1, $2, NULL)`, us(at(2026, 8, 31, 9, 0)), us(at(2026, 12, 31, 9, 0)))
	w.fires(firing{at: at(2026, 11, 30, 17, 0), items: map[string]int{retention.RuleStaffAccounts: 1},
		want: map[string]change{"staff_users": {1, 0}, "web_sessions": {1, 0}}})
	w.fires(firing{at: at(2026, 12, 1, 8, 0), items: map[string]int{retention.RuleMerchantUserAccounts: 1},
		want: map[string]change{"merchant_users": {1, 0}}})
	if n := w.count(`SELECT COUNT(*) FROM staff_users WHERE id = 'st2'`); n != 1 {
		t.Errorf("the active staff account went")
	}
}

// only returns the rules named.
func only(rules []retention.Rule, names ...string) []retention.Rule {
	var out []retention.Rule
	for _, r := range rules {
		for _, n := range names {
			if r.Info().Name == n {
				out = append(out, r)
			}
		}
	}
	return out
}
