package portal

import (
	"strings"
	"time"

	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/web"
)

// The values the order filters offer, in the order a select lists them.
var (
	orderStatuses = []string{checkout.StatusAuthorized, checkout.StatusPartCaptured, checkout.StatusCaptured,
		checkout.StatusClosed, checkout.StatusCancelled, checkout.StatusExpired}
	fraudStatuses  = []string{checkout.FraudAccepted, checkout.FraudPending, checkout.FraudRejected, checkout.FraudStopped}
	paymentMethods = []string{"pay_now", "pay_later", "pay_in_parts", "pay_over_time"}
)

// statusKey is the catalog key of an order status's name.
func statusKey(s string) string { return "merchant.status." + strings.ToLower(s) }

// fraudKey is the catalog key of a fraud status's name.
func fraudKey(s string) string { return "merchant.fraud." + strings.ToLower(s) }

// methodKey is the catalog key of a payment method category's name.
func methodKey(s string) string { return "merchant.method." + s }

// statusBadge is the badge colour of an order status.
func statusBadge(s string) string {
	switch s {
	case checkout.StatusAuthorized, checkout.StatusPartCaptured:
		return "info"
	case checkout.StatusCaptured:
		return "success"
	case checkout.StatusExpired:
		return "warning"
	}
	return "neutral"
}

// fraudBadge is the badge colour of a fraud status.
func fraudBadge(s string) string {
	switch s {
	case checkout.FraudAccepted:
		return "success"
	case checkout.FraudPending:
		return "warning"
	}
	return "error"
}

// labelled is an order's statuses and payment method as a page shows them.
type labelled struct {
	Status, FraudStatus, PaymentMethod string
}

// StatusKey is the catalog key of the order status.
func (l labelled) StatusKey() string { return statusKey(l.Status) }

// StatusBadge is the badge colour of the order status.
func (l labelled) StatusBadge() string { return statusBadge(l.Status) }

// FraudKey is the catalog key of the fraud status.
func (l labelled) FraudKey() string { return fraudKey(l.FraudStatus) }

// FraudBadge is the badge colour of the fraud status.
func (l labelled) FraudBadge() string { return fraudBadge(l.FraudStatus) }

// FraudShown reports whether a list shows the fraud status: only when it is
// not ACCEPTED, the usual case.
func (l labelled) FraudShown() bool { return l.FraudStatus != checkout.FraudAccepted }

// MethodKey is the catalog key of the payment method.
func (l labelled) MethodKey() string { return methodKey(l.PaymentMethod) }

// option is one choice of a select.
type option struct {
	Value    string
	Key      string
	Selected bool
}

// selectField is a select for the "merchant.select" partial.
type selectField struct {
	Name, ID, LabelKey string
	Options            []option
	Error              *web.Message
}

// newSelect builds the select of a form's field with its choices.
func newSelect(form *web.Form, name, labelKey string, opts []option) selectField {
	return selectField{Name: name, ID: web.FieldID(name), LabelKey: labelKey, Options: opts, Error: form.Error(name)}
}

// RoleKey is the catalog key of the user's role.
func (u *user) RoleKey() string { return "merchant.role." + string(u.Role) }

// planStatusKey is the catalog key of a payment plan's status.
func planStatusKey(s string) string { return "merchant.plan.status." + strings.ToLower(s) }

// options builds a select's choices, with the value chosen selected.
func options(values []string, key func(string) string, chosen string) []option {
	out := make([]option, 0, len(values))
	for _, v := range values {
		out = append(out, option{Value: v, Key: key(v), Selected: v == chosen})
	}
	return out
}

// apiTime parses a timestamp in the public API's format, as checkout's
// order views carry them.
func apiTime(s string) time.Time {
	t, err := time.Parse("2006-01-02T15:04:05.000Z", s)
	if err != nil {
		return time.Time{}
	}
	return t
}
