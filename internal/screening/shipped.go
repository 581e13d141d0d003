package screening

import (
	"embed"
	"io/fs"
	"sync"
)

// shippedFiles are the list snapshots in testdata (see its README): real
// files in the publishers' formats, old enough to be stale.
//
//go:embed testdata/*.csv testdata/*.xml
var shippedFiles embed.FS

// ShippedName names the shipped lists where a directory would be named.
const ShippedName = "shipped"

// shipped loads the shipped lists once per process: every server and test
// in the process shares the read-only List.
var shipped = sync.OnceValues(func() (*List, error) {
	sub, err := fs.Sub(shippedFiles, "testdata")
	if err != nil {
		return nil, err
	}
	return LoadFS(sub, ShippedName)
})

// Shipped returns the list snapshots built into the binary: the files in
// internal/screening/testdata (OFAC SDN 2021 with aliases and addresses,
// UN consolidated list 2026). They let a server screen out of the box and
// tests run without list files; a production installation points
// TILLIT_SCREENING_LISTS at current lists instead.
func Shipped() (*List, error) { return shipped() }
