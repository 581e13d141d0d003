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
)

// TestComplaintInAccessExtractAndKeptOnErasure: a complaint about a
// person's order, with its subject, text and the update customer service
// sent (all sealed under the person), is in their access extract opened;
// an erasure keeps it, still sealed, for complaint handling (a legal
// obligation) while that purpose lasts, and lists it as kept.
func TestComplaintInAccessExtractAndKeptOnErasure(t *testing.T) {
	e := newEnv(t)
	orderID := e.buy(anna, "pay_later", 45_000)
	if orderID == "" {
		t.Fatal("the assessment refused an ordinary purchase")
	}
	e.signIn(anna)
	id := e.person(anna)
	const (
		subject = "Invoice for goods I returned"
		text    = "I sent the jacket back on 3 March and still get reminders"
		update  = "We asked the shop to confirm the return"
	)
	ctx := context.Background()
	c, err := e.app.Complaints.File(ctx, id, "consumer:"+e.consumer(anna), complaint.Filing{Category: complaint.CategoryCollection,
		OrderID: orderID, Subject: subject, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	logscan.Secret(logscan.Password, "Lantern-harbour-violet-1987")
	cs, err := e.app.Accounts.CreateStaff(ctx, "cli", account.NewStaff{Email: "carl@tillit.example", Name: "Carl Service",
		Role: account.RoleCustomerService, Password: "Lantern-harbour-violet-1987"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Complaints.Update(ctx, cs, c.ID, c.Version, update, false); err != nil {
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
	for _, want := range []string{"complaints", "complaint_events", c.Reference, subject, text, update} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the extract does not show %q", want)
		}
	}
	var sealedText string
	e.read(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT text FROM complaints WHERE id = $1`, c.ID).Scan(&sealedText)
	})
	if strings.Contains(sealedText, "jacket") {
		t.Error("the complaint's text is stored in the clear")
	}
	var out rights.Erasure
	e.write(func(tx *store.Tx) (err error) {
		out, err = e.rights.Erase(tx, id)
		return err
	})
	kept := slices.ContainsFunc(out.Kept, func(k rights.Kept) bool {
		return k.Category == privacy.CategoryComplaints && slices.Contains(k.Grounds, privacy.PurposeComplaints)
	})
	if !kept {
		t.Errorf("the erasure does not keep the complaint for complaint handling: %+v", out.Kept)
	}
	var complaints, events int
	e.read(func(tx *store.Tx) error {
		if err := tx.QueryRow(`SELECT COUNT(*) FROM complaints WHERE person_id = $1`, id).Scan(&complaints); err != nil {
			return err
		}
		return tx.QueryRow(`SELECT COUNT(*) FROM complaint_events x JOIN complaints c ON c.id = x.complaint_id WHERE c.person_id = $1`, id).Scan(&events)
	})
	if complaints != 1 || events < 3 {
		t.Errorf("after erasure %d complaints with %d events, want 1 with its timeline", complaints, events)
	}
}
