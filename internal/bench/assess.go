package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/risk/history"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// AssessOptions configure a run of the assessment benchmark: the whole risk
// assessment of one authorization (screening, the fraud model over the
// purchase history, the operator rules, the credit decision) called in
// process, as checkout calls it, against a database holding a history.
type AssessOptions struct {
	// Duration is how long assessments are started for.
	Duration time.Duration
	// Concurrency is the number of goroutines assessing at once.
	Concurrency int
	// People is how many customers the history holds; Purchases how many
	// purchases they made over the 30 days before the run.
	People, Purchases int
	// DatabaseURL and FreshSchema are as in Options; empty means a fresh
	// SQLite file in a temporary directory.
	DatabaseURL string
	FreshSchema bool
	// Seed makes the history and the purchases assessed reproducible.
	Seed uint64
}

// Defaults for AssessOptions.
const (
	DefaultPeople    = 5_000
	DefaultPurchases = 50_000
)

// AssessResult is what an assessment run measured.
type AssessResult struct {
	Engine         string         `json:"engine"`
	DurationS      float64        `json:"duration_s"`
	Concurrency    int            `json:"concurrency"`
	People         int            `json:"people"`
	History        int            `json:"history_purchases"`
	Assessments    int            `json:"assessments"`
	ThroughputPerS float64        `json:"throughput_per_s"`
	P50MS          float64        `json:"p50_ms"`
	P90MS          float64        `json:"p90_ms"`
	P99MS          float64        `json:"p99_ms"`
	MaxMS          float64        `json:"max_ms"`
	Outcomes       map[string]int `json:"outcomes"`
	// Stages are the versions the assessments reported (which stages ran).
	Stages []string `json:"stages"`
}

// AssessTargetP99 is the target for the whole assessment.
const AssessTargetP99 = 5 * time.Millisecond

// World is a database with a purchase history and the means to make
// purchases to assess against it.
type World struct {
	App      *app.App
	Clock    *clock.Manual
	People   int
	History  int
	lookup   string
	merchant []string
	people   []worldPerson
	cleanup  func() error
}

// worldPerson is a customer of the simulated history.
type worldPerson struct {
	id, email, device, ip, address string
	since                          time.Time
	given, family, dob             string
}

// worldStart is when the simulated history ends and the assessed
// purchases happen: an ordinary Tuesday afternoon.
var worldStart = time.Date(2026, 11, 17, 14, 0, 0, 0, time.UTC)

var givenNames = []string{"Anna", "Mette", "Lars", "Jens", "Sofie", "Emma", "Noah", "Oliver", "Ida", "Freja", "Karl", "Lotte", "Pieter", "Sanne", "Erik", "Ingrid"}
var familyNames = []string{"Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "de Vries", "Bakker", "Janssen", "Svensson", "Lindqvist", "Berg", "Holm"}

// NewWorld opens a fresh database (opts.DatabaseURL as in Options) and
// fills it: 20 merchants, opts.People customers who joined over the last
// two years, and opts.Purchases purchases over the last 30 days, each
// person mostly on their own device, IP address and address, with some
// households sharing them.
func NewWorld(ctx context.Context, opts AssessOptions) (w *World, err error) {
	dsn, _, cleanup, err := prepareDatabase(ctx, Options{DatabaseURL: opts.DatabaseURL, FreshSchema: opts.FreshSchema})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, cleanup())
		}
	}()
	clk := clock.NewManual(worldStart.AddDate(-2, 0, 0))
	// The world is thrown away after the run: its data keys are sealed
	// under a master key made for it.
	a, err := app.New(ctx, app.Config{DatabaseURL: dsn, Clock: clk, MasterKeys: vault.MasterKeys{Current: vault.NewMasterKey()},
		Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError + 1}))})
	if err != nil {
		return nil, err
	}
	w = &World{App: a, Clock: clk, People: opts.People, History: opts.Purchases, cleanup: cleanup}
	if w.lookup, err = a.DB.InstanceSecret(ctx, ids.ConsumerKeySecret); err != nil {
		return nil, errors.Join(err, a.Close())
	}
	if err := w.fill(ctx, opts); err != nil {
		return nil, errors.Join(err, a.Close())
	}
	return w, nil
}

// Close closes the app and removes the database.
func (w *World) Close() error { return errors.Join(w.App.Close(), w.cleanup()) }

func (w *World) key(domain, value string) string { return ids.KeyedHash(w.lookup, domain+":"+value) }

func (w *World) fill(ctx context.Context, opts AssessOptions) error {
	r := rand.New(rand.NewPCG(opts.Seed, 7))
	for i := range 20 {
		creds, err := merchant.Create(ctx, w.App.DB, merchant.NewMerchant{Name: fmt.Sprintf("Shop %02d", i), SettlementCurrency: "DKK"})
		if err != nil {
			return err
		}
		w.merchant = append(w.merchant, creds.MerchantID)
	}
	// People join over two years, a batch a week.
	const weeks = 104
	for wk := range weeks {
		w.Clock.Set(worldStart.AddDate(0, 0, -7*(weeks-wk)))
		n := opts.People/weeks + btoi(wk < opts.People%weeks)
		err := w.App.DB.Write(ctx, func(tx *store.Tx) error {
			for range n {
				i := len(w.people)
				p := worldPerson{
					email: fmt.Sprintf("customer%d@mail.example", i), device: "dev-" + strconv.Itoa(i), ip: "ip-" + strconv.Itoa(i),
					address: "addr-" + strconv.Itoa(i), since: tx.Now,
					given: givenNames[r.IntN(len(givenNames))], family: familyNames[r.IntN(len(familyNames))],
					dob: fmt.Sprintf("%d-%02d-%02d", 1950+r.IntN(55), 1+r.IntN(12), 1+r.IntN(28)),
				}
				if i > 0 && r.Float64() < 0.1 { // a household
					h := w.people[r.IntN(i)]
					p.ip, p.address = h.ip, h.address
				}
				var err error
				if p.id, err = person.Resolve(tx, ids.ConsumerKey(w.lookup, p.email)); err != nil {
					return err
				}
				w.people = append(w.people, p)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	// Their purchases over the last 30 days, a day at a time.
	w.Clock.Set(worldStart)
	const days = 30
	for d := range days {
		n := opts.Purchases/days + btoi(d < opts.Purchases%days)
		err := w.App.DB.Write(ctx, func(tx *store.Tx) error {
			for range n {
				p := w.people[r.IntN(len(w.people))]
				at := worldStart.AddDate(0, 0, d-days).Add(time.Duration(8*3600+r.IntN(14*3600)) * time.Second)
				amount := int64(math.Exp(math.Log(45000)+0.6*r.NormFloat64())) + 100
				err := history.Record(tx, history.Observation{
					AuthorizationToken: ids.New(), PersonID: p.id, MerchantID: w.merchant[r.IntN(len(w.merchant))],
					Amount: amount, Currency: "DKK", Outcome: risk.Accepted, Keys: w.keys(p), At: at,
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (w *World) keys(p worldPerson) risk.Keys {
	return risk.Keys{Email: ids.ConsumerKey(w.lookup, p.email), Device: w.key("device", p.device), IP: w.key("ip", p.ip),
		Shipping: w.key("address", p.address)}
}

// Purchase returns the i-th purchase to assess, i seconds after the
// history ends: four in five by returning customers on their own device,
// one in five by someone new.
func (w *World) Purchase(r *rand.Rand, i int) risk.Input {
	in := risk.Input{
		MerchantID: w.merchant[r.IntN(len(w.merchant))], PaymentMethod: "pay_later", Currency: "DKK", PurchaseCountry: "DK",
		BillingCountry: "DK", Amount: int64(math.Exp(math.Log(45000)+0.6*r.NormFloat64())) + 100,
		Now: worldStart.Add(time.Duration(i%3600) * time.Second),
	}
	if r.Float64() < 0.8 {
		p := w.people[r.IntN(len(w.people))]
		in.PersonID, in.PersonSince, in.Keys = p.id, p.since, w.keys(p)
		in.GivenName, in.FamilyName, in.DateOfBirth, in.Email = p.given, p.family, p.dob, p.email
		return in
	}
	n := "new-" + strconv.Itoa(i)
	in.Keys = risk.Keys{Email: ids.ConsumerKey(w.lookup, n+"@mail.example"), Device: w.key("device", n), IP: w.key("ip", n), Shipping: w.key("address", n)}
	in.GivenName, in.FamilyName = givenNames[r.IntN(len(givenNames))], familyNames[r.IntN(len(familyNames))]
	in.DateOfBirth, in.Email = fmt.Sprintf("%d-%02d-%02d", 1950+r.IntN(55), 1+r.IntN(12), 1+r.IntN(28)), n+"@mail.example"
	return in
}

// RunAssessment fills a world and assesses purchases against it with
// opts.Concurrency goroutines for opts.Duration.
func RunAssessment(ctx context.Context, opts AssessOptions) (AssessResult, error) {
	if opts.People <= 0 {
		opts.People = DefaultPeople
	}
	if opts.Purchases <= 0 {
		opts.Purchases = DefaultPurchases
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 1
	}
	w, err := NewWorld(ctx, opts)
	if err != nil {
		return AssessResult{}, err
	}
	res := AssessResult{Engine: string(w.App.DB.Dialect), Concurrency: opts.Concurrency, People: w.People, History: w.History,
		Outcomes: map[string]int{}}
	assessor := w.App.Checkout.Assessor
	var (
		mu     sync.Mutex
		lat    []time.Duration
		stages = map[string]bool{}
		errs   []error
		wg     sync.WaitGroup
	)
	deadline := time.Now().Add(opts.Duration)
	started := time.Now()
	for g := range opts.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(opts.Seed+1, uint64(g)))
			var mine []time.Duration
			outcomes := map[string]int{}
			seen := map[string]bool{}
			for i := g; time.Now().Before(deadline) && ctx.Err() == nil; i += opts.Concurrency {
				in := w.Purchase(r, i)
				// The purchases happen on the wall clock of the run, after
				// the history: caches that expire on the clock see the
				// real rate.
				in.Now = worldStart.Add(time.Since(started))
				t0 := time.Now()
				d, err := assessor.Assess(ctx, in)
				mine = append(mine, time.Since(t0))
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
				outcomes[d.Outcome]++
				for k := range d.Versions {
					seen[k] = true
				}
			}
			mu.Lock()
			defer mu.Unlock()
			lat = append(lat, mine...)
			for k, v := range outcomes {
				res.Outcomes[k] += v
			}
			for k := range seen {
				stages[k] = true
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(started)
	if len(errs) > 0 {
		return res, errors.Join(errors.Join(errs...), w.Close())
	}
	slices.Sort(lat)
	res.DurationS = elapsed.Seconds()
	res.Assessments = len(lat)
	if len(lat) > 0 {
		res.ThroughputPerS = float64(len(lat)) / elapsed.Seconds()
		res.P50MS, res.P90MS, res.P99MS = ms(percentile(lat, 50)), ms(percentile(lat, 90)), ms(percentile(lat, 99))
		res.MaxMS = ms(lat[len(lat)-1])
	}
	res.Stages = slices.Sorted(maps.Keys(stages))
	return res, w.Close()
}

// Check reports a run that missed the target.
func (r AssessResult) Check() error {
	if r.Assessments == 0 {
		return errors.New("bench: no assessment completed")
	}
	if r.P99MS > ms(AssessTargetP99) {
		return fmt.Errorf("bench: assessment p99 %.2f ms is over the %s target", r.P99MS, AssessTargetP99)
	}
	return nil
}

// WriteTable prints the result for people.
func (r AssessResult) WriteTable(w io.Writer) error {
	_, err := fmt.Fprintf(w, `engine %s, %d people, %d purchases of history, %d goroutines, %.1f s
stages: %v
assessments  %d (%.0f/s)
latency ms   p50 %.3f  p90 %.3f  p99 %.3f  max %.3f  (target p99 < %s)
outcomes     %v
`, r.Engine, r.People, r.History, r.Concurrency, r.DurationS, r.Stages, r.Assessments, r.ThroughputPerS,
		r.P50MS, r.P90MS, r.P99MS, r.MaxMS, AssessTargetP99, r.Outcomes)
	return err
}
