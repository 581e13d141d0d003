package complaint

import (
	"context"
	"encoding/csv"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/store"
)

// MaxRegisterPeriod is the longest period one register report covers.
const MaxRegisterPeriod = 5 * 366 * 24 * time.Hour

// RegisterReport reports the complaints filed in the period (staff of
// customer_service, customer_representative or admin; audited): one row
// per category, current tier and outcome at that tier ("" while that tier
// has not answered). Days to answer count from filing to the final answer
// at tier 1 and from the request for review to the assessment at tier 2.
// Root causes count the tags of the latest answer of each complaint.
// Errors: FORBIDDEN, BAD_VALUE (an empty or too long period).
func (s *Service) RegisterReport(ctx context.Context, st account.Staff, p Period) (Report, error) {
	if !MayHandle(st.Role) && !MayReview(st.Role) {
		return Report{}, errForbidden
	}
	if p.From.IsZero() || p.To.IsZero() || !p.From.Before(p.To) || p.To.Sub(p.From) > MaxRegisterPeriod {
		return Report{}, apperr.BadField("period", "must run forward over at most five years")
	}
	rep := Report{Period: p, Rows: []RegisterRow{}, RootCauses: map[string]int{}}
	err := s.cfg.DB.Write(ctx, func(tx *store.Tx) error {
		rs, err := list(tx, ` WHERE c.filed_at >= $1 AND c.filed_at < $2 ORDER BY c.filed_at, c.id`, store.Micros(p.From), store.Micros(p.To))
		if err != nil {
			return err
		}
		type key struct {
			cat     Category
			tier    int
			outcome Outcome
		}
		cells := map[key]*RegisterRow{}
		sums := map[key]float64{}
		for _, r := range rs {
			k := key{r.Category, r.Tier, r.answerOutcome}
			var answered *time.Time
			start := r.FiledAt
			if r.Tier == 2 {
				k.outcome, answered = r.assessed, r.assessedAt
				if r.ReviewRequestedAt != nil {
					start = *r.ReviewRequestedAt
				}
			} else {
				answered = r.AnsweredAt
			}
			c := cells[k]
			if c == nil {
				c = &RegisterRow{Category: k.cat, Tier: k.tier, Outcome: k.outcome}
				cells[k] = c
			}
			c.Count++
			if answered != nil {
				days := answered.Sub(start).Hours() / 24
				c.Answered++
				sums[k] += days
				c.MaxDaysToAnswer = max(c.MaxDaysToAnswer, days)
			}
			if r.targetBreach != nil {
				c.TargetBreaches++
			}
			if r.psd2Breach != nil {
				c.PSD2Breaches++
			}
			if r.FirstContact {
				c.FirstContact++
			}
			for _, cause := range r.RootCauses {
				rep.RootCauses[cause]++
			}
			rep.Total++
		}
		for k, c := range cells {
			if c.Answered > 0 {
				c.AvgDaysToAnswer = round1(sums[k] / float64(c.Answered))
			}
			c.MaxDaysToAnswer = round1(c.MaxDaysToAnswer)
			rep.Rows = append(rep.Rows, *c)
		}
		slices.SortFunc(rep.Rows, func(a, b RegisterRow) int {
			if c := slices.Index(Categories, a.Category) - slices.Index(Categories, b.Category); c != 0 {
				return c
			}
			if a.Tier != b.Tier {
				return a.Tier - b.Tier
			}
			return strings.Compare(string(a.Outcome), string(b.Outcome))
		})
		_, err = audit.Append(tx, staffActor(st), ActionRegister, "complaints", map[string]any{"from": p.From.Format(time.RFC3339),
			"to": p.To.Format(time.RFC3339), "total": rep.Total})
		return err
	})
	return rep, err
}

// round1 rounds to one decimal.
func round1(f float64) float64 { return math.Round(f*10) / 10 }

// WriteCSV writes the report as CSV with a header row: one line per row of
// the register, then a "total" line with the total count, then one
// "root_cause" line per tag (its name in the outcome column).
func (r Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	records := [][]string{{"category", "tier", "outcome", "count", "answered", "avg_days_to_answer", "max_days_to_answer",
		"target_breaches", "psd2_breaches", "first_contact"}}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
	for _, row := range r.Rows {
		records = append(records, []string{string(row.Category), strconv.Itoa(row.Tier), string(row.Outcome), strconv.Itoa(row.Count),
			strconv.Itoa(row.Answered), f(row.AvgDaysToAnswer), f(row.MaxDaysToAnswer), strconv.Itoa(row.TargetBreaches),
			strconv.Itoa(row.PSD2Breaches), strconv.Itoa(row.FirstContact)})
	}
	records = append(records, []string{"total", "", "", strconv.Itoa(r.Total), "", "", "", "", "", ""})
	causes := make([]string, 0, len(r.RootCauses))
	for c := range r.RootCauses {
		causes = append(causes, c)
	}
	slices.Sort(causes)
	for _, c := range causes {
		records = append(records, []string{"root_cause", "", c, strconv.Itoa(r.RootCauses[c]), "", "", "", "", "", ""})
	}
	if err := cw.WriteAll(records); err != nil {
		return err
	}
	return cw.Error()
}
