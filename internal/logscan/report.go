package logscan

import (
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// maxReported bounds how many records a report prints; the rest are
// counted.
const maxReported = 10

// maxLine bounds how much of one record a report prints.
const maxLine = 1000

// report describes the findings for a failed run: each record (up to
// maxReported, one per place in the code and secret) with what it holds,
// where it was logged and its text with every secret masked.
func report(findings []finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "logscan: FAIL: %d log record(s) hold a card number, CVV, password or one-time code (docs/testing.md)\n", len(findings))
	seen := map[string]bool{}
	shown := 0
	for _, f := range findings {
		what := describe(f.hits)
		where := source(f.record.pc)
		if seen[where+what] {
			continue
		}
		seen[where+what] = true
		if shown == maxReported {
			b.WriteString("  (more records not shown)\n")
			break
		}
		shown++
		fmt.Fprintf(&b, "  %s\n    logged at %s:\n    %s\n", what, where, masked(f))
	}
	return b.String()
}

// describe names each secret of a record, its field and how it was found.
func describe(hits []hit) string {
	parts := make([]string, 0, len(hits))
	for _, h := range hits {
		part := fmt.Sprintf("a %s (%s) in %q", h.kind, h.rule, h.key)
		if !slices.Contains(parts, part) {
			parts = append(parts, part)
		}
	}
	return strings.Join(parts, "; ")
}

// source names the file and line that logged a record, or says it was
// read from standard error.
func source(pc uintptr) string {
	if pc == 0 {
		return "(standard error)"
	}
	frame, _ := runtime.CallersFrames([]uintptr{pc}).Next()
	return filepath.Join(filepath.Base(filepath.Dir(frame.File)), filepath.Base(frame.File)) + ":" + strconv.Itoa(frame.Line)
}

// masked renders the record as a text line with each secret replaced by
// its kind in brackets.
func masked(f finding) string {
	var b strings.Builder
	if f.record.pc != 0 {
		fmt.Fprintf(&b, "level=%s ", f.record.level)
	}
	for i, fl := range f.record.fields {
		v := fl.value
		for _, h := range f.hits {
			v = strings.ReplaceAll(v, h.shown, "["+string(h.kind)+"]")
		}
		if fl.key == stderrKey {
			b.WriteString(v)
			continue
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		if strings.ContainsAny(v, " \"=") || v == "" {
			v = strconv.Quote(v)
		}
		b.WriteString(fl.key + "=" + v)
	}
	line := b.String()
	if len(line) > maxLine {
		line = strings.ToValidUTF8(line[:maxLine], "") + "…"
	}
	return line
}
