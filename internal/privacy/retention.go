package privacy

import (
	"errors"
	"fmt"
	"time"

	"github.com/tillit/tillit/internal/apperr"
)

// Event is what a retention period counts from.
type Event string

// Events a retention period can start at.
const (
	// EventCollected: when the data was recorded.
	EventCollected Event = "collected"
	// EventYearEnd: the end of the financial year in which the data was
	// recorded (financial years are calendar years, in UTC: the event is
	// 1 January 00:00 of the next year).
	EventYearEnd Event = "year_end"
	// EventRelationshipEnded: when the person's customer (or user)
	// relationship with Tillit ended.
	EventRelationshipEnded Event = "relationship_ended"
	// EventContractEnded: when the contract the data belongs to ended (the
	// credit agreement is fully paid, refunded or cancelled).
	EventContractEnded Event = "contract_ended"
	// EventConsentWithdrawn: when the person withdrew the consent the
	// purpose relies on.
	EventConsentWithdrawn Event = "consent_withdrawn"
	// EventObjected: when the person objected to the purpose (Art. 21).
	EventObjected Event = "objected"
	// EventExpired: when the data stopped being usable: a one-time code, a
	// sign-in session or a sign-in counter expired or was revoked.
	EventExpired Event = "expired"
	// EventClosed: when the case the data belongs to was closed (a report
	// of a suspicious e-mail or website was triaged to its outcome).
	EventClosed Event = "closed"
)

// Action is what happens to data when its retention ends.
type Action string

// Retention actions.
const (
	// Delete removes the data.
	Delete Action = "delete"
	// Anonymise keeps the row without anything that identifies the person.
	Anonymise Action = "anonymise"
	// CryptoShred destroys the person's data key in the vault, so whatever
	// was sealed for them, backups included, can no longer be read.
	CryptoShred Action = "crypto_shred"
)

// Unit is the unit of a retention period.
type Unit string

// Period units.
const (
	Days   Unit = "days"
	Months Unit = "months"
	Years  Unit = "years"
)

// Period is a length of time in one calendar unit. Months and years are
// calendar months and years: when the day does not exist in the final month
// (31 January plus one month, 29 February plus one year) the period ends on
// that month's last day, as Regulation (EEC, Euratom) No 1182/71 counts them.
type Period struct {
	N    int
	Unit Unit
}

// UnmarshalText reads a Period as MarshalText writes it: "3 months".
func (p *Period) UnmarshalText(b []byte) error {
	var q Period
	if _, err := fmt.Sscanf(string(b), "%d %s", &q.N, &q.Unit); err != nil {
		return fmt.Errorf("privacy: period %q: %w", b, err)
	}
	if q.N < 0 || (q.Unit != Days && q.Unit != Months && q.Unit != Years) {
		return fmt.Errorf("privacy: period %q is not a count of days, months or years", b)
	}
	*p = q
	return nil
}

// AddTo returns t plus p, computed in UTC.
func (p Period) AddTo(t time.Time) time.Time {
	t = t.UTC()
	switch p.Unit {
	case Days:
		return t.AddDate(0, 0, p.N)
	case Months:
		return addMonths(t, p.N)
	case Years:
		return addMonths(t, 12*p.N)
	}
	panic(fmt.Sprintf("privacy: unknown period unit %q", p.Unit))
}

// addMonths adds n calendar months to t, ending on the last day of the
// month when t's day does not exist in it.
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	if last := first.AddDate(0, 1, -1).Day(); d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// Retention is a purpose's retention rule: Period after the From event,
// then the Then action. A zero Period means "until the event".
type Retention struct {
	Period Period `json:"period"`
	From   Event  `json:"from"`
	Then   Action `json:"then"`
}

// validate reports a malformed rule.
func (r Retention) validate() error {
	switch {
	case r.Period.N < 0:
		return errors.New("retention period is negative")
	case r.Period.Unit != Days && r.Period.Unit != Months && r.Period.Unit != Years:
		return fmt.Errorf("retention period has unknown unit %q", r.Period.Unit)
	case r.From != EventCollected && r.From != EventYearEnd && r.From != EventRelationshipEnded &&
		r.From != EventContractEnded && r.From != EventConsentWithdrawn && r.From != EventObjected && r.From != EventExpired && r.From != EventClosed:
		return fmt.Errorf("retention counts from unknown event %q", r.From)
	case r.Then != Delete && r.Then != Anonymise && r.Then != CryptoShred:
		return fmt.Errorf("retention has unknown action %q", r.Then)
	}
	return nil
}

// Dates are the moments, for one piece of data, that retention periods count
// from. A zero time means the event has not happened (yet): the contract is
// still running, the consent still given. Which of them apply to a row is
// the caller's knowledge (an abandoned payment session has no contract).
type Dates struct {
	// Collected is when the data was recorded; it also fixes the financial
	// year for EventYearEnd.
	Collected time.Time
	// RelationshipEnded is when the person's relationship with Tillit ended.
	RelationshipEnded time.Time
	// ContractEnded is when the contract the data belongs to ended.
	ContractEnded time.Time
	// ConsentWithdrawn is when the person withdrew the purpose's consent.
	ConsentWithdrawn time.Time
	// Objected is when the person objected to the purpose.
	Objected time.Time
	// Expired is when the code, session or counter expired or was revoked.
	Expired time.Time
	// Closed is when the case the data belongs to was closed.
	Closed time.Time
}

// At returns when event e happened, and false if it has not.
func (d Dates) At(e Event) (time.Time, bool) {
	var t time.Time
	switch e {
	case EventCollected:
		t = d.Collected
	case EventYearEnd:
		if d.Collected.IsZero() {
			return time.Time{}, false
		}
		return time.Date(d.Collected.UTC().Year()+1, time.January, 1, 0, 0, 0, 0, time.UTC), true
	case EventRelationshipEnded:
		t = d.RelationshipEnded
	case EventContractEnded:
		t = d.ContractEnded
	case EventConsentWithdrawn:
		t = d.ConsentWithdrawn
	case EventObjected:
		t = d.Objected
	case EventExpired:
		t = d.Expired
	case EventClosed:
		t = d.Closed
	}
	return t.UTC(), !t.IsZero()
}

// End returns the moment retention under r ends (data is due for r.Then at
// and after it), and false while r's starting event has not happened, so
// the data stays.
func (r Retention) End(d Dates) (time.Time, bool) {
	start, ok := d.At(r.From)
	if !ok {
		return time.Time{}, false
	}
	return r.Period.AddTo(start), true
}

// RetentionEnd returns when purpose p's retention of data of category c ends,
// given the dates of that data (see Dates), and started=false while the
// event the period counts from has not happened. Data of a category is kept
// as long as any purpose that still applies to it keeps it: a caller
// deciding on deletion takes the latest end among the purposes that apply.
//
// Errors: NOT_FOUND for an unknown purpose or category, BAD_VALUE when p does
// not use c.
func RetentionEnd(p PurposeID, c CategoryID, d Dates) (end time.Time, started bool, err error) {
	purpose, ok := LookupPurpose(p)
	if !ok {
		return time.Time{}, false, apperr.New(apperr.NotFound, "no purpose %q", p)
	}
	if _, ok := LookupCategory(c); !ok {
		return time.Time{}, false, apperr.New(apperr.NotFound, "no data category %q", c)
	}
	r, ok := purpose.RetentionFor(c)
	if !ok {
		return time.Time{}, false, apperr.New(apperr.BadValue, "purpose %q does not use data category %q", p, c)
	}
	end, started = r.End(d)
	return end, started, nil
}
