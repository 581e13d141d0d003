// Package features computes the fraud features of a pay-later order (T1)
// from the order itself and a window of earlier orders: velocity per
// customer, device, e-mail, IP and shipping address over sliding windows, the
// amount against the customer's history, billing/shipping mismatch, account
// and e-mail age, identities per device, address and IP, time of day, the
// merchant's recent volume and delayed fraud rate, and the merchant category's
// risk.
//
// One pure function, Compute, turns an order and its history into a Vector.
// Offline (training, evaluation) Offline feeds it every order of a labelled
// data set in time order; online the risk pipeline feeds it the stored orders
// that share a key with the new one (Related) and the merchant's aggregates
// (TerminalStats), so both paths give the same numbers by construction.
//
// Keys (customer, device, e-mail, IP, shipping address) are opaque strings:
// the pipeline passes keyed hashes, never the personal data itself. An empty
// key matches nothing.
package features

import (
	"time"
)

// Version changes whenever the list, order or meaning of the features
// changes; a model trained on another version does not load.
const Version = 1

// Windows the features look back over.
const (
	Hour = time.Hour
	Day  = 24 * time.Hour
	Week = 7 * Day
	// CustomerWindow is how far back the customer's spending history reaches.
	CustomerWindow = 30 * Day
	// LabelDelay is how long after an order its fraud label is taken to be
	// known (chargebacks, confirmed fraud, unpaid invoices). Features only use
	// labels of orders at least this old, so training sees no label that
	// scoring would not have had.
	LabelDelay = 7 * Day
	// TerminalRiskWindow is the span, ending LabelDelay before the order,
	// over which the merchant's fraud rate is measured.
	TerminalRiskWindow = 30 * Day
	// RelatedWindow is the widest window over the orders that share a key
	// with the new one: what Related must hold.
	RelatedWindow = CustomerWindow
	// TerminalWindow is the widest window over the merchant's orders: what
	// TerminalStatsFrom needs.
	TerminalWindow = LabelDelay + TerminalRiskWindow
)

// Tx is one purchase as the features see it. In a labelled data set Label
// and Scenario say whether (and how) it was fraud; Compute reads the labels
// of history orders only, and only once they are LabelDelay old.
type Tx struct {
	ID string
	// Time is when the order was placed, in the time zone its time-of-day
	// features are read in (the customer's; the simulator uses UTC).
	Time     time.Time
	Customer string
	Terminal string // the merchant (the handbook's "terminal")
	Amount   int64  // minor units
	Device   string
	Email    string
	IP       string
	Shipping string // the shipping address key
	// EmailAgeDays is how long the e-mail address has existed, in days, when
	// known (0 otherwise).
	EmailAgeDays int
	// AccountAgeDays is how long the customer's account has existed, in days.
	AccountAgeDays int
	// Mismatch is true when the shipping address differs from the billing
	// address.
	Mismatch bool
	Category string // merchant category
	Label    int    // 1 fraud, 0 genuine
	Scenario string // the simulator's fraud pattern; "" for genuine orders
}

// Spec describes one feature.
type Spec struct {
	Name        string
	Description string
	// Log marks features that models see as log(1+x): counts and amounts
	// with long tails.
	Log bool
}

// Feature indexes into a Vector.
const (
	FAmount = iota
	FHour
	FNight
	FWeekend
	FAccountAge
	FNewAccount
	FEmailAge
	FNewEmail
	FMismatch
	FCustomerCount1h
	FCustomerCount1d
	FCustomerCount7d
	FCustomerSum1d
	FCustomerSum7d
	FDeviceCount1h
	FDeviceCount1d
	FDeviceCount7d
	FDeviceSum1d
	FDeviceSum7d
	FEmailCount1h
	FEmailCount1d
	FEmailCount7d
	FEmailSum1d
	FEmailSum7d
	FIPCount1h
	FIPCount1d
	FIPCount7d
	FIPSum1d
	FIPSum7d
	FShippingCount1d
	FShippingCount7d
	FCustomerCount30d
	FCustomerMean30d
	FAmountRatio
	FCustomerNoHistory
	FNewDeviceForCustomer
	FNewIPForCustomer
	FNewShippingForCustomer
	FNewTerminalForCustomer
	FCustomerDevices7d
	FDeviceCustomers7d
	FShippingCustomers7d
	FIPCustomers1d
	FTerminalCount1d
	FTerminalCount7d
	FTerminalBurst
	FTerminalRisk
	FTerminalLabelled
	FCategoryRisk
	// N is the number of features.
	N
)

// Vector holds one order's features, indexed by the F constants.
type Vector [N]float64

// Specs lists every feature in Vector order.
var Specs = [N]Spec{
	FAmount:                 {"amount", "order amount in major units", true},
	FHour:                   {"hour", "hour of day (0-23) in the order's time zone", false},
	FNight:                  {"night", "1 when ordered between 00:00 and 06:00", false},
	FWeekend:                {"weekend", "1 on Saturday or Sunday", false},
	FAccountAge:             {"account_age_days", "days since the customer's account was created", true},
	FNewAccount:             {"new_account", "1 when the account is less than 7 days old", false},
	FEmailAge:               {"email_age_days", "days since the e-mail address was first seen (0 when unknown)", true},
	FNewEmail:               {"new_email", "1 when the e-mail address is less than 30 days old", false},
	FMismatch:               {"billing_shipping_mismatch", "1 when shipping and billing addresses differ", false},
	FCustomerCount1h:        {"customer_count_1h", "the customer's orders in the last hour", true},
	FCustomerCount1d:        {"customer_count_1d", "the customer's orders in the last day", true},
	FCustomerCount7d:        {"customer_count_7d", "the customer's orders in the last 7 days", true},
	FCustomerSum1d:          {"customer_sum_1d", "the customer's spend in the last day (major units)", true},
	FCustomerSum7d:          {"customer_sum_7d", "the customer's spend in the last 7 days (major units)", true},
	FDeviceCount1h:          {"device_count_1h", "orders from the device in the last hour", true},
	FDeviceCount1d:          {"device_count_1d", "orders from the device in the last day", true},
	FDeviceCount7d:          {"device_count_7d", "orders from the device in the last 7 days", true},
	FDeviceSum1d:            {"device_sum_1d", "spend from the device in the last day", true},
	FDeviceSum7d:            {"device_sum_7d", "spend from the device in the last 7 days", true},
	FEmailCount1h:           {"email_count_1h", "orders with the e-mail address in the last hour", true},
	FEmailCount1d:           {"email_count_1d", "orders with the e-mail address in the last day", true},
	FEmailCount7d:           {"email_count_7d", "orders with the e-mail address in the last 7 days", true},
	FEmailSum1d:             {"email_sum_1d", "spend with the e-mail address in the last day", true},
	FEmailSum7d:             {"email_sum_7d", "spend with the e-mail address in the last 7 days", true},
	FIPCount1h:              {"ip_count_1h", "orders from the IP address in the last hour", true},
	FIPCount1d:              {"ip_count_1d", "orders from the IP address in the last day", true},
	FIPCount7d:              {"ip_count_7d", "orders from the IP address in the last 7 days", true},
	FIPSum1d:                {"ip_sum_1d", "spend from the IP address in the last day", true},
	FIPSum7d:                {"ip_sum_7d", "spend from the IP address in the last 7 days", true},
	FShippingCount1d:        {"shipping_count_1d", "orders to the shipping address in the last day", true},
	FShippingCount7d:        {"shipping_count_7d", "orders to the shipping address in the last 7 days", true},
	FCustomerCount30d:       {"customer_count_30d", "the customer's orders in the last 30 days", true},
	FCustomerMean30d:        {"customer_mean_30d", "the customer's mean order amount over 30 days (0 without history)", true},
	FAmountRatio:            {"amount_to_customer_mean", "amount over the customer's 30-day mean (1 without history)", true},
	FCustomerNoHistory:      {"customer_no_history", "1 when the customer has no order in 30 days", false},
	FNewDeviceForCustomer:   {"new_device_for_customer", "1 when the customer has 30-day history but never this device", false},
	FNewIPForCustomer:       {"new_ip_for_customer", "1 when the customer has 30-day history but never this IP", false},
	FNewShippingForCustomer: {"new_shipping_for_customer", "1 when the customer has 30-day history but never this shipping address", false},
	FNewTerminalForCustomer: {"new_merchant_for_customer", "1 when the customer has 30-day history but never at this merchant", false},
	FCustomerDevices7d:      {"customer_devices_7d", "distinct devices of the customer in 7 days, this order included", true},
	FDeviceCustomers7d:      {"device_customers_7d", "distinct customers on the device in 7 days, this order included", true},
	FShippingCustomers7d:    {"shipping_customers_7d", "distinct customers shipping to the address in 7 days, this order included", true},
	FIPCustomers1d:          {"ip_customers_1d", "distinct customers on the IP address in 1 day, this order included", true},
	FTerminalCount1d:        {"merchant_count_1d", "the merchant's orders in the last day", true},
	FTerminalCount7d:        {"merchant_count_7d", "the merchant's orders in the last 7 days", true},
	FTerminalBurst:          {"merchant_burst", "the merchant's orders in the last day over its daily mean of the last 30 days (+1)", true},
	FTerminalRisk:           {"merchant_fraud_rate", "share of the merchant's orders labelled fraud, 7-37 days ago", false},
	FTerminalLabelled:       {"merchant_labelled_orders", "the merchant's orders 7-37 days ago (with known labels)", true},
	FCategoryRisk:           {"merchant_category_risk", "fraud rate of the merchant category in the training period (smoothed)", false},
}

// Names returns the feature names in Vector order.
func Names() []string {
	out := make([]string, N)
	for i, s := range Specs {
		out[i] = s.Name
	}
	return out
}

// IsRelated reports whether an earlier order h is one Compute reads for tx:
// the same customer within RelatedWindow, or the same device, e-mail, IP or
// shipping address within a week. It is the condition of the database query
// that feeds Compute online.
func IsRelated(tx, h *Tx) bool {
	age := tx.Time.Sub(h.Time)
	if age < 0 || age >= RelatedWindow {
		return false
	}
	return same(h.Customer, tx.Customer) || age < Week &&
		(same(h.Device, tx.Device) || same(h.Email, tx.Email) || same(h.IP, tx.IP) || same(h.Shipping, tx.Shipping))
}

// TerminalStats are the merchant's aggregates over its earlier orders: what
// a database computes with a few COUNT and SUM queries.
type TerminalStats struct {
	Count1d  int `json:"count_1d"`
	Count7d  int `json:"count_7d"`
	Count30d int `json:"count_30d"`
	// Labelled and Frauds count the orders placed between
	// LabelDelay+TerminalRiskWindow and LabelDelay before the order, and
	// those of them labelled fraud.
	Labelled int `json:"labelled"`
	Frauds   int `json:"frauds"`
}

// add counts an earlier order h of the merchant into the stats of tx.
func (s *TerminalStats) add(tx, h *Tx) {
	age := tx.Time.Sub(h.Time)
	if age < 0 || age >= TerminalWindow {
		return
	}
	if age < Day {
		s.Count1d++
	}
	if age < Week {
		s.Count7d++
	}
	if age < 30*Day {
		s.Count30d++
	}
	if age >= LabelDelay {
		s.Labelled++
		s.Frauds += h.Label
	}
}

// TerminalStatsFrom computes the merchant aggregates of tx from the
// merchant's earlier orders (those with another merchant are ignored).
func TerminalStatsFrom(tx Tx, history []Tx) TerminalStats {
	var s TerminalStats
	for i := range history {
		if history[i].Terminal == tx.Terminal && tx.Terminal != "" {
			s.add(&tx, &history[i])
		}
	}
	return s
}

// Compute returns the features of tx. related holds earlier orders within
// RelatedWindow that share the customer, device, e-mail, IP or shipping
// address with tx (others, and later ones, are ignored, so passing more is
// harmless); term holds the merchant's aggregates; enc the category risk.
func Compute(tx Tx, related []Tx, term TerminalStats, enc *Encoding) Vector {
	var v Vector
	amount := float64(tx.Amount) / 100
	v[FAmount] = amount
	hour := tx.Time.Hour()
	v[FHour] = float64(hour)
	v[FNight] = flag(hour < 6)
	wd := tx.Time.Weekday()
	v[FWeekend] = flag(wd == time.Saturday || wd == time.Sunday)
	v[FAccountAge] = float64(max(tx.AccountAgeDays, 0))
	v[FNewAccount] = flag(tx.AccountAgeDays < 7)
	v[FEmailAge] = float64(max(tx.EmailAgeDays, 0))
	v[FNewEmail] = flag(tx.EmailAgeDays < 30)
	v[FMismatch] = flag(tx.Mismatch)

	// Distinct keys seen with this order's keys, this order's own included;
	// an unknown key has none.
	var devBuf, custDevBuf, shipBuf, ipBuf [16]string
	custDevices := custDevBuf[:0]
	devCustomers := devBuf[:0]
	shipCustomers := shipBuf[:0]
	ipCustomers := ipBuf[:0]
	if tx.Customer != "" {
		custDevices = addDistinct(custDevices, tx.Device)
	}
	if tx.Device != "" {
		devCustomers = addDistinct(devCustomers, tx.Customer)
	}
	if tx.Shipping != "" {
		shipCustomers = addDistinct(shipCustomers, tx.Customer)
	}
	if tx.IP != "" {
		ipCustomers = addDistinct(ipCustomers, tx.Customer)
	}
	// Sums are kept in minor units, so they do not depend on the order of
	// related; cents[i] is the sum for feature i.
	var cents [N]int64
	var custSum30 int64
	seenDevice, seenIP, seenShipping, seenTerminal := false, false, false, false

	for i := range related {
		h := &related[i]
		age := tx.Time.Sub(h.Time)
		if age < 0 || age >= RelatedWindow {
			continue
		}
		a := h.Amount
		if same(h.Customer, tx.Customer) {
			v[FCustomerCount30d]++
			custSum30 += a
			seenDevice = seenDevice || h.Device == tx.Device
			seenIP = seenIP || h.IP == tx.IP
			seenShipping = seenShipping || h.Shipping == tx.Shipping
			seenTerminal = seenTerminal || h.Terminal == tx.Terminal
			window(&v, &cents, FCustomerCount1h, FCustomerSum1d, age, a)
			if age < Week && h.Device != "" {
				custDevices = addDistinct(custDevices, h.Device)
			}
		}
		if age >= Week {
			continue
		}
		if same(h.Device, tx.Device) {
			window(&v, &cents, FDeviceCount1h, FDeviceSum1d, age, a)
			devCustomers = addDistinct(devCustomers, h.Customer)
		}
		if same(h.Email, tx.Email) {
			window(&v, &cents, FEmailCount1h, FEmailSum1d, age, a)
		}
		if same(h.IP, tx.IP) {
			window(&v, &cents, FIPCount1h, FIPSum1d, age, a)
			if age < Day {
				ipCustomers = addDistinct(ipCustomers, h.Customer)
			}
		}
		if same(h.Shipping, tx.Shipping) {
			v[FShippingCount7d]++
			if age < Day {
				v[FShippingCount1d]++
			}
			shipCustomers = addDistinct(shipCustomers, h.Customer)
		}
	}

	for i, c := range cents {
		if c != 0 {
			v[i] = float64(c) / 100
		}
	}
	if n := v[FCustomerCount30d]; n > 0 {
		mean := float64(custSum30) / 100 / n
		v[FCustomerMean30d] = mean
		v[FAmountRatio] = amount / max(mean, 1)
		v[FNewDeviceForCustomer] = flag(tx.Device != "" && !seenDevice)
		v[FNewIPForCustomer] = flag(tx.IP != "" && !seenIP)
		v[FNewShippingForCustomer] = flag(tx.Shipping != "" && !seenShipping)
		v[FNewTerminalForCustomer] = flag(!seenTerminal)
	} else {
		v[FAmountRatio] = 1
		v[FCustomerNoHistory] = 1
	}
	v[FCustomerDevices7d] = float64(len(custDevices))
	v[FDeviceCustomers7d] = float64(len(devCustomers))
	v[FShippingCustomers7d] = float64(len(shipCustomers))
	v[FIPCustomers1d] = float64(len(ipCustomers))

	v[FTerminalCount1d] = float64(term.Count1d)
	v[FTerminalCount7d] = float64(term.Count7d)
	v[FTerminalBurst] = float64(term.Count1d) / (float64(term.Count30d)/30 + 1)
	if term.Labelled > 0 {
		v[FTerminalRisk] = float64(term.Frauds) / float64(term.Labelled)
	}
	v[FTerminalLabelled] = float64(term.Labelled)
	v[FCategoryRisk] = enc.Category(tx.Category)
	return v
}

// window adds one earlier order of a given age and amount (minor units) to
// a block of five features laid out as counts over 1h, 1d and 7d (from
// count) and sums over 1d and 7d (from sum, kept in cents).
func window(v *Vector, cents *[N]int64, count, sum int, age time.Duration, amount int64) {
	if age >= Week {
		return
	}
	v[count+2]++
	cents[sum+1] += amount
	if age < Day {
		v[count+1]++
		cents[sum] += amount
	}
	if age < Hour {
		v[count]++
	}
}

// same reports whether two keys match; an empty key matches nothing.
func same(a, b string) bool { return a != "" && a == b }

func flag(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// addDistinct appends key unless it is empty or already present.
func addDistinct(set []string, key string) []string {
	if key == "" {
		return set
	}
	for _, k := range set {
		if k == key {
			return set
		}
	}
	return append(set, key)
}
