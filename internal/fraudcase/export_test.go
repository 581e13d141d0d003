package fraudcase_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/fraudcase"
	"github.com/tillit/tillit/internal/risk/postapproval"
	"github.com/tillit/tillit/internal/store"
)

// TestExportForThePolice: the case file, as JSON and as a printable page,
// holds the order (id, reference, merchant, amounts, items, dates, the
// addresses given at purchase), its signals, the attachments, the
// merchant's answer and the timeline with the actors' roles, and nothing
// about another person whose order is linked to it by a shared phone
// number and was confirmed fraud; each export is audited.
func TestExportForThePolice(t *testing.T) {
	e := newEnv(t)
	boOrder := e.order(bo, 25_000)
	id := e.order(anna, 60_000)
	ref, boRef := e.reference(id), e.reference(boOrder)
	analyst := e.staff(account.RoleSecurityAnalyst)

	// Bo's order is confirmed fraud, which puts Anna's order in review
	// with a linked_fraud signal whose source is Bo's order.
	if err := e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
		if _, err := e.app.Reviews.Raise(tx, postapproval.Signal{Kind: postapproval.ScreeningHit, OrderIDs: []string{boOrder}, Detail: "ofac_sdn"}); err != nil {
			return err
		}
		r, _, err := e.app.Reviews.ForOrder(tx, boOrder)
		if err != nil {
			return err
		}
		_, err = e.app.Reviews.Act(tx, analyst, r.ID, r.Version, postapproval.Reject, "Known fraud ring")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var linked bool
	if err := e.app.DB.Read(e.ctx, func(tx *store.Tx) error {
		r, ok, err := e.app.Reviews.ForOrder(tx, id)
		linked = ok && slices.ContainsFunc(r.Signals, func(m postapproval.Mark) bool { return m.Source == boOrder })
		return err
	}); err != nil || !linked {
		t.Fatalf("Anna's order is not linked to Bo's: %v", err)
	}

	e.svc.Attachments = func(_ *store.Tx, orderID string) ([]fraudcase.Attachment, error) {
		if orderID != id {
			return nil, nil
		}
		return []fraudcase.Attachment{{Title: "Stop request answer", At: e.clk.Now(),
			Fields: []fraudcase.Field{{Label: "Carrier", Value: "PostNord"}, {Label: "Tracking number", Value: "00370712345678901234"}}}}, nil
	}
	var personID string
	if err := e.app.DB.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT person_id FROM orders WHERE id = $1`, id).Scan(&personID)
	}); err != nil {
		t.Fatal(err)
	}
	const statement = "My phone was stolen in May"
	c, err := e.svc.OpenByConsumer(e.ctx, personID, "consumer:test", fraudcase.Opening{OrderID: id, Statement: statement})
	if err != nil {
		t.Fatal(err)
	}
	link := e.ask(c, "Who signed for the parcel?")
	const answer = "Nobody: it went to a locker"
	if err := e.svc.Reply(e.ctx, c.ID, link[strings.LastIndex(link, "/")+1:], answer); err != nil {
		t.Fatal(err)
	}

	cl := e.client()
	cl.staffSignIn(analyst)
	pg := cl.get("/staff/fraud-cases/" + c.ID + "/export.json")
	if pg.status != http.StatusOK {
		t.Fatalf("export.json: %d", pg.status)
	}
	var x fraudcase.Export
	if err := json.Unmarshal([]byte(pg.body), &x); err != nil {
		t.Fatal(err)
	}
	switch {
	case x.CaseID != c.ID || x.Order.ID != id || x.Order.Reference != ref || x.Order.MerchantName != "Nordic Rain":
		t.Errorf("order %+v", x.Order)
	case x.Order.Amount != 60_000 || x.Order.Currency != "DKK" || len(x.Order.Items) != 1 || x.Order.Items[0].Name != "Rain jacket":
		t.Errorf("amounts and items %+v", x.Order)
	case x.Order.BillingAddress == nil || x.Order.BillingAddress.StreetAddress != "Sletten 1" || x.Order.CreatedAt.IsZero():
		t.Errorf("addresses and dates %+v", x.Order)
	case len(x.Signals.Decisions) == 0 || x.Signals.Review == nil || len(x.Attachments) != 1:
		t.Errorf("signals %+v attachments %+v", x.Signals, x.Attachments)
	}
	var roles, actions []string
	for _, en := range x.Timeline {
		roles, actions = append(roles, en.Role), append(actions, en.Action)
	}
	if !slices.Equal(actions, []string{"opened", "merchant_asked", "merchant_replied"}) ||
		!slices.Equal(roles, []string{"consumer", "security_analyst", "merchant"}) {
		t.Errorf("timeline %v by %v", actions, roles)
	}
	printable := cl.get("/staff/fraud-cases/" + c.ID + "/export")
	if printable.status != http.StatusOK {
		t.Fatalf("printable export: %d", printable.status)
	}
	for name, body := range map[string]string{"json": pg.body, "html": printable.body} {
		for _, s := range []string{ref, "Sletten 1", "Rain jacket", statement, answer, "PostNord", "POST_APPROVAL_LINKED_FRAUD"} {
			if !strings.Contains(body, s) {
				t.Errorf("%s export lacks %q", name, s)
			}
		}
		for _, s := range []string{boOrder, boRef, "Larsen", "bo.larsen", "Havnegade", analyst.ID, analyst.Email} {
			if strings.Contains(body, s) {
				t.Errorf("%s export holds %q", name, s)
			}
		}
	}
	if n := e.auditCount(id, fraudcase.ActionExported); n != 2 {
		t.Errorf("%d exports audited, want 2", n)
	}
}
