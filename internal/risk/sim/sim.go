// Package sim simulates a stream of labelled pay-later purchases for training
// and evaluating the fraud model (issue 5, "Learning").
//
// It follows the approach of the simulated card-fraud generator of the Fraud
// Detection Handbook (Le Borgne et al.): customers with a home on a 100×100
// grid, their own spending amount, frequency and time of day; merchants
// (the handbook's terminals) on the same grid, each with a category, and a
// customer buying from the merchants near home and from nationwide web shops;
// a daily stream over a number of days; fraud injected by scenarios, each
// order labelled with its scenario. The scenarios are the ones a pay-later
// lender meets rather than the handbook's card ones:
//
//   - stolen identity: a new account on someone else's address, with a new
//     device and e-mail, shipped elsewhere, high amounts;
//   - account takeover: a known customer's account used from a new device,
//     shipped to a new address, with amounts and merchants unlike theirs;
//   - device ring: many new identities created on one device;
//   - merchant bust-out: a merchant whose orders turn fraudulent in a burst,
//     after which it disappears;
//   - first-party fraud: a customer who never pays, with escalating amounts.
//
// Genuine behaviour overlaps every scenario on purpose (new customers, gifts
// shipped elsewhere, new phones, shared household devices, night owls, big
// purchases), so no single feature gives fraud away. Generation is
// deterministic for a given Config.
package sim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/tillit/tillit/internal/risk/features"
)

// Scenario names, as written in the scenario column.
const (
	StolenIdentity  = "stolen_identity"
	AccountTakeover = "account_takeover"
	DeviceRing      = "device_ring"
	MerchantBustOut = "merchant_bust_out"
	FirstParty      = "first_party"
)

// Scenarios lists every fraud scenario.
var Scenarios = []string{StolenIdentity, AccountTakeover, DeviceRing, MerchantBustOut, FirstParty}

// Config sets the size and seed of a simulation.
type Config struct {
	Days      int       // length of the stream
	Seed      uint64    // the same seed gives the same data
	Customers int       // customers at the start; genuine sign-ups add more
	Merchants int       // merchants
	Start     time.Time // midnight UTC of the first day
}

// DefaultConfig is the simulation the shipped model is trained on.
func DefaultConfig() Config {
	return Config{Days: 120, Seed: 1, Customers: 5000, Merchants: 1000, Start: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)}
}

// Rates of the scenarios, in incidents per day per customer (per merchant
// for bust-outs), so that smaller simulations keep the same mix.
const (
	signupRate         = 0.002
	stolenIdentityRate = 0.0004
	takeoverRate       = 0.00016
	ringRate           = 0.00003
	bustOutRate        = 0.00006
	firstPartyRate     = 0.0002
)

const day = 24 * time.Hour

// Generate simulates cfg.Days of purchases and returns them in time order
// with ids T00000001, T00000002, ...
func Generate(cfg Config) ([]features.Tx, error) {
	if cfg.Days < 1 || cfg.Customers < 10 || cfg.Merchants < 10 {
		return nil, errors.New("simulation needs at least 1 day, 10 customers and 10 merchants")
	}
	g := &gen{cfg: cfg, r: rand.New(rand.NewPCG(cfg.Seed, 0x7111171)), end: cfg.Start.Add(time.Duration(cfg.Days) * day)}
	g.setup()
	for d := range cfg.Days {
		g.simulateDay(cfg.Start.Add(time.Duration(d) * day))
	}
	features.SortByTime(g.out)
	for i := range g.out {
		g.out[i].ID = fmt.Sprintf("T%08d", i+1)
	}
	return g.out, nil
}

// category is a merchant category: how expensive its goods are, how common
// it is among merchants, and how much fraudsters like it.
type category struct {
	name     string
	amount   float64
	share    float64
	affinity float64
}

var categories = []category{
	{"grocery", 0.35, 0.13, 0.3},
	{"fashion", 1.0, 0.20, 1.5},
	{"beauty", 0.6, 0.08, 0.8},
	{"home", 1.4, 0.12, 0.8},
	{"sports", 1.2, 0.08, 1},
	{"electronics", 3.0, 0.12, 5},
	{"gift_cards", 1.0, 0.04, 6},
	{"travel", 4.0, 0.06, 2},
	{"furniture", 3.5, 0.06, 0.6},
	{"digital", 0.4, 0.06, 2},
	{"jewellery", 2.5, 0.05, 4},
}

type merchant struct {
	id         string
	x, y       float64
	cat        *category
	nationwide bool
	popularity float64
	closed     time.Time // no orders from then on (zero: open)
	bustOut    bool
	// kiosk and kioskIP are the in-store device and connection some
	// merchants let customers check out on: many identities, one device.
	kiosk, kioskIP string
}

func (m *merchant) open(t time.Time) bool { return m.closed.IsZero() || t.Before(m.closed) }

type customer struct {
	id           string
	x, y         float64
	home         string // billing address key
	email        string
	emailCreated time.Time
	created      time.Time
	devices      []string // devices[0] is the usual one
	ip           string
	mean         float64 // usual amount, major units
	rate         float64 // orders per day
	hour         float64 // usual hour of day
	picks        []*merchant
	cum          []float64 // cumulative weights of picks
	genuine      bool      // places genuine orders every day
}

type gen struct {
	cfg        Config
	r          *rand.Rand
	end        time.Time
	customers  []*customer
	merchants  []*merchant
	fraudCum   []float64 // cumulative fraud weights over merchants
	mobileIPs  []string  // carrier NAT addresses shared by many
	proxyIPs   []string  // proxies and hosting addresses fraudsters use
	drops      []string  // drop addresses fraud ships to
	rogueDevs  []string  // devices stolen-identity fraudsters reuse
	out        []features.Tx
	nCustomers int
	nDevices   int
	nEmails    int
	nIPs       int
	nAddresses int
}

func (g *gen) newID(prefix string, n *int) string {
	*n++
	return fmt.Sprintf("%s%07d", prefix, *n)
}

func (g *gen) device() string  { return g.newID("D", &g.nDevices) }
func (g *gen) emailID() string { return g.newID("E", &g.nEmails) }
func (g *gen) ipID() string    { return g.newID("I", &g.nIPs) }
func (g *gen) address() string { return g.newID("A", &g.nAddresses) }

func (g *gen) setup() {
	var shareSum float64
	for _, c := range categories {
		shareSum += c.share
	}
	var fraudSum float64
	for i := range g.cfg.Merchants {
		u := g.r.Float64() * shareSum
		cat := &categories[len(categories)-1]
		for k := range categories {
			if u < categories[k].share {
				cat = &categories[k]
				break
			}
			u -= categories[k].share
		}
		m := &merchant{
			id: fmt.Sprintf("M%05d", i+1), x: g.r.Float64() * 100, y: g.r.Float64() * 100, cat: cat,
			nationwide: g.r.Float64() < 0.15, popularity: math.Exp(g.r.NormFloat64()),
		}
		if !m.nationwide && g.r.Float64() < 0.3 {
			m.kiosk, m.kioskIP = g.device(), g.ipID()
		}
		g.merchants = append(g.merchants, m)
		w := m.popularity * cat.affinity
		if m.nationwide {
			w *= 3
		}
		fraudSum += w
		g.fraudCum = append(g.fraudCum, fraudSum)
	}
	for range max(g.cfg.Customers/25, 20) {
		g.mobileIPs = append(g.mobileIPs, g.ipID())
	}
	for range max(g.cfg.Customers/20, 20) {
		g.proxyIPs = append(g.proxyIPs, g.ipID())
	}
	for range max(g.cfg.Customers/100, 10) {
		g.drops = append(g.drops, g.address())
	}
	for range max(g.cfg.Customers/150, 5) {
		g.rogueDevs = append(g.rogueDevs, g.device())
	}
	for range g.cfg.Customers {
		created := g.cfg.Start.Add(-time.Duration(30+g.r.IntN(1500)) * day).Add(g.within(day))
		g.genuineCustomer(created)
	}
}

// within returns a uniform duration in [0, d).
func (g *gen) within(d time.Duration) time.Duration { return time.Duration(g.r.Int64N(int64(d))) }

// oldEmail returns the creation time of an established e-mail address, a
// few months to many years before t.
func (g *gen) oldEmail(t time.Time) time.Time {
	years := math.Exp(math.Log(4) + 0.8*g.r.NormFloat64())
	return t.Add(-time.Duration(years*365)*day - time.Duration(g.r.IntN(60))*day)
}

// genuineCustomer creates an ordinary customer whose account opens at
// created; some join an existing household and share its address, IP and
// sometimes its device.
func (g *gen) genuineCustomer(created time.Time) *customer {
	c := &customer{
		id: g.newID("C", &g.nCustomers), x: g.r.Float64() * 100, y: g.r.Float64() * 100,
		email: g.emailID(), created: created, genuine: true,
		mean: math.Exp(math.Log(350) + 0.5*g.r.NormFloat64()),
		rate: 0.04 + 0.4*g.r.Float64(),
		hour: 15 + 2.5*g.r.NormFloat64(),
	}
	if g.r.Float64() < 0.05 {
		c.hour = 23 + 2*g.r.NormFloat64() // night owl
	}
	if g.r.Float64() < 0.75 {
		c.emailCreated = g.oldEmail(created)
	} else {
		c.emailCreated = created.Add(-time.Duration(g.r.IntN(30)) * day)
	}
	c.devices = []string{g.device()}
	if g.r.Float64() < 0.3 {
		c.devices = append(c.devices, g.device())
	}
	var h *customer
	if g.r.Float64() < 0.07 {
		h = g.someone(created, 0, math.MaxInt64)
	}
	if h != nil {
		c.home, c.ip, c.x, c.y = h.home, h.ip, h.x, h.y
		if g.r.Float64() < 0.5 {
			c.devices = append(c.devices, h.devices[0])
		}
	} else {
		c.home, c.ip = g.address(), g.ipID()
	}
	g.choosePicks(c)
	g.customers = append(g.customers, c)
	return c
}

// choosePicks gives a customer the merchants they buy from: those within a
// radius of home and the nationwide ones, weighted by popularity and the
// customer's taste in categories.
func (g *gen) choosePicks(c *customer) {
	taste := make(map[*category]float64, len(categories))
	for k := range categories {
		taste[&categories[k]] = math.Exp(0.7 * g.r.NormFloat64())
	}
	var cands []*merchant
	var cum []float64
	var sum float64
	for _, m := range g.merchants {
		if !m.nationwide && math.Hypot(m.x-c.x, m.y-c.y) > 15 {
			continue
		}
		sum += m.popularity * taste[m.cat]
		cands = append(cands, m)
		cum = append(cum, sum)
	}
	var pickSum float64
	for range 25 {
		m := cands[pick(g.r, cum)]
		pickSum += m.popularity * taste[m.cat]
		c.picks = append(c.picks, m)
		c.cum = append(c.cum, pickSum)
	}
}

// pick draws an index from cumulative weights.
func pick(r *rand.Rand, cum []float64) int {
	u := r.Float64() * cum[len(cum)-1]
	lo, hi := 0, len(cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if cum[mid] > u {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// usualMerchant returns one of the customer's merchants open at t, or nil.
func (g *gen) usualMerchant(c *customer, t time.Time) *merchant {
	for range 5 {
		if m := c.picks[pick(g.r, c.cum)]; m.open(t) {
			return m
		}
	}
	return nil
}

// fraudMerchant returns a merchant fraudsters would pick, open at t.
func (g *gen) fraudMerchant(t time.Time) *merchant {
	for {
		if m := g.merchants[pick(g.r, g.fraudCum)]; m.open(t) {
			return m
		}
	}
}

// atHour returns a time on the day starting at dayStart around the given
// hour, with a spread in hours, wrapped around midnight.
func (g *gen) atHour(dayStart time.Time, hour, spread float64) time.Time {
	h := math.Mod(hour+spread*g.r.NormFloat64(), 24)
	if h < 0 {
		h += 24
	}
	return dayStart.Add(time.Duration(h * float64(time.Hour)))
}

// fraudTime returns a time of day fraudsters act at: any hour, more often
// during the day.
func (g *gen) fraudTime(dayStart time.Time) time.Time {
	if g.r.Float64() < 0.4 {
		return dayStart.Add(g.within(day))
	}
	return g.atHour(dayStart, 13, 5)
}

// lognormal draws an amount around median with the given log-spread.
func (g *gen) lognormal(median, sigma float64) float64 {
	return median * math.Exp(sigma*g.r.NormFloat64())
}

func (g *gen) poisson(lambda float64) int {
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= g.r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// order is one purchase before it is written out.
type order struct {
	c        *customer
	m        *merchant
	t        time.Time
	amount   float64 // major units
	device   string
	ip       string
	ship     string
	scenario string
}

// emit records an order that falls inside the simulated period.
func (g *gen) emit(o order) {
	if o.t.Before(g.cfg.Start) || !o.t.Before(g.end) || o.m == nil || !o.m.open(o.t) {
		return
	}
	o.t = o.t.Truncate(time.Second) // as the CSV keeps it
	tx := features.Tx{
		Time: o.t, Customer: o.c.id, Terminal: o.m.id,
		Amount:         max(2000, int64(math.Round(o.amount*100))),
		Device:         o.device,
		Email:          o.c.email,
		IP:             o.ip,
		Shipping:       o.ship,
		EmailAgeDays:   int(o.t.Sub(o.c.emailCreated) / day),
		AccountAgeDays: int(o.t.Sub(o.c.created) / day),
		Mismatch:       o.ship != o.c.home,
		Category:       o.m.cat.name,
		Scenario:       o.scenario,
	}
	if o.scenario != "" {
		tx.Label = 1
	}
	g.out = append(g.out, tx)
}

// genuineOrder is an ordinary purchase by c at t; with probability big it
// is a larger one than usual.
func (g *gen) genuineOrder(c *customer, t time.Time, big float64) {
	m := g.usualMerchant(c, t)
	if m == nil {
		return
	}
	o := order{c: c, m: m, t: t, device: c.devices[0], ip: c.ip, ship: c.home}
	o.amount = c.mean * m.cat.amount * math.Exp(0.5*g.r.NormFloat64())
	if g.r.Float64() < big {
		o.amount *= 2 + 4*g.r.Float64()
	}
	if len(c.devices) > 1 && g.r.Float64() < 0.2 {
		o.device = c.devices[1+g.r.IntN(len(c.devices)-1)]
	}
	if g.r.Float64() < 0.3 {
		o.ip = g.mobileIPs[g.r.IntN(len(g.mobileIPs))]
	}
	if g.r.Float64() < 0.06 { // a gift
		o.ship = g.customers[g.r.IntN(len(g.customers))].home
	}
	if m.kiosk != "" && g.r.Float64() < 0.15 { // in the shop
		o.device, o.ip = m.kiosk, m.kioskIP
	}
	g.emit(o)
}

// simulateDay adds one day of genuine orders and starts the day's fraud.
func (g *gen) simulateDay(dayStart time.Time) {
	n := float64(g.cfg.Customers)
	for range g.poisson(n * signupRate) {
		c := g.genuineCustomer(dayStart.Add(g.within(day)))
		if g.r.Float64() < 0.7 { // most sign up to buy something, often something big
			g.genuineOrder(c, c.created.Add(time.Duration(1+g.r.IntN(20))*time.Minute), 0.3)
		}
	}
	for _, c := range g.customers {
		if !c.genuine || !c.created.Before(dayStart) {
			continue
		}
		if g.r.Float64() < 0.002 { // a new phone
			c.devices = append([]string{g.device()}, c.devices...)
		}
		for range g.poisson(c.rate) {
			g.genuineOrder(c, g.atHour(dayStart, c.hour, 3.5), 0.02)
		}
	}
	for range g.poisson(n * stolenIdentityRate) {
		g.stolenIdentity(dayStart)
	}
	for range g.poisson(n * takeoverRate) {
		g.accountTakeover(dayStart)
	}
	for range g.poisson(n * ringRate) {
		g.deviceRing(dayStart)
	}
	for range g.poisson(float64(g.cfg.Merchants) * bustOutRate) {
		g.bustOut(dayStart)
	}
	for range g.poisson(n * firstPartyRate) {
		g.firstParty(dayStart)
	}
}

// someone returns a random genuine customer whose account was opened before
// t minus minAge, or nil after a few tries.
func (g *gen) someone(t time.Time, minAge, maxAge time.Duration) *customer {
	for range min(50, len(g.customers)) {
		c := g.customers[g.r.IntN(len(g.customers))]
		age := t.Sub(c.created)
		if c.genuine && age >= minAge && age <= maxAge {
			return c
		}
	}
	return nil
}

// fraudAccount opens an account for a fraudster at t on a billing address,
// with a fresh e-mail address (sometimes an old, compromised one).
func (g *gen) fraudAccount(t time.Time, home string, freshEmail float64) *customer {
	c := &customer{id: g.newID("C", &g.nCustomers), email: g.emailID(), created: t, home: home}
	if g.r.Float64() < freshEmail {
		c.emailCreated = t.Add(-g.within(20 * day))
	} else {
		c.emailCreated = g.oldEmail(t)
	}
	g.customers = append(g.customers, c)
	return c
}

func (g *gen) proxyOrMobile(proxy float64) string {
	if g.r.Float64() < proxy {
		return g.proxyIPs[g.r.IntN(len(g.proxyIPs))]
	}
	return g.mobileIPs[g.r.IntN(len(g.mobileIPs))]
}

func (g *gen) drop() string { return g.drops[g.r.IntN(len(g.drops))] }

// stolenIdentity: a new account on a victim's address, a new or reused
// rogue device, mostly shipped to a drop address, one to four high orders
// within hours.
func (g *gen) stolenIdentity(dayStart time.Time) {
	victim := g.someone(dayStart, 0, math.MaxInt64)
	if victim == nil {
		return
	}
	t := g.fraudTime(dayStart)
	c := g.fraudAccount(t, victim.home, 0.5)
	dev := g.device()
	if g.r.Float64() < 0.3 {
		dev = g.rogueDevs[g.r.IntN(len(g.rogueDevs))]
	}
	ip := g.proxyOrMobile(0.4)
	ship := victim.home
	if g.r.Float64() < 0.55 {
		ship = g.drop()
	}
	base := g.lognormal(1500, 0.7)
	for range 1 + min(g.poisson(0.8), 3) {
		m := g.fraudMerchant(t)
		g.emit(order{c: c, m: m, t: t, amount: base * math.Sqrt(m.cat.amount) * math.Exp(0.3*g.r.NormFloat64()),
			device: dev, ip: ip, ship: ship, scenario: StolenIdentity})
		t = t.Add(time.Duration(g.r.ExpFloat64() * float64(40*time.Minute)))
	}
}

// accountTakeover: an established customer's account used from a new device
// and address, two to seven orders over a few days, several times their
// usual amounts, at merchants fraudsters like.
func (g *gen) accountTakeover(dayStart time.Time) {
	c := g.someone(dayStart, 60*day, math.MaxInt64)
	if c == nil {
		return
	}
	t := g.fraudTime(dayStart)
	dev := g.device()
	ip := g.proxyOrMobile(0.5)
	ship := c.home
	if g.r.Float64() < 0.6 {
		ship = g.drop()
	}
	for range 2 + min(g.poisson(1.5), 5) {
		m := g.fraudMerchant(t)
		if u := g.usualMerchant(c, t); u != nil && g.r.Float64() < 0.3 {
			m = u
		}
		amount := c.mean * (1.5 + 4*g.r.Float64()) * math.Sqrt(m.cat.amount)
		g.emit(order{c: c, m: m, t: t, amount: amount, device: dev, ip: ip, ship: ship, scenario: AccountTakeover})
		t = t.Add(time.Duration(g.r.ExpFloat64() * float64(10*time.Hour)))
	}
}

// deviceRing: one device opens four or more accounts over a few days, each
// placing one or two moderate orders, from one or two IPs, shipping mostly
// to a few drop addresses.
func (g *gen) deviceRing(dayStart time.Time) {
	dev := g.device()
	ips := []string{g.proxyOrMobile(0.8), g.proxyOrMobile(0.8)}
	drops := []string{g.drop(), g.drop(), g.drop()}
	span := time.Duration(1+g.r.IntN(4)) * day
	for range 3 + g.poisson(3) {
		t := g.fraudTime(dayStart).Add(g.within(span))
		c := g.fraudAccount(t, g.address(), 0.9)
		ship := c.home
		if g.r.Float64() < 0.7 {
			ship = drops[g.r.IntN(len(drops))]
		}
		ip := ips[g.r.IntN(len(ips))]
		if g.r.Float64() < 0.5 {
			ip = g.proxyOrMobile(0)
		}
		orders := 1
		if g.r.Float64() < 0.3 {
			orders = 2
		}
		for range orders {
			m := g.fraudMerchant(t)
			g.emit(order{c: c, m: m, t: t, amount: g.lognormal(800, 0.5) * math.Sqrt(m.cat.amount),
				device: dev, ip: ip, ship: ship, scenario: DeviceRing})
			t = t.Add(time.Duration(g.r.ExpFloat64() * float64(3*time.Hour)))
		}
	}
}

// bustOut: a merchant that has traded normally places a burst of fake orders
// through new and sleeper accounts from a few devices and IPs over three to
// eight days, then disappears.
func (g *gen) bustOut(dayStart time.Time) {
	var m *merchant
	for range 20 {
		if c := g.merchants[g.r.IntN(len(g.merchants))]; !c.nationwide && !c.bustOut {
			m = c
			break
		}
	}
	if m == nil {
		return
	}
	days := 3 + g.r.IntN(6)
	start := dayStart.Add(g.within(day))
	m.bustOut = true
	devs := []string{g.device(), g.device(), g.device(), g.device()}
	ips := []string{g.ipID(), g.ipID()}
	var shills []*customer
	perDay := 5 + 8*g.r.Float64()
	for d := range days {
		for range g.poisson(perDay) {
			t := start.Add(time.Duration(d)*day + g.within(day))
			var c *customer
			switch {
			case len(shills) > 0 && g.r.Float64() < 0.4:
				c = shills[g.r.IntN(len(shills))]
			case g.r.Float64() < 0.6:
				c = g.fraudAccount(t.Add(-g.within(3*day)), g.address(), 0.8)
				shills = append(shills, c)
			default: // a sleeper account opened weeks ago
				c = g.fraudAccount(t.Add(-time.Duration(10+g.r.IntN(50))*day), g.address(), 0.2)
				shills = append(shills, c)
			}
			o := order{c: c, m: m, t: t, device: g.device(), ip: g.proxyOrMobile(0.3), ship: c.home, scenario: MerchantBustOut}
			o.amount = g.lognormal(600, 0.5) * m.cat.amount * (1.5 + 1.5*g.r.Float64())
			if g.r.Float64() < 0.5 {
				o.device = devs[g.r.IntN(len(devs))]
			}
			if g.r.Float64() < 0.7 {
				o.ip = ips[g.r.IntN(len(ips))]
			}
			if g.r.Float64() < 0.3 {
				o.ship = g.drop()
			}
			g.emit(o)
		}
	}
	m.closed = start.Add(time.Duration(days) * day)
}

// firstParty: a customer — new, or with a young account — who never means to
// pay: three to eight orders over up to two weeks, each larger than the last,
// from their own device and address. They are blocked afterwards.
func (g *gen) firstParty(dayStart time.Time) {
	t := g.atHour(dayStart, 15, 4)
	var c *customer
	if g.r.Float64() < 0.4 {
		c = g.someone(dayStart, 7*day, 180*day)
	}
	if c == nil {
		c = g.genuineCustomer(t.Add(-time.Duration(g.r.IntN(3)) * day))
	}
	c.genuine = false
	span := time.Duration(2+g.r.IntN(11)) * day
	k := 3 + min(g.poisson(1.5), 5)
	amount := c.mean * (0.6 + 0.6*g.r.Float64())
	for range k {
		m := g.usualMerchant(c, t)
		if m == nil || g.r.Float64() < 0.5 {
			m = g.fraudMerchant(t)
		}
		o := order{c: c, m: m, t: t, amount: amount * math.Sqrt(m.cat.amount), device: c.devices[0], ip: c.ip, ship: c.home, scenario: FirstParty}
		if g.r.Float64() < 0.3 {
			o.ip = g.mobileIPs[g.r.IntN(len(g.mobileIPs))]
		}
		g.emit(o)
		amount *= 1.3 + 0.7*g.r.Float64()
		t = t.Add(time.Duration(g.r.ExpFloat64() * float64(span) / float64(k)))
	}
}
