package screening

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// CircaYears is how many years either side of a year given "circa" (OFAC)
// or "approximately" (UN) a date of birth still agrees with it.
const CircaYears = 2

// BirthDate is a date of birth as a list gives it: a full date, a month
// and year, a year, a range of years, or a year "circa".
type BirthDate struct {
	// Text is the date as published ("12 Jan 1960", "circa 1975",
	// "1962 to 1964", "1978-04-28").
	Text string `json:"text"`
	// Year is the year, or the first year of a range.
	Year int `json:"year"`
	// ToYear is the last year of a range; equal to Year otherwise.
	ToYear int `json:"to_year"`
	// Month (1-12) and Day are 0 when the list does not give them.
	Month int  `json:"month,omitempty"`
	Day   int  `json:"day,omitempty"`
	Circa bool `json:"circa,omitempty"`
}

// DOBResult is how a screened birth date compares with an entry's.
type DOBResult string

// The birth-date outcomes, from strongest agreement to conflict.
const (
	// DOBNone: the query or the entry has no birth date; the score is
	// left alone.
	DOBNone DOBResult = "none"
	// DOBExact: day, month and year agree.
	DOBExact DOBResult = "exact"
	// DOBMonth: month and year agree; the list gives no day.
	DOBMonth DOBResult = "month"
	// DOBYear: the year agrees with a year, a range or a circa year, or
	// the day and month agree only when swapped.
	DOBYear DOBResult = "year"
	// DOBConflict: no date of birth of the entry agrees.
	DOBConflict DOBResult = "conflict"
)

// strength orders the outcomes so the best of several dates wins.
func (r DOBResult) strength() int {
	switch r {
	case DOBExact:
		return 3
	case DOBMonth:
		return 2
	case DOBYear:
		return 1
	}
	return 0
}

// compare says how the date (y, m, d) agrees with b.
func (b BirthDate) compare(y, m, d int) DOBResult {
	lo, hi := b.Year, b.ToYear
	if b.Circa {
		lo, hi = lo-CircaYears, hi+CircaYears
	}
	switch {
	case y < lo || y > hi:
		return DOBConflict
	case b.Circa || b.ToYear != b.Year || b.Month == 0:
		return DOBYear
	case b.Month == m && b.Day == 0:
		return DOBMonth
	case b.Month == m && b.Day == d:
		return DOBExact
	case b.Day == m && b.Month == d:
		return DOBYear
	}
	return DOBConflict
}

// compareDOB returns the best agreement of date with any of dates, and the
// date that gave it (the first one when all conflict).
func compareDOB(dates []BirthDate, date time.Time) (DOBResult, *BirthDate) {
	if date.IsZero() || len(dates) == 0 {
		return DOBNone, nil
	}
	best, at := DOBConflict, &dates[0]
	for i := range dates {
		if r := dates[i].compare(date.Year(), int(date.Month()), date.Day()); r.strength() > best.strength() {
			best, at = r, &dates[i]
		}
	}
	return best, at
}

// months are the month abbreviations OFAC writes.
var months = map[string]int{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12}

// ParseOFACDate parses one of OFAC's dates of birth (the text after "DOB "
// in an entry's remarks): "12 Jan 1960", "Jan 1960", "1960", "circa 1960",
// "1960 to 1962", "01 Jan 1960 to 31 Dec 1962", "circa 1960-1962". A range
// keeps only its years.
func ParseOFACDate(text string) (BirthDate, error) {
	text = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(text), "."))
	b := BirthDate{Text: text}
	rest := text
	if r, ok := strings.CutPrefix(strings.ToLower(rest), "circa "); ok {
		b.Circa, rest = true, r
	}
	from, to, isRange := strings.Cut(rest, " to ")
	if !isRange {
		from, to, isRange = strings.Cut(rest, "-")
	}
	y, m, d, err := parseOFACDay(from)
	if err != nil {
		return BirthDate{}, fmt.Errorf("screening: date of birth %q: %w", text, err)
	}
	b.Year, b.ToYear, b.Month, b.Day = y, y, m, d
	if isRange {
		ty, _, _, err := parseOFACDay(to)
		if err != nil || ty < y {
			return BirthDate{}, fmt.Errorf("screening: date of birth %q: bad range", text)
		}
		b.ToYear, b.Month, b.Day = ty, 0, 0
	}
	return b, nil
}

// parseOFACDay parses "12 Jan 1960", "Jan 1960" or "1960".
func parseOFACDay(s string) (year, month, day int, err error) {
	f := strings.Fields(s)
	if len(f) == 0 || len(f) > 3 {
		return 0, 0, 0, fmt.Errorf("not a date")
	}
	if year, err = parseYear(f[len(f)-1]); err != nil {
		return 0, 0, 0, err
	}
	if len(f) >= 2 {
		var ok bool
		if month, ok = months[strings.ToLower(f[len(f)-2])]; !ok {
			return 0, 0, 0, fmt.Errorf("bad month %q", f[len(f)-2])
		}
	}
	if len(f) == 3 {
		if day, err = strconv.Atoi(f[0]); err != nil || day < 1 || day > 31 {
			return 0, 0, 0, fmt.Errorf("bad day %q", f[0])
		}
	}
	return year, month, day, nil
}

// parseYear parses a four-digit year.
func parseYear(s string) (int, error) {
	y, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || y < 1000 || y > 9999 {
		return 0, fmt.Errorf("bad year %q", s)
	}
	return y, nil
}

// unDate builds a birth date from the UN's fields: TYPE_OF_DATE (EXACT,
// APPROXIMATELY or BETWEEN), DATE (YYYY-MM-DD), YEAR, FROM_YEAR and
// TO_YEAR. ok is false when the fields hold no date.
func unDate(kind, date, year, fromYear, toYear string) (BirthDate, bool) {
	circa := strings.EqualFold(kind, "APPROXIMATELY")
	switch {
	case date != "":
		t, err := time.Parse(time.DateOnly, date[:min(len(date), len(time.DateOnly))])
		if err != nil {
			return BirthDate{}, false
		}
		return BirthDate{Text: date, Year: t.Year(), ToYear: t.Year(), Month: int(t.Month()), Day: t.Day(), Circa: circa}, true
	case year != "":
		y, err := parseYear(year)
		if err != nil {
			return BirthDate{}, false
		}
		text := year
		if circa {
			text = "circa " + year
		}
		return BirthDate{Text: text, Year: y, ToYear: y, Circa: circa}, true
	case fromYear != "" && toYear != "":
		from, err1 := parseYear(fromYear)
		to, err2 := parseYear(toYear)
		if err1 != nil || err2 != nil || to < from {
			return BirthDate{}, false
		}
		return BirthDate{Text: fromYear + " to " + toYear, Year: from, ToYear: to, Circa: circa}, true
	}
	return BirthDate{}, false
}
