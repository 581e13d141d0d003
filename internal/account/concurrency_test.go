package account_test

import (
	"sync"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
)

// concurrently calls fn from n goroutines at once and returns the error codes ("" for
// success) by count.
func concurrently(n int, fn func() error) map[string]int {
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		codes = map[string]int{}
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code := ""
			if err := fn(); err != nil {
				code = apperr.Code(err)
			}
			mu.Lock()
			codes[code]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return codes
}

func TestConcurrentSignInsCannotPassTheLimit(t *testing.T) {
	f := setup(t)
	createStaff(t, f, "ana@tillit.example", account.RoleAdmin)
	codes := concurrently(12, func() error {
		_, err := f.svc.AuthenticateStaff(ctx, "ana@tillit.example", "wrong password here")
		return err
	})
	if codes[apperr.Unauthorized] != account.DefaultSignInMax || codes[apperr.TooManyRequests] != 12-account.DefaultSignInMax {
		t.Fatalf("outcomes %v", codes)
	}
	verifyAudit(t, f.db)
}

func TestConcurrentCodeChecksSucceedOnce(t *testing.T) {
	f := setup(t)
	if err := f.svc.RequestLoginCode(ctx, "anna@example.dk", ""); err != nil {
		t.Fatal(err)
	}
	code := latestCode(t, f, "anna@example.dk")
	codes := concurrently(6, func() error {
		_, err := f.svc.VerifyLoginCode(ctx, "anna@example.dk", code)
		return err
	})
	if codes[""] != 1 || codes[apperr.InvalidOTP] != 5 {
		t.Fatalf("outcomes %v", codes)
	}
	if n := count(t, f.db, `SELECT COUNT(*) FROM consumers`); n != 1 {
		t.Fatalf("%d consumers", n)
	}
}
