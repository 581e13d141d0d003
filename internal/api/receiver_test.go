package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/notify"
	"github.com/tillit/tillit/internal/store/storetest"
)

// receiver is a real HTTP endpoint that records the webhooks it gets.
type receiver struct {
	t    testing.TB
	srv  *httptest.Server
	mu   sync.Mutex
	got  [][]byte
	sigs []string
}

func newReceiver(t testing.TB) *receiver {
	rec := &receiver{t: t}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.got = append(rec.got, body)
		rec.sigs = append(rec.sigs, r.Header.Get("Tillit-Signature"))
		rec.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

func (rec *receiver) url() string { return rec.srv.URL + "/notify" }

// events decodes every notification received.
func (rec *receiver) events() []map[string]any {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var out []map[string]any
	for _, b := range rec.got {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			rec.t.Fatalf("notification %s: %v", b, err)
		}
		out = append(out, m)
	}
	return out
}

// checkSignatures verifies every received notification's signature.
func (rec *receiver) checkSignatures(secret string) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for i, b := range rec.got {
		if err := notify.Verify(secret, rec.sigs[i], b, storetest.Start.Add(time.Hour), 24*time.Hour); err != nil {
			rec.t.Fatalf("signature of notification %d: %v", i, err)
		}
	}
}

func merchantWithURL(url string) merchant.NewMerchant {
	return merchant.NewMerchant{Name: "Notified Shop", TestMode: true, NotificationURL: url, SettlementCurrency: "DKK"}
}

func merchantNamed(name string) merchant.NewMerchant {
	return merchant.NewMerchant{Name: name, TestMode: true, SettlementCurrency: "DKK"}
}
