package screening_test

import (
	"context"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/screening"
	"github.com/tillit/tillit/internal/store/storetest"
)

// benchQueries are the labelled queries, listed and not, with their
// birth dates: the mix a screening service sees.
func benchQueries(b *testing.B) []screening.Query {
	var qs []screening.Query
	for _, q := range listedQueries {
		qs = append(qs, screening.Query{Name: q.name, BirthDate: date(b, q.dob)})
	}
	for _, q := range unlisted {
		qs = append(qs, screening.Query{Name: q.name, BirthDate: date(b, q.dob), Type: screening.Individual})
	}
	return qs
}

// BenchmarkScreen screens one query at a time against the full lists
// (OFAC SDN with aliases and the UN list) and reports the 50th, 99th and
// 99.9th percentile of the wall time per query and, on Linux, of the CPU
// time per query (cpu-p50-µs, cpu-p99-µs), which other processes on a busy
// machine do not inflate.
func BenchmarkScreen(b *testing.B) {
	l := lists(b)
	qs := benchQueries(b)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	wall := make([]time.Duration, 0, b.N)
	cpu := make([]time.Duration, 0, b.N)
	i := 0
	for b.Loop() {
		cpuStart, measured := threadCPU()
		start := time.Now()
		l.Screen(qs[i%len(qs)])
		wall = append(wall, time.Since(start))
		if cpuEnd, _ := threadCPU(); measured {
			cpu = append(cpu, cpuEnd-cpuStart)
		}
		i++
	}
	reportPercentiles(b, "", wall, 0.50, 0.99, 0.999)
	reportPercentiles(b, "cpu-", cpu, 0.50, 0.99)
}

// reportPercentiles reports percentiles of durations in microseconds, their
// units named with prefix.
func reportPercentiles(b *testing.B, prefix string, durations []time.Duration, ps ...float64) {
	if len(durations) == 0 {
		return
	}
	slices.Sort(durations)
	for _, p := range ps {
		d := durations[min(len(durations)-1, int(p*float64(len(durations))))]
		b.ReportMetric(float64(d.Nanoseconds())/1e3, prefix+"p"+strconv.FormatFloat(100*p, 'f', -1, 64)+"-µs")
	}
}

// BenchmarkStage runs the assessment's screening stage over the labelled
// buyers, listed and not, and reports percentiles of the wall time per
// assessment as BenchmarkScreen does. A listed buyer's alert costs a read of
// the false-positive decisions (SQLite, or PostgreSQL with
// TILLIT_TEST_DATABASE_URL); the others cost the screening query alone.
// listed-share is the share of buyers who alert.
func BenchmarkStage(b *testing.B) {
	db, _ := storetest.Open(b)
	d, err := screening.OpenDecisions(context.Background(), db)
	if err != nil {
		b.Fatal(err)
	}
	stage := &screening.Stage{Screener: screening.NewScreener(lists(b)), Decisions: d, DB: db}
	var ins []risk.Input
	for _, q := range listedQueries {
		given, family, _ := strings.Cut(q.name, " ")
		ins = append(ins, risk.Input{GivenName: given, FamilyName: family, DateOfBirth: q.dob})
	}
	for _, q := range unlisted {
		given, family, _ := strings.Cut(q.name, " ")
		ins = append(ins, risk.Input{GivenName: given, FamilyName: family, DateOfBirth: q.dob})
	}
	ctx := context.Background()
	wall := make([]time.Duration, 0, b.N)
	held, i := 0, 0
	for b.Loop() {
		start := time.Now()
		dec, err := stage.Assess(ctx, ins[i%len(ins)])
		wall = append(wall, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		if dec.Outcome == risk.Pending {
			held++
		}
		i++
	}
	reportPercentiles(b, "", wall, 0.50, 0.99, 0.999)
	b.ReportMetric(float64(held)/float64(i), "listed-share")
}

// BenchmarkLoad loads and indexes the list files in testdata.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := screening.Load("testdata"); err != nil {
			b.Fatal(err)
		}
	}
}
