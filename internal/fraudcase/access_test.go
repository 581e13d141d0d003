package fraudcase_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/fraudcase"
)

// openCase opens a case on a new order of Anna's through customer service
// and returns the order and the case.
func (e *env) openCase(amount int64) (string, fraudcase.Case) {
	e.t.Helper()
	id := e.order(anna, amount)
	c, err := e.svc.OpenByStaff(e.ctx, account.Staff{ID: "cs-test", Role: account.RoleCustomerService}, e.reference(id), "Caller disputes", "")
	if err != nil {
		e.t.Fatal(err)
	}
	return id, c
}

// TestRoleMatrix: every staff role against every page and action. Security
// analysts and admins work the queue, the case page, its actions and
// exports; customer service may only open cases; every other role is
// refused everything; each refusal writes nothing.
func TestRoleMatrix(t *testing.T) {
	e := newEnv(t)
	want := map[bool]int{true: http.StatusOK, false: http.StatusForbidden}
	acted := map[bool]int{true: http.StatusSeeOther, false: http.StatusForbidden}
	for _, role := range account.Roles {
		t.Run(string(role), func(t *testing.T) {
			orderID, c := e.openCase(30_000)
			mayWork := role == account.RoleSecurityAnalyst || role == account.RoleAdmin
			mayOpen := mayWork || role == account.RoleCustomerService
			cl := e.client()
			cl.staffSignIn(e.staff(role))
			casePath := "/staff/fraud-cases/" + c.ID

			if pg := cl.get("/staff/"); strings.Contains(pg.body, "/staff/queues/fraud_cases") != mayWork {
				t.Errorf("home lists the fraud queue: %v, want %v", !mayWork, mayWork)
			}
			for path, may := range map[string]bool{
				"/staff/queues/fraud_cases": mayWork, "/staff/fraud-cases/new": mayOpen, casePath: mayWork,
				casePath + "/export": mayWork, casePath + "/export.json": mayWork,
			} {
				if pg := cl.get(path); pg.status != want[may] {
					t.Errorf("GET %s: %d, want %d", path, pg.status, want[may])
				}
			}
			cl.get("/staff/")
			other := e.order(anna, 10_000)
			pg := cl.post("/staff/fraud-cases", url.Values{"order": {e.reference(other)}, "reason": {"Caller says not theirs"}})
			if pg.status != acted[mayOpen] {
				t.Errorf("POST open: %d, want %d", pg.status, acted[mayOpen])
			}
			if n := e.count(`SELECT COUNT(*) FROM fraud_cases WHERE order_id = $1`, other); (n == 1) != mayOpen {
				t.Errorf("%d cases opened", n)
			}
			events := e.events()
			ver := c.Version
			for _, a := range []struct {
				path string
				form url.Values
			}{
				{casePath + "/note", url.Values{"note_text": {"Called the customer back"}, "note_reason": {"Follow-up"}}},
				{casePath + "/ask", url.Values{"ask_text": {"Proof of delivery?"}, "ask_reason": {"Evidence"}}},
				{casePath + "/close", url.Values{"outcome": {"claim_stands"}, "close_reason": {"Customer withdrew the claim"}}},
			} {
				a.form.Set("version", itoa(ver))
				if pg := cl.post(a.path, a.form); pg.status != acted[mayWork] {
					t.Errorf("POST %s: %d, want %d", a.path, pg.status, acted[mayWork])
				}
				if mayWork {
					ver++
				}
			}
			wantEvents := events
			if mayWork {
				wantEvents += 3
			}
			if got := e.events(); got != wantEvents {
				t.Errorf("%d events written, want %d", got-events, wantEvents-events)
			}
			for _, a := range []string{fraudcase.ActionNoted, fraudcase.ActionMerchantAsked, fraudcase.ActionClosed, fraudcase.ActionExported} {
				n := e.auditCount(orderID, a)
				if wantN := map[bool]int{true: 1, false: 0}[mayWork]; a == fraudcase.ActionExported && mayWork {
					if n != 2 {
						t.Errorf("%d exports audited, want 2", n)
					}
				} else if n != wantN {
					t.Errorf("%d %s audited, want %d", n, a, wantN)
				}
			}
		})
	}
}

// TestCSRFAndBadInputWriteNothing: a post without the CSRF token, a
// missing or too long reason or text, a missing outcome, a stale or
// malformed version and an unknown case are refused with a 4xx and write
// nothing.
func TestCSRFAndBadInputWriteNothing(t *testing.T) {
	e := newEnv(t)
	_, c := e.openCase(30_000)
	cl := e.client()
	cl.staffSignIn(e.staff(account.RoleSecurityAnalyst))
	casePath := "/staff/fraud-cases/" + c.ID
	cl.get(casePath)
	events := e.events()
	long := strings.Repeat("é", fraudcase.MaxText+1)
	for _, tc := range []struct {
		name, path string
		form       url.Values
		status     int
	}{
		{"no csrf", casePath + "/note", url.Values{"csrf_token": {""}, "note_text": {"x"}, "note_reason": {"y"}}, http.StatusForbidden},
		{"wrong csrf", casePath + "/close", url.Values{"csrf_token": {"forged"}, "outcome": {"claim_stands"}, "close_reason": {"y"}}, http.StatusForbidden},
		{"no reason", casePath + "/note", url.Values{"note_text": {"x"}}, http.StatusUnprocessableEntity},
		{"no text", casePath + "/ask", url.Values{"ask_reason": {"y"}}, http.StatusUnprocessableEntity},
		{"text too long", casePath + "/note", url.Values{"note_text": {long}, "note_reason": {"y"}}, http.StatusUnprocessableEntity},
		{"reason too long", casePath + "/note", url.Values{"note_text": {"x"}, "note_reason": {strings.Repeat("r", fraudcase.MaxReason+1)}}, http.StatusUnprocessableEntity},
		{"no outcome", casePath + "/close", url.Values{"close_reason": {"y"}}, http.StatusUnprocessableEntity},
		{"bad outcome", casePath + "/close", url.Values{"outcome": {"maybe"}, "close_reason": {"y"}}, http.StatusUnprocessableEntity},
		{"bad version", casePath + "/note", url.Values{"version": {"x"}, "note_text": {"x"}, "note_reason": {"y"}}, http.StatusBadRequest},
		{"unknown case", "/staff/fraud-cases/0190aaaa-0000-7000-8000-000000000000/note", url.Values{"note_text": {"x"}, "note_reason": {"y"}}, http.StatusNotFound},
		{"malformed case", "/staff/fraud-cases/nope/close", url.Values{"outcome": {"claim_stands"}, "close_reason": {"y"}}, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.form.Has("version") {
				tc.form.Set("version", version(c))
			}
			if tc.status == http.StatusForbidden {
				// A page load gives the client a token it must not send.
				cl.get(casePath)
			}
			if pg := cl.post(tc.path, tc.form); pg.status != tc.status {
				t.Errorf("status %d, want %d", pg.status, tc.status)
			}
			cl.get(casePath)
		})
	}
	stale := url.Values{"version": {itoa(c.Version + 5)}, "note_text": {"x"}, "note_reason": {"y"}}
	if pg := cl.post(casePath+"/note", stale); pg.status != http.StatusSeeOther || pg.location != casePath {
		t.Errorf("stale version: %d to %q", pg.status, pg.location)
	}
	if got := e.events(); got != events {
		t.Errorf("%d events written by refused requests", got-events)
	}
	if got := e.caseOf(c.OrderID); got.Version != c.Version || got.Status != fraudcase.StatusOpen {
		t.Errorf("the case changed: %+v", got)
	}
	cl.get("/staff/fraud-cases/new")
	for _, form := range []url.Values{{"reason": {"x"}}, {"order": {"NO-SUCH-REF"}, "reason": {"x"}}, {"order": {e.reference(c.OrderID)}, "reason": {"x"}}} {
		if pg := cl.post("/staff/fraud-cases", form); pg.status != http.StatusUnprocessableEntity {
			t.Errorf("open %v: %d", form, pg.status)
		}
		cl.get("/staff/fraud-cases/new")
	}
	if n := e.count(`SELECT COUNT(*) FROM fraud_cases`); n != 1 {
		t.Errorf("%d cases", n)
	}
}
