package screening

import (
	"testing"
	"time"
)

func TestParseOFACDate(t *testing.T) {
	for _, c := range []struct {
		text string
		want BirthDate
	}{
		{"12 Jan 1960", BirthDate{Text: "12 Jan 1960", Year: 1960, ToYear: 1960, Month: 1, Day: 12}},
		{"12 Jan 1960.", BirthDate{Text: "12 Jan 1960", Year: 1960, ToYear: 1960, Month: 1, Day: 12}},
		{"Jan 1960", BirthDate{Text: "Jan 1960", Year: 1960, ToYear: 1960, Month: 1}},
		{"1960", BirthDate{Text: "1960", Year: 1960, ToYear: 1960}},
		{"circa 1960", BirthDate{Text: "circa 1960", Year: 1960, ToYear: 1960, Circa: true}},
		{"circa 12 Jan 1960", BirthDate{Text: "circa 12 Jan 1960", Year: 1960, ToYear: 1960, Month: 1, Day: 12, Circa: true}},
		{"1960 to 1962", BirthDate{Text: "1960 to 1962", Year: 1960, ToYear: 1962}},
		{"01 Jan 1960 to 31 Dec 1962", BirthDate{Text: "01 Jan 1960 to 31 Dec 1962", Year: 1960, ToYear: 1962}},
		{"Mar 1960 to Feb 1961", BirthDate{Text: "Mar 1960 to Feb 1961", Year: 1960, ToYear: 1961}},
		{"circa 1960-1962", BirthDate{Text: "circa 1960-1962", Year: 1960, ToYear: 1962, Circa: true}},
	} {
		got, err := ParseOFACDate(c.text)
		if err != nil || got != c.want {
			t.Errorf("ParseOFACDate(%q) = %+v, %v; want %+v", c.text, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "Jan", "12 Foo 1960", "32 Jan 1960", "1962 to 1960", "0099", "12 Jan 1960 extra", "1960 to"} {
		if got, err := ParseOFACDate(bad); err == nil {
			t.Errorf("ParseOFACDate(%q) = %+v, want an error", bad, got)
		}
	}
}

// FuzzParseOFACDate checks that a parsed date is a consistent range.
func FuzzParseOFACDate(f *testing.F) {
	for _, s := range []string{"12 Jan 1960", "circa 1960-1962", "1960 to 1962", "Jan 1960"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		b, err := ParseOFACDate(text)
		if err != nil {
			return
		}
		if b.Year < 1000 || b.ToYear < b.Year || b.Month < 0 || b.Month > 12 || b.Day < 0 || b.Day > 31 || (b.Day > 0 && b.Month == 0) {
			t.Fatalf("ParseOFACDate(%q) = %+v", text, b)
		}
	})
}

func TestCompareDOB(t *testing.T) {
	exact := BirthDate{Year: 1960, ToYear: 1960, Month: 1, Day: 12}
	month := BirthDate{Year: 1960, ToYear: 1960, Month: 1}
	year := BirthDate{Year: 1960, ToYear: 1960}
	circa := BirthDate{Year: 1960, ToYear: 1960, Circa: true}
	span := BirthDate{Year: 1960, ToYear: 1962}
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, c := range []struct {
		dates []BirthDate
		date  string
		want  DOBResult
	}{
		{[]BirthDate{exact}, "1960-01-12", DOBExact},
		{[]BirthDate{exact}, "1960-12-01", DOBYear}, // day and month swapped
		{[]BirthDate{exact}, "1960-01-13", DOBConflict},
		{[]BirthDate{exact}, "1961-01-12", DOBConflict},
		{[]BirthDate{month}, "1960-01-30", DOBMonth},
		{[]BirthDate{month}, "1960-02-01", DOBConflict},
		{[]BirthDate{year}, "1960-07-07", DOBYear},
		{[]BirthDate{year}, "1959-07-07", DOBConflict},
		{[]BirthDate{circa}, "1958-07-07", DOBYear},
		{[]BirthDate{circa}, "1963-07-07", DOBConflict},
		{[]BirthDate{span}, "1962-07-07", DOBYear},
		{[]BirthDate{span}, "1963-07-07", DOBConflict},
		{[]BirthDate{year, exact}, "1960-01-12", DOBExact},
		{[]BirthDate{exact, {Year: 1970, ToYear: 1970}}, "1970-05-05", DOBYear},
		{nil, "1960-01-12", DOBNone},
	} {
		got, _ := compareDOB(c.dates, day(c.date))
		if got != c.want {
			t.Errorf("%+v against %s = %s, want %s", c.dates, c.date, got, c.want)
		}
	}
	if got, _ := compareDOB([]BirthDate{exact}, time.Time{}); got != DOBNone {
		t.Errorf("no birth date to compare = %s, want none", got)
	}
}
