package calendar

import (
	"testing"
	"time"

	"github.com/tillit/tillit/internal/apperr"
)

func mustFor(t *testing.T, country string) Calendar {
	t.Helper()
	cal, err := For(country)
	if err != nil {
		t.Fatalf("For(%q): %v", country, err)
	}
	return cal
}

// local returns y-m-d h:mm in the calendar's zone.
func local(cal Calendar, y int, m time.Month, d, h, mm int) time.Time {
	return time.Date(y, m, d, h, mm, 0, 0, cal.Location())
}

func TestFor(t *testing.T) {
	for _, code := range []string{"DK", "dk", " se ", "Nl", "de"} {
		if _, err := For(code); err != nil {
			t.Errorf("For(%q): %v", code, err)
		}
	}
	if cal := mustFor(t, "se"); cal.Country() != "SE" || cal.Location().String() != "Europe/Stockholm" {
		t.Errorf("For(se) = %s in %s", cal.Country(), cal.Location())
	}
	for _, code := range []string{"", "NO", "FI", "DNK", "GB", "xx"} {
		_, err := For(code)
		if apperr.Code(err) != apperr.BadValue {
			t.Errorf("For(%q) = %v, want BAD_VALUE", code, err)
		}
	}
}

// TestPSD2DeadlineDenmarkEaster is the acceptance: a complaint filed
// in Denmark on Wednesday 25 March 2026, before Easter.
//
// Counting starts on Thursday 26 March. Business days, by hand:
//
//	26 Mar Thu  1     2 Apr Thu  Maundy Thursday   13 Apr Mon 10
//	27 Mar Fri  2     3 Apr Fri  Good Friday       14 Apr Tue 11
//	30 Mar Mon  3     6 Apr Mon  Easter Monday     15 Apr Wed 12
//	31 Mar Tue  4     7 Apr Tue  6                 16 Apr Thu 13
//	 1 Apr Wed  5     8 Apr Wed  7                 17 Apr Fri 14
//	                  9 Apr Thu  8                 20 Apr Mon 15
//	                 10 Apr Fri  9
//
// so the 15-business-day answer is due by the end of Monday 20 April 2026
// (23:59:59.999999 CEST = 21:59:59.999999 UTC). Going on for 35 with a
// holding reply: 21-24 Apr are 16-19, 27-30 Apr 20-23, Friday 1 May 24 (a
// business day in Denmark, and Great Prayer Day, which would have been that
// day, is abolished from 2024), 4-8 May 25-29, 11-13 May 30-32, Thursday 14
// May is Ascension Day and Friday 15 May a bank-closing day, 18 May 33, 19
// May 34, Wednesday 20 May 35: due by the end of 20 May 2026.
func TestPSD2DeadlineDenmarkEaster(t *testing.T) {
	dk := mustFor(t, "DK")
	filed := local(dk, 2026, time.March, 25, 10, 15)

	if got, want := dk.AddBusinessDays(filed, 15), local(dk, 2026, time.April, 20, 0, 0); !got.Equal(want) {
		t.Errorf("15 business days = %s, want %s", got, want)
	}
	if got, want := dk.Deadline(filed, 15), time.Date(2026, time.April, 20, 21, 59, 59, 999999000, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("15-day deadline = %s, want %s", got, want)
	}
	if got, want := dk.Deadline(filed, 35), time.Date(2026, time.May, 20, 21, 59, 59, 999999000, time.UTC); !got.Equal(want) {
		t.Errorf("35-day deadline = %s, want %s", got, want)
	}
	if n := dk.BusinessDaysBetween(filed, dk.Deadline(filed, 15)); n != 15 {
		t.Errorf("business days from filing to the 15-day deadline = %d", n)
	}
	if n := dk.BusinessDaysBetween(filed, dk.Deadline(filed, 35)); n != 35 {
		t.Errorf("business days from filing to the 35-day deadline = %d", n)
	}
	// The internal target of 14 calendar days: Wednesday 8 April, holidays
	// counting like any day.
	if got, want := dk.CalendarDeadline(filed, 14), time.Date(2026, time.April, 8, 21, 59, 59, 999999000, time.UTC); !got.Equal(want) {
		t.Errorf("14-calendar-day target = %s, want %s", got, want)
	}
}

func TestAddBusinessDays(t *testing.T) {
	type day struct {
		y int
		m time.Month
		d int
	}
	tests := []struct {
		name    string
		country string
		filed   time.Time // an instant; its date is read in the country
		n       int
		want    day
	}{
		// Sweden over Christmas and New Year: filed Monday 21 December 2026.
		// 22, 23 Dec are 1, 2; Christmas Eve (Thu) and Christmas Day (Fri)
		// close; 28-30 Dec are 3-5; New Year's Eve (Thu) and New Year's Day
		// (Fri) close; 4, 5 Jan are 6, 7; Epiphany (Wed 6 Jan) closes; 7, 8
		// Jan are 8, 9; 11-15 Jan 10-14; Monday 18 January 15.
		{"SE christmas 2", "SE", time.Date(2026, 12, 21, 9, 0, 0, 0, time.UTC), 2, day{2026, 12, 23}},
		{"SE christmas 3", "SE", time.Date(2026, 12, 21, 9, 0, 0, 0, time.UTC), 3, day{2026, 12, 28}},
		{"SE new year 6", "SE", time.Date(2026, 12, 21, 9, 0, 0, 0, time.UTC), 6, day{2027, 1, 4}},
		{"SE epiphany 8", "SE", time.Date(2026, 12, 21, 9, 0, 0, 0, time.UTC), 8, day{2027, 1, 7}},
		{"SE psd2 15", "SE", time.Date(2026, 12, 21, 9, 0, 0, 0, time.UTC), 15, day{2027, 1, 18}},
		// Netherlands, filed Wednesday 23 December 2026: Christmas Eve is a
		// working day (1); Christmas Day (Fri) closes, Boxing Day is a
		// Saturday; 28-31 Dec are 2-5; New Year's Day (Fri) closes; 4-8 Jan
		// are 6-10 (Epiphany is no holiday); 11-15 Jan 11-15.
		{"NL christmas eve 1", "NL", time.Date(2026, 12, 23, 9, 0, 0, 0, time.UTC), 1, day{2026, 12, 24}},
		{"NL christmas 2", "NL", time.Date(2026, 12, 23, 9, 0, 0, 0, time.UTC), 2, day{2026, 12, 28}},
		{"NL new year 6", "NL", time.Date(2026, 12, 23, 9, 0, 0, 0, time.UTC), 6, day{2027, 1, 4}},
		{"NL psd2 15", "NL", time.Date(2026, 12, 23, 9, 0, 0, 0, time.UTC), 15, day{2027, 1, 15}},
		// Germany counts the same way: 24 and 31 December are working days,
		// 6 January is a holiday only in some Länder.
		{"DE christmas eve 1", "DE", time.Date(2026, 12, 23, 9, 0, 0, 0, time.UTC), 1, day{2026, 12, 24}},
		{"DE new year's eve 5", "DE", time.Date(2026, 12, 23, 9, 0, 0, 0, time.UTC), 5, day{2026, 12, 31}},
		{"DE new year 6", "DE", time.Date(2026, 12, 23, 9, 0, 0, 0, time.UTC), 6, day{2027, 1, 4}},
		{"DE epiphany 8", "DE", time.Date(2026, 12, 23, 9, 0, 0, 0, time.UTC), 8, day{2027, 1, 6}},
		{"DE psd2 15", "DE", time.Date(2026, 12, 23, 9, 0, 0, 0, time.UTC), 15, day{2027, 1, 15}},
		// Denmark closes on both eves: from 23 December, 28-30 Dec are 1-3.
		{"DK christmas 1", "DK", time.Date(2026, 12, 23, 9, 0, 0, 0, time.UTC), 1, day{2026, 12, 28}},
		{"DK new year 4", "DK", time.Date(2026, 12, 23, 9, 0, 0, 0, time.UTC), 4, day{2027, 1, 4}},
		// Weekends: filed on Friday 6 November 2026 in the afternoon, on the
		// Saturday, or on the Sunday, the first business day is Monday 9th.
		{"DE friday 1", "DE", time.Date(2026, 11, 6, 16, 0, 0, 0, time.UTC), 1, day{2026, 11, 9}},
		{"DE friday 5", "DE", time.Date(2026, 11, 6, 16, 0, 0, 0, time.UTC), 5, day{2026, 11, 13}},
		{"DE friday 6", "DE", time.Date(2026, 11, 6, 16, 0, 0, 0, time.UTC), 6, day{2026, 11, 16}},
		{"NL saturday 1", "NL", time.Date(2026, 11, 7, 12, 0, 0, 0, time.UTC), 1, day{2026, 11, 9}},
		{"SE sunday 1", "SE", time.Date(2026, 11, 8, 12, 0, 0, 0, time.UTC), 1, day{2026, 11, 9}},
		// n == 0: the day itself when it is a business day, else the next.
		{"zero on a business day", "DK", time.Date(2026, 3, 25, 9, 0, 0, 0, time.UTC), 0, day{2026, 3, 25}},
		{"zero on Good Friday", "DK", time.Date(2026, 4, 3, 9, 0, 0, 0, time.UTC), 0, day{2026, 4, 7}},
		// Negative n counts back from the day before.
		{"back over Easter", "DK", time.Date(2026, 4, 7, 9, 0, 0, 0, time.UTC), -1, day{2026, 4, 1}},
		{"back over a weekend", "SE", time.Date(2026, 11, 9, 9, 0, 0, 0, time.UTC), -2, day{2026, 11, 5}},
		// The local date decides: 23:30 UTC on Tuesday 24 March 2026 is
		// 00:30 on Wednesday in Copenhagen, so it counts as filed on the
		// 25th (due 20 April, as in the Easter case); a second before
		// midnight on Tuesday, local, it counts from the 24th and the 15th
		// business day is Friday 17 April.
		{"after local midnight", "DK", time.Date(2026, 3, 24, 23, 30, 0, 0, time.UTC), 15, day{2026, 4, 20}},
		{"before local midnight", "DK", time.Date(2026, 3, 24, 22, 59, 59, 0, time.UTC), 15, day{2026, 4, 17}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cal := mustFor(t, tt.country)
			want := time.Date(tt.want.y, tt.want.m, tt.want.d, 0, 0, 0, 0, cal.Location())
			got := cal.AddBusinessDays(tt.filed, tt.n)
			if !got.Equal(want) || got.Location() != cal.Location() {
				t.Fatalf("AddBusinessDays(%s, %d) = %s, want %s", tt.filed, tt.n, got, want)
			}
			if !cal.IsBusinessDay(got) {
				t.Errorf("%s is not a business day", got)
			}
			end := time.Date(tt.want.y, tt.want.m, tt.want.d, 23, 59, 59, 999999000, cal.Location()).UTC()
			if d := cal.Deadline(tt.filed, tt.n); !d.Equal(end) || d.Location() != time.UTC {
				t.Errorf("Deadline = %s, want %s", d, end)
			}
		})
	}
}

func TestIsBusinessDay(t *testing.T) {
	tests := []struct {
		country string
		y       int
		m       time.Month
		d       int
		want    bool
	}{
		{"DK", 2026, time.April, 2, false}, // Maundy Thursday
		{"DK", 2026, time.May, 1, true},    // 1 May is a working day in Denmark
		{"DK", 2026, time.May, 15, false},  // bank-closing day after Ascension
		{"DK", 2026, time.June, 5, false},  // Constitution Day
		{"DK", 2023, time.May, 5, false},   // Great Prayer Day 2023
		{"DK", 2024, time.April, 26, true}, // would have been Great Prayer Day
		{"SE", 2026, time.June, 19, false}, // Midsummer Eve
		{"SE", 2026, time.May, 1, false},
		{"SE", 2026, time.April, 2, true}, // Maundy Thursday is a working day in Sweden
		{"NL", 2026, time.April, 27, false},
		{"NL", 2026, time.May, 5, false},
		{"NL", 2026, time.December, 24, true},
		{"DE", 2026, time.January, 6, true},  // Epiphany is regional
		{"DE", 2026, time.June, 4, true},     // Corpus Christi is regional
		{"DE", 2026, time.October, 3, false}, // a Saturday anyway
		{"DE", 2025, time.October, 3, false},
		{"DE", 2026, time.December, 28, true},
		{"DE", 2026, time.December, 27, false}, // Sunday
	}
	for _, tt := range tests {
		cal := mustFor(t, tt.country)
		// Noon local and the same instant in UTC agree.
		at := time.Date(tt.y, tt.m, tt.d, 12, 0, 0, 0, cal.Location())
		if got := cal.IsBusinessDay(at); got != tt.want {
			t.Errorf("%s IsBusinessDay(%s) = %v, want %v", tt.country, at.Format(time.DateOnly), got, tt.want)
		}
		if got := cal.IsBusinessDay(at.UTC()); got != tt.want {
			t.Errorf("%s IsBusinessDay(%s UTC) = %v, want %v", tt.country, at.UTC(), got, tt.want)
		}
	}
}

func TestBusinessDaysBetween(t *testing.T) {
	nl := mustFor(t, "NL")
	a := local(nl, 2026, time.December, 23, 15, 0)
	tests := []struct {
		b    time.Time
		want int
	}{
		{a, 0},
		{local(nl, 2026, time.December, 23, 23, 0), 0}, // same day
		{local(nl, 2026, time.December, 24, 0, 0), 1},
		{local(nl, 2026, time.December, 27, 0, 0), 1}, // Christmas and the weekend
		{local(nl, 2027, time.January, 4, 8, 0), 6},
		// Backwards it counts the business days after b's date up to and
		// including a's: 22 and 23 December.
		{local(nl, 2026, time.December, 21, 0, 0), -2},
	}
	for _, tt := range tests {
		if got := nl.BusinessDaysBetween(a, tt.b); got != tt.want {
			t.Errorf("BusinessDaysBetween(%s, %s) = %d, want %d", a, tt.b, got, tt.want)
		}
		if got := nl.BusinessDaysBetween(tt.b, a); got != -tt.want {
			t.Errorf("BusinessDaysBetween(%s, %s) = %d, want %d", tt.b, a, got, -tt.want)
		}
	}
}

// TestCountingProperties checks, for every day of 2026 and every
// country, that AddBusinessDays lands on a business day, that
// BusinessDaysBetween inverts it, and that n and n+1 are consecutive
// business days.
func TestCountingProperties(t *testing.T) {
	for _, country := range Countries() {
		cal := mustFor(t, country)
		for from := local(cal, 2026, time.January, 1, 13, 0); from.Year() < 2027; from = from.AddDate(0, 0, 1) {
			start := local(cal, from.Year(), from.Month(), from.Day(), 0, 0)
			if zero := cal.AddBusinessDays(from, 0); !cal.IsBusinessDay(zero) || zero.Before(start) ||
				(cal.IsBusinessDay(from) && !zero.Equal(start)) {
				t.Fatalf("%s AddBusinessDays(%s, 0) = %s", country, from, zero)
			}
			var prev time.Time
			for n := 1; n <= 40; n++ {
				got := cal.AddBusinessDays(from, n)
				if !cal.IsBusinessDay(got) || !got.After(from) {
					t.Fatalf("%s AddBusinessDays(%s, %d) = %s", country, from, n, got)
				}
				if n > 1 {
					if between := cal.BusinessDaysBetween(prev, got); between != 1 {
						t.Fatalf("%s: %d business days between n=%d and n+1 from %s", country, between, n-1, from)
					}
				}
				if b := cal.BusinessDaysBetween(from, got); b != n {
					t.Fatalf("%s BusinessDaysBetween(%s, %s) = %d, want %d", country, from, got, b, n)
				}
				prev = got
			}
		}
	}
}
