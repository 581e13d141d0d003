package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

func TestWriteRollsBackOnError(t *testing.T) {
	db, _ := storetest.Open(t)
	ctx := context.Background()
	boom := errors.New("boom")
	err := db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(`INSERT INTO instance_secrets (name, value, created_at) VALUES ('a', 'b', 1)`); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	var n int
	if err := db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM instance_secrets`).Scan(&n)
	}); err != nil || n != 0 {
		t.Fatalf("rolled-back row visible: n=%d err=%v", n, err)
	}
}

func TestWriteRetriesConflicts(t *testing.T) {
	db, _ := storetest.Open(t)
	calls := 0
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		calls++
		if calls < 3 {
			return store.ErrConflict
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("calls=%d err=%v", calls, err)
	}
}

func TestUniqueViolationIsRecognised(t *testing.T) {
	db, _ := storetest.Open(t)
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		for i := 0; i < 2; i++ {
			if _, err := tx.Exec(`INSERT INTO instance_secrets (name, value, created_at) VALUES ('x', 'y', 1)`); err != nil {
				return err
			}
		}
		return nil
	})
	if !store.IsUniqueViolation(err) {
		t.Fatalf("want unique violation, got %v", err)
	}
}

func TestInstanceSecretIsStable(t *testing.T) {
	db, _ := storetest.Open(t)
	a, err := db.InstanceSecret(context.Background(), "k")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := db.InstanceSecret(context.Background(), "k")
	if a == "" || a != b {
		t.Fatalf("secret not stable: %q %q", a, b)
	}
}

func TestConcurrentWritesFailIndependently(t *testing.T) {
	db, _ := storetest.Open(t)
	ctx := context.Background()
	const n = 40
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func(i int) {
			errs <- db.Write(ctx, func(tx *store.Tx) error {
				if _, err := tx.Exec(`INSERT INTO instance_secrets (name, value, created_at) VALUES ($1, 'v', 1)`, fmt.Sprint("k", i)); err != nil {
					return err
				}
				if i%3 == 0 {
					return errors.New("refused")
				}
				return nil
			})
		}(i)
	}
	failed := 0
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			failed++
		}
	}
	var rows int
	if err := db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM instance_secrets`).Scan(&rows)
	}); err != nil {
		t.Fatal(err)
	}
	if failed != 14 || rows != n-14 {
		t.Fatalf("failed=%d rows=%d, want 14 failed and %d rows", failed, rows, n-14)
	}
}

func TestNestedWriteIsRefused(t *testing.T) {
	db, _ := storetest.Open(t)
	if db.Dialect != store.SQLite {
		t.Skip("nested writes only deadlock on the SQLite batcher")
	}
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		return db.Write(tx.Context(), func(*store.Tx) error { return nil })
	})
	if err == nil {
		t.Fatal("nested Write was accepted")
	}
}
