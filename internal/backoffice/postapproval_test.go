package backoffice_test

import (
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/backoffice"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/risk/postapproval"
	"github.com/tillit/tillit/internal/store"
)

// inReview places an approved order for the consumer and brings it into
// post-approval review with a screening hit; it returns the order and its
// review.
func (e *env) inReview(email string, amount int64) (string, postapproval.Review) {
	e.t.Helper()
	id := e.order(email, amount)
	var (
		r  postapproval.Review
		ok bool
	)
	err := e.app.DB.Write(e.ctx, func(tx *store.Tx) (err error) {
		if _, err := e.app.Reviews.Raise(tx, postapproval.Signal{Kind: postapproval.ScreeningHit, OrderIDs: []string{id}, Detail: "ofac_sdn"}); err != nil {
			return err
		}
		r, ok, err = e.app.Reviews.ForOrder(tx, id)
		return err
	})
	if err != nil || !ok {
		e.t.Fatalf("review of %s: %v %v", id, ok, err)
	}
	return id, r
}

// reviewForm is the analyst's form for an action on r.
func reviewForm(r postapproval.Review, action, reason string) url.Values {
	return url.Values{"review": {r.ID}, "version": {strconv.FormatInt(r.Version, 10)}, "action": {action}, "review_reason": {reason}}
}

// TestPostApprovalRoleMatrix: every staff role against the queue, the
// order page and the action. Security analysts and admins see the queue,
// the signals, the decision records and the linked orders and may act;
// risk analysts read the order page without the form; every other role is
// refused; nothing personal about the consumer shows.
func TestPostApprovalRoleMatrix(t *testing.T) {
	e := newDecisionsEnv(t)
	earlier := e.order("anna@example.dk", 40_000)
	queuePath := "/staff/queues/" + backoffice.PostApprovalQueueKey
	for _, role := range account.Roles {
		t.Run(string(role), func(t *testing.T) {
			id, r := e.inReview("anna@example.dk", 60_000)
			orderPath := "/staff/orders/" + id
			st := e.staff(role, "Member "+strings.ReplaceAll(string(role), "_", " "))
			c := e.client()
			c.signIn(st)
			mayWork := role == account.RoleSecurityAnalyst || role == account.RoleAdmin
			// AML officers open the order for its screening hit.
			mayRead := mayWork || role == account.RoleRiskAnalyst || role == account.RoleAMLOfficer
			_, home := c.get("/staff/")
			if got := strings.Contains(home, "Post-approval review"); got != mayWork {
				t.Errorf("home lists the post-approval queue: %v, want %v", got, mayWork)
			}
			want := map[bool]int{true: http.StatusOK, false: http.StatusForbidden}
			res, body := c.get(queuePath)
			if res.StatusCode != want[mayWork] || (mayWork && !strings.Contains(body, orderPath)) {
				t.Errorf("GET queue: %d, want %d", res.StatusCode, want[mayWork])
			}
			res, body = c.get(orderPath)
			if res.StatusCode != want[mayRead] {
				t.Errorf("GET order: %d, want %d", res.StatusCode, want[mayRead])
			}
			if mayRead {
				page := html.UnescapeString(body)
				for _, s := range []string{"Post-approval review", "Sanctions or PEP list match", "ofac_sdn", "POST_APPROVAL_SCREENING_HIT",
					"Automated decision records", "Reassessment", "/staff/orders/" + earlier, "Same phone number"} {
					if !strings.Contains(page, s) {
						t.Errorf("order page lacks %q", s)
					}
				}
				for _, s := range []string{"Jensen", "anna@example.dk", "+4520123456", "Sletten"} {
					if strings.Contains(page, s) {
						t.Errorf("order page shows the consumer's %q", s)
					}
				}
				if got := strings.Contains(page, `id="review-form"`); got != mayWork {
					t.Errorf("the action form shows: %v, want %v", got, mayWork)
				}
			}
			c.get("/staff/")
			res, _ = c.post(orderPath+"/review", reviewForm(r, "clear", "Known customer"))
			if mayWork {
				wantRedirect(t, res, queuePath)
				if rv := e.review(id); rv.Status != postapproval.StatusCleared {
					t.Errorf("after clear the review is %s", rv.Status)
				}
			} else if res.StatusCode != http.StatusForbidden {
				t.Errorf("POST action: %d, want 403", res.StatusCode)
			}
			if n := len(e.auditEntries(id, postapproval.ActionCleared)); n != map[bool]int{true: 1, false: 0}[mayWork] {
				t.Errorf("%d clear actions audited", n)
			}
		})
	}
}

// review reads an order's review.
func (e *env) review(orderID string) postapproval.Review {
	e.t.Helper()
	var r postapproval.Review
	if err := e.app.DB.Read(e.ctx, func(tx *store.Tx) (err error) {
		r, _, err = e.app.Reviews.ForOrder(tx, orderID)
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return r
}

// TestPostApprovalActions: a missing reason or action is shown again
// (422) and writes nothing, a bad version is 400, a stale one is refused
// with a notice, a request without the CSRF token is refused, and a stop
// sets STOPPED and brings the linked order into the queue.
func TestPostApprovalActions(t *testing.T) {
	e := newDecisionsEnv(t)
	linked := e.order("anna@example.dk", 30_000)
	id, r := e.inReview("anna@example.dk", 60_000)
	orderPath := "/staff/orders/" + id
	analyst := e.staff(account.RoleSecurityAnalyst, "Sam Security")
	c := e.client()
	c.signIn(analyst)
	c.get(orderPath)
	res, body := c.post(orderPath+"/review", reviewForm(r, "stop", " "))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "f-review_reason-error") {
		t.Errorf("stop without a reason: %d", res.StatusCode)
	}
	res, body = c.post(orderPath+"/review", reviewForm(r, "", "Because"))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "f-action-error") {
		t.Errorf("no action: %d", res.StatusCode)
	}
	form := reviewForm(r, "stop", "Because")
	form.Set("version", "x")
	if res, _ := c.post(orderPath+"/review", form); res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad version: %d", res.StatusCode)
	}
	noToken := reviewForm(r, "stop", "Because")
	noToken.Set("csrf_token", "forged")
	if res, _ := c.post(orderPath+"/review", noToken); res.StatusCode != http.StatusForbidden {
		t.Errorf("forged CSRF token: %d", res.StatusCode)
	}
	if e.fraudStatus(id) != checkout.FraudAccepted || e.review(id).Version != r.Version {
		t.Fatal("a refused action changed something")
	}
	stale := r
	stale.Version--
	c.get(orderPath)
	res, _ = c.post(orderPath+"/review", reviewForm(stale, "stop", "Because"))
	wantRedirect(t, res, orderPath)
	c.get(orderPath)
	res, _ = c.post(orderPath+"/review", reviewForm(r, "stop", "Same identity as a known fraud ring"))
	wantRedirect(t, res, "/staff/queues/"+backoffice.PostApprovalQueueKey)
	if fs := e.fraudStatus(id); fs != checkout.FraudStopped {
		t.Fatalf("fraud status %s, want STOPPED", fs)
	}
	en := e.auditEntries(id, postapproval.ActionStopped)
	if len(en) != 1 || en[0].Actor != "staff:"+analyst.ID || !strings.Contains(string(en[0].Details), "Same identity as a known fraud ring") {
		t.Fatalf("audit = %+v", en)
	}
	if rv := e.review(linked); rv.Status != postapproval.StatusOpen || rv.Signals[0].Kind != postapproval.LinkedFraud {
		t.Fatalf("linked order's review = %+v", rv)
	}
	_, body = c.get(orderPath)
	if strings.Contains(body, `id="review-form"`) || !strings.Contains(body, "Stopped") {
		t.Error("the stopped order's page still offers actions or does not say it is stopped")
	}
}

// TestManualRejectionReviewsLinkedOrders: rejecting a PENDING order in
// the manual review queue confirms it as fraud too; the approved order
// sharing its details enters the post-approval queue.
func TestManualRejectionReviewsLinkedOrders(t *testing.T) {
	e := newDecisionsEnv(t)
	approved := e.order("anna@example.dk", 30_000)
	pending := e.order(pendingEmail, 50_000)
	admin := e.staff(account.RoleAdmin, "Ada Admin")
	c := e.client()
	c.signIn(admin)
	c.get("/staff/orders/" + pending)
	res, _ := c.post("/staff/orders/"+pending+"/decision", url.Values{"decision": {"REJECTED"}, "reason": {"Stolen identity"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reject: %d", res.StatusCode)
	}
	if rv := e.review(approved); rv.Status != postapproval.StatusOpen || rv.Signals[0].Source != pending {
		t.Fatalf("linked order's review = %+v", rv)
	}
}
