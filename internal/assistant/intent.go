package assistant

// Intent is what a consumer's message asks for.
type Intent string

// The intents the assistant recognises. None is everything else: the
// assistant hands such a message to a person.
const (
	RefundStatus      Intent = "refund_status"
	PausePayment      Intent = "pause_payment"
	ReportReturn      Intent = "report_return"
	OpenDispute       Intent = "open_dispute"
	FreezeCard        Intent = "freeze_card"
	NotMyPurchase     Intent = "not_my_purchase"
	ChangePaymentDate Intent = "change_payment_date"
	DeleteMyData      Intent = "delete_my_data"
	MakeComplaint     Intent = "make_complaint"
	IsThisFromYou     Intent = "is_this_from_you"
	TalkToPerson      Intent = "talk_to_person"
	Greeting          Intent = "greeting"
	Thanks            Intent = "thanks"
	None              Intent = "none"
)

// Intents lists every intent the classifier knows, None last.
var Intents = []Intent{
	RefundStatus, PausePayment, ReportReturn, OpenDispute, FreezeCard, NotMyPurchase,
	ChangePaymentDate, DeleteMyData, MakeComplaint, IsThisFromYou, TalkToPerson,
	Greeting, Thanks, None,
}

// Valid reports whether i is one of Intents.
func (i Intent) Valid() bool {
	for _, k := range Intents {
		if k == i {
			return true
		}
	}
	return false
}

// IsAction reports whether the intent changes something for the consumer
// (and so runs only after the consumer confirms it).
func (i Intent) IsAction() bool {
	switch i {
	case PausePayment, ReportReturn, OpenDispute, FreezeCard, NotMyPurchase, DeleteMyData, MakeComplaint:
		return true
	}
	return false
}

// IsInformational reports whether the intent is answered with information
// and help articles only.
func (i Intent) IsInformational() bool {
	switch i {
	case RefundStatus, ChangePaymentDate, IsThisFromYou:
		return true
	}
	return false
}
