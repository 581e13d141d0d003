package fraudcase_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/fraudcase"
	"github.com/tillit/tillit/internal/signedlink"
)

// ask asks the merchant about the case as an analyst and returns the
// reply link's path.
func (e *env) ask(c fraudcase.Case, question string) string {
	e.t.Helper()
	path, err := e.svc.AskMerchant(e.ctx, account.Staff{ID: "analyst-test", Role: account.RoleSecurityAnalyst}, c.ID, c.Version, question, "Evidence")
	if err != nil {
		e.t.Fatal(err)
	}
	return path
}

// replies counts the merchant's replies on all cases.
func (e *env) replies() int {
	return e.count(`SELECT COUNT(*) FROM fraud_case_events WHERE kind = $1`, string(fraudcase.EventMerchantReplied))
}

// TestReplyLinks: a reply link works for its case only and until it
// expires; forged, altered, other purposes' and other cases' links are
// refused with a 4xx and write nothing; a merchant may answer twice, each
// answer bounded in size; a closed case takes no answer.
func TestReplyLinks(t *testing.T) {
	e := newEnv(t)
	_, c := e.openCase(30_000)
	_, other := e.openCase(20_000)
	link := e.ask(c, "Where was the parcel delivered?")
	if link != e.replyLink() {
		t.Fatalf("AskMerchant's link %q is not the e-mailed one %q", link, e.replyLink())
	}
	otherLink := e.ask(other, "Was it picked up?")
	token := link[strings.LastIndex(link, "/")+1:]
	otherToken := otherLink[strings.LastIndex(otherLink, "/")+1:]
	signer, err := signedlink.New([]byte(e.app.WebKey))
	if err != nil {
		t.Fatal(err)
	}
	requestID, _, err := signer.Verify(fraudcase.LinkPurpose, token, e.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	altered := []byte(token)
	altered[10] ^= 1
	for name, tc := range map[string]struct {
		path   string
		status int
	}{
		"forged":        {"/portal/fraud-cases/" + c.ID + "/reply/" + signer.Token(fraudcase.LinkPurpose, requestID, e.clk.Now().Add(time.Hour))[:40] + "AAAA", http.StatusNotFound},
		"altered":       {"/portal/fraud-cases/" + c.ID + "/reply/" + string(altered), http.StatusNotFound},
		"other purpose": {"/portal/fraud-cases/" + c.ID + "/reply/" + signer.Token("stop-request", requestID, e.clk.Now().Add(time.Hour)), http.StatusNotFound},
		"other case":    {"/portal/fraud-cases/" + c.ID + "/reply/" + otherToken, http.StatusNotFound},
		"unknown case":  {"/portal/fraud-cases/0190aaaa-0000-7000-8000-000000000000/reply/" + token, http.StatusNotFound},
		"not a request": {"/portal/fraud-cases/" + c.ID + "/reply/" + signer.Token(fraudcase.LinkPurpose, c.ID, e.clk.Now().Add(time.Hour)), http.StatusNotFound},
	} {
		t.Run(name, func(t *testing.T) {
			m := e.client()
			m.get(link) // a genuine page load: the client holds a CSRF token
			if pg := m.get(tc.path); pg.status != tc.status {
				t.Errorf("GET: %d, want %d", pg.status, tc.status)
			}
			if pg := m.post(tc.path, url.Values{"reply": {"An answer"}}); pg.status != tc.status {
				t.Errorf("POST: %d, want %d", pg.status, tc.status)
			}
		})
	}
	if n := e.replies(); n != 0 {
		t.Fatalf("%d replies written by refused links", n)
	}

	m := e.client()
	m.get(link)
	if pg := m.post(link, url.Values{"reply": {strings.Repeat("ø", fraudcase.MaxReply+1)}}); pg.status != http.StatusUnprocessableEntity {
		t.Errorf("too long a reply: %d", pg.status)
	}
	if pg := m.post(link, url.Values{"reply": {"   "}}); pg.status != http.StatusUnprocessableEntity {
		t.Errorf("an empty reply: %d", pg.status)
	}
	if pg := m.post(link, url.Values{"reply": {strings.Repeat("a", 70_000)}}); pg.status != http.StatusUnprocessableEntity {
		t.Errorf("a huge reply: %d", pg.status)
	}
	if pg := m.post(link, url.Values{"csrf_token": {""}, "reply": {"no token"}}); pg.status != http.StatusForbidden {
		t.Errorf("no CSRF token: %d", pg.status)
	}
	if n := e.replies(); n != 0 {
		t.Fatalf("%d replies written by refused answers", n)
	}
	for _, answer := range []string{"Delivered to a parcel locker.", "Also: the buyer changed the address after ordering."} {
		m.get(link)
		if pg := m.post(link, url.Values{"reply": {answer}}); pg.status != http.StatusSeeOther {
			t.Errorf("reply %q: %d", answer, pg.status)
		}
	}
	if n := e.replies(); n != 2 {
		t.Errorf("%d replies, want 2", n)
	}
	if err := e.svc.Reply(e.ctx, other.ID, token, "wrong case"); apperr.Code(err) != apperr.NotFound {
		t.Errorf("service, another case's link: %v", err)
	}

	e.clk.Advance(fraudcase.LinkValidity + time.Minute)
	m.get("/portal/signin")
	if pg := m.get(link); pg.status != http.StatusGone {
		t.Errorf("GET expired: %d", pg.status)
	}
	if pg := m.post(link, url.Values{"reply": {"late"}}); pg.status != http.StatusGone {
		t.Errorf("POST expired: %d", pg.status)
	}
	if err := e.svc.Reply(e.ctx, c.ID, token, "late"); apperr.Code(err) != signedlink.CodeExpired {
		t.Errorf("service, expired: %v", err)
	}

	// A closed case takes no answer, even through a link that still works.
	c = e.caseOf(c.OrderID)
	fresh := e.ask(c, "Anything else?")
	c = e.caseOf(c.OrderID)
	if _, err := e.svc.Close(e.ctx, account.Staff{ID: "a", Role: account.RoleAdmin}, c.ID, c.Version, fraudcase.ClaimStands, "Done"); err != nil {
		t.Fatal(err)
	}
	if pg := m.get(fresh); pg.status != http.StatusOK || !strings.Contains(pg.body, `id="case-closed"`) {
		t.Errorf("closed case page: %d", pg.status)
	}
	if pg := m.post(fresh, url.Values{"reply": {"after closing"}}); pg.status != http.StatusConflict {
		t.Errorf("reply to a closed case: %d", pg.status)
	}
	if n := e.replies(); n != 2 {
		t.Errorf("%d replies after the refusals, want 2", n)
	}
}
