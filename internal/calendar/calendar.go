// Package calendar owns Tillit's business-day calendars per country (DK, SE,
// NL, DE): each country's public holidays and bank-closing days for any year,
// whether a date is a business day, and deadlines counted in business days,
// such as the PSD2 complaint deadlines (requirement B5: an answer within 15
// business days, at most 35 with a holding reply). See docs/calendar.md.
//
// # The counting rule
//
// Every time.Time is an instant; its date is the date on the wall clock of
// the country (Europe/Copenhagen, Europe/Stockholm, Europe/Amsterdam,
// Europe/Berlin), whatever location the value carries. A business day is a
// Monday to Friday that is not one of the country's holidays (Holidays).
// Counting n business days from an instant starts on the day after its local
// date, so the time of day of a filing never matters and the day of filing
// itself never counts, even when it is a business day: the result is the n-th
// business day after that date. A deadline ends at the end of that local day
// (23:59:59.999999, the microsecond precision the databases store).
//
// The zone database is embedded (time/tzdata), so the calendars work on
// machines without one.
package calendar

import (
	"slices"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the countries' zones on machines without a zone database

	"github.com/tillit/tillit/internal/apperr"
)

// Calendar is the business-day calendar of one country. Get one from For;
// the zero value is not usable. A Calendar is immutable and safe for
// concurrent use.
type Calendar struct {
	country  string
	loc      *time.Location
	holidays func(year int) []holiday
}

// country is the definition of one supported country.
type country struct {
	zone     string
	holidays func(year int) []holiday
}

// countries maps an ISO 3166-1 alpha-2 code to its definition.
var countries = map[string]country{
	"DK": {zone: "Europe/Copenhagen", holidays: denmark},
	"SE": {zone: "Europe/Stockholm", holidays: sweden},
	"NL": {zone: "Europe/Amsterdam", holidays: netherlands},
	"DE": {zone: "Europe/Berlin", holidays: germany},
}

// Countries returns the supported ISO 3166-1 alpha-2 country codes, sorted.
func Countries() []string {
	codes := make([]string, 0, len(countries))
	for code := range countries {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	return codes
}

// For returns the calendar of countryCode, an ISO 3166-1 alpha-2 code in any
// case ("DK", "se"). An unsupported country is a BAD_VALUE error.
func For(countryCode string) (Calendar, error) {
	code := strings.ToUpper(strings.TrimSpace(countryCode))
	c, ok := countries[code]
	if !ok {
		return Calendar{}, apperr.BadField("country", "%q has no business-day calendar (supported: %s)",
			countryCode, strings.Join(Countries(), ", "))
	}
	loc, err := time.LoadLocation(c.zone)
	if err != nil {
		// Unreachable with time/tzdata embedded; kept as an error, not a panic.
		return Calendar{}, apperr.New(apperr.Internal, "calendar: zone %s: %v", c.zone, err)
	}
	return Calendar{country: code, loc: loc, holidays: c.holidays}, nil
}

// Country returns the calendar's ISO 3166-1 alpha-2 code, upper case.
func (c Calendar) Country() string { return c.country }

// Location returns the country's time zone, in which dates are read.
func (c Calendar) Location() *time.Location { return c.loc }

// Kind tells why a holiday is not a business day.
type Kind string

// The kinds of holiday.
const (
	// Public is a public holiday by the country's law.
	Public Kind = "public"
	// BankClosing is a day that is not a public holiday but on which the
	// banks of the country close (Danish Constitution Day, Christmas Eve and
	// New Year's Eve; the Swedish eves).
	BankClosing Kind = "bank_closing"
)

// Holiday is one non-business day of a country's year besides weekends.
type Holiday struct {
	// Date is the day at midnight in the country's time zone.
	Date time.Time
	// ID names the holiday ("good_friday"); the same ID means the same
	// holiday in every country.
	ID string
	// Name is the i18n catalog key of its name: "calendar.holiday.<ID>".
	Name string
	// Kind says whether it is a public holiday or only a bank-closing day.
	Kind Kind
}

// Holidays returns the country's holidays of year in date order, including
// those that fall on a weekend (Easter Sunday, a Saturday Christmas Day).
func (c Calendar) Holidays(year int) []Holiday {
	hs := c.yearHolidays(year)
	out := make([]Holiday, len(hs))
	for i, h := range hs {
		out[i] = Holiday{
			Date: time.Date(h.date.Year(), h.date.Month(), h.date.Day(), 0, 0, 0, 0, c.loc),
			ID:   h.id,
			Name: "calendar.holiday." + h.id,
			Kind: h.kind,
		}
	}
	return out
}

// IsBusinessDay reports whether t's local date in the country is a business
// day: Monday to Friday and not a holiday.
func (c Calendar) IsBusinessDay(t time.Time) bool {
	return c.businessDay(c.civil(t))
}

// AddBusinessDays returns the n-th business day after from's local date, at
// midnight in the country's time zone. Counting starts on the day after
// from's date, so the result is always a business day: 1 is the first
// business day after from's date. With n == 0 the result is from's date when
// it is a business day and the next business day otherwise; a negative n
// counts backwards from the day before from's date.
func (c Calendar) AddBusinessDays(from time.Time, n int) time.Time {
	d := c.addBusinessDays(c.civil(from), n)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, c.loc)
}

// Deadline returns the end of the day AddBusinessDays(from, businessDays):
// 23:59:59.999999 local time in the country, as a UTC time. A PSD2 complaint
// filed at from must be answered by Deadline(from, 15).
func (c Calendar) Deadline(from time.Time, businessDays int) time.Time {
	return c.endOfDay(c.addBusinessDays(c.civil(from), businessDays))
}

// CalendarDeadline returns the end of the local day that is days calendar
// days after from's local date (23:59:59.999999 in the country, as a UTC
// time), for targets counted in calendar days such as the 14-day answer
// target. Weekends and holidays count like any other day.
func (c Calendar) CalendarDeadline(from time.Time, days int) time.Time {
	return c.endOfDay(c.civil(from).AddDate(0, 0, days))
}

// BusinessDaysBetween returns the number of business days after a's local
// date up to and including b's local date, or minus the number after b's
// date up to and including a's when b's date is earlier. For n >= 1,
// BusinessDaysBetween(a, AddBusinessDays(a, n)) == n.
func (c Calendar) BusinessDaysBetween(a, b time.Time) int {
	from, to := c.civil(a), c.civil(b)
	sign := 1
	if to.Before(from) {
		from, to, sign = to, from, -1
	}
	n := 0
	for d := from.AddDate(0, 0, 1); !d.After(to); d = d.AddDate(0, 0, 1) {
		if c.businessDay(d) {
			n++
		}
	}
	return sign * n
}

// civil returns t's local date in the country as a UTC midnight, the form
// dates take inside the package: day arithmetic on it never meets a
// daylight-saving change.
func (c Calendar) civil(t time.Time) time.Time {
	y, m, d := t.In(c.loc).Date()
	return date(y, m, d)
}

// endOfDay returns the last microsecond of the civil date d in the country,
// as a UTC time.
func (c Calendar) endOfDay(d time.Time) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 999999000, c.loc).UTC()
}

func (c Calendar) addBusinessDays(d time.Time, n int) time.Time {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	if n == 0 {
		for !c.businessDay(d) {
			d = d.AddDate(0, 0, 1)
		}
		return d
	}
	for n > 0 {
		d = d.AddDate(0, 0, step)
		if c.businessDay(d) {
			n--
		}
	}
	return d
}

// businessDay reports whether the civil date d is a business day.
func (c Calendar) businessDay(d time.Time) bool {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	for _, h := range c.yearHolidays(d.Year()) {
		if h.date.Equal(d) {
			return false
		}
	}
	return true
}

// computed caches each country's holidays per year: counting calls
// businessDay for every day it passes.
var computed sync.Map // yearKey -> []holiday

type yearKey struct {
	country string
	year    int
}

// yearHolidays returns the country's holidays of year, computed once.
func (c Calendar) yearHolidays(year int) []holiday {
	k := yearKey{c.country, year}
	if hs, ok := computed.Load(k); ok {
		return hs.([]holiday)
	}
	hs, _ := computed.LoadOrStore(k, c.holidays(year))
	return hs.([]holiday)
}
