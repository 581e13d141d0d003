package screening

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// OFAC publishes the SDN list as three CSV files without a header row, in
// which "-0-" stands for an empty field:
//
//	sdn.csv  ent_num, name, type, program, title, call sign, vessel type,
//	         tonnage, gross registered tonnage, vessel flag, vessel owner,
//	         remarks
//	alt.csv  ent_num, alt_num, alt type (aka, fka, nka), alt name, remarks
//	add.csv  ent_num, add_num, address, city/state/postal code, country,
//	         remarks
//
// An individual's name is "LAST, First Middle". The remarks of an entry
// hold its dates of birth ("DOB 12 Jan 1960; alt. DOB 1961"), nationalities
// and its weak aliases ("a.k.a. 'EL GORDO'"), which alt.csv leaves out.
const ofacEmpty = "-0-"

// readOFAC reads an OFAC CSV file and calls fn for each record, which has
// exactly fields fields, trimmed, with "-0-" made empty. The DOS end-of-file
// byte OFAC ends its files with is skipped.
func readOFAC(r io.Reader, fields int, fn func(rec []string) error) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(rec) == 1 && strings.Trim(rec[0], "\x1a \r\n") == "" {
			continue
		}
		if len(rec) != fields {
			line, _ := cr.FieldPos(0)
			return fmt.Errorf("line %d: %d fields, want %d", line, len(rec), fields)
		}
		for i, f := range rec {
			f = strings.TrimSpace(latin1(f))
			if f == ofacEmpty {
				f = ""
			}
			rec[i] = f
		}
		if err := fn(rec); err != nil {
			line, _ := cr.FieldPos(0)
			return fmt.Errorf("line %d: %w", line, err)
		}
	}
}

// latin1 returns s unchanged when it is UTF-8, and decodes it as Latin-1
// (which older OFAC files use) otherwise.
func latin1(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

// readSDN reads sdn.csv into entries keyed by ent_num, in file order.
func readSDN(r io.Reader) ([]*Entry, error) {
	var out []*Entry
	err := readOFAC(r, 12, func(rec []string) error {
		id, name := rec[0], rec[1]
		if id == "" || name == "" {
			return errors.New("entry without ent_num or name")
		}
		e := &Entry{List: ListOFAC, ID: id, Type: ofacType(rec[2]), Title: rec[4], Remarks: rec[11],
			Names: []Name{{Full: name, Quality: Primary}}}
		if rec[3] != "" {
			for p := range strings.SplitSeq(strings.Trim(rec[3], "[]"), "] [") {
				if p = strings.TrimSpace(p); p != "" {
					e.Programs = append(e.Programs, p)
				}
			}
		}
		parseRemarks(e, rec[11])
		out = append(out, e)
		return nil
	})
	return out, err
}

// ofacType maps sdn.csv's type column; OFAC leaves it empty for entities.
func ofacType(s string) EntryType {
	switch strings.ToLower(s) {
	case "individual":
		return Individual
	case "vessel":
		return Vessel
	case "aircraft":
		return Aircraft
	}
	return Entity
}

// parseRemarks takes the dates of birth, nationalities and weak aliases
// out of an entry's remarks: ";"-separated statements such as
// "DOB 12 Jan 1960", "alt. DOB circa 1961", "nationality Syria" and
// "a.k.a. 'ABU-'UMAR'". Dates it cannot read stay in the remarks only.
func parseRemarks(e *Entry, remarks string) {
	for part := range strings.SplitSeq(remarks, ";") {
		part = strings.TrimSuffix(strings.TrimSpace(part), ".")
		part = strings.TrimPrefix(part, "alt. ")
		switch {
		case strings.HasPrefix(part, "DOB "):
			if b, err := ParseOFACDate(part[len("DOB "):]); err == nil {
				e.BirthDates = append(e.BirthDates, b)
			}
		case strings.HasPrefix(part, "nationality "):
			e.Nationalities = appendNew(e.Nationalities, strings.TrimSpace(part[len("nationality "):]))
		case strings.HasPrefix(part, "a.k.a. "), strings.HasPrefix(part, "f.k.a. "), strings.HasPrefix(part, "n.k.a. "):
			alias := strings.TrimSpace(part[len("a.k.a. "):])
			alias = strings.TrimSuffix(strings.TrimPrefix(alias, "'"), "'")
			if alias != "" {
				e.addName(Name{Full: alias, Quality: Weak, Kind: part[:len("a.k.a.")]})
			}
		}
	}
}

// appendNew appends s to list unless it is there already.
func appendNew(list []string, s string) []string {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return list
		}
	}
	return append(list, s)
}

// addName adds a name unless the entry has it already; a name given again
// with a stronger quality keeps the stronger one.
func (e *Entry) addName(n Name) {
	for i, have := range e.Names {
		if strings.EqualFold(have.Full, n.Full) {
			if have.Quality == Weak && n.Quality != Weak {
				e.Names[i] = n
			}
			return
		}
	}
	e.Names = append(e.Names, n)
}

// readAlt adds the aliases of alt.csv to the entries.
func readAlt(r io.Reader, byID map[string]*Entry) error {
	return readOFAC(r, 5, func(rec []string) error {
		e, ok := byID[rec[0]]
		if !ok {
			return fmt.Errorf("alias of unknown ent_num %s", rec[0])
		}
		if rec[3] != "" {
			e.addName(Name{Full: rec[3], Quality: Strong, Kind: rec[2]})
		}
		return nil
	})
}

// readAdd adds the addresses of add.csv to the entries.
func readAdd(r io.Reader, byID map[string]*Entry) error {
	return readOFAC(r, 6, func(rec []string) error {
		e, ok := byID[rec[0]]
		if !ok {
			return fmt.Errorf("address of unknown ent_num %s", rec[0])
		}
		a := Address{Street: rec[2], City: rec[3], Country: rec[4], Note: rec[5]}
		if a != (Address{}) {
			e.Addresses = append(e.Addresses, a)
		}
		return nil
	})
}
