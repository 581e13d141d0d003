package screening

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
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

// findFile returns the path in fsys of the file with the plain name, or of
// the one file matching pattern; "" when there is none. dir names fsys in
// errors.
func findFile(fsys fs.FS, dir, plain, pattern string) (string, error) {
	if _, err := fs.Stat(fsys, plain); err == nil {
		return plain, nil
	}
	found, err := fs.Glob(fsys, pattern)
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
func Load(dir string) (*List, error) { return LoadFS(os.DirFS(dir), dir) }

// LoadFS reads the lists at the root of fsys as Load reads a directory;
// dir says where they are in errors. The List's Version is a digest of the
// files' bytes.
func LoadFS(fsys fs.FS, dir string) (*List, error) {
	var paths [4]string
	for i, f := range listFiles {
		p, err := findFile(fsys, dir, f.plain, f.pattern)
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
	r := &reader{fsys: fsys, digest: sha256.New()}
	var entries []*Entry
	if sdn != "" {
		var ofac []*Entry
		if err := r.read(sdn, func(r io.Reader) (err error) { ofac, err = readSDN(r); return err }); err != nil {
			return nil, err
		}
		byID := make(map[string]*Entry, len(ofac))
		for _, e := range ofac {
			byID[e.ID] = e
		}
		if alt != "" {
			if err := r.read(alt, func(r io.Reader) error { return readAlt(r, byID) }); err != nil {
				return nil, err
			}
		}
		if add != "" {
			if err := r.read(add, func(r io.Reader) error { return readAdd(r, byID) }); err != nil {
				return nil, err
			}
		}
		entries = append(entries, ofac...)
	}
	if un != "" {
		var uns []*Entry
		if err := r.read(un, func(r io.Reader) (err error) { uns, err = readUN(r); return err }); err != nil {
			return nil, err
		}
		entries = append(entries, uns...)
	}
	// An empty list would screen everyone clear: a truncated file is an
	// error, not a list.
	if len(entries) == 0 {
		return nil, fmt.Errorf("screening: the lists in %s hold no entries", dir)
	}
	l, err := build(entries)
	if err != nil {
		return nil, err
	}
	l.version = hex.EncodeToString(r.digest.Sum(nil))[:VersionLen]
	return l, nil
}

// VersionLen is the number of hexadecimal digits of a List's Version.
const VersionLen = 12

// reader reads list files from fsys, taking their bytes into digest.
type reader struct {
	fsys   fs.FS
	digest hash.Hash
}

// read opens name and hands it to read, naming the file in an error. The
// file's bytes, and a separator, go into the digest.
func (r *reader) read(name string, read func(io.Reader) error) error {
	f, err := r.fsys.Open(name)
	if err != nil {
		return fmt.Errorf("screening: %w", err)
	}
	defer f.Close()
	if err := read(io.TeeReader(f, r.digest)); err != nil {
		return fmt.Errorf("screening: %s: %w", path.Base(name), err)
	}
	// What the parser left unread counts too: the digest is of the file.
	if _, err := io.Copy(r.digest, f); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("screening: %s: %w", path.Base(name), err)
	}
	r.digest.Write([]byte{0})
	return nil
}
