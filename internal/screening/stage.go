package screening

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/store"
)

// ReasonSanctionsMatch is the reason code of a purchase held for manual
// review because the buyer resembles a sanctions list entry.
const ReasonSanctionsMatch = "SANCTIONS_MATCH"

// Stage is the sanctions screening stage of the risk assessment
// (risk.Assessor): it screens the buyer's name and birth date against the
// current lists. A match at or above AlertThreshold that no analyst has
// decided is a false positive for the same identity holds the purchase for
// manual review (PENDING, ReasonSanctionsMatch): a fuzzy match never
// rejects by itself, a person decides. Otherwise the stage accepts.
//
// The decision record gets Versions["lists"] (the lists' Version) and
// Summary["screening_matches"] (how many entries alerted, after false
// positives), never the names compared. The database is read only when a
// match alerts, so the stage costs one screening query (well under a
// millisecond) for almost every purchase.
type Stage struct {
	Screener  *Screener
	Decisions *Decisions
	DB        *store.DB
}

// Assess implements risk.Assessor.
func (s *Stage) Assess(ctx context.Context, in risk.Input) (risk.Decision, error) {
	list := s.Screener.List()
	q := ConsumerQuery(in.GivenName, in.FamilyName, in.DateOfBirth)
	alerts := Alerts(list.Screen(q))
	if len(alerts) > 0 {
		err := s.DB.Read(ctx, func(tx *store.Tx) (err error) {
			alerts, _, err = s.Decisions.Filter(tx, q, alerts)
			return err
		})
		if err != nil {
			return risk.Decision{}, err
		}
	}
	d := risk.Decision{Outcome: risk.Accepted,
		Versions: map[string]string{"lists": list.Version()},
		Summary:  map[string]string{"screening_matches": strconv.Itoa(len(alerts))}}
	if len(alerts) > 0 {
		d.Outcome, d.Reasons = risk.Pending, []string{ReasonSanctionsMatch}
	}
	return d, nil
}

// ConsumerQuery is the query screening a consumer: given and family name,
// the birth date when it is a valid YYYY-MM-DD date, individuals only.
func ConsumerQuery(given, family, dob string) Query {
	q := Query{Name: strings.TrimSpace(given + " " + family), Type: Individual}
	if d, err := time.Parse(time.DateOnly, dob); err == nil {
		q.BirthDate = d
	}
	return q
}

// Alerts returns the matches of ms at or above AlertThreshold.
func Alerts(ms []Match) []Match {
	var out []Match
	for _, m := range ms {
		if m.Alert {
			out = append(out, m)
		}
	}
	return out
}
