package support_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/card"
)

// chatScript is what a consumer writes to the assistant in one language:
// asking to freeze their card, confirming, asking to dispute an order that
// never came, and confirming again.
type chatScript struct {
	lang, freeze, yes, dispute string
}

var chatScripts = []chatScript{
	{"en", "Please freeze my card, I think someone has my details", "yes", "The parcel never arrived, I want to open a dispute"},
	{"da", "Frys venligst mit kort, jeg tror nogen har mine oplysninger", "ja", "Pakken er aldrig kommet, jeg vil åbne en tvist"},
	{"nl", "Bevries alsjeblieft mijn kaart, ik denk dat iemand mijn gegevens heeft", "ja", "Het pakket is nooit aangekomen, ik wil een geschil openen"},
	{"sv", "Frys mitt kort, jag tror att någon har mina uppgifter", "ja", "Paketet kom aldrig fram, jag vill öppna en tvist"},
	{"de", "Bitte sperre meine Karte, ich glaube jemand hat meine Daten", "ja", "Das Paket ist nie angekommen, ich möchte einen Streitfall eröffnen"},
}

// TestAssistantInBrowser is issue 9's acceptance: in each of the five
// languages a consumer opens a conversation in the app, asks the assistant
// to freeze their card, confirms, then asks it to open a dispute about an
// order that never arrived and confirms; the card is frozen and the
// dispute open, and nothing happened before each "yes".
func TestAssistantInBrowser(t *testing.T) {
	for _, sc := range chatScripts {
		t.Run(sc.lang, func(t *testing.T) {
			e := newEnv(t)
			email := "chat." + sc.lang + "@example.dk"
			order := e.order(email)
			c := e.signUp(email)
			issued, err := e.app.Cards.Create(e.ctx, c.person, card.NewCard{Kind: card.KindVirtual, Amount: 50_000, Currency: "DKK", Locale: "da-DK", PaymentMethod: "pay_later"})
			if err != nil {
				t.Fatal(err)
			}
			b := browsertest.New(t)
			b.Navigate(e.srv.URL + "/app/signin")
			b.Fill("E-mail", email)
			b.Submit("Send me a code")
			b.Fill("One-time code", codeIn(t, e, email))
			if status := b.Submit("Sign in"); status != http.StatusOK {
				t.Fatalf("sign in: %d", status)
			}
			if status := b.Submit("Support"); status != http.StatusOK {
				t.Fatalf("support: %d", status)
			}
			b.Fill("Your message", sc.freeze)
			if status := b.Submit("Send"); status != http.StatusOK {
				t.Fatalf("open: %d", status)
			}
			last := func() string {
				t.Helper()
				msgs := b.Text("#conversation-messages")
				return msgs
			}
			if got := last(); !strings.Contains(got, issued.Last4) {
				t.Fatalf("the assistant does not offer to freeze card %s:\n%s", issued.Last4, got)
			}
			if frozen(t, e, c.person, issued.ID) {
				t.Fatal("the card froze before the consumer confirmed")
			}
			send(t, b, sc.yes)
			if !frozen(t, e, c.person, issued.ID) {
				t.Fatalf("the card is not frozen after the consumer confirmed:\n%s", last())
			}

			send(t, b, sc.dispute)
			if n := e.count(`SELECT COUNT(*) FROM disputes WHERE order_id = $1`, order); n != 0 {
				t.Fatalf("a dispute opened before the consumer confirmed:\n%s", last())
			}
			send(t, b, sc.yes)
			if n := e.count(`SELECT COUNT(*) FROM disputes WHERE order_id = $1 AND reason = 'not_received'`, order); n != 1 {
				t.Fatalf("%d not-received disputes after the consumer confirmed:\n%s", n, last())
			}
			if got := b.Text("#conversation-status"); strings.Contains(got, "Waiting for customer service") {
				t.Errorf("the assistant handed over: %s", got)
			}
			b.CheckAccessibility(t)
		})
	}
}

// send writes a message in the open conversation.
func send(t *testing.T, b *browsertest.Browser, text string) {
	t.Helper()
	b.Fill("Your message", text)
	if status := b.Submit("Send"); status != http.StatusOK {
		t.Fatalf("send %q: %d", text, status)
	}
}

// frozen reports whether the person's card is frozen.
func frozen(t *testing.T, e *env, person, cardID string) bool {
	t.Helper()
	c, err := e.app.Cards.Get(e.ctx, person, cardID)
	if err != nil {
		t.Fatal(err)
	}
	return c.Frozen
}
