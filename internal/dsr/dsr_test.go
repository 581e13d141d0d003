package dsr_test

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/dsr"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/restriction"
	"github.com/tillit/tillit/internal/store"
)

const (
	anna = "anna@example.dk"
	bo   = "bo@example.dk"
)

func TestDeadlineIsOneCalendarMonth(t *testing.T) {
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 30, 0, 0, time.UTC) }
	for _, c := range []struct{ received, want time.Time }{
		{at(2025, time.January, 31), at(2025, time.February, 28)},
		{at(2024, time.January, 31), at(2024, time.February, 29)},
		{at(2025, time.March, 15), at(2025, time.April, 15)},
		{at(2025, time.August, 31), at(2025, time.September, 30)},
		{at(2025, time.December, 31), at(2026, time.January, 31)},
	} {
		if got := dsr.Deadline(c.received); !got.Equal(c.want) {
			t.Errorf("Deadline(%s) = %s, want %s", c.received, got, c.want)
		}
	}
	// An extension counts from the original deadline.
	if got := dsr.ExtendedDeadline(at(2025, time.February, 28), 2); !got.Equal(at(2025, time.April, 28)) {
		t.Errorf("extended by 2 = %s", got)
	}
	if got := dsr.ExtendedDeadline(at(2025, time.March, 31), 1); !got.Equal(at(2025, time.April, 30)) {
		t.Errorf("extended by 1 = %s", got)
	}
}

func TestConsumerRequestFromReceiptToAnswer(t *testing.T) {
	extract := &fakeFulfiller{outcome: dsr.Outcome{
		Status:   dsr.StatusCompleted,
		Items:    []dsr.Item{{What: "privacy.category.purchase", Done: true, Reason: "2 orders"}},
		Document: &dsr.Document{Name: "tillit-access.json", ContentType: "application/json", Body: []byte(`{"orders":2}`)},
	}}
	e := newEnv(t, map[dsr.Kind]dsr.Fulfiller{dsr.KindAccess: extract})
	annaID := e.person(anna)

	r := e.consumerFiles(anna, dsr.KindAccess, "Everything, please: my order of 3 March.")
	if r.Status != dsr.StatusIdentityVerified || r.Channel != dsr.ChannelApp || r.IdentityMethod != dsr.IdentityAppSignIn || r.PersonID != annaID {
		t.Fatalf("filed: %+v", r)
	}
	if !r.ReceivedAt.Equal(e.clk.Now()) || !r.DueAt.Equal(time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC)) || !r.DueAt.Equal(r.OriginalDueAt) {
		t.Errorf("received %s, due %s", r.ReceivedAt, r.DueAt)
	}
	if !strings.HasPrefix(r.Reference, "PR-") || len(r.Reference) != 11 {
		t.Errorf("reference %q", r.Reference)
	}
	c := e.get(r.ID)
	if eventNames(c) != "received,identity_verified" || c.Events[0].Actor != "consumer:c-"+anna || c.Events[1].From != dsr.StatusReceived {
		t.Errorf("history: %+v", c.Events)
	}
	if c.Description != "Everything, please: my order of 3 March." {
		t.Errorf("description = %q", c.Description)
	}
	// What the person wrote and their address are sealed at rest.
	for _, col := range []string{"description", "reply_to"} {
		if v := e.column(r.ID, col); !strings.HasPrefix(v, "v1.") || strings.Contains(v, "March") || strings.Contains(v, "anna") {
			t.Errorf("%s is stored as %q", col, v)
		}
	}
	// The receipt is in the person's language, with the deadline.
	m := e.lastMail(anna)
	if !strings.Contains(m.Subject, r.Reference) || !strings.Contains(m.Body, "Indsigt i dine oplysninger") || !strings.Contains(m.Body, i18n.FormatDate(i18n.Danish, r.DueAt)) {
		t.Errorf("receipt: %+v", m)
	}
	// A consumer filing is not a staff action: nothing audited.
	if got := e.auditActions(r.ID); len(got) != 0 {
		t.Errorf("audited %v", got)
	}

	r, err := e.svc.Start(e.ctx, staffActor, r.ID, r.Version)
	if err != nil || r.Status != dsr.StatusInProgress {
		t.Fatalf("start: %+v %v", r, err)
	}
	r, err = e.svc.CarryOut(e.ctx, staffActor, r.ID, r.Version)
	if err != nil || r.Status != dsr.StatusCompleted || r.ClosedAt == nil || r.Document == nil {
		t.Fatalf("carry out: %+v %v", r, err)
	}
	if len(extract.seen) != 1 || extract.seen[0].Description != "Everything, please: my order of 3 March." || extract.seen[0].Status != dsr.StatusInProgress {
		t.Errorf("the fulfiller saw %+v", extract.seen)
	}
	c = e.get(r.ID)
	if eventNames(c) != "received,identity_verified,started,completed" || c.Events[3].Actor != staffActor {
		t.Errorf("history: %+v", c.Events)
	}
	if got := strings.Join(e.auditActions(r.ID), ","); got != "dsr.started,dsr.carried_out" {
		t.Errorf("audit: %s", got)
	}
	if len(c.Outcome) != 1 || c.Outcome[0].Reason != "2 orders" {
		t.Errorf("outcome: %+v", c.Outcome)
	}

	// The document is sealed, and only its person gets it.
	var sealed string
	if err := e.db.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT body FROM data_subject_request_documents WHERE request_id = $1`, r.ID).Scan(&sealed)
	}); err != nil || strings.Contains(sealed, "orders") {
		t.Errorf("document stored as %q (%v)", sealed, err)
	}
	info, body, err := e.svc.Document(e.ctx, annaID, r.ID)
	if err != nil || string(body) != `{"orders":2}` || info.Name != "tillit-access.json" || info.ContentType != "application/json" {
		t.Errorf("document: %+v %q %v", info, body, err)
	}
	_, _, err = e.svc.Document(e.ctx, e.person(bo), r.ID)
	wantCode(t, err, apperr.NotFound)
	if _, err := e.svc.GetForPerson(e.ctx, e.person(bo), r.ID); apperr.Code(err) != apperr.NotFound {
		t.Errorf("another person reads the request: %v", err)
	}
	if mine, err := e.svc.ForPerson(e.ctx, e.person(bo)); err != nil || len(mine) != 0 {
		t.Errorf("another person's list: %+v %v", mine, err)
	}

	// The answer is e-mailed, in Danish, without a complaint route (all done).
	m = e.lastMail(anna)
	if !strings.Contains(m.Subject, "gennemført") || !strings.Contains(m.Body, "Gjort: Køb: 2 orders") ||
		!strings.Contains(m.Body, "Privatliv") || strings.Contains(m.Body, "datatilsynet") {
		t.Errorf("answer: %+v", m)
	}
}

func TestInvalidStepsWriteNothing(t *testing.T) {
	e := newEnv(t, map[dsr.Kind]dsr.Fulfiller{dsr.KindAccess: &fakeFulfiller{outcome: dsr.Outcome{Status: dsr.StatusCompleted}}})
	access := e.consumerFiles(anna, dsr.KindAccess, "")
	erasure := e.started(anna, dsr.KindErasure)

	snapshot := func() [3]int {
		return [3]int{
			e.count(`SELECT COUNT(*) FROM data_subject_request_events`),
			e.count(`SELECT COUNT(*) FROM audit_log`),
			e.count(`SELECT COUNT(*) FROM outbox_messages`),
		}
	}
	before := snapshot()
	steps := []struct {
		name string
		code string
		do   func() error
	}{
		{"carry out before starting", apperr.NotAllowed, func() error {
			_, err := e.svc.CarryOut(e.ctx, staffActor, access.ID, access.Version)
			return err
		}},
		{"extend before starting", apperr.NotAllowed, func() error {
			_, err := e.svc.Extend(e.ctx, staffActor, access.ID, access.Version, 1, "busy")
			return err
		}},
		{"answer by hand a kind Tillit carries out", apperr.NotAllowed, func() error {
			s, err := e.svc.Start(e.ctx, staffActor, access.ID, access.Version)
			if err != nil {
				return err
			}
			access = s
			before = snapshot()
			_, err = e.svc.Complete(e.ctx, staffActor, access.ID, access.Version, dsr.Answer{Done: []string{"done"}})
			return err
		}},
		{"start twice", apperr.NotAllowed, func() error {
			_, err := e.svc.Start(e.ctx, staffActor, erasure.ID, erasure.Version)
			return err
		}},
		{"carry out a kind without a fulfiller", apperr.NotAllowed, func() error {
			_, err := e.svc.CarryOut(e.ctx, staffActor, erasure.ID, erasure.Version)
			return err
		}},
		{"a stale version", dsr.CodeChanged, func() error {
			_, err := e.svc.Refuse(e.ctx, staffActor, erasure.ID, erasure.Version-1, []string{"no"})
			return err
		}},
		{"refuse without a reason", apperr.BadValue, func() error {
			_, err := e.svc.Refuse(e.ctx, staffActor, erasure.ID, erasure.Version, []string{" ", ""})
			return err
		}},
		{"extend by three months", apperr.BadValue, func() error {
			_, err := e.svc.Extend(e.ctx, staffActor, erasure.ID, erasure.Version, 3, "busy")
			return err
		}},
		{"extend without a reason", apperr.BadValue, func() error {
			_, err := e.svc.Extend(e.ctx, staffActor, erasure.ID, erasure.Version, 1, "  ")
			return err
		}},
		{"an unknown request", apperr.NotFound, func() error {
			_, err := e.svc.Start(e.ctx, staffActor, "0190d8e2-7b6a-7c3e-9f00-00000000dead", 1)
			return err
		}},
		{"a malformed id", apperr.NotFound, func() error {
			_, err := e.svc.Start(e.ctx, staffActor, "'; DROP TABLE data_subject_requests; --", 1)
			return err
		}},
	}
	for _, s := range steps {
		err := s.do()
		if apperr.Code(err) != s.code {
			t.Errorf("%s: got %v, want %s", s.name, err, s.code)
		}
		if after := snapshot(); after != before {
			t.Errorf("%s wrote something: %v -> %v", s.name, before, after)
		}
	}

	// An answered request takes no more steps.
	done, err := e.svc.Refuse(e.ctx, staffActor, erasure.ID, erasure.Version, []string{"Manifestly unfounded: the same request every day."})
	if err != nil || done.Status != dsr.StatusRefused {
		t.Fatalf("refuse: %+v %v", done, err)
	}
	before = snapshot()
	_, err = e.svc.Refuse(e.ctx, staffActor, done.ID, done.Version, []string{"again"})
	wantCode(t, err, apperr.NotAllowed)
	_, err = e.svc.Complete(e.ctx, staffActor, done.ID, done.Version, dsr.Answer{Done: []string{"x"}})
	wantCode(t, err, apperr.NotAllowed)
	if after := snapshot(); after != before {
		t.Errorf("a step on an answered request wrote something: %v -> %v", before, after)
	}
	if got := e.get(done.ID); got.Version != done.Version || got.Status != dsr.StatusRefused {
		t.Errorf("the answered request changed: %+v", got)
	}
}

func TestRacingStepsOneWins(t *testing.T) {
	e := newEnv(t, nil)
	r := e.consumerFiles(anna, dsr.KindRectification, "My name is Anna, not Ana.")
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.svc.Start(e.ctx, staffActor, r.ID, r.Version)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch apperr.Code(err) {
		case apperr.Internal:
			if err != nil {
				t.Errorf("unexpected: %v", err)
			}
			won++
		case dsr.CodeChanged:
		default:
			t.Errorf("unexpected: %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d starts won", won)
	}
	if c := e.get(r.ID); eventNames(c) != "received,identity_verified,started" {
		t.Errorf("history: %s", eventNames(c))
	}
}

func TestOneOpenRequestPerKind(t *testing.T) {
	e := newEnv(t, nil)
	first := e.started(anna, dsr.KindObjection)
	_, err := e.svc.FileByConsumer(e.ctx, dsr.ConsumerFiling{ConsumerID: "c", PersonID: e.person(anna), Email: anna,
		Kind: dsr.KindObjection, Description: "again", Scope: firstChoice(dsr.KindObjection)})
	wantCode(t, err, dsr.CodeAlreadyOpen)
	if n := e.count(`SELECT COUNT(*) FROM data_subject_requests`); n != 1 {
		t.Errorf("%d requests", n)
	}
	// Another kind, or another person, is fine.
	e.consumerFiles(anna, dsr.KindAccess, "")
	e.consumerFiles(bo, dsr.KindObjection, "No marketing.")
	// Once answered, the same kind can be asked again.
	if _, err := e.svc.Complete(e.ctx, staffActor, first.ID, first.Version, dsr.Answer{Done: []string{"Marketing stopped."}}); err != nil {
		t.Fatal(err)
	}
	e.consumerFiles(anna, dsr.KindObjection, "And profiling.")
}

func TestFilingChecksWhatWasAsked(t *testing.T) {
	e := newEnv(t, nil)
	id := e.person(anna)
	for _, c := range []struct {
		name string
		f    dsr.ConsumerFiling
	}{
		{"unknown kind", dsr.ConsumerFiling{Kind: "review"}},
		{"rectification without saying what", dsr.ConsumerFiling{Kind: dsr.KindRectification, Description: "  "}},
		{"description too long", dsr.ConsumerFiling{Kind: dsr.KindAccess, Description: strings.Repeat("x", dsr.MaxDescription+1)}},
		{"unlisted country", dsr.ConsumerFiling{Kind: dsr.KindAccess, Country: "XX"}},
		{"restriction of nothing", dsr.ConsumerFiling{Kind: dsr.KindRestriction}},
		{"restriction of an unknown category", dsr.ConsumerFiling{Kind: dsr.KindRestriction, Scope: []string{"purchase", "horoscope"}}},
		{"objection to a contract", dsr.ConsumerFiling{Kind: dsr.KindObjection, Scope: []string{"credit_agreement"}}},
		{"objection to a category", dsr.ConsumerFiling{Kind: dsr.KindObjection, Scope: []string{"purchase"}}},
		{"scope on an access request", dsr.ConsumerFiling{Kind: dsr.KindAccess, Scope: []string{"purchase"}}},
	} {
		c.f.ConsumerID, c.f.PersonID, c.f.Email = "c", id, anna
		_, err := e.svc.FileByConsumer(e.ctx, c.f)
		if apperr.Code(err) != apperr.BadValue {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM data_subject_requests`) + e.count(`SELECT COUNT(*) FROM outbox_messages`); n != 0 {
		t.Errorf("bad filings wrote %d rows", n)
	}
}

func TestStaffFileForAPersonTheyVerified(t *testing.T) {
	e := newEnv(t, nil)
	annaID := e.person(anna)
	file := func(f dsr.StaffFiling) (dsr.Request, error) {
		if f.Kind == "" {
			f.Kind = dsr.KindErasure
		}
		if f.IdentityNote == "" {
			f.IdentityNote = "Called back on the phone number on file; she answered the security questions."
		}
		return e.svc.FileForPerson(e.ctx, staffActor, f)
	}

	_, err := file(dsr.StaffFiling{Email: "nobody@example.dk"})
	wantCode(t, err, dsr.CodeUnknownPerson)
	_, err = file(dsr.StaffFiling{Email: "not an address"})
	wantCode(t, err, apperr.BadValue)
	_, err = e.svc.FileForPerson(e.ctx, staffActor, dsr.StaffFiling{Email: anna, Kind: dsr.KindAccess, IdentityNote: "  "})
	wantCode(t, err, apperr.BadValue)
	_, err = file(dsr.StaffFiling{Email: anna, ReceivedOn: e.clk.Now().AddDate(0, 0, 1)})
	wantCode(t, err, apperr.BadValue)
	_, err = file(dsr.StaffFiling{Email: anna, ReceivedOn: e.clk.Now().AddDate(0, 0, -91)})
	wantCode(t, err, apperr.BadValue)
	if n := e.count(`SELECT COUNT(*) FROM data_subject_requests`) + e.count(`SELECT COUNT(*) FROM outbox_messages`) + e.count(`SELECT COUNT(*) FROM audit_log`); n != 0 {
		t.Fatalf("refused filings wrote %d rows", n)
	}

	// A letter that came in ten days ago: the deadline counts from that day.
	r, err := file(dsr.StaffFiling{Email: " Anna@Example.DK ", Locale: i18n.Swedish, Country: "se", ReceivedOn: e.clk.Now().AddDate(0, 0, -10)})
	if err != nil {
		t.Fatal(err)
	}
	received := time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC)
	if r.PersonID != annaID || r.Channel != dsr.ChannelStaff || r.IdentityMethod != dsr.IdentityStaffVerified || r.Country != "SE" ||
		!r.ReceivedAt.Equal(received) || !r.DueAt.Equal(time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("filed: %+v", r)
	}
	c := e.get(r.ID)
	if eventNames(c) != "received,identity_verified" || c.Events[1].Actor != staffActor {
		t.Errorf("history: %+v", c.Events)
	}
	if got := e.auditActions(r.ID); strings.Join(got, ",") != dsr.AuditFiled {
		t.Errorf("audit: %v", got)
	}
	note, err := e.svc.IdentityNote(e.ctx, r.ID)
	if err != nil || !strings.HasPrefix(note, "Called back") || strings.Contains(e.column(r.ID, "identity_note"), "phone") {
		t.Errorf("identity note %q (%v), stored as %q", note, err, e.column(r.ID, "identity_note"))
	}
	// The receipt goes to the address staff gave, in the language chosen.
	if m := e.lastMail(anna); !strings.Contains(m.Body, "Radera dina uppgifter") {
		t.Errorf("receipt: %+v", m)
	}
	// Today's letter counts from now.
	r, err = file(dsr.StaffFiling{Email: anna, Kind: dsr.KindAccess, ReceivedOn: e.clk.Now()})
	if err != nil || !r.ReceivedAt.Equal(e.clk.Now()) {
		t.Errorf("today: %+v %v", r, err)
	}
}

func TestRemindersAndBreachesByTheClock(t *testing.T) {
	e := newEnv(t, nil)
	late := e.started(anna, dsr.KindRectification)
	e.clk.Advance(5 * 24 * time.Hour)
	later := e.consumerFiles(bo, dsr.KindRestriction, "Stop using my address until it is checked.")
	answered := e.started(bo, dsr.KindObjection)

	// Nothing until seven days before the deadline.
	e.clk.Set(late.DueAt.Add(-7*24*time.Hour - time.Minute))
	e.runJobs()
	if c := e.get(late.ID); c.RemindedAt != nil || eventNames(c) != "received,identity_verified,started" {
		t.Fatalf("reminded early: %+v", c.Events)
	}
	e.advance(time.Minute)
	c := e.get(late.ID)
	if c.RemindedAt == nil || eventNames(c) != "received,identity_verified,started,reminder" || c.Events[3].Actor != dsr.ActorSystem {
		t.Fatalf("no reminder: %+v", c.Events)
	}
	if !c.DueWithin(e.clk.Now(), e.svc.RemindBefore()) || c.Overdue(e.clk.Now()) || c.DaysLeft(e.clk.Now()) != 7 {
		t.Errorf("due soon %v, overdue %v, days left %d", c.DueWithin(e.clk.Now(), e.svc.RemindBefore()), c.Overdue(e.clk.Now()), c.DaysLeft(e.clk.Now()))
	}
	// Running the jobs again changes nothing.
	e.runJobs()
	if c := e.get(late.ID); eventNames(c) != "received,identity_verified,started,reminder" {
		t.Errorf("reminded twice: %s", eventNames(c))
	}
	if _, err := e.svc.Complete(e.ctx, staffActor, answered.ID, answered.Version, dsr.Answer{Done: []string{"Objection honoured."}}); err != nil {
		t.Fatal(err)
	}

	// The deadline passes: breached, and first in the queue.
	e.clk.Set(late.DueAt.Add(-time.Second))
	e.runJobs()
	if c := e.get(late.ID); c.BreachedAt != nil {
		t.Fatal("breached before the deadline")
	}
	e.advance(time.Second)
	c = e.get(late.ID)
	if c.BreachedAt == nil || !c.Overdue(e.clk.Now()) || !strings.HasSuffix(eventNames(c), ",reminder,breached") || c.Status != dsr.StatusInProgress {
		t.Fatalf("not breached: %+v", c)
	}
	queue, err := e.svc.Queue(e.ctx, 10)
	if err != nil || len(queue) != 2 || queue[0].ID != late.ID || queue[1].ID != later.ID {
		t.Fatalf("queue: %+v %v", queue, err)
	}
	if n, err := e.svc.CountOpen(e.ctx); n != 2 || err != nil {
		t.Errorf("open: %d %v", n, err)
	}

	// Well past every deadline: the answered request is never breached.
	e.advance(60 * 24 * time.Hour)
	if c := e.get(answered.ID); c.BreachedAt != nil || c.RemindedAt != nil || strings.Contains(eventNames(c), "breached") {
		t.Errorf("answered request: %+v", c)
	}
	if c := e.get(later.ID); c.BreachedAt == nil || !strings.HasSuffix(eventNames(c), ",reminder,breached") {
		t.Errorf("later request: %s", eventNames(c))
	}
	if c := e.get(late.ID); strings.Count(eventNames(c), "breached") != 1 {
		t.Errorf("breached twice: %s", eventNames(c))
	}
	// Answering late is still possible, and the breach stays on record.
	c = e.get(late.ID)
	if _, err := e.svc.Complete(e.ctx, staffActor, c.ID, c.Version, dsr.Answer{Done: []string{"Name corrected."}}); err != nil {
		t.Fatal(err)
	}
	if c := e.get(late.ID); c.BreachedAt == nil || c.Status != dsr.StatusCompleted {
		t.Errorf("after a late answer: %+v", c)
	}
}

func TestExtensionMovesTheDeadlineWithNotice(t *testing.T) {
	e := newEnv(t, nil)
	r := e.started(anna, dsr.KindErasure)
	original := r.DueAt
	e.clk.Set(original.Add(-7 * 24 * time.Hour))
	e.runJobs()
	r = e.get(r.ID).Request
	if r.RemindedAt == nil {
		t.Fatal("no reminder")
	}

	r, err := e.svc.Extend(e.ctx, staffActor, r.ID, r.Version, 1, "We must check the records of three merchants.")
	if err != nil || r.Status != dsr.StatusExtended || r.ExtensionMonths != 1 || r.RemindedAt != nil ||
		!r.DueAt.Equal(dsr.ExtendedDeadline(original, 1)) || !r.OriginalDueAt.Equal(original) {
		t.Fatalf("extend: %+v %v", r, err)
	}
	m := e.lastMail(anna)
	if !strings.Contains(m.Body, "We must check the records of three merchants.") || !strings.Contains(m.Body, i18n.FormatDate(i18n.Danish, r.DueAt)) {
		t.Errorf("extension notice: %+v", m)
	}
	c := e.get(r.ID)
	if last := c.Events[len(c.Events)-1]; last.Name != dsr.EventExtended || last.Note != "We must check the records of three merchants." || last.Actor != staffActor {
		t.Errorf("extension step: %+v", last)
	}
	// It can be lengthened to two months, not shortened nor repeated.
	_, err = e.svc.Extend(e.ctx, staffActor, r.ID, r.Version, 1, "again")
	wantCode(t, err, apperr.BadValue)
	r, err = e.svc.Extend(e.ctx, staffActor, r.ID, r.Version, 2, "A merchant has not answered yet.")
	if err != nil || !r.DueAt.Equal(dsr.ExtendedDeadline(original, 2)) {
		t.Fatalf("extend to 2: %+v %v", r, err)
	}
	if got := e.svc.Steps(r, e.clk.Now()); slices.Contains(got, dsr.StepExtend) {
		t.Errorf("steps after the longest extension: %v", got)
	}

	// The old deadline passes without a breach; the reminder comes back
	// before the new one.
	e.clk.Set(original.Add(time.Hour))
	e.runJobs()
	if c := e.get(r.ID); c.BreachedAt != nil || c.RemindedAt != nil {
		t.Fatalf("after the original deadline: %+v", c)
	}
	e.clk.Set(r.DueAt.Add(-7 * 24 * time.Hour))
	e.runJobs()
	if c := e.get(r.ID); c.RemindedAt == nil || c.BreachedAt != nil {
		t.Errorf("before the new deadline: %+v", c)
	}
	e.clk.Set(r.DueAt)
	e.runJobs()
	if c := e.get(r.ID); c.BreachedAt == nil {
		t.Error("the extended deadline passed without a breach")
	}
	if got := strings.Join(e.auditActions(r.ID), ","); got != "dsr.started,dsr.extended,dsr.extended" {
		t.Errorf("audit: %s", got)
	}
}

func TestNoExtensionAfterTheOriginalDeadline(t *testing.T) {
	e := newEnv(t, nil)
	r := e.started(anna, dsr.KindRestriction)
	e.clk.Set(r.OriginalDueAt)
	e.runJobs()
	r = e.get(r.ID).Request
	if slices.Contains(e.svc.Steps(r, e.clk.Now()), dsr.StepExtend) {
		t.Error("extension offered after the deadline")
	}
	_, err := e.svc.Extend(e.ctx, staffActor, r.ID, r.Version, 2, "Too late")
	wantCode(t, err, apperr.NotAllowed)
	if got := e.get(r.ID); got.Status != dsr.StatusInProgress || got.ExtensionMonths != 0 {
		t.Errorf("changed: %+v", got)
	}
}

func TestAnswersNameTheSupervisoryAuthority(t *testing.T) {
	e := newEnv(t, nil)
	// Bo lives in Sweden and writes Dutch; Anna's country is not known.
	bos, err := e.svc.FileByConsumer(e.ctx, dsr.ConsumerFiling{ConsumerID: "b", PersonID: e.person(bo), Email: bo, Locale: i18n.Dutch,
		Kind: dsr.KindErasure, Country: "SE"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Refuse(e.ctx, staffActor, bos.ID, bos.Version, []string{"We could not confirm that the address is yours.", "You have an open debt."}); err != nil {
		t.Fatal(err)
	}
	m := e.lastMail(bo)
	for _, want := range []string{"Integritetsskyddsmyndigheten (IMY)", "https://www.imy.se", dsr.AuthoritiesListURL,
		"Niet gedaan: You have an open debt.", "niet uitvoeren"} {
		if !strings.Contains(m.Subject+m.Body, want) {
			t.Errorf("refusal lacks %q:\n%s\n%s", want, m.Subject, m.Body)
		}
	}

	annas, err := e.svc.FileByConsumer(e.ctx, dsr.ConsumerFiling{ConsumerID: "a", PersonID: e.person(anna), Email: anna, Locale: i18n.English,
		Kind: dsr.KindRectification, Description: "Wrong street."})
	if err != nil {
		t.Fatal(err)
	}
	annas, _ = e.svc.Start(e.ctx, staffActor, annas.ID, annas.Version)
	r, err := e.svc.Complete(e.ctx, staffActor, annas.ID, annas.Version, dsr.Answer{
		Done: []string{"Street corrected on your account."}, NotDone: []string{"Orders keep the address they were placed with (bookkeeping law)."}})
	if err != nil || r.Status != dsr.StatusPartlyCompleted || len(r.Outcome) != 2 || r.Outcome[1].Done {
		t.Fatalf("partly: %+v %v", r, err)
	}
	m = e.lastMail(anna)
	for _, want := range []string{"partly carried out", "Done: Street corrected on your account.", "Not done: Orders keep", "Datatilsynet", "https://www.datatilsynet.dk"} {
		if !strings.Contains(m.Subject+m.Body, want) {
			t.Errorf("partial answer lacks %q:\n%s", want, m.Body)
		}
	}
	if a := e.svc.AuthorityFor(r); a.Country != "DK" {
		t.Errorf("authority for an unknown country: %+v", a)
	}
}

func TestFulfillerFailureLeavesTheRequest(t *testing.T) {
	broken := &fakeFulfiller{err: apperr.New(apperr.NotAllowed, "the person has an open debt")}
	invalid := &fakeFulfiller{outcome: dsr.Outcome{Status: dsr.StatusPartlyCompleted, Items: []dsr.Item{{What: "x", Done: true}}}}
	e := newEnv(t, map[dsr.Kind]dsr.Fulfiller{dsr.KindErasure: broken, dsr.KindPortability: invalid})
	for _, kind := range []dsr.Kind{dsr.KindErasure, dsr.KindPortability} {
		r := e.started(anna, kind)
		mails, events := len(e.mails(anna)), len(e.get(r.ID).Events)
		if _, err := e.svc.CarryOut(e.ctx, staffActor, r.ID, r.Version); err == nil {
			t.Errorf("%s: carried out", kind)
		}
		c := e.get(r.ID)
		if c.Status != dsr.StatusInProgress || c.Version != r.Version || len(c.Events) != events || len(e.mails(anna)) != mails {
			t.Errorf("%s: the request changed: %+v", kind, c)
		}
	}
	_, err := e.svc.CarryOut(e.ctx, staffActor, e.get(e.started(bo, dsr.KindErasure).ID).ID, 0)
	wantCode(t, err, dsr.CodeChanged)
}

func TestErasureThatShredsStillAnswers(t *testing.T) {
	var e *env
	eraser := &fakeFulfiller{
		outcome: dsr.Outcome{Status: dsr.StatusPartlyCompleted, Items: []dsr.Item{
			{What: "privacy.category.contact", Done: true},
			{What: "privacy.category.purchase", Done: false, Reason: "Bookkeeping law", Until: ptr(time.Date(2033, 1, 1, 0, 0, 0, 0, time.UTC))},
		}},
	}
	extract := &fakeFulfiller{outcome: dsr.Outcome{Status: dsr.StatusCompleted,
		Document: &dsr.Document{Name: "a.json", ContentType: "application/json", Body: []byte("{}")}}}
	e = newEnv(t, map[dsr.Kind]dsr.Fulfiller{dsr.KindErasure: eraser, dsr.KindAccess: extract})
	// When the eraser runs, no request of the person holds sealed data any
	// more: nothing of theirs keeps their key; it shreds it.
	eraser.during = func(tx *store.Tx, r dsr.Request) error {
		var sealed int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM data_subject_requests WHERE person_id = $1
			AND (description IS NOT NULL OR reply_to IS NOT NULL OR identity_note IS NOT NULL)`, r.PersonID).Scan(&sealed); err != nil {
			return err
		}
		if sealed != 0 {
			return errors.New("sealed request data left for the eraser")
		}
		return e.vault.Shred(tx, r.PersonID)
	}
	access := e.started(anna, dsr.KindAccess)
	if access, _ = e.svc.CarryOut(e.ctx, staffActor, access.ID, access.Version); access.Document == nil {
		t.Fatal("no document")
	}
	open := e.started(anna, dsr.KindRectification)
	other := e.started(bo, dsr.KindRectification)
	mails := e.queued(anna)

	r := e.consumerFiles(anna, dsr.KindErasure, "Delete everything.")
	r, _ = e.svc.Start(e.ctx, staffActor, r.ID, r.Version)
	r, err := e.svc.CarryOut(e.ctx, staffActor, r.ID, r.Version)
	if err != nil || r.Status != dsr.StatusPartlyCompleted || r.ErasedAt == nil {
		t.Fatalf("erase: %+v %v", r, err)
	}
	if last := eraser.seen[len(eraser.seen)-1]; last.Description != "Delete everything." {
		t.Errorf("the eraser saw %+v", last)
	}
	m := e.lastMail(anna)
	if !strings.Contains(m.Body, "Ikke gjort: Køb: Bookkeeping law (gemmes indtil "+i18n.FormatDate(i18n.Danish, time.Date(2033, 1, 1, 0, 0, 0, 0, time.UTC))+")") || !strings.Contains(m.Body, "Datatilsynet") {
		t.Errorf("erasure answer: %s", m.Body)
	}
	if e.queued(anna) != mails+2 {
		t.Errorf("%d e-mails, want receipt and answer", e.queued(anna)-mails)
	}
	// What went to her before the shred was sealed under her key and can
	// no longer be read; the answer, sent after it, has a key of its own.
	if got := e.mails(anna); len(got) != 1 || got[0].Body != m.Body {
		t.Errorf("readable e-mails after the shred: %+v", got)
	}
	// Every request of the person keeps only the record of its handling.
	for _, id := range []string{r.ID, access.ID, open.ID} {
		c := e.get(id)
		if c.Description != "" || !c.DescriptionErased || c.ErasedAt == nil || c.Document != nil || !strings.Contains(eventNames(c), "data_erased") {
			t.Errorf("%s after erasure: %+v", c.Kind, c)
		}
		if note, err := e.svc.IdentityNote(e.ctx, id); note != "" || err != nil {
			t.Errorf("identity note %q %v", note, err)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM data_subject_request_documents`); n != 0 {
		t.Errorf("%d documents left", n)
	}
	if c := e.get(other.ID); c.ErasedAt != nil || c.Description != "please" {
		t.Errorf("another person's request: %+v", c)
	}
	// The open request can still be answered; there is no address to write to.
	open = e.get(open.ID).Request
	if _, err := e.svc.Complete(e.ctx, staffActor, open.ID, open.Version, dsr.Answer{NotDone: []string{"Your data was erased."}}); err != nil {
		t.Fatal(err)
	}
	if e.queued(anna) != mails+2 {
		t.Error("an e-mail went to the erased person")
	}
	// The person is gone: a new request for them cannot be sealed.
	_, err = e.svc.FileByConsumer(e.ctx, dsr.ConsumerFiling{ConsumerID: "c", PersonID: r.PersonID, Email: anna, Kind: dsr.KindAccess})
	wantCode(t, err, apperr.NotAllowed)
}

func TestErasureByHandErasesRequestData(t *testing.T) {
	e := newEnv(t, nil)
	r := e.started(anna, dsr.KindErasure)
	r, err := e.svc.Complete(e.ctx, staffActor, r.ID, r.Version, dsr.Answer{Done: []string{"Erased in the old system."}})
	if err != nil || r.ErasedAt == nil {
		t.Fatalf("complete: %+v %v", r, err)
	}
	if m := e.lastMail(anna); !strings.Contains(m.Body, "Erased in the old system.") {
		t.Errorf("answer: %s", m.Body)
	}
	if e.column(r.ID, "COALESCE(reply_to, 'none')") != "none" {
		t.Error("the reply address is kept")
	}
	// A refused erasure erases nothing.
	r = e.started(bo, dsr.KindErasure)
	if r, err = e.svc.Refuse(e.ctx, staffActor, r.ID, r.Version, []string{"We could not verify you."}); err != nil || r.ErasedAt != nil {
		t.Errorf("refuse: %+v %v", r, err)
	}
	if c := e.get(r.ID); c.Description != "please" {
		t.Errorf("refused erasure: %+v", c)
	}
}

func TestNothingWrittenIsStoredAsNull(t *testing.T) {
	e := newEnv(t, nil)
	r := e.consumerFiles(anna, dsr.KindAccess, "  ")
	if got := e.column(r.ID, "COALESCE(description, 'null') || '/' || COALESCE(identity_note, 'null')"); got != "null/null" {
		t.Errorf("stored %q", got)
	}
}

func TestDocumentsExpire(t *testing.T) {
	e := newEnv(t, map[dsr.Kind]dsr.Fulfiller{dsr.KindPortability: &fakeFulfiller{outcome: dsr.Outcome{
		Status: dsr.StatusCompleted, Document: &dsr.Document{Name: "export.json", ContentType: "application/json", Body: []byte("[]")},
	}}})
	r := e.started(anna, dsr.KindPortability)
	r, err := e.svc.CarryOut(e.ctx, staffActor, r.ID, r.Version)
	if err != nil || r.Document == nil || !r.Document.ExpiresAt.Equal(e.clk.Now().Add(dsr.DefaultDocumentLifetime)) {
		t.Fatalf("carry out: %+v %v", r, err)
	}
	if m := e.lastMail(anna); !strings.Contains(m.Body, i18n.FormatDate(i18n.Danish, r.Document.ExpiresAt)) {
		t.Errorf("answer does not say until when: %s", m.Body)
	}
	e.advance(dsr.DefaultDocumentLifetime - time.Second)
	if _, _, err := e.svc.Document(e.ctx, r.PersonID, r.ID); err != nil {
		t.Fatalf("before expiry: %v", err)
	}
	e.advance(time.Second)
	_, _, err = e.svc.Document(e.ctx, r.PersonID, r.ID)
	wantCode(t, err, apperr.NotFound)
	c := e.get(r.ID)
	if c.Document != nil || !strings.HasSuffix(eventNames(c), ",completed,document_deleted") {
		t.Errorf("after expiry: %+v", c)
	}
	if n := e.count(`SELECT COUNT(*) FROM data_subject_request_documents`); n != 0 {
		t.Errorf("%d documents left", n)
	}
}

func TestStepsOffered(t *testing.T) {
	e := newEnv(t, map[dsr.Kind]dsr.Fulfiller{dsr.KindAccess: &fakeFulfiller{}})
	access := e.consumerFiles(anna, dsr.KindAccess, "")
	now := e.clk.Now()
	if got := e.svc.Steps(access, now); !slices.Equal(got, []dsr.Step{dsr.StepStart, dsr.StepRefuse}) {
		t.Errorf("verified: %v", got)
	}
	access, _ = e.svc.Start(e.ctx, staffActor, access.ID, access.Version)
	if got := e.svc.Steps(access, now); !slices.Equal(got, []dsr.Step{dsr.StepExtend, dsr.StepCarryOut, dsr.StepRefuse}) {
		t.Errorf("access in progress: %v", got)
	}
	erasure := e.started(anna, dsr.KindErasure)
	if got := e.svc.Steps(erasure, now); !slices.Equal(got, []dsr.Step{dsr.StepExtend, dsr.StepComplete, dsr.StepRefuse}) {
		t.Errorf("erasure in progress: %v", got)
	}
	erasure, _ = e.svc.Refuse(e.ctx, staffActor, erasure.ID, erasure.Version, []string{"no"})
	if got := e.svc.Steps(erasure, now); len(got) != 0 {
		t.Errorf("refused: %v", got)
	}
}

func TestAuthorities(t *testing.T) {
	for code, name := range map[string]string{"DK": "Datatilsynet", "nl": "Autoriteit Persoonsgegevens", " se ": "Integritetsskyddsmyndigheten (IMY)"} {
		if a, ok := dsr.AuthorityOf(code); !ok || a.Name != name || !strings.HasPrefix(a.URL, "https://") {
			t.Errorf("AuthorityOf(%q) = %+v %v", code, a, ok)
		}
	}
	if _, ok := dsr.AuthorityOf("US"); ok {
		t.Error("an authority for the US")
	}
	all := dsr.Authorities()
	for i, a := range all {
		if i > 0 && all[i-1].Country >= a.Country {
			t.Errorf("authorities not sorted at %s", a.Country)
		}
		if !i18n.Has(a.CountryKey()) {
			t.Errorf("no name for %s", a.Country)
		}
	}
	for locale, want := range map[string]string{"da-DK": "DK", "sv": "SE", "nl-BE": "BE", "nl": "NL", "en-GB": "", "en": "", "da_DK": "DK"} {
		if got := dsr.CountryFromLocale(locale); got != want {
			t.Errorf("CountryFromLocale(%q) = %q, want %q", locale, got, want)
		}
	}
}

func TestEveryKeyTranslated(t *testing.T) {
	var keys []string
	for _, k := range dsr.Kinds() {
		keys = append(keys, k.NameKey(), k.AboutKey())
	}
	for _, s := range []dsr.Status{dsr.StatusReceived, dsr.StatusIdentityVerified, dsr.StatusInProgress, dsr.StatusExtended,
		dsr.StatusCompleted, dsr.StatusPartlyCompleted, dsr.StatusRefused} {
		keys = append(keys, s.NameKey())
		if s.Closed() {
			keys = append(keys, "dsr.mail."+string(s)+".subject", "dsr.mail."+string(s)+".body", "dsr.consumer.answer."+string(s))
		}
	}
	for _, ev := range []dsr.EventName{dsr.EventReceived, dsr.EventIdentityVerified, dsr.EventStarted, dsr.EventExtended, dsr.EventReminder,
		dsr.EventBreached, dsr.EventCompleted, dsr.EventPartlyCompleted, dsr.EventRefused, dsr.EventDocumentDeleted, dsr.EventDataErased} {
		keys = append(keys, ev.NameKey())
	}
	for _, st := range []dsr.Step{dsr.StepStart, dsr.StepExtend, dsr.StepCarryOut, dsr.StepComplete, dsr.StepRefuse} {
		keys = append(keys, "dsr.staff.done."+string(st), "dsr.staff.not_allowed."+string(st))
	}
	keys = append(keys, dsr.IdentityAppSignIn.NameKey(), dsr.IdentityStaffVerified.NameKey(), dsr.ChannelApp.NameKey(), dsr.ChannelStaff.NameKey())
	for _, k := range dsr.Kinds() {
		if k.NeedsDescription() {
			keys = append(keys, "dsr.consumer.description_needed."+string(k))
		}
		if k.Scoped() {
			for _, part := range []string{"legend", "hint", "named"} {
				keys = append(keys, "dsr.scope."+string(k)+"."+part)
			}
			keys = append(keys, "dsr.consumer.scope_needed."+string(k), "dsr.entry."+string(k)+".in_force",
				"dsr.mail.lifted."+string(k)+".subject", "dsr.mail.lifted."+string(k)+".body")
			for _, o := range k.ScopeOptions() {
				keys = append(keys, o.NameKey, o.AboutKey)
			}
		}
	}
	keys = append(keys, "dsr.entry.lifted", "dsr.mail.lifted.reason")
	for _, key := range keys {
		if !i18n.Has(key) {
			t.Errorf("no message %s", key)
		}
	}
}

func TestNewChecksConfig(t *testing.T) {
	e := newEnv(t, nil)
	for name, cfg := range map[string]dsr.Config{
		"no vault":        {DB: e.db, LookupKey: "k"},
		"no lookup key":   {DB: e.db, Vault: e.vault},
		"unknown kind":    {DB: e.db, Vault: e.vault, LookupKey: "k", Fulfillers: map[dsr.Kind]dsr.Fulfiller{"review": &fakeFulfiller{}}},
		"nil fulfiller":   {DB: e.db, Vault: e.vault, LookupKey: "k", Fulfillers: map[dsr.Kind]dsr.Fulfiller{dsr.KindAccess: nil}},
		"nil intake":      {DB: e.db, Vault: e.vault, LookupKey: "k", Intakes: map[dsr.Kind]dsr.Intake{dsr.KindObjection: nil}},
		"unknown country": {DB: e.db, Vault: e.vault, LookupKey: "k", HomeCountry: "US"},
		"late reminder":   {DB: e.db, Vault: e.vault, LookupKey: "k", RemindDays: 40},
	} {
		if _, err := dsr.New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestScopeIsKeptAndIntakesTakeEffectOnFiling(t *testing.T) {
	var took []string
	failFor := ""
	e := newEnvWith(t, func(cfg *dsr.Config) {
		cfg.Intakes = map[dsr.Kind]dsr.Intake{dsr.KindObjection: func(tx *store.Tx, r dsr.Request, actor string) error {
			if r.PersonID == failFor {
				return errors.New("intake failed")
			}
			var n int
			if err := tx.QueryRow(`SELECT COUNT(*) FROM data_subject_requests WHERE id = $1`, r.ID).Scan(&n); err != nil || n != 1 {
				t.Errorf("the intake does not see the request it runs for: %d %v", n, err)
			}
			took = append(took, actor+" "+strings.Join(r.Scope, ","))
			return nil
		}}
	})
	// The scope is kept in the registry's order, whatever order it came in.
	r, err := e.svc.FileByConsumer(e.ctx, dsr.ConsumerFiling{ConsumerID: "c1", PersonID: e.person(anna), Email: anna,
		Kind: dsr.KindObjection, Scope: []string{"direct_marketing", "similar_offers", "direct_marketing"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(e.get(r.ID).Scope, ","); got != "similar_offers,direct_marketing" {
		t.Errorf("stored scope = %s", got)
	}
	if strings.Join(took, ";") != "consumer:c1 similar_offers,direct_marketing" {
		t.Errorf("intakes ran: %q", took)
	}
	// Other kinds have no intake here.
	e.consumerFiles(anna, dsr.KindRestriction, "")
	if len(took) != 1 {
		t.Errorf("an intake ran for a restriction: %q", took)
	}
	// A failing intake files nothing.
	failFor = e.person(bo)
	_, err = e.svc.FileByConsumer(e.ctx, dsr.ConsumerFiling{ConsumerID: "c2", PersonID: failFor, Email: bo,
		Kind: dsr.KindObjection, Scope: []string{"similar_offers"}})
	if err == nil {
		t.Fatal("filing went through a failing intake")
	}
	if n := e.count(`SELECT COUNT(*) FROM data_subject_requests WHERE person_id = $1`, failFor); n != 0 {
		t.Errorf("a filing whose intake failed left %d requests", n)
	}
	if m := e.mails(bo); len(m) != 0 {
		t.Errorf("a filing whose intake failed sent %d mails", len(m))
	}
}

func TestLiftTellsThePersonFirst(t *testing.T) {
	e := newEnvWith(t, func(cfg *dsr.Config) {
		cfg.Intakes = map[dsr.Kind]dsr.Intake{dsr.KindRestriction: func(tx *store.Tx, r dsr.Request, actor string) error {
			_, err := restriction.Restrict(tx, r.PersonID, []privacy.CategoryID{privacy.CategoryPurchase}, r.ID, actor)
			return err
		}}
	})
	r := e.consumerFiles(anna, dsr.KindRestriction, "My order is wrong.")
	other := e.consumerFiles(bo, dsr.KindRestriction, "")
	entries := e.get(r.ID).Entries
	otherEntries := e.get(other.ID).Entries
	if len(entries) != 1 || !entries[0].InForce() || len(otherEntries) != 1 {
		t.Fatalf("entries: %+v %+v", entries, otherEntries)
	}
	_, err := e.svc.Lift(e.ctx, staffActor, r.ID, otherEntries[0].ID, "checked")
	wantCode(t, err, apperr.NotFound)
	_, err = e.svc.Lift(e.ctx, staffActor, r.ID, entries[0].ID, " ")
	wantCode(t, err, apperr.BadValue)
	before := len(e.mails(anna))

	lifted, err := e.svc.Lift(e.ctx, staffActor, r.ID, entries[0].ID, "The shop confirmed the order as recorded.")
	if err != nil || lifted.InForce() {
		t.Fatalf("lift: %+v %v", lifted, err)
	}
	m := e.mails(anna)
	if len(m) != before+1 || !strings.Contains(m[len(m)-1].Subject, r.Reference) ||
		!strings.Contains(m[len(m)-1].Body, "The shop confirmed the order as recorded.") {
		t.Errorf("the person was not told: %+v", m)
	}
	_, err = e.svc.Lift(e.ctx, staffActor, r.ID, entries[0].ID, "again")
	wantCode(t, err, apperr.NotAllowed)
	if e.get(r.ID).Entries[0].InForce() || !e.get(other.ID).Entries[0].InForce() {
		t.Error("the wrong entry was lifted")
	}
}
