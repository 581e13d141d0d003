package demoshop_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/demoshop"
	"github.com/tillit/tillit/internal/hosted"
)

// TestDemoShopInBrowser walks demo mode in Chromium at desktop and phone
// widths: the index, the shop, the hosted checkout (pay later, with the
// test code) and back to the shop's thank-you page, which a reload shows
// again without a second order; and a link with a forged token. The index,
// shop, thank-you and not-found pages pass the accessibility check; with
// TILLIT_SCREENSHOT_DIR set they are saved there as
// demo-<page>-<desktop|phone>.png.
func TestDemoShopInBrowser(t *testing.T) {
	shots := os.Getenv("TILLIT_SCREENSHOT_DIR")
	if shots != "" {
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, vp := range []struct {
		name string
		size browsertest.Viewport
	}{{"desktop", browsertest.Desktop}, {"phone", browsertest.Phone}} {
		t.Run(vp.name, func(t *testing.T) {
			e := newEnv(t)
			b := browsertest.New(t)
			b.SetViewport(vp.size)
			check := func(page string) {
				t.Helper()
				b.CheckAccessibility(t)
				if shots != "" {
					b.Screenshot(filepath.Join(shots, "demo-"+page+"-"+vp.name+".png"))
				}
			}
			expect := func(selector, want string) {
				t.Helper()
				if got := b.Text(selector); !strings.Contains(got, want) {
					t.Errorf("%s reads %q, want %q in it", selector, got, want)
				}
			}

			if status := b.Navigate(e.srv.URL + demoshop.Prefix); status != http.StatusOK {
				t.Fatalf("index: status %d", status)
			}
			expect("h1", "Try Tillit")
			expect("#production-warning", "Demo mode is never for production")
			check("index")

			if status := b.Submit("Demo shop"); status != http.StatusOK || b.URL() != e.srv.URL+demoshop.ShopPath {
				t.Fatalf("shop: status %d at %s", status, b.URL())
			}
			expect("h1", "Demo Shop: your basket")
			expect("#basket", "Rain jacket")
			expect("#basket-total", "DKK 1,096.00")
			if got := b.Value("Language of the checkout"); got != "en" {
				t.Errorf("checkout language %q, want the page's", got)
			}
			check("shop")

			if status := b.Submit("Continue to payment"); status != http.StatusOK || !strings.HasPrefix(b.URL(), e.srv.URL+hosted.Prefix) {
				t.Fatalf("to the checkout: status %d at %s", status, b.URL())
			}
			expect("h1", "Pay Demo Shop")
			expect("#order-total", "DKK 1,096.00")
			for _, f := range [][2]string{
				{"First name", "Anna"}, {"Last name", "Jensen"}, {"E-mail", "anna@example.com"},
				{"Street and house number", "Sletten 1"}, {"Postcode", "9270"}, {"Town or city", "Klarup"}, {"Date of birth", "17-05-1990"},
			} {
				b.Fill(f[0], f[1])
			}
			ctx, cancel := context.WithTimeout(b.Context(), browsertest.Timeout)
			_, err := chromedp.Run(ctx, chromedp.Click(chromedp.CSS(`input[name="payment_method"][value="pay_later"]`), chromedp.NodeVisible))
			cancel()
			if err != nil {
				t.Fatalf("choose pay later: %v", err)
			}
			if status := b.Submit("Continue"); status != http.StatusOK || !strings.HasSuffix(b.URL(), "/code") {
				t.Fatalf("after the details: status %d at %s", status, b.URL())
			}
			b.Fill("One-time code", checkout.TestOTP)
			if status := b.Submit("Confirm purchase"); status != http.StatusOK || !strings.HasPrefix(b.URL(), e.srv.URL+"/demo/shop/authorized?token=") {
				t.Fatalf("after the code: status %d at %s", status, b.URL())
			}
			expect("h1", "Thank you for your order")
			expect("#order-method", "Pay later (invoice)")
			expect("#order-fraud", "Accepted")
			expect("#order-amount", "DKK 1,096.00")
			id := b.Text("#order-id")
			if orders := e.orders(); len(orders) != 1 || orders[0].OrderID != id {
				t.Fatalf("orders %+v, the page says %s", orders, id)
			}
			check("thanks")

			thanks := b.URL()
			if status := b.Navigate(thanks); status != http.StatusOK {
				t.Fatalf("reload: status %d", status)
			}
			expect("#order-id", id)
			expect("#placed-before", "does not place it again")
			if n := len(e.orders()); n != 1 {
				t.Errorf("%d orders after a reload", n)
			}

			if status := b.Navigate(e.srv.URL + "/demo/shop/authorized?token=forged"); status != http.StatusNotFound {
				t.Errorf("forged token: status %d", status)
			}
			expect("h1", "We could not find this purchase")
			check("notfound")
		})
	}
}
