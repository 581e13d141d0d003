package complaint_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/complaint"
	"github.com/tillit/tillit/internal/i18n"
)

// TestDeadlinesOverHolidays files payment-service complaints in each
// country on days around weekends and public holidays and checks the
// 14-day target and the PSD2 limit, before and after a holding reply.
func TestDeadlinesOverHolidays(t *testing.T) {
	for _, tc := range []struct {
		name, country, zone string
		filed               time.Time // local time
		target, psd2, held  string    // local dates, each ending at its last microsecond
	}{
		// Easter: Maundy Thursday, Good Friday and Easter Monday are closed.
		{"DK Easter", "DK", "Europe/Copenhagen", time.Date(2026, 3, 25, 10, 0, 0, 0, time.UTC), "2026-04-08", "2026-04-20", "2026-05-20"},
		// Christmas Eve, Christmas, New Year's Eve, New Year and Epiphany.
		{"SE Christmas", "SE", "Europe/Stockholm", time.Date(2026, 12, 21, 10, 0, 0, 0, time.UTC), "2027-01-04", "2027-01-18", "2027-02-15"},
		// King's Day, Liberation Day and Ascension.
		{"NL King's Day", "NL", "Europe/Amsterdam", time.Date(2026, 4, 23, 10, 0, 0, 0, time.UTC), "2026-05-07", "2026-05-19", "2026-06-17"},
		// Filed on Labour Day itself; Ascension and Whit Monday follow.
		{"DE Labour Day", "DE", "Europe/Berlin", time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC), "2026-05-15", "2026-05-26", "2026-06-23"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			loc, err := time.LoadLocation(tc.zone)
			if err != nil {
				t.Fatal(err)
			}
			filed := time.Date(tc.filed.Year(), tc.filed.Month(), tc.filed.Day(), 10, 0, 0, 0, loc)
			e.clk.Set(filed.UTC())
			anna := e.signUp("anna@example.dk", "en-DK")
			cs := e.staff("Carl Service", account.RoleCustomerService)
			c := e.file(anna, complaint.Filing{Category: complaint.CategoryPayment, Text: "The payment was taken twice", Country: tc.country})
			endOf := func(day string) time.Time {
				d, err := time.ParseInLocation("2006-01-02", day, loc)
				if err != nil {
					t.Fatal(err)
				}
				return d.Add(24*time.Hour - time.Microsecond).UTC()
			}
			if !c.TargetAt.Equal(endOf(tc.target)) || c.PSD2At == nil || !c.PSD2At.Equal(endOf(tc.psd2)) {
				t.Fatalf("target %v PSD2 %v, want the ends of %s and %s", c.TargetAt.In(loc), c.PSD2At.In(loc), tc.target, tc.psd2)
			}
			c, err = e.svc.HoldingReply(e.ctx, cs, c.ID, c.Version, "We are waiting for the bank's statement.")
			if err != nil {
				t.Fatal(err)
			}
			if c.HoldingReplyAt == nil || !c.PSD2At.Equal(endOf(tc.held)) || !c.TargetAt.Equal(endOf(tc.target)) {
				t.Errorf("after the holding reply PSD2 %v, want the end of %s", c.PSD2At.In(loc), tc.held)
			}
		})
	}
}

// TestHoldingReplyRules: once, payment services only, tier 1, before the
// 15-business-day limit, with reasons; the consumer is told the new date.
func TestHoldingReplyRules(t *testing.T) {
	e := newEnv(t)
	cph, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Fatal(err)
	}
	anna := e.signUp("anna@example.dk", "en-DK")
	cs := e.staff("Carl Service", account.RoleCustomerService)
	rep := e.staff("Rita Representative", account.RoleCustomerRepresentative)
	service := e.file(anna, complaint.Filing{Category: complaint.CategoryService, Text: "Nobody answers the chat"})
	_, err = e.svc.HoldingReply(e.ctx, cs, service.ID, service.Version, "Busy")
	wantCode(t, "holding reply outside payment services", err, apperr.NotAllowed)
	fees := e.file(anna, complaint.Filing{Category: complaint.CategoryFees, Text: "Two reminder fees for one invoice"})
	_, err = e.svc.HoldingReply(e.ctx, cs, fees.ID, fees.Version, "  ")
	wantCode(t, "holding reply without reasons", err, apperr.BadValue)
	_, err = e.svc.HoldingReply(e.ctx, rep, fees.ID, fees.Version, "We need the merchant's answer")
	wantCode(t, "the representative at tier 1", err, apperr.Forbidden)
	fees, err = e.svc.HoldingReply(e.ctx, cs, fees.ID, fees.Version, "We need the merchant's answer")
	if err != nil {
		t.Fatal(err)
	}
	// Filed Mon 2 Mar 2026: 35 business days end on Thu 23 Apr (Easter is closed).
	if got := fees.PSD2At.In(cph).Format("2006-01-02"); got != "2026-04-23" {
		t.Errorf("PSD2 limit after the holding reply %s, want 2026-04-23", got)
	}
	if mail := e.mails(anna.email)[0]; !strings.Contains(mail.Body, "We need the merchant's answer") || !strings.Contains(mail.Body, i18n.FormatDate(i18n.English, *fees.PSD2At)) {
		t.Errorf("holding reply e-mail:\n%s", mail.Body)
	}
	_, err = e.svc.HoldingReply(e.ctx, cs, fees.ID, fees.Version, "Still waiting")
	wantCode(t, "a second holding reply", err, apperr.NotAllowed)
	late := e.file(anna, complaint.Filing{Category: complaint.CategoryCollection, Text: "Collection letter for a paid invoice"})
	e.advanceDays(22)                                                           // past the 15th business day (Mon 23 Mar)
	_, err = e.svc.HoldingReply(e.ctx, cs, late.ID, late.Version+2, "Too late") // two breaches recorded meanwhile
	wantCode(t, "a holding reply after the limit", err, apperr.NotAllowed)
}

// TestBreachesRecordedAsDeadlinesPass moves the clock past the target and
// the PSD2 limit of an unanswered payment complaint: each breach is
// recorded once, on the day it passes, in the timeline and the audit log;
// an answered complaint records none.
func TestBreachesRecordedAsDeadlinesPass(t *testing.T) {
	e := newEnv(t)
	anna := e.signUp("anna@example.dk", "en-DK")
	cs := e.staff("Carl Service", account.RoleCustomerService)
	// Filed Mon 2 Mar 2026: target end of Mon 16 Mar, PSD2 end of Mon 23 Mar.
	c := e.file(anna, complaint.Filing{Category: complaint.CategoryPayment, Text: "Charged for a cancelled order"})
	answered := e.file(anna, complaint.Filing{Category: complaint.CategoryPayment, Text: "Charged twice"})
	if _, err := e.svc.FinalAnswer(e.ctx, cs, answered.ID, answered.Version, answer, true); err != nil {
		t.Fatal(err)
	}
	breaches := func(id string) []complaint.Breach {
		v, err := e.svc.StaffView(e.ctx, cs, id)
		if err != nil {
			t.Fatal(err)
		}
		var events []complaint.Breach
		for _, ev := range v.Timeline {
			if ev.Kind == complaint.EventBreach {
				events = append(events, complaint.Breach(ev.Body))
			}
		}
		if !slices.Equal(events, v.Complaint.Breaches) {
			t.Errorf("breach events %v, recorded %v", events, v.Complaint.Breaches)
		}
		return v.Complaint.Breaches
	}
	e.advanceDays(14) // Mon 16 Mar, 09:00
	if b := breaches(c.ID); len(b) != 0 {
		t.Fatalf("breaches on the target day: %v", b)
	}
	e.advanceDays(1)
	if b := breaches(c.ID); !slices.Equal(b, []complaint.Breach{complaint.BreachTarget}) {
		t.Fatalf("the day after the target: %v", b)
	}
	e.advanceDays(6) // Mon 23 Mar
	if b := breaches(c.ID); len(b) != 1 {
		t.Fatalf("on the PSD2 day: %v", b)
	}
	e.advanceDays(1)
	if b := breaches(c.ID); !slices.Equal(b, []complaint.Breach{complaint.BreachTarget, complaint.BreachPSD2}) {
		t.Fatalf("after the PSD2 limit: %v", b)
	}
	e.advanceDays(30)
	if b := breaches(c.ID); len(b) != 2 {
		t.Errorf("breaches recorded again: %v", b)
	}
	if b := breaches(answered.ID); len(b) != 0 {
		t.Errorf("an answered complaint breached: %v", b)
	}
	if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE action = $1`, complaint.ActionBreach); n != 2 {
		t.Errorf("%d audited breaches, want 2", n)
	}
	if v, _ := e.svc.ConsumerView(e.ctx, anna.person, c.ID); slices.ContainsFunc(v.Timeline, func(ev complaint.Event) bool { return ev.Kind == complaint.EventBreach }) {
		t.Error("the consumer's timeline shows the breaches")
	}
}
