package backoffice_test

import (
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/aml"
	"github.com/tillit/tillit/internal/backoffice"
	"github.com/tillit/tillit/internal/store"
)

// structured places three orders just under 10,000.00 DKK through checkout
// for the consumer with the address, a day apart, and returns the AML
// alert they raised, read as an admin.
func (e *env) structured(email string) ([]string, aml.Alert) {
	e.t.Helper()
	var orders []string
	for _, amount := range []int64{950_000, 990_000, 920_000} {
		orders = append(orders, e.order(email, amount))
		e.clk.Advance(24 * time.Hour)
	}
	var a aml.Alert
	err := e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
		var id string
		if err := tx.QueryRow(`SELECT id FROM aml_alerts WHERE rule = $1`, string(aml.Structuring)).Scan(&id); err != nil {
			return err
		}
		var err error
		a, err = e.app.AML.AlertForReview(tx, account.Staff{ID: "test", Role: account.RoleAdmin}, id)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return orders, a
}

func TestCheckoutOrdersRaiseAStructuringAlert(t *testing.T) {
	e := newDecisionsEnv(t)
	orders, a := e.structured("anna@example.dk")
	if a.Status != aml.StatusOpen || len(a.Evidence) != 3 {
		t.Fatalf("alert = %+v", a)
	}
	for i, ev := range a.Evidence {
		if ev.OrderID != orders[i] || ev.Kind != aml.KindOrder || ev.Currency != "DKK" {
			t.Errorf("evidence %d = %+v, want order %s", i, ev, orders[i])
		}
	}
}

func TestAMLAlertRoleMatrixAndActions(t *testing.T) {
	e := newDecisionsEnv(t)
	orders, a := e.structured("anna@example.dk")
	alertPath := "/staff/aml/alerts/" + a.ID
	queuePath := "/staff/queues/" + backoffice.AMLQueueKey
	for _, role := range account.Roles {
		t.Run(string(role), func(t *testing.T) {
			st := e.staff(role, "Member "+strings.ReplaceAll(string(role), "_", " "))
			c := e.client()
			c.signIn(st)
			may := role == account.RoleAMLOfficer || role == account.RoleAdmin
			_, home := c.get("/staff/")
			if got := strings.Contains(home, "AML alerts"); got != may {
				t.Errorf("home lists the AML alerts: %v, want %v", got, may)
			}
			want := http.StatusForbidden
			if may {
				want = http.StatusOK
			}
			res, body := c.get(queuePath)
			if res.StatusCode != want || (may && !strings.Contains(body, alertPath)) {
				t.Errorf("GET queue: %d, want %d", res.StatusCode, want)
			}
			res, body = c.get(alertPath)
			if res.StatusCode != want {
				t.Errorf("GET alert: %d, want %d", res.StatusCode, want)
			}
			if may {
				page := html.UnescapeString(body)
				for _, s := range []string{a.PersonID, "Purchases just under the threshold", "/staff/orders/" + orders[0], "/staff/orders/" + orders[2]} {
					if !strings.Contains(page, s) {
						t.Errorf("alert page lacks %q", s)
					}
				}
				if strings.Contains(page, "Jensen") || strings.Contains(page, "anna@example.dk") {
					t.Error("alert page shows the person's name or address")
				}
			}
			views := 0
			for _, en := range e.auditEntries(a.PersonID, aml.ActionAlertViewed) {
				if en.Actor == "staff:"+st.ID {
					views++
				}
			}
			if wantViews := map[bool]int{true: 1, false: 0}[may]; views != wantViews {
				t.Errorf("%d views audited, want %d", views, wantViews)
			}
			if !may {
				res, _ := c.post(alertPath+"/action", url.Values{"action": {"close"}, "note": {"Fine."}, "version": {strconv.FormatInt(a.Version, 10)}})
				if res.StatusCode != http.StatusForbidden {
					t.Errorf("action by %s: %d", role, res.StatusCode)
				}
			}
		})
	}

	officer := e.staff(account.RoleAMLOfficer, "Olga Officer")
	c := e.client()
	c.signIn(officer)
	c.get(alertPath)
	version := strconv.FormatInt(a.Version, 10)
	status := func() string {
		var s string
		if err := e.app.DB.Read(e.ctx, func(tx *store.Tx) error {
			return tx.QueryRow(`SELECT status FROM aml_alerts WHERE id = $1`, a.ID).Scan(&s)
		}); err != nil {
			t.Fatal(err)
		}
		return s
	}
	// Closing needs a reason.
	res, body := c.post(alertPath+"/action", url.Values{"action": {"close"}, "note": {" "}, "version": {version}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "f-note-error") || status() != "open" {
		t.Errorf("close without a reason: %d, status %s", res.StatusCode, status())
	}
	res, _ = c.post(alertPath+"/action", url.Values{"action": {"close"}, "note": {"x"}, "version": {"oops"}})
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad version: %d", res.StatusCode)
	}
	res, _ = c.post("/staff/aml/alerts/01890000-0000-7000-8000-000000000000/action", url.Values{"action": {"escalate"}, "version": {"1"}})
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown alert: %d", res.StatusCode)
	}
	res, _ = c.post(alertPath+"/action", url.Values{"action": {"escalate"}, "version": {version}})
	wantRedirect(t, res, queuePath)
	if status() != "escalated" || len(e.auditEntries(a.PersonID, aml.ActionAlertEscalated)) != 1 {
		t.Fatalf("escalate: status %s", status())
	}
	// The old version is stale now.
	c.get(alertPath)
	res, _ = c.post(alertPath+"/action", url.Values{"action": {"report"}, "note": {"FIU 2026-77"}, "version": {version}})
	wantRedirect(t, res, alertPath)
	if status() != "escalated" {
		t.Errorf("a stale report changed the alert to %s", status())
	}
	c.get(alertPath)
	res, _ = c.post(alertPath+"/action", url.Values{"action": {"report"}, "note": {"FIU 2026-77"}, "version": {strconv.FormatInt(a.Version+1, 10)}})
	wantRedirect(t, res, queuePath)
	if status() != "reported" || len(e.auditEntries(a.PersonID, aml.ActionAlertReported)) != 1 {
		t.Errorf("report: status %s", status())
	}
	_, body = c.get(alertPath)
	if !strings.Contains(body, "FIU 2026-77") || strings.Contains(body, `name="action"`) {
		t.Error("the reported alert's page does not show the reference, or still offers actions")
	}
}
