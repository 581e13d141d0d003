package complaint_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/complaint"
	"github.com/tillit/tillit/internal/store"
)

// TestFileIsAcknowledged: a consumer's complaint is open at tier 1 with a
// reference, acknowledged at once in the timeline and by an e-mail in the
// consumer's language; its texts are sealed; it is listed as theirs and
// nobody else sees it.
func TestFileIsAcknowledged(t *testing.T) {
	e := newEnv(t)
	anna := e.signUp("anna@example.dk", "da-DK")
	bob := e.signUp("bob@example.se", "sv-SE")
	const text = "The reminder fee was charged although I paid on time"
	c := e.file(anna, complaint.Filing{Category: complaint.CategoryFees, Subject: "Reminder fee", Text: text})
	if c.Status != complaint.Open || c.Tier != 1 || c.Channel != complaint.ChannelApp || c.Country != "DK" || c.Version != 1 {
		t.Errorf("filed complaint %+v", c)
	}
	if !strings.HasPrefix(c.Reference, "C-") || len(c.Reference) != 8 || c.PSD2At == nil || c.Text != text {
		t.Errorf("reference %q, PSD2 %v, text %q", c.Reference, c.PSD2At, c.Text)
	}
	v, err := e.svc.ConsumerView(e.ctx, anna.person, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, ev := range v.Timeline {
		kinds = append(kinds, ev.Kind)
	}
	if strings.Join(kinds, ",") != "filed,acknowledged" {
		t.Errorf("timeline %v, want filed,acknowledged", kinds)
	}
	if v.Board.Name != "Det Finansielle Ankenævn" || len(v.Bodies) != 2 || v.Bodies[1] != complaint.FINNET {
		t.Errorf("bodies %+v", v.Bodies)
	}
	mail := e.mails(anna.email)
	if len(mail) < 2 || !strings.Contains(mail[0].Subject, c.Reference) || !strings.Contains(mail[0].Subject, "klage") {
		t.Fatalf("no Danish acknowledgement: %+v", mail)
	}
	var subject, sealed string
	if err := e.db.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT subject, text FROM complaints WHERE id = $1`, c.ID).Scan(&subject, &sealed)
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "reminder") || strings.Contains(subject, "Reminder") {
		t.Error("the complaint's texts are stored in the clear")
	}
	if mine, err := e.svc.Mine(e.ctx, anna.person); err != nil || len(mine) != 1 || mine[0].ID != c.ID {
		t.Errorf("Mine: %v %v", mine, err)
	}
	if mine, err := e.svc.Mine(e.ctx, bob.person); err != nil || len(mine) != 0 {
		t.Errorf("Bob's complaints: %v %v", mine, err)
	}
	_, err = e.svc.ConsumerView(e.ctx, bob.person, c.ID)
	wantCode(t, "another person's complaint", err, apperr.NotFound)
	_, err = e.svc.AddInformation(e.ctx, bob.person, bob.actor, c.ID, c.Version, "mine now")
	wantCode(t, "adding to another person's complaint", err, apperr.NotFound)
}

// TestFileForConsumer: customer service files a complaint a consumer made
// by telephone, found by their address; the acknowledgement goes there.
func TestFileForConsumer(t *testing.T) {
	e := newEnv(t)
	anna := e.signUp("anna@example.dk", "en-DK")
	cs := e.staff("Carl Service", account.RoleCustomerService)
	c, err := e.svc.FileForConsumer(e.ctx, cs, "  Anna@Example.dk ", complaint.ChannelPhone, complaint.Filing{Category: complaint.CategoryService,
		Text: "Nobody called me back", Country: "se"})
	if err != nil {
		t.Fatal(err)
	}
	if c.PersonID != anna.person || c.Channel != complaint.ChannelPhone || c.Country != "SE" || c.PSD2At != nil {
		t.Errorf("filed for the consumer: %+v", c)
	}
	if mail := e.mails(anna.email); !strings.Contains(mail[0].Subject, c.Reference) {
		t.Errorf("no acknowledgement to the consumer: %+v", mail[0])
	}
	analyst := e.staff("Sara Analyst", account.RoleSecurityAnalyst)
	before := e.snapshot()
	_, err = e.svc.FileForConsumer(e.ctx, cs, "nobody@example.dk", complaint.ChannelPhone, complaint.Filing{Category: complaint.CategoryService, Text: "x"})
	wantCode(t, "unknown consumer", err, apperr.NotFound)
	_, err = e.svc.FileForConsumer(e.ctx, cs, anna.email, complaint.ChannelApp, complaint.Filing{Category: complaint.CategoryService, Text: "x"})
	wantCode(t, "the app channel by staff", err, apperr.BadValue)
	_, err = e.svc.FileForConsumer(e.ctx, analyst, anna.email, complaint.ChannelPhone, complaint.Filing{Category: complaint.CategoryService, Text: "x"})
	wantCode(t, "a security analyst filing", err, apperr.Forbidden)
	if after := e.snapshot(); after != before {
		t.Errorf("refused filings wrote: %v -> %v", before, after)
	}
}

// TestBadInputWritesNothing: malformed filings and actions are 4xx and
// write no complaint, event, audit entry or e-mail.
func TestBadInputWritesNothing(t *testing.T) {
	e := newEnv(t)
	anna := e.signUp("anna@example.dk", "da-DK")
	cs := e.staff("Carl Service", account.RoleCustomerService)
	c := e.file(anna, complaint.Filing{Category: complaint.CategoryService, Text: "Rude answer on the phone"})
	before := e.snapshot()
	for name, f := range map[string]complaint.Filing{
		"unknown category": {Category: "weather", Text: "x"},
		"no text":          {Category: complaint.CategoryOther, Text: "   "},
		"text too long":    {Category: complaint.CategoryOther, Text: strings.Repeat("a", complaint.MaxText+1)},
		"subject too long": {Category: complaint.CategoryOther, Subject: strings.Repeat("s", complaint.MaxSubject+1), Text: "x"},
		"not text":         {Category: complaint.CategoryOther, Text: "bad \xff bytes"},
		"unknown country":  {Category: complaint.CategoryOther, Text: "x", Country: "XX"},
	} {
		_, err := e.svc.File(e.ctx, anna.person, anna.actor, f)
		wantCode(t, name, err, apperr.BadValue)
	}
	_, err := e.svc.File(e.ctx, anna.person, anna.actor, complaint.Filing{Category: complaint.CategoryOrder, Text: "x", OrderID: "no-such-order"})
	wantCode(t, "unknown order", err, apperr.NotFound)
	_, err = e.svc.AddInformation(e.ctx, anna.person, anna.actor, c.ID, c.Version+1, "more")
	wantCode(t, "stale version", err, complaint.CodeChanged)
	_, err = e.svc.AddInformation(e.ctx, anna.person, anna.actor, "unknown", 1, "more")
	wantCode(t, "unknown id", err, apperr.NotFound)
	_, err = e.svc.Update(e.ctx, cs, c.ID, c.Version, "", false)
	wantCode(t, "empty update", err, apperr.BadValue)
	_, err = e.svc.Update(e.ctx, cs, c.ID, c.Version-1, "an update", false)
	wantCode(t, "stale update", err, complaint.CodeChanged)
	for name, a := range map[string]complaint.Answer{
		"no outcome":         {Text: "x", RootCauses: []string{"process"}},
		"no text":            {Outcome: complaint.Upheld, RootCauses: []string{"process"}},
		"no root cause":      {Outcome: complaint.Upheld, Text: "x"},
		"unknown root cause": {Outcome: complaint.Upheld, Text: "x", RootCauses: []string{"weather"}},
	} {
		_, err := e.svc.FinalAnswer(e.ctx, cs, c.ID, c.Version, a, false)
		wantCode(t, name, err, apperr.BadValue)
	}
	_, err = e.svc.RequestReview(e.ctx, anna.person, anna.actor, c.ID, c.Version, "")
	wantCode(t, "review before an answer", err, complaint.CodeWrongState)
	_, err = e.svc.Assign(e.ctx, cs, c.ID, c.Version, "no-such-staff")
	wantCode(t, "unknown owner", err, apperr.BadValue)
	_, err = e.svc.RegisterReport(e.ctx, cs, complaint.Period{From: time.Now(), To: time.Now().Add(-time.Hour)})
	wantCode(t, "backward period", err, apperr.BadValue)
	if after := e.snapshot(); after != before {
		t.Errorf("bad input wrote: %v -> %v", before, after)
	}
}

// TestEscalationAndAssessment: customer service answers, the consumer asks
// for a review within the window, the representative assesses it; each
// e-mail names the board and FIN-NET.
func TestEscalationAndAssessment(t *testing.T) {
	e := newEnv(t)
	anna := e.signUp("anna@example.dk", "en-DK")
	cs := e.staff("Carl Service", account.RoleCustomerService)
	rep := e.staff("Rita Representative", account.RoleCustomerRepresentative)
	c := e.file(anna, complaint.Filing{Category: complaint.CategoryCollection, Text: "Sent to collection by mistake"})
	c, err := e.svc.Assign(e.ctx, cs, c.ID, c.Version, "")
	if err != nil || c.OwnerID != cs.ID || c.OwnerName != "Carl Service" {
		t.Fatalf("assign: %+v %v", c, err)
	}
	if c, err = e.svc.Update(e.ctx, cs, c.ID, c.Version, "Checked with the collector, waiting for them", true); err != nil {
		t.Fatal(err)
	}
	if c, err = e.svc.Update(e.ctx, cs, c.ID, c.Version, "We are checking with the collection agency", false); err != nil {
		t.Fatal(err)
	}
	if mail := e.mails(anna.email); !strings.Contains(mail[0].Body, "checking with the collection agency") {
		t.Errorf("no update e-mail: %+v", mail[0])
	}
	_, err = e.svc.Assess(e.ctx, rep, c.ID, c.Version, answer)
	wantCode(t, "assessing at tier 1", err, apperr.Forbidden)
	e.advanceDays(3)
	if c, err = e.svc.FinalAnswer(e.ctx, cs, c.ID, c.Version, answer, false); err != nil {
		t.Fatal(err)
	}
	if c.Status != complaint.Answered || c.Outcome != complaint.PartlyUpheld || c.ReviewUntil == nil || c.AnsweredAt == nil {
		t.Fatalf("answered: %+v", c)
	}
	final := e.mails(anna.email)[0]
	for _, want := range []string{"Det Finansielle Ankenævn", "https://fanke.dk", complaint.FINNET.URL, "reminder fee refunded", answer.Text} {
		if !strings.Contains(final.Body, want) {
			t.Errorf("the final answer does not say %q:\n%s", want, final.Body)
		}
	}
	_, err = e.svc.FinalAnswer(e.ctx, cs, c.ID, c.Version, answer, false)
	wantCode(t, "a second final answer", err, complaint.CodeWrongState)
	if c, err = e.svc.RequestReview(e.ctx, anna.person, anna.actor, c.ID, c.Version, "The fee was not the only problem"); err != nil {
		t.Fatal(err)
	}
	if c.Tier != 2 || c.Status != complaint.InReview || c.OwnerID != "" {
		t.Fatalf("in review: %+v", c)
	}
	_, err = e.svc.Assess(e.ctx, cs, c.ID, c.Version, answer)
	wantCode(t, "customer service assessing", err, apperr.Forbidden)
	_, err = e.svc.Update(e.ctx, cs, c.ID, c.Version, "I am still here", false)
	wantCode(t, "customer service updating at tier 2", err, apperr.Forbidden)
	queue, err := e.svc.Queue(e.ctx, rep)
	if err != nil || len(queue) != 1 || queue[0].ID != c.ID {
		t.Fatalf("representative's queue: %v %v", queue, err)
	}
	if queue, err = e.svc.Queue(e.ctx, cs); err != nil || len(queue) != 0 {
		t.Errorf("customer service's queue: %v %v", queue, err)
	}
	_, err = e.svc.Assign(e.ctx, rep, c.ID, c.Version, cs.ID)
	wantCode(t, "assigning tier 2 to customer service", err, apperr.BadValue)
	if c, err = e.svc.Assign(e.ctx, rep, c.ID, c.Version, ""); err != nil {
		t.Fatal(err)
	}
	assessment := complaint.Answer{Outcome: complaint.Upheld, Text: "The collection was wrong and is withdrawn.", RootCauses: []string{"process", "communication"}}
	if c, err = e.svc.Assess(e.ctx, rep, c.ID, c.Version, assessment); err != nil {
		t.Fatal(err)
	}
	if c.Status != complaint.Closed || c.Outcome != complaint.Upheld || c.ClosedAt == nil || len(c.RootCauses) != 2 {
		t.Fatalf("assessed: %+v", c)
	}
	if mail := e.mails(anna.email)[0]; !strings.Contains(mail.Body, "https://fanke.dk") || !strings.Contains(mail.Body, complaint.FINNET.URL) {
		t.Errorf("the assessment does not name the bodies:\n%s", mail.Body)
	}
	v, err := e.svc.StaffView(e.ctx, rep, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	cv, err := e.svc.ConsumerView(e.ctx, anna.person, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Timeline) != len(cv.Timeline)+3 { // the two assignments and the note are staff-only
		t.Errorf("staff timeline %d events, consumer %d", len(v.Timeline), len(cv.Timeline))
	}
	for _, ev := range cv.Timeline {
		if ev.Kind == complaint.EventNote || ev.Kind == complaint.EventAssigned {
			t.Errorf("the consumer sees the staff-only %s", ev.Kind)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE actor = $1 AND action = $2`, "staff:"+rep.ID, complaint.ActionViewed); n != 1 {
		t.Errorf("%d audited views, want 1", n)
	}
}

// TestReviewWindowEnds: after the review window an answered complaint is
// closed by the job, and a review can no longer be asked for.
func TestReviewWindowEnds(t *testing.T) {
	e := newEnv(t)
	anna := e.signUp("anna@example.dk", "en-DK")
	cs := e.staff("Carl Service", account.RoleCustomerService)
	c := e.file(anna, complaint.Filing{Category: complaint.CategoryDecision, Text: "Why was I refused?"})
	c, err := e.svc.FinalAnswer(e.ctx, cs, c.ID, c.Version, complaint.Answer{Outcome: complaint.Rejected, Text: "The decision stands.",
		RootCauses: []string{"credit_decision"}}, true)
	if err != nil {
		t.Fatal(err)
	}
	e.advanceDays(182)
	if v, _ := e.svc.ConsumerView(e.ctx, anna.person, c.ID); v.Complaint.Status != complaint.Answered {
		t.Fatalf("closed before the window ended: %s", v.Complaint.Status)
	}
	e.advanceDays(2)
	v, err := e.svc.ConsumerView(e.ctx, anna.person, c.ID)
	if err != nil || v.Complaint.Status != complaint.Closed || v.Complaint.ClosedAt == nil {
		t.Fatalf("after the window: %+v %v", v.Complaint, err)
	}
	if last := v.Timeline[len(v.Timeline)-1]; last.Kind != complaint.EventClosed {
		t.Errorf("last event %s, want closed", last.Kind)
	}
	_, err = e.svc.RequestReview(e.ctx, anna.person, anna.actor, c.ID, v.Complaint.Version, "")
	wantCode(t, "review after the window", err, complaint.CodeWrongState)
}

// TestAccessMatrix: which roles may do what.
func TestAccessMatrix(t *testing.T) {
	e := newEnv(t)
	anna := e.signUp("anna@example.dk", "en-DK")
	roles := map[account.Role]account.Staff{}
	for _, r := range account.Roles {
		roles[r] = e.staff("Member "+string(r), r)
	}
	for _, r := range account.Roles {
		wantHandle := r == account.RoleCustomerService || r == account.RoleAdmin
		wantReview := r == account.RoleCustomerRepresentative || r == account.RoleAdmin
		if complaint.MayHandle(r) != wantHandle || complaint.MayReview(r) != wantReview {
			t.Errorf("%s: MayHandle %v MayReview %v", r, complaint.MayHandle(r), complaint.MayReview(r))
		}
		st := roles[r]
		c := e.file(anna, complaint.Filing{Category: complaint.CategoryService, Text: "Waited an hour on the phone"})
		_, qErr := e.svc.Queue(e.ctx, st)
		_, vErr := e.svc.StaffView(e.ctx, st, c.ID)
		_, rErr := e.svc.RegisterReport(e.ctx, st, complaint.Period{From: storetestStart(), To: storetestStart().Add(24 * time.Hour)})
		_, fErr := e.svc.FinalAnswer(e.ctx, st, c.ID, c.Version, answer, false)
		if wantHandle || wantReview {
			if qErr != nil || vErr != nil || rErr != nil {
				t.Errorf("%s: queue %v, view %v, register %v", r, qErr, vErr, rErr)
			}
		} else {
			for what, err := range map[string]error{"queue": qErr, "view": vErr, "register": rErr} {
				wantCode(t, string(r)+" "+what, err, apperr.Forbidden)
			}
		}
		if wantHandle {
			if fErr != nil {
				t.Errorf("%s: final answer %v", r, fErr)
				continue
			}
		} else {
			wantCode(t, string(r)+" final answer", fErr, apperr.Forbidden)
			continue
		}
		v, _ := e.svc.ConsumerView(e.ctx, anna.person, c.ID)
		c, err := e.svc.RequestReview(e.ctx, anna.person, anna.actor, c.ID, v.Complaint.Version, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, other := range account.Roles {
			_, err := e.svc.Assess(e.ctx, roles[other], c.ID, c.Version, answer)
			if complaint.MayReview(other) {
				if err != nil {
					t.Errorf("%s cannot assess: %v", other, err)
				}
				break
			}
			wantCode(t, string(other)+" assessing", err, apperr.Forbidden)
		}
	}
}
