package support_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/complaint"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/dsr"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/signedlink"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/support"
)

// turn is one call of the fake first line.
type turn struct {
	conv    support.Conversation
	history []support.Message
	message string
}

// fakeFirstLine answers every message with an echo, keeps a turn counter
// as its state, hands over when the message says "person", and fails when
// it says "fail".
type fakeFirstLine struct{ turns []turn }

func (f *fakeFirstLine) Respond(_ context.Context, tx *store.Tx, conv support.Conversation, history []support.Message, message string) (support.FirstLineAnswer, error) {
	if tx == nil {
		return support.FirstLineAnswer{}, errors.New("no transaction")
	}
	f.turns = append(f.turns, turn{conv, history, message})
	if strings.Contains(message, "fail") {
		return support.FirstLineAnswer{}, errors.New("the assistant broke")
	}
	state := fmt.Sprintf("turn=%d", len(f.turns))
	ans := support.FirstLineAnswer{Replies: []string{"I am Tillit's assistant. You wrote: " + message}, State: &state}
	if strings.Contains(message, "person") {
		ans.HandOver, ans.Summary = true, "Wants a refund for order; could not place it."
	}
	return ans, nil
}

// staff is a member of staff with the role, as the services see them.
func (e *env) staff(role account.Role, name string) account.Staff { return e.member(role, name).Staff }

func TestWithoutFirstLineAConversationWaitsForStaff(t *testing.T) {
	e := newEnv(t)
	svc := e.service(nil)
	anna, bo := e.signUp("anna@example.dk"), e.signUp("bo@example.dk")
	order := e.order(anna.email)
	boOrder := e.order(bo.email)

	before := e.snapshot()
	_, err := svc.Open(e.ctx, anna.person, anna.actor, support.Opening{OrderID: boOrder, Message: "Where is it?"})
	wantCode(t, "another person's order", err, apperr.NotFound)
	_, err = svc.Open(e.ctx, anna.person, anna.actor, support.Opening{Message: "  "})
	wantCode(t, "no message", err, apperr.BadValue)
	_, err = svc.Open(e.ctx, anna.person, anna.actor, support.Opening{Message: strings.Repeat("x", support.MaxMessage+1)})
	wantCode(t, "too long", err, apperr.BadValue)
	e.unchanged("refused openings", before)

	c, err := svc.Open(e.ctx, anna.person, anna.actor, support.Opening{OrderID: order, Subject: "Parcel", Message: "Where is my parcel?", Lang: i18n.Danish})
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != support.WaitingForStaff || c.WaitingSince == nil || !regexp.MustCompile(`^SUP-[2-9A-Z]{6}$`).MatchString(c.Reference) ||
		c.OrderID != order || c.Subject != "Parcel" || c.Language != "da" || c.Version != 1 {
		t.Errorf("opened: %+v", c)
	}
	mail := e.mails(anna.email)
	if len(mail) == 0 || !strings.Contains(mail[0].Subject, c.Reference) || !strings.Contains(mail[0].Body, "https://tillit.example/app/support/"+c.ID) ||
		!strings.Contains(mail[0].Body, "Tak") {
		t.Errorf("receipt: %+v", mail)
	}
	var sealed string
	if err := e.app.DB.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT body FROM support_messages WHERE conversation_id = $1`, c.ID).Scan(&sealed)
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "parcel") {
		t.Error("the message is stored in clear")
	}

	// Only Anna sees it.
	if list, err := svc.Mine(e.ctx, anna.person); err != nil || len(list) != 1 || list[0].ID != c.ID {
		t.Errorf("Anna's list: %+v %v", list, err)
	}
	if list, err := svc.Mine(e.ctx, bo.person); err != nil || len(list) != 0 {
		t.Errorf("Bo's list: %+v %v", list, err)
	}
	before = e.snapshot()
	_, err = svc.ConsumerThread(e.ctx, bo.person, c.ID)
	wantCode(t, "Bo reads Anna's", err, apperr.NotFound)
	_, err = svc.Post(e.ctx, bo.person, bo.actor, c.ID, c.Version, "Me too")
	wantCode(t, "Bo writes in Anna's", err, apperr.NotFound)
	_, err = svc.HandOver(e.ctx, bo.person, bo.actor, c.ID, c.Version, "")
	wantCode(t, "Bo hands over Anna's", err, apperr.NotFound)
	_, err = svc.ConsumerThread(e.ctx, anna.person, "not-an-id")
	wantCode(t, "malformed id", err, apperr.NotFound)
	e.unchanged("another consumer's attempts", before)

	th, err := svc.ConsumerThread(e.ctx, anna.person, c.ID)
	if err != nil || len(th.Messages) != 1 || th.Messages[0].Body != "Where is my parcel?" || th.Messages[0].Author != support.AuthorConsumer {
		t.Errorf("thread: %+v %v", th, err)
	}
	// Without a first line there is no assistant to hand over from.
	_, err = svc.HandOver(e.ctx, anna.person, anna.actor, c.ID, c.Version, "")
	wantCode(t, "hand over from staff", err, support.CodeWrongState)
}

func TestFirstLineAnswersInTheSameRequestAndHandsOver(t *testing.T) {
	e := newEnv(t)
	fl := &fakeFirstLine{}
	svc := e.service(fl)
	anna := e.signUp("anna@example.dk")
	cs := e.staff(account.RoleCustomerService, "Carla Service")

	c, err := svc.Open(e.ctx, anna.person, anna.actor, support.Opening{Message: "Hello", Lang: i18n.English})
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != support.WithAssistant || c.AssistantState != "turn=1" || c.Version != 2 {
		t.Errorf("after the first message: %+v", c)
	}
	if len(fl.turns) != 1 || fl.turns[0].message != "Hello" || len(fl.turns[0].history) != 0 || fl.turns[0].conv.PersonID != anna.person ||
		fl.turns[0].conv.Visitor() {
		t.Errorf("first turn: %+v", fl.turns)
	}
	if q, err := svc.Queue(e.ctx, cs); err != nil || len(q) != 0 {
		t.Errorf("staff see a conversation the assistant has: %+v %v", q, err)
	}

	c, err = svc.Post(e.ctx, anna.person, anna.actor, c.ID, c.Version, "Where is my refund?")
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != support.WithAssistant || c.AssistantState != "turn=2" {
		t.Errorf("after the second message: %+v", c)
	}
	last := fl.turns[1]
	if len(last.history) != 2 || last.history[0].Body != "Hello" || last.history[1].Author != support.AuthorAssistant ||
		last.conv.AssistantState != "turn=1" || last.message != "Where is my refund?" {
		t.Errorf("second turn: %+v", last)
	}

	// A failing first line keeps nothing of the message.
	before := e.snapshot()
	_, err = svc.Post(e.ctx, anna.person, anna.actor, c.ID, c.Version, "this will fail")
	if err == nil || !strings.Contains(err.Error(), "the assistant broke") {
		t.Errorf("failing first line: %v", err)
	}
	e.unchanged("a message the first line failed on", before)

	c, err = svc.Post(e.ctx, anna.person, anna.actor, c.ID, c.Version, "I want a person")
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != support.WaitingForStaff || c.HandedOverBy != support.AuthorAssistant || c.HandoverSummary != "Wants a refund for order; could not place it." ||
		c.HandedOverAt == nil || c.WaitingSince == nil {
		t.Errorf("handed over: %+v", c)
	}
	q, err := svc.Queue(e.ctx, cs)
	if err != nil || len(q) != 1 || q[0].HandoverSummary == "" {
		t.Fatalf("queue: %+v %v", q, err)
	}
	v, err := svc.StaffThread(e.ctx, cs, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var authors []string
	for _, m := range v.Messages {
		authors = append(authors, string(m.Author))
	}
	if got := strings.Join(authors, ","); got != "consumer,assistant,consumer,assistant,consumer,assistant" {
		t.Errorf("authors: %s", got)
	}
	// With staff now, the consumer's messages no longer reach the first line.
	turns := len(fl.turns)
	if _, err := svc.Post(e.ctx, anna.person, anna.actor, c.ID, v.Conversation.Version, "Anyone there?"); err != nil {
		t.Fatal(err)
	}
	if len(fl.turns) != turns {
		t.Error("the first line answered a conversation staff have")
	}
	if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE action = $1`, support.ActionHandedOver); n != 1 {
		t.Errorf("%d hand-overs audited", n)
	}
}

func TestConsumerAsksForAPerson(t *testing.T) {
	e := newEnv(t)
	svc := e.service(&fakeFirstLine{})
	anna := e.signUp("anna@example.dk")
	c, err := svc.Open(e.ctx, anna.person, anna.actor, support.Opening{Message: "Hi"})
	if err != nil {
		t.Fatal(err)
	}
	before := e.snapshot()
	_, err = svc.HandOver(e.ctx, anna.person, anna.actor, c.ID, c.Version-1, "")
	wantCode(t, "stale version", err, support.CodeChanged)
	e.unchanged("a stale hand-over", before)
	c, err = svc.HandOver(e.ctx, anna.person, anna.actor, c.ID, c.Version, "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != support.WaitingForStaff || c.HandedOverBy != support.AuthorConsumer {
		t.Errorf("after asking for a person: %+v", c)
	}
	_, err = svc.HandOver(e.ctx, anna.person, anna.actor, c.ID, c.Version, "")
	wantCode(t, "twice", err, support.CodeWrongState)
}

func TestStaffAnswerAssignAndClose(t *testing.T) {
	e := newEnv(t)
	svc := e.service(nil)
	anna := e.signUp("anna@example.dk")
	cs := e.staff(account.RoleCustomerService, "Carla Service")
	other := e.staff(account.RoleCustomerService, "Conny Service")
	analyst := e.staff(account.RoleSecurityAnalyst, "Sam Analyst")
	c, err := svc.Open(e.ctx, anna.person, anna.actor, support.Opening{Message: "My payment date?"})
	if err != nil {
		t.Fatal(err)
	}

	before := e.snapshot()
	_, err = svc.Queue(e.ctx, analyst)
	wantCode(t, "analyst's queue", err, apperr.Forbidden)
	_, err = svc.StaffThread(e.ctx, analyst, c.ID)
	wantCode(t, "analyst reads", err, apperr.Forbidden)
	_, err = svc.Reply(e.ctx, analyst, c.ID, c.Version, "Hi")
	wantCode(t, "analyst replies", err, apperr.Forbidden)
	_, err = svc.Reply(e.ctx, cs, c.ID, c.Version, "")
	wantCode(t, "empty reply", err, apperr.BadValue)
	_, err = svc.Assign(e.ctx, cs, c.ID, c.Version, analyst.ID)
	wantCode(t, "assign to an analyst", err, apperr.BadValue)
	_, err = svc.Reply(e.ctx, cs, "0190a000-0000-7000-8000-00000000beef", 1, "Hi")
	wantCode(t, "unknown conversation", err, apperr.NotFound)
	e.unchanged("refused staff actions", before)

	// Anna writes again while Carla reads: Carla's answer is refused.
	v, err := svc.StaffThread(e.ctx, cs, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Post(e.ctx, anna.person, anna.actor, c.ID, c.Version, "It is the 5th, right?"); err != nil {
		t.Fatal(err)
	}
	before = e.snapshot()
	_, err = svc.Reply(e.ctx, cs, c.ID, v.Conversation.Version, "It is the 1st.")
	wantCode(t, "stale reply", err, support.CodeChanged)
	e.unchanged("a stale reply", before)

	v, err = svc.StaffThread(e.ctx, cs, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	c, err = svc.Reply(e.ctx, cs, c.ID, v.Conversation.Version, "It is the 1st of each month.")
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != support.Answered || c.AssignedTo != cs.ID || c.WaitingSince != nil {
		t.Errorf("answered: %+v", c)
	}
	mail := e.mails(anna.email)
	if len(mail) == 0 || !strings.Contains(mail[0].Subject, c.Reference) || !strings.Contains(mail[0].Body, "/app/support/"+c.ID) ||
		strings.Contains(mail[0].Body, "1st of each month") {
		t.Errorf("reply e-mail: %+v", mail[0])
	}
	if c, err = svc.Assign(e.ctx, cs, c.ID, c.Version, other.ID); err != nil || c.AssignedTo != other.ID || c.AssignedName != "Conny Service" {
		t.Errorf("assign: %+v %v", c, err)
	}
	// The consumer's answer sends it back to staff.
	if c, err = svc.Post(e.ctx, anna.person, anna.actor, c.ID, c.Version, "Thanks!"); err != nil || c.Status != support.WaitingForStaff {
		t.Errorf("after the consumer's answer: %+v %v", c, err)
	}
	if c, err = svc.Close(e.ctx, cs, c.ID, c.Version); err != nil || c.Status != support.Closed || c.ClosedAt == nil {
		t.Errorf("close: %+v %v", c, err)
	}
	before = e.snapshot()
	_, err = svc.Post(e.ctx, anna.person, anna.actor, c.ID, c.Version, "One more thing")
	wantCode(t, "writing to a closed one", err, support.CodeWrongState)
	_, err = svc.Reply(e.ctx, cs, c.ID, c.Version, "One more thing")
	wantCode(t, "answering a closed one", err, support.CodeWrongState)
	_, err = svc.Close(e.ctx, cs, c.ID, c.Version)
	wantCode(t, "closing twice", err, support.CodeWrongState)
	e.unchanged("actions on a closed conversation", before)

	for action, want := range map[string]int{support.ActionViewed: 2, support.ActionReplied: 1, support.ActionAssigned: 1, support.ActionClosed: 1} {
		if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE action = $1 AND actor LIKE 'staff:%' AND subject = $2`, action, anna.person); n != want {
			t.Errorf("%s audited %d times, want %d", action, n, want)
		}
	}
}

// longConversation opens a conversation for the consumer and writes back
// and forth until it is longer than any case's text holds.
func longConversation(t *testing.T, e *env, svc *support.Service, cs account.Staff, c consumer, orderID string) support.Conversation {
	t.Helper()
	conv, err := svc.Open(e.ctx, c.person, c.actor, support.Opening{OrderID: orderID, Message: "First: the jacket never came."})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if conv, err = svc.Reply(e.ctx, cs, conv.ID, conv.Version, fmt.Sprintf("Answer %d: ", i)+strings.Repeat("a", 1500)); err != nil {
			t.Fatal(err)
		}
		if conv, err = svc.Post(e.ctx, c.person, c.actor, conv.ID, conv.Version, fmt.Sprintf("Question %d: ", i)+strings.Repeat("q", 1500)); err != nil {
			t.Fatal(err)
		}
	}
	if conv, err = svc.Post(e.ctx, c.person, c.actor, conv.ID, conv.Version, "Last: please make it a complaint."); err != nil {
		t.Fatal(err)
	}
	return conv
}

func TestConvertToComplaintKeepsTheWholeConversation(t *testing.T) {
	e := newEnv(t)
	svc := e.service(nil)
	anna := e.signUp("anna@example.dk")
	order := e.order(anna.email)
	cs := e.staff(account.RoleCustomerService, "Carla Service")
	rep := e.staff(account.RoleCustomerRepresentative, "Rita Representative")
	conv := longConversation(t, e, svc, cs, anna, order)

	before := e.snapshot()
	_, err := svc.ConvertToComplaint(e.ctx, rep, conv.ID, conv.Version, support.ComplaintConversion{Category: complaint.CategoryOrder})
	wantCode(t, "representative converts", err, apperr.Forbidden)
	_, err = svc.ConvertToComplaint(e.ctx, cs, conv.ID, conv.Version, support.ComplaintConversion{Category: "nonsense"})
	wantCode(t, "unknown category", err, apperr.BadValue)
	_, err = svc.ConvertToComplaint(e.ctx, cs, conv.ID, conv.Version-1, support.ComplaintConversion{Category: complaint.CategoryOrder})
	wantCode(t, "stale", err, support.CodeChanged)
	e.unchanged("refused conversions", before)

	got, err := svc.ConvertToComplaint(e.ctx, cs, conv.ID, conv.Version, support.ComplaintConversion{Category: complaint.CategoryOrder, Subject: "Jacket"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != support.Converted || got.ConvertedKind != support.CaseComplaint || got.ConvertedID == "" {
		t.Fatalf("converted: %+v", got)
	}
	v, err := e.app.Complaints.StaffView(e.ctx, cs, got.ConvertedID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Complaint.OrderID != order || v.Complaint.Channel != complaint.ChannelChat || v.Complaint.Subject != "Jacket" {
		t.Errorf("complaint: %+v", v.Complaint)
	}
	all := v.Complaint.Text
	for _, ev := range v.Timeline {
		all += "\n" + ev.Body
	}
	for _, want := range []string{conv.Reference, "First: the jacket never came.", "Answer 0: ", "Question 2: " + strings.Repeat("q", 1500),
		"Last: please make it a complaint.", "Customer service", "Customer: "} {
		if !strings.Contains(all, want) {
			t.Errorf("the complaint lacks %.60q", want)
		}
	}
	if len([]rune(v.Complaint.Text)) > complaint.MaxText {
		t.Errorf("complaint text of %d characters", len([]rune(v.Complaint.Text)))
	}
	mine, err := e.app.Complaints.ConsumerView(e.ctx, anna.person, got.ConvertedID)
	if err != nil || !strings.Contains(mine.Complaint.Text, "First: the jacket never came.") {
		t.Errorf("Anna's view of the complaint: %v", err)
	}
	// The conversation stays, converted, with everything said.
	th, err := svc.ConsumerThread(e.ctx, anna.person, conv.ID)
	if err != nil || th.Conversation.ConvertedID != got.ConvertedID || len(th.Messages) != 8 {
		t.Errorf("conversation after conversion: %+v %v", th.Conversation, err)
	}
	_, err = svc.ConvertToComplaint(e.ctx, cs, conv.ID, got.Version, support.ComplaintConversion{Category: complaint.CategoryOrder})
	wantCode(t, "converting twice", err, support.CodeWrongState)
	if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE action = $1`, support.ActionConverted); n != 1 {
		t.Errorf("%d conversions audited", n)
	}
}

func TestConvertToDisputeOpensItOnTheConsumersOrder(t *testing.T) {
	e := newEnv(t)
	svc := e.service(nil)
	anna, bo := e.signUp("anna@example.dk"), e.signUp("bo@example.dk")
	order := e.order(anna.email)
	boOrder := e.order(bo.email)
	cs := e.staff(account.RoleCustomerService, "Carla Service")
	conv := longConversation(t, e, svc, cs, anna, "")

	before := e.snapshot()
	_, err := svc.ConvertToDispute(e.ctx, cs, conv.ID, conv.Version, support.DisputeConversion{Reason: dispute.NotReceived})
	wantCode(t, "no order", err, apperr.BadValue)
	_, err = svc.ConvertToDispute(e.ctx, cs, conv.ID, conv.Version, support.DisputeConversion{OrderID: boOrder, Reason: dispute.NotReceived})
	wantCode(t, "Bo's order", err, apperr.NotFound)
	e.unchanged("refused disputes", before)

	got, err := svc.ConvertToDispute(e.ctx, cs, conv.ID, conv.Version, support.DisputeConversion{OrderID: order, Reason: dispute.NotReceived})
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.app.Disputes.ConsumerView(e.ctx, anna.person, got.ConvertedID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Dispute.OrderID != order || v.Dispute.Reason != dispute.NotReceived {
		t.Errorf("dispute: %+v", v.Dispute)
	}
	var bodies []string
	if err := e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
		sv, err := e.app.Disputes.StaffView(tx, account.Staff{ID: cs.ID, Role: account.RoleAdmin}, got.ConvertedID)
		for _, ev := range sv.Timeline {
			bodies = append(bodies, ev.Body)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	all := strings.Join(bodies, "\n")
	for _, want := range []string{"First: the jacket never came.", "Question 2: ", "Last: please make it a complaint."} {
		if !strings.Contains(all, want) {
			t.Errorf("the dispute lacks %q", want)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'dispute.opened' AND actor = $1`, "staff:"+cs.ID); n != 1 {
		t.Errorf("the dispute is not opened by the member of staff: %d", n)
	}
}

func TestVisitorOpensThroughTheFormAndAnswersThroughTheLink(t *testing.T) {
	e := newEnv(t)
	svc := e.service(&fakeFirstLine{})
	cs := e.staff(account.RoleCustomerService, "Carla Service")
	const email = "visitor@example.se"

	before := e.snapshot()
	_, err := svc.OpenForVisitor(e.ctx, "198.51.100.0/24", support.VisitorOpening{Email: "not an address", Message: "Hi"})
	wantCode(t, "bad address", err, apperr.BadValue)
	e.unchanged("a bad address", before)

	rc, err := svc.OpenForVisitor(e.ctx, "198.51.100.0/24", support.VisitorOpening{Email: " Visitor@Example.SE ", Message: "Please delete my data.", Lang: i18n.Swedish})
	if err != nil {
		t.Fatal(err)
	}
	mail := e.mails(email)
	if len(mail) != 1 || !strings.Contains(mail[0].Subject, rc.Reference) || !strings.Contains(mail[0].Body, "Tack") {
		t.Fatalf("receipt: %+v", mail)
	}
	link := regexp.MustCompile(`https://tillit\.example/support/conversations/(\S+)/(\S+)`).FindStringSubmatch(mail[0].Body)
	if link == nil || link[1] != rc.ID {
		t.Fatalf("no signed link in %q", mail[0].Body)
	}
	token, err := url.PathUnescape(link[2])
	if err != nil {
		t.Fatal(err)
	}
	th, err := svc.VisitorThread(e.ctx, rc.ID, token)
	if err != nil {
		t.Fatal(err)
	}
	c := th.Conversation
	// A visitor goes straight to staff: the first line does not take them.
	if c.Status != support.WaitingForStaff || !c.Visitor() || c.ContactEmail != email || c.Language != "sv" || len(th.Messages) != 1 {
		t.Errorf("visitor's conversation: %+v", th)
	}
	_, err = svc.VisitorThread(e.ctx, rc.ID, token+"x")
	wantCode(t, "altered link", err, apperr.BadValue)
	other, err := svc.OpenForVisitor(e.ctx, "198.51.100.0/24", support.VisitorOpening{Email: "other@example.se", Message: "Hello"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.VisitorThread(e.ctx, other.ID, token)
	wantCode(t, "another conversation's link", err, apperr.NotFound)

	// Staff answer; the visitor answers through the link.
	v, err := svc.StaffThread(e.ctx, cs, rc.ID)
	if err != nil {
		t.Fatal(err)
	}
	c, err = svc.Reply(e.ctx, cs, rc.ID, v.Conversation.Version, "Do you have an account with us?")
	if err != nil {
		t.Fatal(err)
	}
	if mail = e.mails(email); len(mail) != 2 || !strings.Contains(mail[0].Body, "/support/conversations/"+rc.ID+"/") {
		t.Errorf("reply e-mail: %+v", mail)
	}
	if c, err = svc.VisitorPost(e.ctx, rc.ID, token, c.Version, "No, I only bought once."); err != nil || c.Status != support.WaitingForStaff {
		t.Errorf("visitor's answer: %+v %v", c, err)
	}

	// A privacy request from the form needs staff to say how they checked
	// who wrote.
	before = e.snapshot()
	_, err = svc.ConvertToPrivacyRequest(e.ctx, cs, rc.ID, c.Version, support.PrivacyConversion{Kind: dsr.KindErasure})
	wantCode(t, "no identity note", err, apperr.BadValue)
	e.unchanged("a request without an identity note", before)
	c, err = svc.ConvertToPrivacyRequest(e.ctx, cs, rc.ID, c.Version, support.PrivacyConversion{Kind: dsr.KindErasure,
		IdentityNote: "Answered from the address the request came from."})
	if err != nil {
		t.Fatal(err)
	}
	req, err := e.app.DSR.Get(e.ctx, c.ConvertedID)
	if err != nil {
		t.Fatal(err)
	}
	if req.Kind != dsr.KindErasure || req.PersonID != c.PersonID || req.Locale != i18n.Swedish || !strings.Contains(req.Description, "Please delete my data.") {
		t.Errorf("request: %+v", req)
	}
	if q, err := e.app.DSR.Queue(e.ctx, 10); err != nil || len(q) != 1 {
		t.Errorf("the data protection queue: %+v %v", q, err)
	}

	// The link expires.
	e.clk.Advance(support.DefaultLinkLifetime + time.Hour)
	_, err = svc.VisitorThread(e.ctx, rc.ID, token)
	wantCode(t, "expired link", err, signedlink.CodeExpired)
}

func TestContactFormIsRateLimited(t *testing.T) {
	e := newEnv(t)
	svc := e.service(nil)
	for i := range 3 {
		if _, err := svc.OpenForVisitor(e.ctx, fmt.Sprintf("192.0.2.%d/24", i), support.VisitorOpening{Email: "same@example.nl", Message: "Hi"}); err != nil {
			t.Fatal(err)
		}
	}
	before := e.snapshot()
	_, err := svc.OpenForVisitor(e.ctx, "192.0.9.0/24", support.VisitorOpening{Email: "same@example.nl", Message: "Hi"})
	wantCode(t, "a fourth for the address", err, apperr.TooManyRequests)
	e.unchanged("a refused conversation", before)
	for i := range 5 {
		if _, err := svc.OpenForVisitor(e.ctx, "203.0.113.0/24", support.VisitorOpening{Email: fmt.Sprintf("p%d@example.nl", i), Message: "Hi"}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = svc.OpenForVisitor(e.ctx, "203.0.113.0/24", support.VisitorOpening{Email: "p9@example.nl", Message: "Hi"})
	wantCode(t, "a sixth from the network", err, apperr.TooManyRequests)
	e.clk.Advance(time.Hour)
	if _, err := svc.OpenForVisitor(e.ctx, "203.0.113.0/24", support.VisitorOpening{Email: "p9@example.nl", Message: "Hi"}); err != nil {
		t.Errorf("after the window: %v", err)
	}
}
