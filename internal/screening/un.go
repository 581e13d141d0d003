package screening

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// The UN Security Council consolidated list is one XML document:
// CONSOLIDATED_LIST holds INDIVIDUALS/INDIVIDUAL and ENTITIES/ENTITY
// elements. An individual's name is split over FIRST_NAME, SECOND_NAME,
// THIRD_NAME and FOURTH_NAME (an entity's is FIRST_NAME); aliases carry a
// QUALITY ("Good", "Low", "a.k.a.", "f.k.a."); dates of birth are EXACT
// (a DATE or a YEAR), APPROXIMATELY (a YEAR) or BETWEEN (FROM_YEAR and
// TO_YEAR).
type unList struct {
	Individuals []unRecord `xml:"INDIVIDUALS>INDIVIDUAL"`
	Entities    []unRecord `xml:"ENTITIES>ENTITY"`
}

// unRecord is an INDIVIDUAL or an ENTITY.
type unRecord struct {
	DataID          string      `xml:"DATAID"`
	First           string      `xml:"FIRST_NAME"`
	Second          string      `xml:"SECOND_NAME"`
	Third           string      `xml:"THIRD_NAME"`
	Fourth          string      `xml:"FOURTH_NAME"`
	OriginalScript  string      `xml:"NAME_ORIGINAL_SCRIPT"`
	ListType        string      `xml:"UN_LIST_TYPE"`
	Reference       string      `xml:"REFERENCE_NUMBER"`
	Comments        string      `xml:"COMMENTS1"`
	Titles          []string    `xml:"TITLE>VALUE"`
	Nationalities   []string    `xml:"NATIONALITY>VALUE"`
	IndividualAlias []unAlias   `xml:"INDIVIDUAL_ALIAS"`
	EntityAlias     []unAlias   `xml:"ENTITY_ALIAS"`
	IndividualAddr  []unAddress `xml:"INDIVIDUAL_ADDRESS"`
	EntityAddr      []unAddress `xml:"ENTITY_ADDRESS"`
	BirthDates      []unDOB     `xml:"INDIVIDUAL_DATE_OF_BIRTH"`
}

type unAlias struct {
	Quality     string `xml:"QUALITY"`
	Name        string `xml:"ALIAS_NAME"`
	DateOfBirth string `xml:"DATE_OF_BIRTH"`
}

type unAddress struct {
	Street   string `xml:"STREET"`
	City     string `xml:"CITY"`
	Province string `xml:"STATE_PROVINCE"`
	Zip      string `xml:"ZIP_CODE"`
	Country  string `xml:"COUNTRY"`
	Note     string `xml:"NOTE"`
}

type unDOB struct {
	Kind     string `xml:"TYPE_OF_DATE"`
	Date     string `xml:"DATE"`
	Year     string `xml:"YEAR"`
	FromYear string `xml:"FROM_YEAR"`
	ToYear   string `xml:"TO_YEAR"`
}

// readUN reads the UN consolidated list.
func readUN(r io.Reader) ([]*Entry, error) {
	var doc unList
	if err := xml.NewDecoder(r).Decode(&doc); err != nil {
		return nil, err
	}
	out := make([]*Entry, 0, len(doc.Individuals)+len(doc.Entities))
	for _, rec := range doc.Individuals {
		e, err := rec.entry(Individual)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	for _, rec := range doc.Entities {
		e, err := rec.entry(Entity)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// entry converts one record.
func (rec unRecord) entry(t EntryType) (*Entry, error) {
	var parts []string
	for _, p := range []string{rec.First, rec.Second, rec.Third, rec.Fourth} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	id := strings.TrimSpace(rec.DataID)
	if id == "" || len(parts) == 0 {
		return nil, fmt.Errorf("UN record %q without DATAID or name", rec.Reference)
	}
	e := &Entry{List: ListUN, ID: id, Reference: strings.TrimSpace(rec.Reference), Type: t,
		Names: []Name{{Full: strings.Join(parts, " "), Quality: Primary}}, Remarks: strings.TrimSpace(rec.Comments)}
	if lt := strings.TrimSpace(rec.ListType); lt != "" {
		e.Programs = []string{lt}
	}
	var titles []string
	for _, v := range rec.Titles {
		if v = strings.TrimSpace(v); v != "" {
			titles = append(titles, v)
		}
	}
	e.Title = strings.Join(titles, "; ")
	for _, n := range rec.Nationalities {
		if n = strings.TrimSpace(n); n != "" {
			e.Nationalities = appendNew(e.Nationalities, n)
		}
	}
	for _, d := range rec.BirthDates {
		if b, ok := unDate(strings.TrimSpace(d.Kind), strings.TrimSpace(d.Date), strings.TrimSpace(d.Year),
			strings.TrimSpace(d.FromYear), strings.TrimSpace(d.ToYear)); ok {
			e.BirthDates = append(e.BirthDates, b)
		}
	}
	if s := strings.TrimSpace(rec.OriginalScript); s != "" {
		e.addName(Name{Full: s, Quality: Strong, Kind: "original script"})
	}
	for _, a := range append(rec.IndividualAlias, rec.EntityAlias...) {
		name := strings.TrimSpace(a.Name)
		if name == "" {
			continue
		}
		q := Strong
		if strings.EqualFold(strings.TrimSpace(a.Quality), "Low") {
			q = Weak
		}
		e.addName(Name{Full: name, Quality: q, Kind: strings.TrimSpace(a.Quality)})
		if b, ok := unDate("EXACT", strings.TrimSpace(a.DateOfBirth), "", "", ""); ok {
			e.BirthDates = append(e.BirthDates, b)
		}
	}
	for _, a := range append(rec.IndividualAddr, rec.EntityAddr...) {
		var city []string
		for _, p := range []string{a.City, a.Province, a.Zip} {
			if p = strings.TrimSpace(p); p != "" {
				city = append(city, p)
			}
		}
		addr := Address{Street: strings.TrimSpace(a.Street), City: strings.Join(city, ", "),
			Country: strings.TrimSpace(a.Country), Note: strings.TrimSpace(a.Note)}
		if addr != (Address{}) {
			e.Addresses = append(e.Addresses, addr)
		}
	}
	return e, nil
}
