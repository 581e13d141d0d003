package checkout_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/store"
)

// TestOneTimeCodeMailInTheSessionLanguage checks the checkout's one-time
// code goes out in the language of the session's locale, with the code and
// its lifetime filled in.
func TestOneTimeCodeMailInTheSessionLanguage(t *testing.T) {
	for _, tc := range []struct{ locale, subject, phrase string }{
		{"da-DK", "Din Tillit-kode", "Din engangskode er"},
		{"nl-NL", "Je Tillit-code", "Je eenmalige code is"},
		{"en-GB", "Your Tillit code", "Your one-time code is"},
	} {
		t.Run(tc.locale, func(t *testing.T) {
			e := newListEnv(t)
			m := e.merchant("Nordic Rain", "DKK")
			data := checkout.OrderData{
				PurchaseCountry: "DK", PurchaseCurrency: "DKK", Locale: tc.locale, OrderAmount: 10000,
				OrderLines: []checkout.OrderLine{{Type: "physical", Name: "Umbrella", Quantity: 1, UnitPrice: 10000, TotalAmount: 10000}},
			}
			sess, err := e.svc.CreateSession(e.ctx, m, data, "https://tillit.example")
			if err != nil {
				t.Fatal(err)
			}
			if err := e.svc.RequestOTP(e.ctx, sess.SessionID, sess.ClientToken, checkout.OTPRequest{Email: "anna@example.com"}); err != nil {
				t.Fatal(err)
			}
			var subject, body, stored string
			e.write(func(tx *store.Tx) error {
				msgs, err := outbox.To(tx, e.svc.Vault, "consumer-lookup-key", outbox.Email, "anna@example.com", 10)
				if err != nil || len(msgs) != 1 {
					t.Fatalf("outbox: %+v %v", msgs, err)
				}
				subject, body = msgs[0].Subject, msgs[0].Body
				return tx.QueryRow(`SELECT recipient || subject || body FROM outbox_messages`).Scan(&stored)
			})
			// Stored sealed: neither the address nor the code in clear.
			code := regexp.MustCompile(`\b\d{6}\b`).FindString(body)
			logscan.Secret(logscan.OneTimeCode, code)
			if strings.Contains(stored, "anna") || code == "" || strings.Contains(stored, code) {
				t.Errorf("stored in clear: %q", stored)
			}
			minutes := regexp.MustCompile(`\b` + strings.TrimSuffix(checkout.OTPLifetime.String(), "m0s") + `\b`)
			if subject != tc.subject || !strings.Contains(body, tc.phrase) || !regexp.MustCompile(`\b\d{6}\b`).MatchString(body) || !minutes.MatchString(body) {
				t.Errorf("mail %q: %q", subject, body)
			}
		})
	}
}
