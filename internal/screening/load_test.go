package screening_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/screening"
)

// lookup returns an entry of the test lists, failing the test when absent.
func lookup(t *testing.T, list, id string) screening.Entry {
	t.Helper()
	e, ok := lists(t).Lookup(list, id)
	if !ok {
		t.Fatalf("%s/%s not loaded", list, id)
	}
	return e
}

// TestLoadCounts checks that every entry of the real files is loaded.
func TestLoadCounts(t *testing.T) {
	l := lists(t)
	want := map[string]int{screening.ListOFAC: 8976, screening.ListUN: 1003}
	if got := l.Counts(); !reflect.DeepEqual(got, want) || l.Len() != 8976+1003 {
		t.Errorf("Counts = %v, Len = %d; want %v", got, l.Len(), want)
	}
	if _, ok := l.Lookup(screening.ListOFAC, "no-such-entry"); ok {
		t.Error("Lookup found an unknown entry")
	}
}

// TestLoadOFAC checks known OFAC entries field by field: the primary name,
// type and programmes of sdn.csv, the strong aliases of alt.csv, the weak
// aliases, dates of birth and nationalities of the remarks, and the
// addresses of add.csv.
func TestLoadOFAC(t *testing.T) {
	bank := lookup(t, screening.ListOFAC, "306")
	wantNames := []screening.Name{
		{Full: "BANCO NACIONAL DE CUBA", Quality: screening.Primary},
		{Full: "BNC", Quality: screening.Weak, Kind: "a.k.a."},
		{Full: "NATIONAL BANK OF CUBA", Quality: screening.Strong, Kind: "aka"},
	}
	if bank.Type != screening.Entity || !reflect.DeepEqual(bank.Names, wantNames) || !reflect.DeepEqual(bank.Programs, []string{"CUBA"}) ||
		len(bank.BirthDates) != 0 || bank.Remarks != "a.k.a. 'BNC'." {
		t.Errorf("306 = %+v", bank)
	}
	if len(bank.Addresses) != 4 || bank.Addresses[0] != (screening.Address{Street: "Zweierstrasse 35", City: "Zurich CH-8022", Country: "Switzerland"}) ||
		bank.Addresses[3].City != "Panama City" {
		t.Errorf("306 addresses = %+v", bank.Addresses)
	}

	murad := lookup(t, screening.ListOFAC, "7925")
	if murad.Type != screening.Individual || murad.Names[0].Full != "MURAD, Abdul Hakim" || len(murad.Names) != 6 ||
		murad.Names[1] != (screening.Name{Full: "AHMED, Saeed", Quality: screening.Strong, Kind: "aka"}) ||
		!reflect.DeepEqual(murad.BirthDates, []screening.BirthDate{{Text: "04 Jan 1968", Year: 1968, ToYear: 1968, Month: 1, Day: 4}}) ||
		!reflect.DeepEqual(murad.Nationalities, []string{"Pakistan"}) || !reflect.DeepEqual(murad.Programs, []string{"SDGT"}) {
		t.Errorf("7925 = %+v", murad)
	}

	djibo := lookup(t, screening.ListOFAC, "32391")
	weak := 0
	for _, n := range djibo.Names {
		if n.Quality == screening.Weak {
			weak++
		}
	}
	if weak != 6 || djibo.Names[1] != (screening.Name{Full: "ILLIASSOU, Djibbo", Quality: screening.Weak, Kind: "a.k.a."}) ||
		!reflect.DeepEqual(djibo.BirthDates, []screening.BirthDate{{Text: "1984", Year: 1984, ToYear: 1984}}) || len(djibo.Addresses) != 3 {
		t.Errorf("32391 = %+v", djibo)
	}

	if e := lookup(t, screening.ListOFAC, "15496"); !reflect.DeepEqual(e.BirthDates, []screening.BirthDate{{Text: "1929 to 1930", Year: 1929, ToYear: 1930}}) {
		t.Errorf("15496 birth dates = %+v", e.BirthDates)
	}
	if e := lookup(t, screening.ListOFAC, "11747"); !reflect.DeepEqual(e.BirthDates, []screening.BirthDate{{Text: "circa 1966", Year: 1966, ToYear: 1966, Circa: true}}) ||
		!reflect.DeepEqual(e.Nationalities, []string{"Somalia", "Sweden"}) {
		t.Errorf("11747 = %+v", e)
	}
	if e := lookup(t, screening.ListOFAC, "12057"); !reflect.DeepEqual(e.Programs, []string{"SDGT", "NPWMD", "IRGC", "IFSR", "IRAN-HR", "IRAN-EO13876"}) {
		t.Errorf("12057 programs = %v", e.Programs)
	}
}

// TestLoadUN checks known UN entries field by field: names joined from
// their parts, alias qualities, dates of birth of every kind, the name in
// its original script, nationalities, reference numbers and entities.
func TestLoadUN(t *testing.T) {
	bosco := lookup(t, screening.ListUN, "6908021")
	if bosco.Reference != "CDi.030" || bosco.Type != screening.Individual || bosco.Names[0] != (screening.Name{Full: "BOSCO TAGANDA", Quality: screening.Primary}) ||
		bosco.Names[1] != (screening.Name{Full: "Bosco Ntaganda", Quality: screening.Strong, Kind: "Good"}) ||
		bosco.Names[4] != (screening.Name{Full: "Lydia", Quality: screening.Weak, Kind: "Low"}) ||
		!reflect.DeepEqual(bosco.BirthDates, []screening.BirthDate{{Text: "1973 to 1974", Year: 1973, ToYear: 1974}}) ||
		!reflect.DeepEqual(bosco.Nationalities, []string{"Democratic Republic of the Congo"}) || !reflect.DeepEqual(bosco.Programs, []string{"DRC"}) ||
		!reflect.DeepEqual(bosco.Addresses, []screening.Address{{Country: "Belgium", Note: "As of 14 December 2022"}}) {
		t.Errorf("6908021 = %+v", bosco)
	}

	kim := lookup(t, screening.ListUN, "6908497")
	if !reflect.DeepEqual(kim.BirthDates, []screening.BirthDate{{Text: "1964", Year: 1964, ToYear: 1964}, {Text: "1962-08-28", Year: 1962, ToYear: 1962, Month: 8, Day: 28}}) ||
		kim.Names[0].Full != "KIM TONG MY’ONG" {
		t.Errorf("6908497 = %+v", kim)
	}

	saddam := lookup(t, screening.ListUN, "6908048")
	if saddam.Names[0].Full != "SADDAM HUSSEIN AL-TIKRITI" || saddam.Names[1] != (screening.Name{Full: "صدام حسين التكريتي", Quality: screening.Strong, Kind: "original script"}) {
		t.Errorf("6908048 names = %+v", saddam.Names)
	}

	adf := lookup(t, screening.ListUN, "6908402")
	if adf.Type != screening.Entity || adf.Reference != "CDe.001" || adf.Names[0].Full != "ADF" || len(adf.Names) != 5 ||
		adf.Names[2] != (screening.Name{Full: "Forces Démocratiques Alliées-Armée Nationale de Libération de l’Ouganda", Quality: screening.Strong, Kind: "f.k.a."}) ||
		len(adf.BirthDates) != 0 {
		t.Errorf("6908402 = %+v", adf)
	}
}

// copyList copies test list files into a new directory under new names.
func copyList(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for from, to := range files {
		b, err := os.ReadFile(filepath.Join("testdata", from))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, to), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestLoadPublishersNames loads a directory holding the files under the
// names their publishers give them.
func TestLoadPublishersNames(t *testing.T) {
	dir := copyList(t, map[string]string{"ofac_sdn_2021.csv": "sdn.csv", "ofac_alt_2021.csv": "alt.csv", "un_consolidated_2026.xml": "consolidated.xml"})
	l, err := screening.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != 8976+1003 {
		t.Errorf("Len = %d", l.Len())
	}
	if e, _ := l.Lookup(screening.ListOFAC, "306"); len(e.Names) != 3 || len(e.Addresses) != 0 {
		t.Errorf("306 without add.csv = %+v", e)
	}
}

// TestLoadErrors checks that a directory without lists, with aliases but no
// SDN file, or with broken files fails to load, naming the problem.
func TestLoadErrors(t *testing.T) {
	write := func(t *testing.T, files map[string]string) string {
		dir := t.TempDir()
		for name, body := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	sdn := `36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ` + "\r\n"
	for _, c := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"empty", map[string]string{"readme.txt": "x"}, "no list"},
		{"aliases only", map[string]string{"alt.csv": `36,12,"aka","AERO-CARIBBEAN",-0- `}, "no sdn.csv"},
		{"short record", map[string]string{"sdn.csv": `36,"AEROCARIBBEAN AIRLINES",-0-`}, "3 fields, want 12"},
		{"alias of nobody", map[string]string{"sdn.csv": sdn, "alt.csv": `99,12,"aka","X",-0- `}, "unknown ent_num 99"},
		{"twice", map[string]string{"sdn.csv": sdn + sdn}, "entry 36 twice"},
		{"two SDN files", map[string]string{"a_sdn_1.csv": sdn, "b_sdn_2.csv": sdn}, "keep one"},
		{"bad XML", map[string]string{"consolidated.xml": "<CONSOLIDATED_LIST><INDIVIDUALS>"}, "consolidated.xml"},
		{"UN entry without name", map[string]string{"consolidated.xml": "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"}, "without DATAID or name"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := screening.Load(write(t, c.files))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Load: %v, want an error containing %q", err, c.want)
			}
		})
	}
	if _, err := screening.Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("a missing directory loaded")
	}
	if _, err := screening.Load(write(t, map[string]string{"sdn.csv": "\x1a"})); err == nil || !strings.Contains(err.Error(), "no entries") {
		t.Errorf("an SDN file holding only the end-of-file byte: %v, want an error", err)
	}
}
