package rights_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/complaint"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/rights"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/support"
)

// TestSupportConversationsInAccessExtractAndErased: a person's support
// conversations (subject, messages, the address of a contact-form
// conversation, all sealed under the person) are in their access extract
// opened; an erasure deletes them all, the one converted into a complaint
// too, while the complaint (with its copy of that conversation) is kept
// for complaint handling, a legal obligation.
func TestSupportConversationsInAccessExtractAndErased(t *testing.T) {
	e := newEnv(t)
	orderID := e.buy(anna, "pay_later", 45_000)
	if orderID == "" {
		t.Fatal("the assessment refused an ordinary purchase")
	}
	e.signIn(anna)
	id := e.person(anna)
	ctx := context.Background()
	const (
		subject  = "Parcel from Regnvejr"
		question = "The umbrella never arrived at Slettenvej"
		contact  = "Please call me about my invoice"
		answer   = "We asked the shop where it is"
	)
	logscan.Secret(logscan.Password, "Lantern-harbour-violet-1987")
	cs, err := e.app.Accounts.CreateStaff(ctx, "cli", account.NewStaff{Email: "carl@tillit.example", Name: "Carl Service",
		Role: account.RoleCustomerService, Password: "Lantern-harbour-violet-1987"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.app.Support.Open(ctx, id, "consumer:"+e.consumer(anna), support.Opening{OrderID: orderID, Subject: subject, Message: question})
	if err != nil {
		t.Fatal(err)
	}
	if c, err = e.app.Support.Reply(ctx, cs, c.ID, c.Version, answer); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Support.OpenForVisitor(ctx, "192.0.2.0/24", support.VisitorOpening{Email: anna.email, Message: contact}); err != nil {
		t.Fatal(err)
	}
	converted, err := e.app.Support.ConvertToComplaint(ctx, cs, c.ID, c.Version, support.ComplaintConversion{Category: complaint.CategoryOrder})
	if err != nil {
		t.Fatal(err)
	}

	var x rights.Extract
	e.read(func(tx *store.Tx) (err error) {
		x, err = e.rights.Access(tx, id, i18n.English)
		return err
	})
	raw, err := x.JSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"support_conversations", "support_messages", c.Reference, subject, question, answer, contact, anna.email,
		string(privacy.PurposeSupportConversations)} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the extract does not show %q", want)
		}
	}
	dump := e.dump()
	if found := findIn(map[string][]string{"support_conversations": dump["support_conversations"], "support_messages": dump["support_messages"]},
		[]string{subject, question, contact, answer, anna.email}); len(found) > 0 {
		t.Errorf("support tables hold in clear: %v", found)
	}

	var out rights.Erasure
	e.write(func(tx *store.Tx) (err error) {
		out, err = e.rights.Erase(tx, id)
		return err
	})
	if slices.ContainsFunc(out.Kept, func(k rights.Kept) bool { return slices.Contains(k.Grounds, privacy.PurposeSupportConversations) }) {
		t.Errorf("the erasure keeps data for support conversations: %+v", out.Kept)
	}
	if n := e.count(`SELECT (SELECT COUNT(*) FROM support_conversations WHERE person_id = $1) + (SELECT COUNT(*) FROM support_messages m
		JOIN support_conversations s ON s.id = m.conversation_id WHERE s.person_id = $1)`, id); n != 0 {
		t.Errorf("after erasure %d conversations and messages remain", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM complaints WHERE id = $1`, converted.ConvertedID); n != 1 {
		t.Error("the erasure removed the complaint the conversation became")
	}
}

// count returns the result of a COUNT query.
func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	e.read(func(tx *store.Tx) error { return tx.QueryRow(query, args...).Scan(&n) })
	return n
}
