package complaint_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/complaint"
)

// TestRegisterAddsUpToTheComplaints is the acceptance test of the
// register: complaints filed across categories, tiers and outcomes (some
// before the period) are reported so that the total and the sum of the
// rows equal the complaints filed in the period in the database, every
// breakdown adds up, and the CSV carries the same numbers.
func TestRegisterAddsUpToTheComplaints(t *testing.T) {
	e := newEnv(t)
	anna := e.signUp("anna@example.dk", "en-DK")
	bob := e.signUp("bob@example.se", "sv-SE")
	cs := e.staff("Carl Service", account.RoleCustomerService)
	rep := e.staff("Rita Representative", account.RoleCustomerRepresentative)
	e.file(anna, complaint.Filing{Category: complaint.CategoryOther, Text: "Before the period"})
	e.advanceDays(1)
	from := e.clk.Now()
	var ids []complaint.Complaint
	for i := range 27 {
		who := anna
		if i%2 == 1 {
			who = bob
		}
		cat := complaint.Categories[i%len(complaint.Categories)]
		ids = append(ids, e.file(who, complaint.Filing{Category: cat, Text: fmt.Sprintf("Complaint number %d", i)}))
	}
	e.advanceDays(2)
	for i, c := range ids {
		who := anna
		if i%2 == 1 {
			who = bob
		}
		if i%3 == 0 { // left open: breaches come later
			continue
		}
		a := complaint.Answer{Outcome: complaint.Outcomes[i%3], Text: "Our answer", RootCauses: []string{complaint.RootCauses[i%len(complaint.RootCauses)]}}
		c, err := e.svc.FinalAnswer(e.ctx, cs, c.ID, c.Version, a, i%4 == 0)
		if err != nil {
			t.Fatal(err)
		}
		if i%5 == 0 || i%7 == 0 { // escalated, some assessed
			if c, err = e.svc.RequestReview(e.ctx, who.person, who.actor, c.ID, c.Version, ""); err != nil {
				t.Fatal(err)
			}
			if i%5 == 0 {
				if _, err := e.svc.Assess(e.ctx, rep, c.ID, c.Version, complaint.Answer{Outcome: complaint.Upheld, Text: "Upheld",
					RootCauses: []string{"communication", "process"}}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	e.advanceDays(30) // the open ones breach their deadlines
	to := e.clk.Now()
	e.file(anna, complaint.Filing{Category: complaint.CategoryPrivacy, Text: "After the period"})

	rep1, err := e.svc.RegisterReport(e.ctx, cs, complaint.Period{From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	inDB := e.count(`SELECT COUNT(*) FROM complaints WHERE filed_at >= $1 AND filed_at < $2`, from.UnixMicro(), to.UnixMicro())
	if inDB != 27 || rep1.Total != inDB {
		t.Fatalf("register total %d, database %d, want 27", rep1.Total, inDB)
	}
	var sum, answered, target, psd2, first int
	tiers := map[int]int{}
	for _, r := range rep1.Rows {
		sum += r.Count
		answered += r.Answered
		target += r.TargetBreaches
		psd2 += r.PSD2Breaches
		first += r.FirstContact
		tiers[r.Tier] += r.Count
		if r.Answered > r.Count || r.AvgDaysToAnswer > r.MaxDaysToAnswer || (r.Tier == 1 && r.Answered > 0 && r.MaxDaysToAnswer < 2) {
			t.Errorf("inconsistent row %+v", r)
		}
	}
	period := `filed_at >= $1 AND filed_at < $2`
	for name, c := range map[string][2]int{
		"rows":            {sum, inDB},
		"tier 2":          {tiers[2], e.count(`SELECT COUNT(*) FROM complaints WHERE tier = 2 AND `+period, from.UnixMicro(), to.UnixMicro())},
		"answered":        {answered, e.count(`SELECT COUNT(*) FROM complaints WHERE ((tier = 1 AND answered_at IS NOT NULL) OR assessed_at IS NOT NULL) AND `+period, from.UnixMicro(), to.UnixMicro())},
		"target breaches": {target, e.count(`SELECT COUNT(*) FROM complaints WHERE target_breached_at IS NOT NULL AND `+period, from.UnixMicro(), to.UnixMicro())},
		"psd2 breaches":   {psd2, e.count(`SELECT COUNT(*) FROM complaints WHERE psd2_breached_at IS NOT NULL AND `+period, from.UnixMicro(), to.UnixMicro())},
		"first contact":   {first, e.count(`SELECT COUNT(*) FROM complaints WHERE first_contact AND `+period, from.UnixMicro(), to.UnixMicro())},
	} {
		if c[0] != c[1] {
			t.Errorf("%s: register %d, database %d", name, c[0], c[1])
		}
	}
	if tiers[2] == 0 || target == 0 || psd2 == 0 || first == 0 || answered == 0 {
		t.Errorf("the data does not exercise the register: tiers %v, breaches %d/%d, first contact %d, answered %d", tiers, target, psd2, first, answered)
	}
	if rep1.RootCauses["communication"] == 0 || rep1.RootCauses["process"] == 0 {
		t.Errorf("root causes %v", rep1.RootCauses)
	}

	var buf bytes.Buffer
	if err := rep1.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if records[0][0] != "category" || records[0][3] != "count" {
		t.Fatalf("header %v", records[0])
	}
	csvSum, csvTotal, csvCauses := 0, -1, map[string]int{}
	for i, rec := range records[1:] {
		n, err := strconv.Atoi(rec[3])
		if err != nil {
			t.Fatalf("line %d: %v", i+2, rec)
		}
		switch rec[0] {
		case "total":
			csvTotal = n
		case "root_cause":
			csvCauses[rec[2]] = n
		default:
			csvSum += n
			if r := rep1.Rows[i]; string(r.Category) != rec[0] || strconv.Itoa(r.Tier) != rec[1] || string(r.Outcome) != rec[2] || r.Count != n {
				t.Errorf("CSV line %v, report row %+v", rec, r)
			}
		}
	}
	if csvSum != inDB || csvTotal != inDB || len(csvCauses) != len(rep1.RootCauses) {
		t.Errorf("CSV rows %d, total %d, causes %v; database %d", csvSum, csvTotal, csvCauses, inDB)
	}
	if whole, err := e.svc.RegisterReport(e.ctx, rep, complaint.Period{From: from.Add(-48 * time.Hour), To: to.Add(time.Hour)}); err != nil || whole.Total != 29 {
		t.Errorf("the whole register: %d %v, want 29", whole.Total, err)
	}
}
