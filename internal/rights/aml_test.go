package rights_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/rights"
	"github.com/tillit/tillit/internal/store"
)

// TestAMLAlertsAreInTheAccessExtractAndSurviveErasure: the alerts
// transaction monitoring raised about a person are in their access extract,
// and an erasure keeps them for the AML purpose.
func TestAMLAlertsAreInTheAccessExtractAndSurviveErasure(t *testing.T) {
	e := newEnv(t)
	for range 3 {
		if e.buy(anna, "pay_later", 950_000) == "" {
			t.Fatal("the test assessor refused a purchase")
		}
		e.clk.Advance(time.Hour)
	}
	id := e.person(anna)
	count := func() (alerts, evidence int) {
		e.read(func(tx *store.Tx) error {
			if err := tx.QueryRow(`SELECT COUNT(*) FROM aml_alerts WHERE person_id = $1`, id).Scan(&alerts); err != nil {
				return err
			}
			return tx.QueryRow(`SELECT COUNT(*) FROM aml_alert_evidence e JOIN aml_alerts a ON a.id = e.alert_id WHERE a.person_id = $1`, id).Scan(&evidence)
		})
		return
	}
	if a, ev := count(); a != 1 || ev != 3 {
		t.Fatalf("%d alerts with %d pieces of evidence, want 1 with 3", a, ev)
	}
	var x rights.Extract
	e.read(func(tx *store.Tx) error {
		var err error
		x, err = e.rights.Access(tx, id, i18n.English)
		return err
	})
	if !slices.Contains(x.CategoryIDs(), privacy.CategoryAMLScreening) {
		t.Errorf("the extract lacks category %s", privacy.CategoryAMLScreening)
	}
	raw, err := x.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "structuring") {
		t.Error("the extract does not show the alert's rule")
	}

	var out rights.Erasure
	e.write(func(tx *store.Tx) error {
		var err error
		out, err = e.rights.Erase(tx, id)
		return err
	})
	kept := slices.ContainsFunc(out.Kept, func(k rights.Kept) bool {
		return k.Category == privacy.CategoryAMLScreening && slices.Contains(k.Grounds, privacy.PurposeAMLScreening)
	})
	if !kept {
		t.Errorf("the erasure does not keep the AML records: %+v", out.Kept)
	}
	if a, ev := count(); a != 1 || ev != 3 {
		t.Errorf("after erasure: %d alerts with %d pieces of evidence, want 1 with 3", a, ev)
	}
}
