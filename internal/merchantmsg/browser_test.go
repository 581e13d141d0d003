package merchantmsg_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/browsertest"
)

// TestMerchantMessageInBrowser: a merchant user sends a fraud message from
// the order page (after being told a topic is needed), sees it listed as
// open; a security analyst finds it at the top of the fraud queue, reads
// it and marks it handled with a reply, which the merchant then sees on the
// order page. At desktop and phone widths, every page passes the
// accessibility check (including overflow).
func TestMerchantMessageInBrowser(t *testing.T) {
	for _, vp := range []struct {
		name string
		size browsertest.Viewport
	}{{"desktop", browsertest.Desktop}, {"phone", browsertest.Phone}} {
		t.Run(vp.name, func(t *testing.T) {
			b := browsertest.New(t)
			b.SetViewport(vp.size)
			e := newEnv(t)
			orderID, reference := e.order(e.shop, acceptedEmail)
			owner := e.user(e.shop, account.MerchantOwner, "Olivia Owner")
			analyst := e.staff(account.RoleSecurityAnalyst, "Sam Security")
			expect := func(selector, want string) {
				t.Helper()
				if got := b.Text(selector); !strings.Contains(got, want) {
					t.Errorf("%s reads %q, want %q in it", selector, got, want)
				}
			}
			const text = "The buyer asked us by phone to send the parcel to a different address"
			const reply = "Thank you. Please do not ship; we have stopped the order."

			b.Navigate(e.srv.URL + "/portal/")
			b.Fill("E-mail", owner.Email)
			b.Fill("Password", userPassword)
			if status := b.Submit("Sign in"); status != http.StatusOK {
				t.Fatalf("portal sign in: %d", status)
			}
			if status := b.Navigate(e.srv.URL + "/portal/orders/" + orderID); status != http.StatusOK {
				t.Fatalf("order page: %d", status)
			}
			expect("#no-messages", "No messages about this order yet.")
			b.CheckAccessibility(t)

			b.Fill("Message", text)
			if status := b.Submit("Send message"); status != http.StatusUnprocessableEntity {
				t.Fatalf("no topic: %d", status)
			}
			expect(".error-summary", "Choose a topic.")
			b.CheckAccessibility(t)
			if !browsertest.Eval[bool](b, `(() => { const r = document.querySelector('input[name="topic"][value="fraud_stop"]'); r.click(); return r.checked; })()`) {
				t.Fatal("the fraud topic is not checked after a click")
			}
			if status := b.Submit("Send message"); status != http.StatusOK {
				t.Fatalf("send: %d", status)
			}
			expect(".notice--success", "Your message was sent to Tillit.")
			expect("#message-list", text)
			expect("#message-list", "Fraud or stop request")
			expect("#message-list", "Open")
			b.CheckAccessibility(t)

			b.SignInStaff(e.srv.URL, analyst.Email, staffPassword, e.authenticator(analyst.Email), e.clk.Now)
			if status := b.Submit("Merchant messages on fraud"); status != http.StatusOK {
				t.Fatalf("queue: %d", status)
			}
			expect("h1", "Merchant messages on fraud")
			expect("#queue-items tbody tr:first-child", reference)
			expect("#queue-items tbody tr:first-child", "Nordic Rain")
			b.CheckAccessibility(t)
			if status := b.Submit(reference); status != http.StatusOK {
				t.Fatalf("message page: %d", status)
			}
			expect("#message-text", text)
			expect("#message-topic", "Fraud or stop request")
			b.CheckAccessibility(t)
			b.Fill("Reply to the merchant", reply)
			if status := b.Submit("Mark handled and reply"); status != http.StatusOK {
				t.Fatalf("handle: %d", status)
			}
			expect(".notice--success", "The message is marked handled")
			expect("#queue-empty", "")
			b.CheckAccessibility(t)

			if status := b.Navigate(e.srv.URL + "/portal/orders/" + orderID); status != http.StatusOK {
				t.Fatalf("order page again: %d", status)
			}
			expect("#message-list", reply)
			expect("#message-list", "Answered")
			b.CheckAccessibility(t)
		})
	}
}
