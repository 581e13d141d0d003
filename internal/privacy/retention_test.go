package privacy

import (
	"testing"
	"time"

	"github.com/tillit/tillit/internal/apperr"
)

// at is a UTC time; dates in the tables read year, month, day, hour.
func at(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }

func TestPeriodAddTo(t *testing.T) {
	tests := []struct {
		name  string
		p     Period
		start time.Time
		want  time.Time
	}{
		{"days", Period{90, Days}, at(2026, 3, 2, 9), at(2026, 5, 31, 9)},
		{"days across a leap day", Period{30, Days}, at(2028, 2, 15, 0), at(2028, 3, 16, 0)},
		{"days across a common February", Period{30, Days}, at(2027, 2, 15, 0), at(2027, 3, 17, 0)},
		{"months keep the day", Period{3, Months}, at(2026, 3, 2, 9), at(2026, 6, 2, 9)},
		{"months end on the last day of a short month", Period{3, Months}, at(2026, 11, 30, 12), at(2027, 2, 28, 12)},
		{"months end on a leap day", Period{3, Months}, at(2027, 11, 30, 12), at(2028, 2, 29, 12)},
		{"one month from 31 January", Period{1, Months}, at(2026, 1, 31, 0), at(2026, 2, 28, 0)},
		{"months across the year end", Period{3, Months}, at(2026, 12, 31, 23), at(2027, 3, 31, 23)},
		{"a year from a leap day", Period{1, Years}, at(2024, 2, 29, 8), at(2025, 2, 28, 8)},
		{"four years from a leap day", Period{4, Years}, at(2024, 2, 29, 8), at(2028, 2, 29, 8)},
		{"zero is the start", Period{0, Days}, at(2026, 3, 2, 9), at(2026, 3, 2, 9)},
	}
	for _, tt := range tests {
		if got := tt.p.AddTo(tt.start); !got.Equal(tt.want) {
			t.Errorf("%s: %v + %v = %v, want %v", tt.name, tt.start, tt.p, got, tt.want)
		}
	}
}

func TestPeriodAddToUsesUTC(t *testing.T) {
	cph := time.FixedZone("CET", 3600)
	// 1 March 00:30 in Copenhagen is still 29 February in UTC.
	start := time.Date(2028, 3, 1, 0, 30, 0, 0, cph)
	got := Period{1, Years}.AddTo(start)
	if want := time.Date(2029, 2, 28, 23, 30, 0, 0, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("AddTo = %v, want %v in UTC", got, want)
	}
}

func TestRetentionEnd(t *testing.T) {
	tests := []struct {
		name     string
		purpose  PurposeID
		category CategoryID
		dates    Dates
		want     time.Time
		started  bool
	}{
		{"default: three months after collection", PurposeCheckout, CategoryAddress,
			Dates{Collected: at(2026, 3, 2, 9)}, at(2026, 6, 2, 9), true},
		{"default from 30 November ends on 28 February", PurposeCheckout, CategoryAddress,
			Dates{Collected: at(2026, 11, 30, 9)}, at(2027, 2, 28, 9), true},
		{"default from 30 November before a leap year ends on 29 February", PurposeCheckout, CategoryAddress,
			Dates{Collected: at(2027, 11, 30, 9)}, at(2028, 2, 29, 9), true},
		{"call recordings: 90 days", PurposeCallRecording, CategoryCallRecordings,
			Dates{Collected: at(2028, 2, 1, 10)}, at(2028, 5, 1, 10), true},
		{"screen shares: 30 days, over a leap day", PurposeCallRecording, CategoryScreenShares,
			Dates{Collected: at(2028, 2, 10, 10)}, at(2028, 3, 11, 10), true},
		{"bookkeeping: 7 years after the year end, recorded on 31 December", PurposeBookkeeping, CategoryPayment,
			Dates{Collected: time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.UTC)}, at(2034, 1, 1, 0), true},
		{"bookkeeping: recorded on 1 January belongs to that year", PurposeBookkeeping, CategoryPayment,
			Dates{Collected: at(2027, 1, 1, 0)}, at(2035, 1, 1, 0), true},
		{"bookkeeping: a leap day is no different", PurposeBookkeeping, CategoryPurchase,
			Dates{Collected: at(2028, 2, 29, 12)}, at(2036, 1, 1, 0), true},
		{"bookkeeping: the year is the UTC year", PurposeBookkeeping, CategoryPurchase,
			Dates{Collected: time.Date(2027, 1, 1, 0, 30, 0, 0, time.FixedZone("CET", 3600))}, at(2034, 1, 1, 0), true},
		{"AML: 5 years after the relationship ended on a leap day", PurposeAMLScreening, CategoryAMLScreening,
			Dates{Collected: at(2020, 5, 1, 0), RelationshipEnded: at(2024, 2, 29, 15)}, at(2029, 2, 28, 15), true},
		{"AML: relationship still running", PurposeAMLScreening, CategoryAMLScreening,
			Dates{Collected: at(2020, 5, 1, 0)}, time.Time{}, false},
		{"legal claims: 10 years after the contract ended", PurposeLegalClaims, CategoryPurchase,
			Dates{Collected: at(2026, 3, 2, 9), ContractEnded: at(2026, 12, 31, 23)}, at(2036, 12, 31, 23), true},
		{"legal claims: contract still running", PurposeLegalClaims, CategoryPurchase,
			Dates{Collected: at(2026, 3, 2, 9)}, time.Time{}, false},
		{"credit agreement: until the contract ends", PurposeCreditAgreement, CategoryPayment,
			Dates{Collected: at(2026, 3, 2, 9), ContractEnded: at(2026, 6, 2, 9)}, at(2026, 6, 2, 9), true},
		{"consent: until withdrawn", PurposeDirectMarketing, CategoryContact,
			Dates{Collected: at(2026, 3, 2, 9), ConsentWithdrawn: at(2026, 4, 1, 8)}, at(2026, 4, 1, 8), true},
		{"consent: not withdrawn", PurposeDirectMarketing, CategoryContact,
			Dates{Collected: at(2026, 3, 2, 9)}, time.Time{}, false},
		{"objection: at once", PurposeSimilarOffers, CategoryContact,
			Dates{Collected: at(2026, 3, 2, 9), Objected: at(2026, 3, 3, 10)}, at(2026, 3, 3, 10), true},
		{"consumer sessions: when they expire, not the account's rule", PurposeConsumerAccount, CategorySessions,
			Dates{Collected: at(2026, 3, 2, 9), Expired: at(2026, 5, 31, 9)}, at(2026, 5, 31, 9), true},
		{"consumer sessions: still in force", PurposeConsumerAccount, CategorySessions,
			Dates{Collected: at(2026, 3, 2, 9), RelationshipEnded: at(2026, 4, 1, 0)}, time.Time{}, false},
		{"one-time codes at checkout: when they expire", PurposeCheckout, CategoryCredentials,
			Dates{Collected: at(2026, 3, 2, 9), Expired: at(2026, 3, 2, 10)}, at(2026, 3, 2, 10), true},
		{"staff sessions: when they expire, not the account's rule", PurposeWorkforceAccounts, CategorySessions,
			Dates{Collected: at(2026, 3, 2, 9), Expired: at(2026, 3, 2, 21)}, at(2026, 3, 2, 21), true},
		{"consumer account: 3 months after the relationship ends", PurposeConsumerAccount, CategoryContact,
			Dates{Collected: at(2026, 3, 2, 9), RelationshipEnded: at(2027, 1, 5, 0)}, at(2027, 4, 5, 0), true},
		{"workforce: 3 months after the account closed", PurposeWorkforceAccounts, CategoryContact,
			Dates{Collected: at(2026, 1, 1, 0), RelationshipEnded: at(2026, 8, 31, 17)}, at(2026, 11, 30, 17), true},
		{"nothing recorded yet", PurposeBookkeeping, CategoryPayment, Dates{}, time.Time{}, false},
	}
	for _, tt := range tests {
		got, started, err := RetentionEnd(tt.purpose, tt.category, tt.dates)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if started != tt.started || !got.Equal(tt.want) {
			t.Errorf("%s: RetentionEnd = %v, %v; want %v, %v", tt.name, got, started, tt.want, tt.started)
		}
	}
}

func TestRetentionEndErrors(t *testing.T) {
	d := Dates{Collected: at(2026, 3, 2, 9)}
	tests := []struct {
		purpose  PurposeID
		category CategoryID
		code     string
	}{
		{"no_such_purpose", CategoryContact, apperr.NotFound},
		{PurposeCheckout, "no_such_category", apperr.NotFound},
		{PurposeCallRecording, CategoryContact, apperr.BadValue},
	}
	for _, tt := range tests {
		if _, _, err := RetentionEnd(tt.purpose, tt.category, d); apperr.Code(err) != tt.code {
			t.Errorf("RetentionEnd(%s, %s): %v, want code %s", tt.purpose, tt.category, err, tt.code)
		}
	}
}

func TestPeriodText(t *testing.T) {
	for _, p := range []Period{{0, Days}, {90, Days}, {3, Months}, {10, Years}} {
		b, err := p.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Period
		if err := back.UnmarshalText(b); err != nil || back != p {
			t.Errorf("%q reads back as %+v (%v)", b, back, err)
		}
	}
	for _, bad := range []string{"", "3", "three months", "-1 days", "3 weeks"} {
		var p Period
		if err := p.UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("%q reads as %+v", bad, p)
		}
	}
}
