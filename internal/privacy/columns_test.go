package privacy

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

// TestEveryColumnClassified is the registry's coverage check: every column
// of every table of the migrated schema must be in the column map (with its
// categories or the reason it holds no personal data), and every entry of
// the map must still be a column.
func TestEveryColumnClassified(t *testing.T) {
	db, _ := storetest.Open(t)
	var schema []string
	err := db.Read(context.Background(), func(tx *store.Tx) (err error) {
		schema, err = SchemaColumns(tx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(schema) < 100 || !slices.Contains(schema, "orders.consumer") || !slices.Contains(schema, "goose_db_version.version_id") {
		t.Fatalf("SchemaColumns found %d columns, not the migrated schema: %v", len(schema), schema)
	}
	missing, stale := Unclassified(schema)
	if len(missing) > 0 {
		t.Errorf("columns the privacy registry does not classify (add each to columns in internal/privacy/columns.go "+
			"with the categories of personal data it holds, or notPersonal with the reason; see docs/privacy.md):\n  %s",
			strings.Join(missing, "\n  "))
	}
	if len(stale) > 0 {
		t.Errorf("internal/privacy/columns.go classifies columns the schema no longer has (remove them):\n  %s",
			strings.Join(stale, "\n  "))
	}
}

func TestUnclassified(t *testing.T) {
	schema := append(ColumnNames(), "orders.shoe_size", "new_table.id")
	schema = slices.DeleteFunc(schema, func(s string) bool { return s == "consumers.email" })
	missing, stale := Unclassified(schema)
	if !slices.Equal(missing, []string{"new_table.id", "orders.shoe_size"}) {
		t.Errorf("missing = %v", missing)
	}
	if !slices.Equal(stale, []string{"consumers.email"}) {
		t.Errorf("stale = %v", stale)
	}
}

func TestColumnLookups(t *testing.T) {
	c, ok := LookupColumn("orders.consumer")
	if !ok || !c.Personal() || !slices.Contains(c.Categories, CategoryNationalID) {
		t.Errorf("orders.consumer = %+v, %v", c, ok)
	}
	c.Categories[0] = "changed"
	if again, _ := LookupColumn("orders.consumer"); again.Categories[0] == "changed" {
		t.Error("LookupColumn shares the registry's slice")
	}
	if c, ok := LookupColumn("orders.version"); !ok || c.Personal() || c.NotPersonal == "" {
		t.Errorf("orders.version = %+v, %v", c, ok)
	}
	if _, ok := LookupColumn("orders.nope"); ok {
		t.Error("LookupColumn found an unknown column")
	}
	got := ColumnsHolding(CategoryNationalID)
	want := []string{"authorizations.consumer", "orders.consumer", "orders.personal", "payment_sessions.personal"}
	if !slices.Equal(got, want) {
		t.Errorf("ColumnsHolding(national_id) = %v, want %v", got, want)
	}
	if !slices.IsSorted(ColumnNames()) {
		t.Error("ColumnNames is not sorted")
	}
}

// TestKeyedHashesArePseudonymous pins the classification of the columns
// that hold keyed hashes of e-mail addresses: they are personal data.
func TestKeyedHashesArePseudonymous(t *testing.T) {
	for _, name := range []string{"consumers.consumer_key", "persons.consumer_key", "login_codes.consumer_key", "sign_in_throttle.key_hash", "outbox_messages.recipient_key"} {
		if c, _ := LookupColumn(name); !slices.Equal(c.Categories, []CategoryID{CategoryLookupKeys}) {
			t.Errorf("%s = %+v, want lookup_keys", name, c)
		}
	}
}
