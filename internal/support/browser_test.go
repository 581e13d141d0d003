package support_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/logscan"
)

// TestSupportInBrowser walks a conversation in Chromium at desktop and
// phone widths, on the whole of Tillit: the consumer signs in and opens a
// conversation about an order in the app, customer service finds it in the
// support inbox, answers it and turns it into a complaint, and the consumer
// reads the answer and follows the link to the complaint. Every page
// passes the accessibility check. TILLIT_SCREENSHOT_DIR keeps screenshots.
func TestSupportInBrowser(t *testing.T) {
	shots := os.Getenv("TILLIT_SCREENSHOT_DIR")
	for _, vp := range []struct {
		name string
		size browsertest.Viewport
	}{{"desktop", browsertest.Desktop}, {"phone", browsertest.Phone}} {
		t.Run(vp.name, func(t *testing.T) {
			e := newEnv(t)
			anna := "anna@example.dk"
			order := e.order(anna)
			cs := e.member(account.RoleCustomerService, "Carla Service")
			b := browsertest.New(t)
			b.SetViewport(vp.size)
			expect := func(selector, want string) {
				t.Helper()
				if got := b.Text(selector); !strings.Contains(got, want) {
					t.Errorf("%s reads %q, want %q in it", selector, got, want)
				}
			}
			js := func(expr string) {
				t.Helper()
				browsertest.Eval[bool](b, `(() => { `+expr+`; return true; })()`)
			}
			shot := func(name string) {
				if shots != "" {
					b.Screenshot(filepath.Join(shots, name+"-"+vp.name+".png"))
				}
			}

			// The consumer signs in and writes about the order.
			b.Navigate(e.srv.URL + "/app/signin")
			b.Fill("E-mail", anna)
			b.Submit("Send me a code")
			code := codeIn(t, e, anna)
			b.Fill("One-time code", code)
			if status := b.Submit("Sign in"); status != http.StatusOK {
				t.Fatalf("sign in: %d", status)
			}
			if status := b.Submit("Support"); status != http.StatusOK {
				t.Fatalf("support: %d", status)
			}
			expect("#no-conversations", "You have not written to us yet.")
			b.CheckAccessibility(t)
			js(`document.querySelector('#f-order').value = '` + order + `'`)
			b.Fill("Subject", "Rain jacket")
			b.Fill("Your message", "My rain jacket has not arrived. Where is it?")
			if status := b.Submit("Send"); status != http.StatusOK {
				t.Fatalf("open: %d", status)
			}
			expect("h1", "Conversation SUP-")
			expect("#conversation-status", "Waiting for customer service")
			expect("#conversation-messages", "My rain jacket has not arrived.")
			b.CheckAccessibility(t)
			shot("consumer-conversation-opened")
			conversation := b.URL()
			reference := strings.TrimPrefix(b.Text("h1"), "Conversation ")

			// Customer service answers it and turns it into a complaint.
			b.SignInStaff(e.srv.URL, cs.Email, staffPassword, cs.auth, e.clk.Now)
			if status := b.Submit("Support inbox"); status != http.StatusOK {
				t.Fatalf("inbox: %d", status)
			}
			expect("#waiting-queue", reference)
			b.CheckAccessibility(t)
			b.Submit(reference)
			expect("#conversation-messages", "has not arrived")
			b.CheckAccessibility(t)
			b.Fill("Your answer to the consumer", "The shop sent it yesterday; we have asked them for the tracking number.")
			if status := b.Submit("Send answer"); status != http.StatusOK {
				t.Fatalf("answer: %d", status)
			}
			expect("#conversation-status", "Answered")
			js(`document.querySelector('#convert-complaint').open = true`)
			js(`document.querySelector('#f-category').value = 'order'`)
			if status := b.Submit("File complaint"); status != http.StatusOK {
				t.Fatalf("convert: %d", status)
			}
			expect("#conversation-case", "a complaint")
			expect("#conversation-status", "Became a case")
			b.CheckAccessibility(t)
			shot("staff-conversation-converted")
			b.Submit("Sign out")

			// The consumer reads the answer and follows the complaint.
			b.Navigate(conversation)
			expect("#conversation-messages", "asked them for the tracking number")
			expect("#conversation-case", "a complaint")
			if n := b.Count("#message-form"); n != 0 {
				t.Error("the converted conversation still takes messages")
			}
			b.CheckAccessibility(t)
			shot("consumer-conversation-converted")
			if status := b.Submit("Follow it here"); status != http.StatusOK {
				t.Fatalf("complaint: %d", status)
			}
			expect("h1", "Complaint C-")
			expect("#complaint-text", "My rain jacket has not arrived.")
			b.CheckAccessibility(t)
		})
	}
}

// codeIn reads the latest sign-in code e-mailed to the address.
func codeIn(t *testing.T, e *env, email string) string {
	t.Helper()
	mail := e.mails(email)
	if len(mail) == 0 {
		t.Fatal("no sign-in code")
	}
	code := regexpCode.FindString(mail[0].Body)
	logscan.Secret(logscan.OneTimeCode, code)
	return code
}
