package screening_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/aml"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/checkout"
	idgen "github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/screening"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/vault"
)

// newPerson returns a new person's id.
func newPerson(t *testing.T, db *store.DB, name string) string {
	t.Helper()
	var id string
	write(t, db, func(tx *store.Tx) (err error) {
		id, err = person.Resolve(tx, idgen.Hash(name))
		return err
	})
	return id
}

// rescreenEnv is a database with a merchant, a vault and orders placed as
// checkout places them, and a screening service over a list directory the
// test changes.
type rescreenEnv struct {
	t        *testing.T
	ctx      context.Context
	db       *store.DB
	vault    *vault.Vault
	merchant string
	dir      string
	svc      *screening.Service
	runner   *jobs.Runner
	hits     []screening.RescreenHit
}

// newRescreenEnv starts with the UN list only in the list directory.
func newRescreenEnv(t *testing.T) *rescreenEnv {
	t.Helper()
	ctx := context.Background()
	db, _ := storetest.Open(t)
	t.Cleanup(func() {
		if r, err := audit.Verify(ctx, db); err != nil || !r.OK() {
			t.Errorf("audit verify: %v %v", r.Problems, err)
		}
	})
	creds, err := merchant.Create(ctx, db, merchant.NewMerchant{Name: "Nordic Rain", SettlementCurrency: "DKK"})
	if err != nil {
		t.Fatal(err)
	}
	e := &rescreenEnv{t: t, ctx: ctx, db: db, vault: vault.New(db, vault.MasterKeys{Current: vault.NewMasterKey()}), merchant: creds.MerchantID,
		dir: copyList(t, map[string]string{"un_consolidated_2026.xml": "consolidated.xml"})}
	logger := logscan.Logger()
	if e.svc, err = screening.NewService(ctx, db, e.vault, screening.Source{Dir: e.dir}, logger); err != nil {
		t.Fatal(err)
	}
	e.svc.Batch = 2
	e.svc.OnHit = func(_ context.Context, tx *store.Tx, hit screening.RescreenHit) error {
		e.hits = append(e.hits, hit)
		return nil
	}
	e.runner = jobs.NewRunner(db, logger)
	e.svc.Register(e.runner)
	return e
}

// addOFAC puts the OFAC files into the list directory.
func (e *rescreenEnv) addOFAC() {
	e.t.Helper()
	for from, to := range map[string]string{"ofac_sdn_2021.csv": "sdn.csv", "ofac_alt_2021.csv": "alt.csv", "ofac_add_2021.csv": "add.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata", from))
		if err != nil {
			e.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(e.dir, to), b, 0o600); err != nil {
			e.t.Fatal(err)
		}
	}
}

// order places an order for the person in the status, with captured and
// refunded amounts, its consumer document sealed as checkout seals it.
func (e *rescreenEnv) order(personID, given, family, dob, status string, captured, refunded int64) string {
	e.t.Helper()
	id := idgen.New()
	doc, err := json.Marshal(map[string]any{
		"customer":        map[string]string{"date_of_birth": dob},
		"billing_address": map[string]string{"given_name": given, "family_name": family, "email": strings.ToLower(given) + "@example.dk", "country": "DK"},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	write(e.t, e.db, func(tx *store.Tx) error {
		sealed, err := e.vault.Seal(tx, personID, person.ContextConsumer, doc)
		if err != nil {
			return err
		}
		now := store.Micros(tx.Now)
		if _, err := tx.Exec(`INSERT INTO payment_sessions (id, merchant_id, status, purchase_country, purchase_currency, locale, order_amount, data, created_at, expires_at)
			VALUES ($1, $2, 'complete', 'DK', 'DKK', 'da-DK', 100000, '{}', $3, $3)`, id, e.merchant, now); err != nil {
			return err
		}
		_, err = tx.Exec(`INSERT INTO orders (id, merchant_id, session_id, person_id, reference, status, fraud_status, payment_method, purchase_country, purchase_currency, locale,
			original_order_amount, order_amount, order_tax_amount, captured_amount, refunded_amount, data, consumer, created_at, expires_at)
			VALUES ($1, $2, $1, $3, $4, $5, 'ACCEPTED', 'pay_later', 'DK', 'DKK', 'da-DK', 100000, 100000, 0, $6, $7, '{}', $8, $9, $9)`,
			id, e.merchant, personID, id[len(id)-10:], status, captured, refunded, sealed, now)
		return err
	})
	return id
}

// audits returns the details of the audit entries of the action, oldest
// first.
func (e *rescreenEnv) audits(action string) []map[string]any {
	e.t.Helper()
	var out []map[string]any
	err := e.db.Read(e.ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT details FROM audit_log WHERE action = $1 ORDER BY seq`, action)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var raw string
			if err := rows.Scan(&raw); err != nil {
				return err
			}
			m := map[string]any{}
			if err := json.Unmarshal([]byte(raw), &m); err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// TestReloadRescreensLiveCustomers: customers bought while only the UN
// list was loaded; the OFAC list is added and the lists reloaded. The
// re-screening job, in batches, screens every person with a live order and
// hands the hook the listed ones (with their live orders, and the
// explanation without their name), opens their AML alerts, and leaves out
// people whose orders are over, an ordinary name and a person an analyst
// has cleared. Reload and re-screening are audited with counts only.
func TestReloadRescreensLiveCustomers(t *testing.T) {
	e := newRescreenEnv(t)
	before := e.svc.Status()
	if before.Counts[screening.ListOFAC] != 0 || before.Counts[screening.ListUN] != 1003 || before.LoadedAt.IsZero() {
		t.Fatalf("status before = %+v", before)
	}

	darren := newPerson(t, e.db, "darren")
	darrenLive := e.order(darren, "Darren", "Debono", "1974-01-09", checkout.StatusAuthorized, 0, 0)
	darrenDone := e.order(darren, "Darren", "Debono", "1974-01-09", checkout.StatusCaptured, 100000, 100000)
	darrenPart := e.order(darren, "Darren", "Debono", "1974-01-09", checkout.StatusPartCaptured, 40000, 0)
	sesel := newPerson(t, e.db, "seselj")
	seselLive := e.order(sesel, "Vojislav", "Šešelj", "1954-10-11", checkout.StatusCaptured, 100000, 30000)
	gone := newPerson(t, e.db, "mancuso")
	e.order(gone, "Salvatore", "Mancuso", "1964-08-17", checkout.StatusCancelled, 0, 0)
	e.order(gone, "Salvatore", "Mancuso", "1964-08-17", checkout.StatusCaptured, 100000, 100000)
	anna := newPerson(t, e.db, "anna")
	e.order(anna, "Anna", "Jensen", "1990-01-01", checkout.StatusAuthorized, 0, 0)
	samir := newPerson(t, e.db, "samir")
	e.order(samir, "Samir", "Ali", "1968-05-12", checkout.StatusAuthorized, 0, 0)

	// An analyst cleared Samir Ali born 1968-05-12 of the OFAC entries he
	// resembles.
	full := lists(t)
	q := screening.ConsumerQuery("Samir", "Ali", "1968-05-12")
	write(t, e.db, func(tx *store.Tx) error {
		for _, m := range screening.Alerts(full.Screen(q)) {
			if _, err := e.svc.Decisions.MarkFalsePositive(tx, samir, q, m.List, m.EntryID, analyst, "Identity document checked."); err != nil {
				return err
			}
		}
		return nil
	})
	if len(screening.Alerts(full.Screen(q))) == 0 {
		t.Fatal("Samir Ali does not alert on the full lists: the test proves nothing")
	}

	e.addOFAC()
	st, err := e.svc.Reload(e.ctx, analyst)
	if err != nil {
		t.Fatal(err)
	}
	if st.Counts[screening.ListOFAC] != 8976 || st.Version == before.Version || e.svc.Screener.List().Version() != st.Version {
		t.Errorf("status after = %+v", st)
	}
	if len(e.hits) != 0 {
		t.Fatal("the re-screening ran inside the reload")
	}
	n, err := e.runner.RunDue(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n < 3 {
		t.Errorf("%d jobs ran, want batches of 2 over 4 people", n)
	}

	byPerson := map[string]screening.RescreenHit{}
	for _, h := range e.hits {
		byPerson[h.PersonID] = h
	}
	if len(e.hits) != 2 || len(byPerson) != 2 {
		t.Fatalf("hits = %+v, want Darren Debono and Vojislav Šešelj once each", e.hits)
	}
	d := byPerson[darren]
	slices.Sort(d.OrderIDs)
	if want := []string{darrenLive, darrenPart}; !slices.Equal(d.OrderIDs, sortedIDs(want)) || slices.Contains(d.OrderIDs, darrenDone) {
		t.Errorf("Darren's orders %v, want his live ones %v", d.OrderIDs, want)
	}
	if find(d.Matches, screening.ListOFAC, "23189") == nil || d.ListsVersion != st.Version {
		t.Errorf("Darren's hit %+v", d)
	}
	if s := byPerson[sesel]; len(s.OrderIDs) != 1 || s.OrderIDs[0] != seselLive || find(s.Matches, screening.ListOFAC, "7787") == nil {
		t.Errorf("Šešelj's hit %+v", s)
	}
	for _, h := range e.hits {
		for _, m := range h.Matches {
			if len(m.Why.UnmatchedQuery) > 0 || slices.ContainsFunc(m.Why.Pairs, func(p screening.TokenPair) bool { return p.Query != "" }) {
				t.Errorf("the hit's explanation holds the query's words: %+v", m.Why)
			}
		}
	}

	// The AML officers' queue has the two hits.
	err = e.db.Read(e.ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT person_id FROM aml_alerts WHERE rule = $1 ORDER BY person_id`, string(aml.SanctionsMatch))
		if err != nil {
			return err
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			got = append(got, id)
		}
		if want := sortedIDs([]string{darren, sesel}); !slices.Equal(got, want) {
			t.Errorf("sanctions alerts for %v, want %v", got, want)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		var params string
		if err := tx.QueryRow(`SELECT params FROM aml_alerts WHERE person_id = $1 AND rule = $2`, darren, string(aml.SanctionsMatch)).Scan(&params); err != nil {
			return err
		}
		if !strings.Contains(params, "ofac-sdn/23189 (score") || !strings.Contains(params, st.Version) || strings.Contains(strings.ToLower(params), "darren") {
			t.Errorf("Darren's alert's parameters %s, want the entry and the lists' version and no name", params)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	reloads := e.audits(screening.AuditReloaded)
	if len(reloads) != 1 || reloads[0]["version"] != st.Version || reloads[0]["entries"] != float64(8976+1003) {
		t.Errorf("reload audit %v", reloads)
	}
	done := e.audits(screening.AuditRescreened)
	if len(done) != 1 || done[0]["people_screened"] != float64(4) || done[0]["hits"] != float64(2) || done[0]["version"] != st.Version {
		t.Errorf("re-screening audit %v, want 4 people screened and 2 hits", done)
	}
	for _, a := range append(reloads, done...) {
		raw, _ := json.Marshal(a)
		for _, name := range []string{"darren", "debono", "vojislav", "anna", "jensen", "samir", "1974"} {
			if strings.Contains(strings.ToLower(string(raw)), name) {
				t.Errorf("audit %s names %s", raw, name)
			}
		}
	}

	// Running the re-screening again (a retried job) raises nothing new in
	// the AML queue: the alerts are the same.
	var alerts int
	count := func() int {
		t.Helper()
		var n int
		if err := e.db.Read(e.ctx, func(tx *store.Tx) error {
			return tx.QueryRow(`SELECT COUNT(*) FROM aml_alerts`).Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	alerts = count()
	if _, err := e.svc.Reload(e.ctx, "system:sighup"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.runner.RunDue(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := count(); got != alerts || len(e.hits) != 4 {
		t.Errorf("a second re-screening: %d alerts (was %d), %d hits (want 4: each hit again)", got, alerts, len(e.hits))
	}
}

// sortedIDs returns ids sorted.
func sortedIDs(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return out
}

// TestReloadFailureKeepsLists: lists that do not load leave the current
// ones in use, queue nothing and are audited as a failed attempt.
func TestReloadFailureKeepsLists(t *testing.T) {
	e := newRescreenEnv(t)
	before := e.svc.Status()
	if err := os.WriteFile(filepath.Join(e.dir, "sdn.csv"), []byte(`36,"AEROCARIBBEAN AIRLINES",-0-`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Reload(e.ctx, analyst); err == nil || !strings.Contains(err.Error(), "did not load") {
		t.Fatalf("reload of a broken file: %v", err)
	}
	if after := e.svc.Status(); after.Version != before.Version || after.Entries != before.Entries {
		t.Errorf("status after a failed reload %+v, want %+v", after, before)
	}
	if n, err := e.runner.RunDue(e.ctx); err != nil || n != 0 {
		t.Errorf("%d jobs ran after a failed reload (%v)", n, err)
	}
	if got := e.audits(screening.AuditReloadFailed); len(got) != 1 {
		t.Errorf("failed reload audits %v", got)
	}
}

// TestRescreenCatchesUpAnotherProcess: a second process serving the same
// database still has the old lists when it runs the re-screening the first
// one queued; it loads the new lists from the shared source and screens
// with them.
func TestRescreenCatchesUpAnotherProcess(t *testing.T) {
	e := newRescreenEnv(t)
	logger := logscan.Logger()
	other, err := screening.NewService(e.ctx, e.db, e.vault, screening.Source{Dir: e.dir}, logger)
	if err != nil {
		t.Fatal(err)
	}
	var hits []screening.RescreenHit
	other.OnHit = func(_ context.Context, _ *store.Tx, h screening.RescreenHit) error {
		hits = append(hits, h)
		return nil
	}
	otherRunner := jobs.NewRunner(e.db, logger)
	other.Register(otherRunner)

	darren := newPerson(t, e.db, "darren")
	e.order(darren, "Darren", "Debono", "1974-01-09", checkout.StatusAuthorized, 0, 0)
	e.addOFAC()
	st, err := e.svc.Reload(e.ctx, analyst)
	if err != nil {
		t.Fatal(err)
	}
	if other.Status().Version == st.Version {
		t.Fatal("the other process has the new lists before it ran the job")
	}
	if _, err := otherRunner.RunDue(e.ctx); err != nil {
		t.Fatal(err)
	}
	if other.Status().Version != st.Version || len(hits) != 1 || hits[0].PersonID != darren || len(e.hits) != 0 {
		t.Errorf("other process: version %s (want %s), hits %+v", other.Status().Version, st.Version, hits)
	}
}

// TestLiveStatusesAreCheckouts pins the order statuses re-screening
// selects to checkout's.
func TestLiveStatusesAreCheckouts(t *testing.T) {
	for _, s := range []string{checkout.StatusAuthorized, checkout.StatusPartCaptured, checkout.StatusCaptured} {
		if !strings.Contains(screening.LiveStatusSQL, "'"+s+"'") {
			t.Errorf("%s is not in %s", s, screening.LiveStatusSQL)
		}
	}
}
