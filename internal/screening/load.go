package screening

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// The files Load reads from a directory, by the publishers' names or by a
// name holding the same word (as in testdata: ofac_sdn_2021.csv,
// ofac_alt_2021.csv, ofac_add_2021.csv, un_consolidated_2026.xml).
var listFiles = []struct {
	plain, pattern string
}{
	{"sdn.csv", "*sdn*.csv"},
	{"alt.csv", "*_alt*.csv"},
	{"add.csv", "*_add*.csv"},
	{"consolidated.xml", "*consolidated*.xml"},
}

// findFile returns the path of the file with the plain name in dir, or of
// the one file matching pattern; "" when there is none.
func findFile(dir, plain, pattern string) (string, error) {
	p := filepath.Join(dir, plain)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	found, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		return "", err
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("screening: %d files in %s match %s; keep one", len(found), dir, pattern)
}

// Load reads the lists in dir and indexes them: OFAC's sdn.csv (with its
// alt.csv and add.csv, when present) and the UN consolidated list
// (consolidated.xml). A directory must hold at least one of the two lists,
// and they must hold at least one entry.
func Load(dir string) (*List, error) {
	var paths [4]string
	for i, f := range listFiles {
		p, err := findFile(dir, f.plain, f.pattern)
		if err != nil {
			return nil, err
		}
		paths[i] = p
	}
	sdn, alt, add, un := paths[0], paths[1], paths[2], paths[3]
	if sdn == "" && (alt != "" || add != "") {
		return nil, fmt.Errorf("screening: %s has OFAC aliases or addresses but no sdn.csv", dir)
	}
	if sdn == "" && un == "" {
		return nil, fmt.Errorf("screening: no list in %s (want sdn.csv or consolidated.xml)", dir)
	}
	var entries []*Entry
	if sdn != "" {
		var ofac []*Entry
		if err := readFile(sdn, func(r io.Reader) (err error) { ofac, err = readSDN(r); return err }); err != nil {
			return nil, err
		}
		byID := make(map[string]*Entry, len(ofac))
		for _, e := range ofac {
			byID[e.ID] = e
		}
		if alt != "" {
			if err := readFile(alt, func(r io.Reader) error { return readAlt(r, byID) }); err != nil {
				return nil, err
			}
		}
		if add != "" {
			if err := readFile(add, func(r io.Reader) error { return readAdd(r, byID) }); err != nil {
				return nil, err
			}
		}
		entries = append(entries, ofac...)
	}
	if un != "" {
		var uns []*Entry
		if err := readFile(un, func(r io.Reader) (err error) { uns, err = readUN(r); return err }); err != nil {
			return nil, err
		}
		entries = append(entries, uns...)
	}
	// An empty list would screen everyone clear: a truncated file is an
	// error, not a list.
	if len(entries) == 0 {
		return nil, fmt.Errorf("screening: the lists in %s hold no entries", dir)
	}
	return build(entries)
}

// readFile opens path and hands it to read, naming the file in an error.
func readFile(path string, read func(io.Reader) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("screening: %w", err)
	}
	defer f.Close()
	if err := read(f); err != nil {
		return fmt.Errorf("screening: %s: %w", filepath.Base(path), err)
	}
	return nil
}
