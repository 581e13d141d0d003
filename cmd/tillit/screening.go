package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/tillit/tillit/internal/screening"
)

const screeningUsage = `usage:
  tillit screening search --name NAME [--dob YYYY-MM-DD] [--type TYPE] [--lists DIR]
      screen a name (and date of birth) against the sanctions lists in DIR
      (OFAC sdn.csv, alt.csv, add.csv and the UN consolidated.xml) and print
      the matches as JSON: list, entry id, matched name, score, alert and why.
      --type limits the entries to individual, entity, vessel or aircraft.
      DIR defaults to TILLIT_SCREENING_LISTS, else the list snapshots built
      into the binary (internal/screening/testdata). See docs/screening.md.`

// screeningCommand runs `tillit screening ...`.
func screeningCommand(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "search" {
		return usageError(screeningUsage)
	}
	fs := flag.NewFlagSet("screening search", flag.ContinueOnError)
	name := fs.String("name", "", "the full name to screen")
	dob := fs.String("dob", "", "date of birth, YYYY-MM-DD")
	kind := fs.String("type", "", "individual, entity, vessel or aircraft (default: every type)")
	dir := fs.String("lists", os.Getenv("TILLIT_SCREENING_LISTS"), "directory of the list files (default: the snapshots built into the binary)")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError(err.Error())
	}
	if fs.NArg() > 0 || *name == "" {
		return usageError(screeningUsage)
	}
	q := screening.Query{Name: *name, Type: screening.EntryType(*kind)}
	switch q.Type {
	case "", screening.Individual, screening.Entity, screening.Vessel, screening.Aircraft:
	default:
		return usageError("--type must be individual, entity, vessel or aircraft")
	}
	if *dob != "" {
		d, err := time.Parse(time.DateOnly, *dob)
		if err != nil {
			return usageError("--dob must be a date YYYY-MM-DD")
		}
		q.BirthDate = d
	}
	if _, err := os.Stat(*dir); *dir != "" && err != nil {
		return fmt.Errorf("no list directory %s: pass --lists DIR or set TILLIT_SCREENING_LISTS", *dir)
	}
	l, err := screening.Source{Dir: *dir}.Load()
	if err != nil {
		return err
	}
	matches := l.Screen(q)
	if matches == nil {
		matches = []screening.Match{}
	}
	return writeJSON(stdout, map[string]any{
		"lists":            l.Counts(),
		"version":          l.Version(),
		"alert_threshold":  screening.AlertThreshold,
		"report_threshold": screening.ReportThreshold,
		"matches":          matches,
	})
}
