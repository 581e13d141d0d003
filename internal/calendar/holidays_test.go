package calendar

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/i18n"
)

// TestEaster checks the computus against the published dates of Easter
// Sunday.
func TestEaster(t *testing.T) {
	tests := []struct {
		year  int
		month time.Month
		day   int
	}{
		{1990, time.April, 15},
		{2000, time.April, 23},
		{2024, time.March, 31},
		{2025, time.April, 20},
		{2026, time.April, 5},
		{2027, time.March, 28},
		{2028, time.April, 16},
		{2029, time.April, 1},
		{2030, time.April, 21},
		{2038, time.April, 25},
		// The extremes of the Gregorian range: 22 March and 25 April.
		{1818, time.March, 22},
		{2285, time.March, 22},
		{1943, time.April, 25},
	}
	for _, tt := range tests {
		got := easter(tt.year)
		if want := date(tt.year, tt.month, tt.day); !got.Equal(want) {
			t.Errorf("easter(%d) = %s, want %s", tt.year, got.Format(time.DateOnly), want.Format(time.DateOnly))
		}
		if got.Weekday() != time.Sunday {
			t.Errorf("easter(%d) = %s is a %s", tt.year, got.Format(time.DateOnly), got.Weekday())
		}
	}
}

// list renders holidays as "2026-04-03 good_friday" lines for comparison.
func list(hs []Holiday) string {
	var b strings.Builder
	for _, h := range hs {
		fmt.Fprintf(&b, "%s %s %s\n", h.Date.Format(time.DateOnly), h.ID, h.Kind)
	}
	return b.String()
}

// TestHolidays2026 checks every country's 2026 holidays against the
// official lists: Danmarks Nationalbank "Banklukkedage 2026" plus the
// Sundays of borger.dk's list; the Swedish Lag (1989:253) with the three
// eves; the Dutch Algemene termijnenwet art. 3; the German nationwide days.
func TestHolidays2026(t *testing.T) {
	tests := map[string]string{
		"DK": `2026-01-01 new_year public
2026-04-02 maundy_thursday public
2026-04-03 good_friday public
2026-04-05 easter_sunday public
2026-04-06 easter_monday public
2026-05-14 ascension_day public
2026-05-15 day_after_ascension bank_closing
2026-05-24 whit_sunday public
2026-05-25 whit_monday public
2026-06-05 constitution_day bank_closing
2026-12-24 christmas_eve bank_closing
2026-12-25 christmas_day public
2026-12-26 boxing_day public
2026-12-31 new_years_eve bank_closing
`,
		"SE": `2026-01-01 new_year public
2026-01-06 epiphany public
2026-04-03 good_friday public
2026-04-05 easter_sunday public
2026-04-06 easter_monday public
2026-05-01 labour_day public
2026-05-14 ascension_day public
2026-05-24 whit_sunday public
2026-06-06 national_day public
2026-06-19 midsummer_eve bank_closing
2026-06-20 midsummer_day public
2026-10-31 all_saints_day public
2026-12-24 christmas_eve bank_closing
2026-12-25 christmas_day public
2026-12-26 boxing_day public
2026-12-31 new_years_eve bank_closing
`,
		"NL": `2026-01-01 new_year public
2026-04-03 good_friday public
2026-04-05 easter_sunday public
2026-04-06 easter_monday public
2026-04-27 kings_day public
2026-05-05 liberation_day public
2026-05-14 ascension_day public
2026-05-24 whit_sunday public
2026-05-25 whit_monday public
2026-12-25 christmas_day public
2026-12-26 boxing_day public
`,
		"DE": `2026-01-01 new_year public
2026-04-03 good_friday public
2026-04-06 easter_monday public
2026-05-01 labour_day public
2026-05-14 ascension_day public
2026-05-25 whit_monday public
2026-10-03 german_unity_day public
2026-12-25 christmas_day public
2026-12-26 boxing_day public
`,
	}
	for country, want := range tests {
		cal := mustFor(t, country)
		if got := list(cal.Holidays(2026)); got != want {
			t.Errorf("%s 2026:\n%s\nwant:\n%s", country, got, want)
		}
	}
}

// TestHolidayRules checks the moving and changed rules in other years.
func TestHolidayRules(t *testing.T) {
	tests := []struct {
		country string
		year    int
		id      string
		want    string // "" when the holiday does not exist that year
	}{
		// Great Prayer Day: the fourth Friday after Easter, abolished from 2024.
		{"DK", 2023, "great_prayer_day", "2023-05-05"},
		{"DK", 2024, "great_prayer_day", ""},
		{"DK", 2027, "day_after_ascension", "2027-05-07"}, // Nationalbanken's 2027 list
		// Midsummer Day: the Saturday from 20 to 26 June; the eve is the Friday before.
		{"SE", 2025, "midsummer_day", "2025-06-21"},
		{"SE", 2025, "midsummer_eve", "2025-06-20"},
		{"SE", 2027, "midsummer_eve", "2027-06-25"},
		{"SE", 2027, "midsummer_day", "2027-06-26"},
		// All Saints' Day: the Saturday from 31 October to 6 November.
		{"SE", 2025, "all_saints_day", "2025-11-01"},
		{"SE", 2027, "all_saints_day", "2027-11-06"},
		// National Day replaced Whit Monday in 2005.
		{"SE", 2004, "whit_monday", "2004-05-31"},
		{"SE", 2004, "national_day", ""},
		{"SE", 2005, "whit_monday", ""},
		{"SE", 2005, "national_day", "2005-06-06"},
		// King's Day moves to Saturday 26 April when the 27th is a Sunday.
		{"NL", 2025, "kings_day", "2025-04-26"},
		{"NL", 2031, "kings_day", "2031-04-26"},
		{"NL", 2027, "kings_day", "2027-04-27"},
		{"NL", 2014, "queens_day", ""},
		{"NL", 2006, "queens_day", "2006-04-29"},
		{"NL", 2013, "queens_day", "2013-04-30"},
		{"NL", 2013, "kings_day", ""},
		// Reformation Day was nationwide in Germany only in 2017.
		{"DE", 2017, "reformation_day", "2017-10-31"},
		{"DE", 2018, "reformation_day", ""},
	}
	for _, tt := range tests {
		cal := mustFor(t, tt.country)
		got := ""
		for _, h := range cal.Holidays(tt.year) {
			if h.ID == tt.id {
				got = h.Date.Format(time.DateOnly)
			}
		}
		if got != tt.want {
			t.Errorf("%s %d %s = %q, want %q", tt.country, tt.year, tt.id, got, tt.want)
		}
	}
}

// TestHolidaysShape checks, over many years, that every holiday is dated in
// its year at local midnight, in order, unique per date, and named by a key
// every catalog translates.
func TestHolidaysShape(t *testing.T) {
	for _, country := range Countries() {
		cal := mustFor(t, country)
		for year := 1995; year <= 2100; year++ {
			var prev time.Time
			for _, h := range cal.Holidays(year) {
				if h.Date.Year() != year || h.Date.Location() != cal.Location() ||
					h.Date.Hour() != 0 || h.Date.Minute() != 0 {
					t.Fatalf("%s %d: %s dated %s", country, year, h.ID, h.Date)
				}
				// Two holidays may share a day (Ascension Day on 1 May 2008).
				if h.Date.Before(prev) {
					t.Fatalf("%s %d: %s on %s is before the previous holiday", country, year, h.ID, h.Date)
				}
				prev = h.Date
				if h.Name != "calendar.holiday."+h.ID {
					t.Fatalf("%s: name %q for %s", country, h.Name, h.ID)
				}
				for _, lang := range i18n.Supported {
					msg, ok := i18n.Message(lang, h.Name)
					if !ok {
						t.Fatalf("%s: %s has no %s message", country, h.Name, lang)
					}
					if en, _ := i18n.Message(i18n.English, h.Name); lang != i18n.English && msg == en {
						t.Errorf("%s: %s is English in %s", country, h.Name, lang)
					}
				}
				if h.Kind != Public && h.Kind != BankClosing {
					t.Fatalf("%s: kind %q", country, h.Kind)
				}
			}
		}
	}
}
