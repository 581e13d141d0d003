package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// TestScreeningSearch runs `tillit screening search` against the test
// lists and reads its JSON.
func TestScreeningSearch(t *testing.T) {
	lists := "../../internal/screening/testdata"
	var out bytes.Buffer
	err := screeningCommand([]string{"search", "--name", "Salvatore Mancuso", "--dob", "1964-08-17", "--lists", lists}, &out)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Lists   map[string]int `json:"lists"`
		Matches []struct {
			List        string  `json:"list"`
			EntryID     string  `json:"entry_id"`
			MatchedName string  `json:"matched_name"`
			Score       float64 `json:"score"`
			Alert       bool    `json:"alert"`
			Why         struct {
				DOB     string `json:"dob"`
				Summary string `json:"summary"`
			} `json:"why"`
		} `json:"matches"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if got.Lists["ofac-sdn"] == 0 || len(got.Matches) == 0 {
		t.Fatalf("output %s", out.String())
	}
	m := got.Matches[0]
	if m.List != "ofac-sdn" || m.EntryID != "8158" || m.MatchedName != "MANCUSO GOMEZ, Salvatore" || !m.Alert || m.Why.DOB != "exact" || m.Why.Summary == "" {
		t.Errorf("first match %+v", m)
	}

	t.Setenv("TILLIT_SCREENING_LISTS", lists)
	out.Reset()
	if err := screeningCommand([]string{"search", "--name", "Anna Jensen"}, &out); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || len(got.Matches) != 0 {
		t.Errorf("Anna Jensen: %v %s", err, out.String())
	}

	// Without a directory, the snapshots built into the binary.
	t.Setenv("TILLIT_SCREENING_LISTS", "")
	out.Reset()
	if err := screeningCommand([]string{"search", "--name", "Darren Debono", "--dob", "1974-01-09"}, &out); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || got.Lists["ofac-sdn"] != 8976 || len(got.Matches) == 0 || got.Matches[0].EntryID != "23189" {
		t.Errorf("shipped lists: %v %s", err, out.String())
	}

	for _, args := range [][]string{{}, {"find"}, {"search"}, {"search", "--name", "X", "--dob", "17.08.1964"}, {"search", "--name", "X", "--type", "ship"}, {"search", "--name", "X", "extra"}} {
		var u usageError
		if err := screeningCommand(args, &out); !errors.As(err, &u) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
	if err := screeningCommand([]string{"search", "--name", "X", "--lists", t.TempDir()}, &out); err == nil {
		t.Error("an empty list directory screened")
	}
}
