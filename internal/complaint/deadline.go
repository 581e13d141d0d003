// Package complaint handles consumer complaints in three tiers
// (requirements B5-B7; tables complaints and complaint_events): customer
// service (tier 1), the independent customer representative (tier 2) and
// the national financial complaints board (tier 3, named with FIN-NET in
// every final answer).
//
// A consumer files a complaint in the app, or customer service files it
// for them; it is acknowledged at once (timeline and e-mail). Customer
// service keeps the consumer updated, may send one holding reply for a
// payment-service complaint (the PSD2 limit moves from 15 to 35 business
// days) and gives the final answer, after which the consumer has
// Config.ReviewWindow to ask the representative for a final assessment.
// Durable jobs record deadline breaches as they pass and close answered
// complaints whose review window ran out. The register reports the
// complaints filed in a period.
//
// Every change is version-checked and audited in its transaction with the
// person as subject; what consumers and staff write is sealed by the vault
// under the person. This file holds the deadline rules and the board
// directory.
package complaint

import (
	"time"

	"github.com/tillit/tillit/internal/calendar"
)

// Category is what a complaint is about.
type Category string

// Complaint categories.
const (
	CategoryOrder      Category = "order"
	CategoryDecision   Category = "decision"
	CategoryPayment    Category = "payment"
	CategoryFees       Category = "fees"
	CategoryCollection Category = "collection"
	CategoryService    Category = "service"
	CategoryPrivacy    Category = "privacy"
	CategoryFraud      Category = "fraud"
	CategoryOther      Category = "other"
)

// Categories lists every complaint category.
var Categories = []Category{CategoryOrder, CategoryDecision, CategoryPayment, CategoryFees, CategoryCollection, CategoryService, CategoryPrivacy, CategoryFraud, CategoryOther}

// PaymentService reports whether complaints in c concern a payment service
// and so fall under the PSD2 answer limit.
func (c Category) PaymentService() bool {
	switch c {
	case CategoryPayment, CategoryFees, CategoryCollection, CategoryOrder:
		return true
	}
	return false
}

// Answer limits.
const (
	TargetCalendarDays = 14 // final answer target for every complaint
	PSD2BusinessDays   = 15 // PSD2 limit for payment-service complaints
	PSD2HoldingDays    = 35 // PSD2 limit after a holding reply with reasons
)

// Deadlines are the answer deadlines of one complaint.
type Deadlines struct {
	// Target is the end of the 14th calendar day after filing.
	Target time.Time
	// PSD2 is the end of the 15th business day, or of the 35th after a
	// holding reply; nil when the category is not a payment service.
	PSD2 *time.Time
}

// DeadlinesFor returns the deadlines of a complaint in category cat filed at
// filed by a consumer in country, holding telling whether a holding reply
// has been sent. Errors: BAD_VALUE for a country without a calendar.
func DeadlinesFor(country string, cat Category, filed time.Time, holding bool) (Deadlines, error) {
	cal, err := calendar.For(country)
	if err != nil {
		return Deadlines{}, err
	}
	d := Deadlines{Target: cal.CalendarDeadline(filed, TargetCalendarDays)}
	if cat.PaymentService() {
		n := PSD2BusinessDays
		if holding {
			n = PSD2HoldingDays
		}
		p := cal.Deadline(filed, n)
		d.PSD2 = &p
	}
	return d, nil
}

// Board is an out-of-court complaints body named in every final answer.
type Board struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// FINNET is FIN-NET, the EU network of national bodies for cross-border
// financial disputes. It replaces the EU ODR platform, which was
// discontinued on 20 July 2025 (Regulation (EU) 2024/3228).
var FINNET = Board{Name: "FIN-NET (Financial Dispute Resolution Network)", URL: "https://finance.ec.europa.eu/consumer-finance-and-payments/retail-financial-services/financial-dispute-resolution-network-fin-net_en"}

var boards = map[string]Board{
	"DK": {Name: "Det Finansielle Ankenævn", URL: "https://fanke.dk"},
	"SE": {Name: "Allmänna reklamationsnämnden (ARN)", URL: "https://www.arn.se"},
	"NL": {Name: "Kifid", URL: "https://www.kifid.nl"},
	"DE": {Name: "Schlichtungsstelle der Deutschen Bundesbank", URL: "https://www.bundesbank.de/schlichtungsstelle"},
}

// BoardFor returns the national financial complaints board for country and
// whether one is known.
func BoardFor(country string) (Board, bool) {
	b, ok := boards[country]
	return b, ok
}
