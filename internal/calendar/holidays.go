package calendar

import (
	"sort"
	"time"
)

// The holiday rules of each country. They follow each country's law from
// 1995 on, including the changes since (noted where they apply); earlier
// years get the 1995 rules. Each rule names its source.

// holiday is a holiday on a civil date (UTC midnight).
type holiday struct {
	date time.Time
	id   string
	kind Kind
}

// date returns the civil date y-m-d as a UTC midnight.
func date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// easter returns Easter Sunday of year in the Gregorian calendar, by the
// anonymous Gregorian computus (Meeus, Astronomical Algorithms, ch. 8,
// after the 1876 Nature algorithm), valid for every year from 1583.
func easter(year int) time.Time {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return date(year, time.Month(month), day)
}

// rules collects a year's holidays.
type rules struct {
	year   int
	easter time.Time
	out    []holiday
}

func newRules(year int) *rules { return &rules{year: year, easter: easter(year)} }

// fixed adds a holiday on the same date every year.
func (r *rules) fixed(m time.Month, d int, id string, kind Kind) {
	r.out = append(r.out, holiday{date: date(r.year, m, d), id: id, kind: kind})
}

// fromEaster adds a holiday offset days from Easter Sunday.
func (r *rules) fromEaster(offset int, id string) {
	r.out = append(r.out, holiday{date: r.easter.AddDate(0, 0, offset), id: id, kind: Public})
}

// on adds a holiday on a computed date.
func (r *rules) on(d time.Time, id string, kind Kind) {
	r.out = append(r.out, holiday{date: d, id: id, kind: kind})
}

// sorted returns the holidays in date order.
func (r *rules) sorted() []holiday {
	sort.SliceStable(r.out, func(i, j int) bool { return r.out[i].date.Before(r.out[j].date) })
	return r.out
}

// firstWeekdayFrom returns the first date on or after y-m-d that falls on wd.
func firstWeekdayFrom(y int, m time.Month, d int, wd time.Weekday) time.Time {
	t := date(y, m, d)
	return t.AddDate(0, 0, (int(wd)-int(t.Weekday())+7)%7)
}

// denmark returns Denmark's public holidays (helligdage) and the days the
// Danish banks close.
//
// Public holidays: the Church's holy days of the Danish law on public
// holidays (lov om helligdage), as listed by borger.dk ("Helligdage"): New
// Year's Day, Maundy Thursday, Good Friday, Easter Sunday and Monday,
// Ascension Day, Whit Sunday and Monday, Christmas Day and Boxing Day. Great
// Prayer Day (store bededag, the fourth Friday after Easter) was abolished
// as a public holiday from 2024 by the act the Folketing adopted on 28
// February 2023 (lov om afskaffelse af store bededag som helligdag), so it
// is a holiday only up to 2023.
//
// Bank-closing days: Danmarks Nationalbank, "Banklukkedage"
// (nationalbanken.dk), lists the days the Nationalbank and banks in general
// close besides weekends and public holidays: the Friday after Ascension
// Day, Constitution Day (5 June), Christmas Eve and New Year's Eve (for 2026:
// 15 May, 5 June, 24 and 31 December). A payment-service provider's business
// day under PSD2 (Article 4(37)) is a day it is open for payments, so these
// days are not business days. They are applied to every year as the
// Nationalbank lists them today.
func denmark(year int) []holiday {
	r := newRules(year)
	r.fixed(time.January, 1, "new_year", Public)
	r.fromEaster(-3, "maundy_thursday")
	r.fromEaster(-2, "good_friday")
	r.fromEaster(0, "easter_sunday")
	r.fromEaster(1, "easter_monday")
	if year < 2024 {
		r.fromEaster(26, "great_prayer_day")
	}
	r.fromEaster(39, "ascension_day")
	r.on(r.easter.AddDate(0, 0, 40), "day_after_ascension", BankClosing)
	r.fromEaster(49, "whit_sunday")
	r.fromEaster(50, "whit_monday")
	r.fixed(time.June, 5, "constitution_day", BankClosing)
	r.fixed(time.December, 24, "christmas_eve", BankClosing)
	r.fixed(time.December, 25, "christmas_day", Public)
	r.fixed(time.December, 26, "boxing_day", Public)
	r.fixed(time.December, 31, "new_years_eve", BankClosing)
	return r.sorted()
}

// sweden returns Sweden's public holidays (allmänna helgdagar) and the eves
// treated like them.
//
// Public holidays: Lag (1989:253) om allmänna helgdagar, 1 §: New Year's
// Day, Epiphany (6 January), Good Friday, Easter Sunday and Monday, 1 May,
// Ascension Day, Whit Sunday, the National Day (6 June, a public holiday
// since 2005, when it replaced Whit Monday), Midsummer Day (the Saturday
// from 20 to 26 June), All Saints' Day (the Saturday from 31 October to 6
// November), Christmas Day and Boxing Day.
//
// The eves: Lag (1930:173) om beräkning av lagstadgad tid, 2 §, treats
// Midsummer Eve (the Friday before Midsummer Day), Christmas Eve and New
// Year's Eve like public holidays when a statutory period ends, and
// Sveriges Riksbank's payment system RIX and the banks are closed on them;
// they are bank-closing days here.
func sweden(year int) []holiday {
	r := newRules(year)
	r.fixed(time.January, 1, "new_year", Public)
	r.fixed(time.January, 6, "epiphany", Public)
	r.fromEaster(-2, "good_friday")
	r.fromEaster(0, "easter_sunday")
	r.fromEaster(1, "easter_monday")
	r.fixed(time.May, 1, "labour_day", Public)
	r.fromEaster(39, "ascension_day")
	r.fromEaster(49, "whit_sunday")
	if year < 2005 {
		r.fromEaster(50, "whit_monday")
	} else {
		r.fixed(time.June, 6, "national_day", Public)
	}
	midsummer := firstWeekdayFrom(year, time.June, 20, time.Saturday)
	r.on(midsummer.AddDate(0, 0, -1), "midsummer_eve", BankClosing)
	r.on(midsummer, "midsummer_day", Public)
	r.on(firstWeekdayFrom(year, time.October, 31, time.Saturday), "all_saints_day", Public)
	r.fixed(time.December, 24, "christmas_eve", BankClosing)
	r.fixed(time.December, 25, "christmas_day", Public)
	r.fixed(time.December, 26, "boxing_day", Public)
	r.fixed(time.December, 31, "new_years_eve", BankClosing)
	return r.sorted()
}

// netherlands returns the Dutch public holidays: the generally recognised
// holidays (algemeen erkende feestdagen) of the Algemene termijnenwet,
// article 3(1): New Year's Day, Easter Monday, Whit Monday, Christmas Day
// and Boxing Day, Ascension Day, the day the King's birthday is celebrated
// and 5 May (Liberation Day, every year); article 3(2) adds Good Friday.
// Easter Sunday and Whit Sunday, also on the government's list of official
// holidays (rijksoverheid.nl, "Officiële feestdagen"), are Sundays anyway.
//
// King's Day is 27 April, or Saturday 26 April when the 27th is a Sunday
// (Royal Decree of 2013 on King's Day, rijksoverheid.nl "Koningsdag"); up to
// 2013 Queen's Day was 30 April, or Saturday 29 April when the 30th was a
// Sunday.
//
// Not included: the extra days the Minister declares equal to a holiday for
// a few years at a time under article 3(3) (bridge days such as the Friday
// after Ascension Day). They extend statutory periods but are ordinary
// working days for a business; leaving them out can only make a deadline
// earlier, never later.
func netherlands(year int) []holiday {
	r := newRules(year)
	r.fixed(time.January, 1, "new_year", Public)
	r.fromEaster(-2, "good_friday")
	r.fromEaster(0, "easter_sunday")
	r.fromEaster(1, "easter_monday")
	if year >= 2014 {
		kings := date(year, time.April, 27)
		if kings.Weekday() == time.Sunday {
			kings = kings.AddDate(0, 0, -1)
		}
		r.on(kings, "kings_day", Public)
	} else {
		queens := date(year, time.April, 30)
		if queens.Weekday() == time.Sunday {
			queens = queens.AddDate(0, 0, -1)
		}
		r.on(queens, "queens_day", Public)
	}
	r.fixed(time.May, 5, "liberation_day", Public)
	r.fromEaster(39, "ascension_day")
	r.fromEaster(49, "whit_sunday")
	r.fromEaster(50, "whit_monday")
	r.fixed(time.December, 25, "christmas_day", Public)
	r.fixed(time.December, 26, "boxing_day", Public)
	return r.sorted()
}

// germany returns the public holidays that hold in all of Germany: the Day
// of German Unity (3 October, federal law: Einigungsvertrag, Article 2(2))
// and the days every one of the 16 Länder's holiday acts (Feiertagsgesetze)
// names: New Year's Day, Good Friday, Easter Monday, 1 May, Ascension Day,
// Whit Monday, Christmas Day and Boxing Day. In 2017 every Land made
// Reformation Day (31 October) a one-off holiday for the 500th anniversary.
//
// Regional holidays are not included: Epiphany, Corpus Christi, Assumption
// Day, Reformation Day, All Saints' Day, the Day of Repentance and Prayer,
// International Women's Day, World Children's Day, and Easter Sunday and
// Whit Sunday, which only some Länder (Brandenburg) name. Christmas Eve and New
// Year's Eve are working days by law, so they are business days here.
func germany(year int) []holiday {
	r := newRules(year)
	r.fixed(time.January, 1, "new_year", Public)
	r.fromEaster(-2, "good_friday")
	r.fromEaster(1, "easter_monday")
	r.fixed(time.May, 1, "labour_day", Public)
	r.fromEaster(39, "ascension_day")
	r.fromEaster(50, "whit_monday")
	r.fixed(time.October, 3, "german_unity_day", Public)
	if year == 2017 {
		r.fixed(time.October, 31, "reformation_day", Public)
	}
	r.fixed(time.December, 25, "christmas_day", Public)
	r.fixed(time.December, 26, "boxing_day", Public)
	return r.sorted()
}
