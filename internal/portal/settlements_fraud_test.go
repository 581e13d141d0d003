package portal_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

// TestSettlementPageShowsTheFraudLines writes an order off as fraud with the
// fraud policy met and finds both fraud lines, and their totals, on the
// settlement page in English and Danish; the CSV names them too.
func TestSettlementPageShowsTheFraudLines(t *testing.T) {
	e := newEnv(t)
	owner := e.user(account.MerchantOwner, "Olivia Owner")
	a := e.order(100000) // VAT 200.00
	e.capture(a, 100000)
	e.write(func(tx *store.Tx) error {
		_, err := e.app.Checkout.FraudWriteOff(tx, a, true, "")
		return err
	})
	e.clk.Advance(24 * time.Hour)
	s := e.settle(e.shop, storetest.Start)
	if s.FraudReturns != 100000 || s.FraudPolicy != 80000 {
		t.Fatalf("settlement %+v", s)
	}

	c := e.client()
	c.signIn(owner)
	res, body := c.get("/portal/settlements/" + s.ID)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("settlement page: %d", res.StatusCode)
	}
	wantContains(t, "settlement page", body, "Return (fraud)", "Fraud policy (excl. VAT)", "Returns (fraud)",
		`<dd id="fraud-returns">DKK`+"\u00a0"+`1,000.00</dd>`, `<dd id="fraud-policy">DKK`+"\u00a0"+`800.00</dd>`, `id="fraud-explain"`,
		i18n.FormatMoney(i18n.English, -100000, "DKK"))
	_, body = c.get("/portal/settlements/" + s.ID + "?lang=da")
	wantContains(t, "Danish settlement page", body, "Retur (svindel)", "Svindelpolitik (ekskl. moms)")

	_, csvBody := c.get("/portal/settlements/" + s.ID + "/csv")
	_, sum, _ := csvAmounts(t, csvBody)
	if !strings.Contains(csvBody, ",fraud_return,") || !strings.Contains(csvBody, ",fraud_policy,") || sum != s.Payout {
		t.Errorf("CSV sums to %d (payout %d):\n%s", sum, s.Payout, csvBody)
	}

	// A settlement without fraud lines does not mention them.
	b := e.order(5000)
	e.capture(b, 5000)
	e.clk.Advance(24 * time.Hour)
	plain := e.settle(e.shop, storetest.Start.Add(24*time.Hour))
	_, body = c.get("/portal/settlements/" + plain.ID)
	if strings.Contains(body, "fraud") {
		t.Error("a settlement without write-offs shows fraud lines")
	}
}

// TestFraudSettlementPageInBrowser opens a settlement with both fraud lines
// at desktop and phone widths: it passes the accessibility check (no
// overflow) and shows the lines.
func TestFraudSettlementPageInBrowser(t *testing.T) {
	for _, vp := range []struct {
		name string
		size browsertest.Viewport
	}{{"desktop", browsertest.Desktop}, {"phone", browsertest.Phone}} {
		t.Run(vp.name, func(t *testing.T) {
			b := browsertest.New(t)
			b.SetViewport(vp.size)
			e := newEnv(t)
			owner := e.user(account.MerchantOwner, "Olivia Owner")
			a := e.order(125000)
			e.capture(a, 125000)
			e.write(func(tx *store.Tx) error {
				_, err := e.app.Checkout.FraudWriteOff(tx, a, true, "")
				return err
			})
			e.clk.Advance(24 * time.Hour)
			s := e.settle(e.shop, storetest.Start)

			b.Navigate(e.srv.URL + "/portal/")
			b.Fill("E-mail", owner.Email)
			b.Fill("Password", userPassword)
			if status := b.Submit("Sign in"); status != http.StatusOK {
				t.Fatalf("sign in: %d", status)
			}
			if status := b.Navigate(e.srv.URL + "/portal/settlements/" + s.ID); status != http.StatusOK {
				t.Fatalf("settlement page: %d", status)
			}
			for _, want := range []string{"Return (fraud)", "Fraud policy (excl. VAT)"} {
				if got := b.Text("#settlement-lines"); !strings.Contains(got, want) {
					t.Errorf("lines read %q, want %q in them", got, want)
				}
			}
			if got := b.Text("#fraud-policy"); got != "DKK 1,000.00" && got != "DKK\u00a01,000.00" {
				t.Errorf("fraud policy total %q", got)
			}
			b.CheckAccessibility(t)
			if shots := os.Getenv("TILLIT_SCREENSHOT_DIR"); shots != "" {
				b.Screenshot(filepath.Join(shots, "merchant-settlement-fraud-"+vp.name+".png"))
			}
		})
	}
}
