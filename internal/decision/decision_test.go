package decision_test

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/decision"
	"github.com/tillit/tillit/internal/store"
)

func TestForPersonListsEachDecisionNewestFirst(t *testing.T) {
	e := newEnv(t)
	anna := e.authorize(buy{email: "anna@example.dk", amount: 100000, order: true})
	e.later()
	// Above the review threshold: the fraud rules refer it to a person.
	if again := e.authorize(buy{email: "anna@example.dk", amount: 3_000_000}); again != anna {
		t.Fatalf("the second purchase is person %s, want %s", again, anna)
	}
	e.later()
	// Above the credit limit too: referred by the fraud rules, refused by
	// the credit check.
	e.authorize(buy{email: "anna@example.dk", amount: 6_000_000})

	got := kinds(e.decisions(anna))
	want := []string{
		"credit:refused[AMOUNT_OVER_CREDIT_LIMIT]", "fraud:referred[HIGH_AMOUNT_REVIEW]",
		"credit:approved[]", "fraud:referred[HIGH_AMOUNT_REVIEW]",
		"credit:approved[]", "fraud:approved[]",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("decisions = %v\nwant %v", got, want)
	}
	ds := e.decisions(anna)
	d := ds[0]
	if d.MerchantName != "Nordic Rain" || d.Amount != 6_000_000 || d.Currency != "DKK" || !d.DecidedAt.Equal(e.clk.Now()) {
		t.Errorf("newest decision = %+v", d)
	}
	if d.Reasons[0].Key != "decision.reason.amount_over_credit_limit" || d.Reasons[0].Kind != decision.Credit {
		t.Errorf("reason = %+v", d.Reasons[0])
	}
	seen := map[string]bool{}
	for _, d := range ds {
		if seen[d.Ref] || d.Ref == "" {
			t.Errorf("decision reference %q repeats or is empty", d.Ref)
		}
		seen[d.Ref] = true
	}
	// The references never carry the authorization token.
	err := e.db.Read(e.ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT token FROM authorizations`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var token string
			if err := rows.Scan(&token); err != nil {
				return err
			}
			for ref := range seen {
				if strings.Contains(ref, token) {
					t.Errorf("reference %s carries a token", ref)
				}
			}
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}

	// Someone else's decisions are not Anna's, and Anna's are not theirs.
	bob := e.authorize(buy{email: "bob@example.dk", amount: 5000, order: true})
	if got := kinds(e.decisions(bob)); !slices.Equal(got, []string{"credit:approved[]", "fraud:approved[]"}) {
		t.Errorf("Bob's decisions = %v", got)
	}
	if n := len(e.decisions(anna)); n != 6 {
		t.Errorf("Anna has %d decisions after Bob's purchase", n)
	}
	if ds := e.decisions("nobody"); len(ds) != 0 {
		t.Errorf("an unknown person has decisions: %v", kinds(ds))
	}
}

func TestRefusalsNameTheRefusingCheckOnly(t *testing.T) {
	e := newEnv(t)
	underage := e.authorize(buy{email: "young@example.dk", amount: 10000, dob: "2015-01-01"})
	if got := kinds(e.decisions(underage)); !slices.Equal(got, []string{"credit:refused[UNDERAGE]"}) {
		t.Errorf("underage = %v", got)
	}
	denied := e.authorize(buy{email: "anna+denied@example.dk", amount: 10000})
	if got := kinds(e.decisions(denied)); !slices.Equal(got, []string{"fraud:refused[TEST_DATA_DENIED]"}) {
		t.Errorf("denied = %v", got)
	}
}

func TestReferralShowsWhatAPersonDecidedSince(t *testing.T) {
	e := newEnv(t)
	p := e.authorize(buy{email: "anna+pending-accepted@example.dk", amount: 10000, order: true})
	if got := kinds(e.decisions(p)); !slices.Equal(got, []string{"credit:approved[]", "fraud:referred[TEST_DATA_PENDING]"}) {
		t.Fatalf("before the review = %v", got)
	}
	e.clk.Advance(checkout.TestReviewDelay)
	if _, err := e.runner.RunDue(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := kinds(e.decisions(p)); !slices.Equal(got, []string{"credit:approved[]", "fraud:referred[TEST_DATA_PENDING]->approved"}) {
		t.Errorf("after the review = %v", got)
	}
}

func TestContestOwnDecisionOnce(t *testing.T) {
	e := newEnv(t)
	anna := e.authorize(buy{email: "anna@example.dk", amount: 6_000_000})
	bob := e.authorize(buy{email: "bob@example.dk", amount: 5000})
	refused := e.decisions(anna)[0]
	if refused.Outcome != decision.Refused {
		t.Fatalf("first decision = %+v", refused)
	}
	const statement = "My income covers this; please look again."

	// Bad input and other people's decisions: a clear error, nothing written.
	bad := []struct {
		name, person, ref, statement, code string
	}{
		{"empty statement", anna, refused.Ref, "   ", apperr.BadValue},
		{"too long", anna, refused.Ref, strings.Repeat("å", decision.MaxStatement+1), apperr.BadValue},
		{"unknown decision", anna, "0000-credit", statement, apperr.NotFound},
		{"someone else's", bob, refused.Ref, statement, apperr.NotFound},
		{"no person", "", refused.Ref, statement, apperr.NotFound},
	}
	for _, tt := range bad {
		if _, err := e.contest(tt.person, tt.ref, tt.statement); apperr.Code(err) != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM decision_contests`); n != 0 {
		t.Fatalf("%d contests written by refused requests", n)
	}

	c, err := e.contest(anna, refused.Ref, "  "+statement+"\n")
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != decision.StatusOpen || c.Kind != decision.Credit || c.DecisionOutcome != decision.Refused || c.Statement != statement || c.Locale != "da" {
		t.Errorf("contest = %+v", c)
	}
	// The statement and the reply address are sealed.
	var stored, replyTo string
	err = e.db.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT statement, reply_to FROM decision_contests WHERE id = $1`, c.ID).Scan(&stored, &replyTo)
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored, "income") || strings.Contains(replyTo, "anna") || !strings.HasPrefix(stored, "v1.") {
		t.Errorf("stored in clear: %q %q", stored, replyTo)
	}

	if _, err := e.contest(anna, refused.Ref, "Again."); apperr.Code(err) != decision.CodeAlreadyContested {
		t.Errorf("second contest: %v", err)
	}
	if n := e.count(`SELECT COUNT(*) FROM decision_contests`); n != 1 {
		t.Errorf("%d contests after a refused second one", n)
	}
	ds := e.decisions(anna)
	if open := ds[0].Open(); open == nil || open.ID != c.ID || open.Statement != statement || open.Key() != "decision.contest.open" {
		t.Errorf("the decision's open contest = %+v", open)
	}
	if ds[1].Open() != nil || len(ds[1].Contests) != 0 {
		t.Error("another decision of the same purchase shows the contest")
	}
	// The other kind of the same purchase may be contested on its own.
	if _, err := e.contest(anna, ds[1].Ref, "The fraud check was wrong too."); err != nil {
		t.Errorf("contest of the fraud decision: %v", err)
	}
	if len(e.decisions(bob)[0].Contests) != 0 {
		t.Error("Bob sees Anna's contest")
	}
}

func TestConcurrentContestsOneWins(t *testing.T) {
	e := newEnv(t)
	anna := e.authorize(buy{email: "anna@example.dk", amount: 6_000_000})
	ref := e.decisions(anna)[0].Ref
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.contest(anna, ref, "Please look again.")
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case apperr.Code(err) != decision.CodeAlreadyContested:
			t.Errorf("contest: %v", err)
		}
	}
	if ok != 1 || e.count(`SELECT COUNT(*) FROM decision_contests`) != 1 {
		t.Errorf("%d contests succeeded, %d stored", ok, e.count(`SELECT COUNT(*) FROM decision_contests`))
	}
}

func TestReviewRoleMatrix(t *testing.T) {
	e := newEnv(t)
	anna := e.authorize(buy{email: "anna@example.dk", amount: 6_000_000})
	ds := e.decisions(anna)
	credit, err := e.contest(anna, ds[0].Ref, "Credit was wrong.")
	if err != nil {
		t.Fatal(err)
	}
	fraud, err := e.contest(anna, ds[1].Ref, "Fraud was wrong.")
	if err != nil {
		t.Fatal(err)
	}
	may := map[account.Role]map[decision.Kind]bool{
		account.RoleRiskAnalyst:            {decision.Credit: true, decision.Fraud: true},
		account.RoleDataProtection:         {decision.Credit: true, decision.Fraud: true},
		account.RoleAMLOfficer:             {decision.AML: true},
		account.RoleAdmin:                  {decision.Credit: true, decision.Fraud: true, decision.AML: true},
		account.RoleCustomerRepresentative: {},
		account.RoleCustomerService:        {},
		account.RoleSecurityAnalyst:        {},
		account.RoleDisputeHandler:         {},
	}
	if len(may) != len(account.Roles) {
		t.Fatalf("the matrix covers %d of %d roles", len(may), len(account.Roles))
	}
	for role, kinds := range may {
		for _, k := range decision.Kinds() {
			if got := decision.MayReview(role, k); got != kinds[k] {
				t.Errorf("MayReview(%s, %s) = %v", role, k, got)
			}
		}
	}
	// Roles that may not: neither read nor review, and nothing is written.
	for _, role := range []account.Role{account.RoleAMLOfficer, account.RoleCustomerService, account.RoleSecurityAnalyst, account.RoleDisputeHandler} {
		st := e.staff(role)
		err := e.db.Write(e.ctx, func(tx *store.Tx) error {
			_, err := e.svc.ContestForReview(tx, st, credit.ID)
			return err
		})
		if apperr.Code(err) != apperr.Forbidden {
			t.Errorf("%s reads a credit contest: %v", role, err)
		}
		if _, err := e.review(st, fraud.ID, decision.Overturned, "No."); apperr.Code(err) != apperr.Forbidden {
			t.Errorf("%s reviews a fraud contest: %v", role, err)
		}
		entries, err := audit.ForSubject(e.ctx, e.db, anna)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 0 {
			t.Errorf("%s: audited %v", role, entries)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM decision_contests WHERE status = 'open'`); n != 2 {
		t.Errorf("%d open contests after refused reviews", n)
	}
	dpo := e.staff(account.RoleDataProtection)
	err = e.db.Write(e.ctx, func(tx *store.Tx) error {
		c, err := e.svc.ContestForReview(tx, dpo, credit.ID)
		if err == nil && c.Statement != "Credit was wrong." {
			t.Errorf("the reviewer reads %q", c.Statement)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if entries, _ := audit.ForSubject(e.ctx, e.db, anna); len(entries) != 1 || entries[0].Action != decision.ActionContestViewed ||
		entries[0].Actor != "staff:"+dpo.ID || !strings.Contains(string(entries[0].Details), credit.ID) {
		t.Errorf("the read was not audited: %+v", entries)
	}
}

func TestReviewTellsThePerson(t *testing.T) {
	e := newEnv(t)
	anna := e.authorize(buy{email: "anna@example.dk", amount: 6_000_000})
	d := e.decisions(anna)[0]
	c, err := e.contest(anna, d.Ref, "My income covers this.")
	if err != nil {
		t.Fatal(err)
	}
	analyst := e.staff(account.RoleRiskAnalyst)
	if n, err := e.svc.CountOpen(e.ctx, decision.Credit, decision.Fraud); err != nil || n != 1 {
		t.Errorf("open credit and fraud contests = %d, %v", n, err)
	}
	if n, _ := e.svc.CountOpen(e.ctx, decision.AML); n != 0 {
		t.Errorf("open AML contests = %d", n)
	}
	list, err := e.svc.ListOpen(e.ctx, 10, decision.Credit, decision.Fraud)
	if err != nil || len(list) != 1 || list[0].ID != c.ID || list[0].Statement != "" || list[0].MerchantName != "Nordic Rain" {
		t.Errorf("queue = %+v, %v", list, err)
	}

	for _, tt := range []struct {
		outcome decision.ReviewOutcome
		note    string
	}{{"maybe", "Looked again."}, {decision.Upheld, " "}, {decision.Upheld, strings.Repeat("x", decision.MaxNote+1)}} {
		if _, err := e.review(analyst, c.ID, tt.outcome, tt.note); apperr.Code(err) != apperr.BadValue {
			t.Errorf("review %q %q: %v", tt.outcome, tt.note[:1], err)
		}
	}
	if _, err := e.review(analyst, "no-such-contest", decision.Upheld, "Looked again."); apperr.Code(err) != apperr.NotFound {
		t.Errorf("unknown contest: %v", err)
	}
	if len(e.mails("anna@example.dk")) != 0 {
		t.Fatal("mail before any review")
	}

	const note = "The amount is above the most we lend for one purchase; your income does not change that."
	got, err := e.review(analyst, c.ID, decision.Upheld, note)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != decision.StatusReviewed || got.Outcome != decision.Upheld || got.Reviewer != "staff:"+analyst.ID || got.ReviewedAt == nil {
		t.Errorf("reviewed = %+v", got)
	}
	entries, err := audit.ForSubject(e.ctx, e.db, anna)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Action != decision.ActionContestReviewed || !strings.Contains(string(entries[0].Details), c.ID) ||
		strings.Contains(string(entries[0].Details), "income") {
		t.Errorf("audit = %+v", entries)
	}
	mails := e.mails("anna@example.dk")
	if len(mails) != 1 || !strings.Contains(mails[0], "Din indsigelse er blevet behandlet") || !strings.Contains(mails[0], "Kreditvurdering") ||
		!strings.Contains(mails[0], "Nordic Rain") || !strings.Contains(mails[0], "står ved magt") || strings.Contains(mails[0], "income") {
		t.Errorf("mail = %q", mails)
	}
	var stored string
	if err := e.db.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT note FROM decision_contests WHERE id = $1`, c.ID).Scan(&stored)
	}); err != nil || strings.Contains(stored, "income") {
		t.Errorf("note stored as %q, %v", stored, err)
	}
	shown := e.decisions(anna)[0]
	if len(shown.Contests) != 1 || shown.Contests[0].Note != note || shown.Contests[0].Key() != "decision.contest.upheld" || shown.Open() != nil {
		t.Errorf("the person sees %+v", shown.Contests)
	}
	if _, err := e.review(analyst, c.ID, decision.Overturned, "Changed my mind."); apperr.Code(err) != decision.CodeAlreadyReviewed {
		t.Errorf("second review: %v", err)
	}
	if n, _ := e.svc.CountOpen(e.ctx, decision.Credit, decision.Fraud); n != 0 {
		t.Errorf("%d open after the review", n)
	}
	// Once reviewed, the person may contest the decision again.
	again, err := e.contest(anna, d.Ref, "I have new payslips.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.review(analyst, again.ID, decision.Overturned, "The payslips change it; try again."); err != nil {
		t.Fatal(err)
	}
	if mails := e.mails("anna@example.dk"); len(mails) != 2 || !strings.Contains(mails[1], "var forkert") {
		t.Errorf("second mail = %q", mails)
	}
	if cs := e.decisions(anna)[0].Contests; len(cs) != 2 || cs[0].ID != again.ID || cs[0].Key() != "decision.contest.overturned" {
		t.Errorf("contests newest first = %+v", cs)
	}
}

func TestErasedPersonsContestIsUnreadable(t *testing.T) {
	e := newEnv(t)
	anna := e.authorize(buy{email: "anna@example.dk", amount: 6_000_000})
	c, err := e.contest(anna, e.decisions(anna)[0].Ref, "Please look again.")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.Write(e.ctx, func(tx *store.Tx) error { return e.vault.Shred(tx, anna) }); err != nil {
		t.Fatal(err)
	}
	dpo := e.staff(account.RoleDataProtection)
	err = e.db.Write(e.ctx, func(tx *store.Tx) error {
		got, err := e.svc.ContestForReview(tx, dpo, c.ID)
		if err == nil && (!got.Unreadable || got.Statement != "") {
			t.Errorf("after shredding: %+v", got)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The contest can still be closed; nobody is left to write to.
	if _, err := e.review(dpo, c.ID, decision.Upheld, "Closed after erasure."); err != nil {
		t.Fatal(err)
	}
	if len(e.mails("anna@example.dk")) != 0 {
		t.Error("an erased person was e-mailed")
	}
}
