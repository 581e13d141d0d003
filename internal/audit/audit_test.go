package audit_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

var ctx = context.Background()

func appendN(t *testing.T, db *store.DB, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := audit.Append(tx, "operator:ana", "order.fraud_status", fmt.Sprint("order-", i), map[string]string{"to": "ACCEPTED"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func verify(t *testing.T, db *store.DB) audit.Report {
	t.Helper()
	r, err := audit.Verify(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func exec(t *testing.T, db *store.DB, query string, args ...any) {
	t.Helper()
	if err := db.Write(ctx, func(tx *store.Tx) error { _, err := tx.Exec(query, args...); return err }); err != nil {
		t.Fatal(err)
	}
}

func TestChainVerifiesAndDetectsTampering(t *testing.T) {
	cases := []struct {
		name, query, want string
	}{
		{"details edited", `UPDATE audit_log SET details = '{"to":"REJECTED"}' WHERE seq = 2`, "entry 2 was altered"},
		{"actor edited", `UPDATE audit_log SET actor = 'someone else' WHERE seq = 3`, "entry 3 was altered"},
		{"entry deleted", `DELETE FROM audit_log WHERE seq = 2`, "entry 2 missing"},
		{"hash edited", `UPDATE audit_log SET hash = 'x' WHERE seq = 2`, "entry 3 does not follow"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db, _ := storetest.Open(t)
			appendN(t, db, 4)
			if r := verify(t, db); !r.OK() || r.Entries != 4 {
				t.Fatalf("intact chain: %+v", r)
			}
			exec(t, db, c.query)
			r := verify(t, db)
			if r.OK() || !strings.Contains(strings.Join(r.Problems, "\n"), c.want) {
				t.Fatalf("problems %v, want %q", r.Problems, c.want)
			}
		})
	}
}

func TestConcurrentAppendsKeepOneChain(t *testing.T) {
	db, _ := storetest.Open(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			appendN(t, db, 5)
		}()
	}
	wg.Wait()
	if r := verify(t, db); !r.OK() || r.Entries != 40 {
		t.Fatalf("after concurrent appends: %+v", r)
	}
	entries, err := audit.ForSubject(ctx, db, "order-3")
	if err != nil || len(entries) != 8 {
		t.Fatalf("entries for order-3: %d, %v", len(entries), err)
	}
}

func TestAppendInRolledBackTransactionLeavesNothing(t *testing.T) {
	db, _ := storetest.Open(t)
	_ = db.Write(ctx, func(tx *store.Tx) error {
		if _, err := audit.Append(tx, "operator:ana", "x", "y", nil); err != nil {
			return err
		}
		return fmt.Errorf("the change failed")
	})
	if r := verify(t, db); r.Entries != 0 {
		t.Fatalf("entries = %d", r.Entries)
	}
}
