package checkout

import "encoding/json"

// OrderLine is one line of an order in the public API's shape. Amounts are
// minor units; tax_rate is basis points (2500 = 25%).
type OrderLine struct {
	Type                string          `json:"type,omitempty"`
	Reference           string          `json:"reference,omitempty"`
	Name                string          `json:"name"`
	Quantity            int64           `json:"quantity"`
	QuantityUnit        string          `json:"quantity_unit,omitempty"`
	UnitPrice           int64           `json:"unit_price"`
	TaxRate             int64           `json:"tax_rate"`
	TotalAmount         int64           `json:"total_amount"`
	TotalDiscountAmount int64           `json:"total_discount_amount"`
	TotalTaxAmount      int64           `json:"total_tax_amount"`
	MerchantData        string          `json:"merchant_data,omitempty"`
	ProductURL          string          `json:"product_url,omitempty"`
	ImageURL            string          `json:"image_url,omitempty"`
	ProductIdentifiers  json.RawMessage `json:"product_identifiers,omitempty"`
	Subscription        json.RawMessage `json:"subscription,omitempty"`
}

// Address is a billing or shipping address.
type Address struct {
	Title            string `json:"title,omitempty"`
	GivenName        string `json:"given_name,omitempty"`
	FamilyName       string `json:"family_name,omitempty"`
	Email            string `json:"email,omitempty"`
	Phone            string `json:"phone,omitempty"`
	StreetAddress    string `json:"street_address,omitempty"`
	StreetAddress2   string `json:"street_address2,omitempty"`
	PostalCode       string `json:"postal_code,omitempty"`
	City             string `json:"city,omitempty"`
	Region           string `json:"region,omitempty"`
	Country          string `json:"country,omitempty"`
	OrganizationName string `json:"organization_name,omitempty"`
	Attention        string `json:"attention,omitempty"`
	CareOf           string `json:"care_of,omitempty"`
}

// Customer is the identity part of the consumer's data.
type Customer struct {
	DateOfBirth                  string `json:"date_of_birth,omitempty"`
	NationalIdentificationNumber string `json:"national_identification_number,omitempty"`
	Gender                       string `json:"gender,omitempty"`
	Title                        string `json:"title,omitempty"`
	Type                         string `json:"type,omitempty"`
	OrganizationRegistrationID   string `json:"organization_registration_id,omitempty"`
	VatID                        string `json:"vat_id,omitempty"`
}

// MerchantURLs are the merchant's pages and endpoints for one purchase.
type MerchantURLs struct {
	Confirmation  string `json:"confirmation,omitempty"`
	Notification  string `json:"notification,omitempty"`
	Push          string `json:"push,omitempty"`
	Authorization string `json:"authorization,omitempty"`
}

// OrderData is the purchase a merchant describes when it creates or updates a
// payment session and when it places the order.
type OrderData struct {
	AcquiringChannel       string          `json:"acquiring_channel,omitempty"`
	Intent                 string          `json:"intent,omitempty"`
	PurchaseCountry        string          `json:"purchase_country"`
	PurchaseCurrency       string          `json:"purchase_currency"`
	Locale                 string          `json:"locale"`
	OrderAmount            int64           `json:"order_amount"`
	OrderTaxAmount         int64           `json:"order_tax_amount"`
	OrderLines             []OrderLine     `json:"order_lines"`
	MerchantURLs           *MerchantURLs   `json:"merchant_urls,omitempty"`
	MerchantReference1     string          `json:"merchant_reference1,omitempty"`
	MerchantReference2     string          `json:"merchant_reference2,omitempty"`
	MerchantData           string          `json:"merchant_data,omitempty"`
	BillingAddress         *Address        `json:"billing_address,omitempty"`
	ShippingAddress        *Address        `json:"shipping_address,omitempty"`
	Customer               *Customer       `json:"customer,omitempty"`
	Options                json.RawMessage `json:"options,omitempty"`
	Attachment             json.RawMessage `json:"attachment,omitempty"`
	Design                 string          `json:"design,omitempty"`
	CustomPaymentMethodIDs []string        `json:"custom_payment_method_ids,omitempty"`
}

// PaymentMethodCategory is one way to pay that a session offers.
type PaymentMethodCategory struct {
	Identifier string    `json:"identifier"`
	Name       string    `json:"name"`
	AssetURLs  AssetURLs `json:"asset_urls"`
}

// AssetURLs point at a payment method's badge images.
type AssetURLs struct {
	Descriptive string `json:"descriptive"`
	Standard    string `json:"standard"`
}

// SessionCreated is the answer to creating a payment session.
type SessionCreated struct {
	SessionID               string                  `json:"session_id"`
	ClientToken             string                  `json:"client_token"`
	PaymentMethodCategories []PaymentMethodCategory `json:"payment_method_categories"`
}

// Session is a payment session as the merchant reads it.
type Session struct {
	OrderData
	SessionID               string                  `json:"session_id"`
	ClientToken             string                  `json:"client_token"`
	Status                  string                  `json:"status"`
	AuthorizationToken      string                  `json:"authorization_token,omitempty"`
	ExpiresAt               string                  `json:"expires_at"`
	PaymentMethodCategories []PaymentMethodCategory `json:"payment_method_categories"`
}

// Device describes the consumer's device at authorization, for fraud checks.
type Device struct {
	IP          string `json:"ip,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
	UserAgent   string `json:"user_agent,omitempty"`
}

// AuthorizeRequest is the consumer side's request to authorize a session.
type AuthorizeRequest struct {
	PaymentMethodCategory string   `json:"payment_method_category"`
	Customer              Customer `json:"customer"`
	BillingAddress        *Address `json:"billing_address"`
	ShippingAddress       *Address `json:"shipping_address,omitempty"`
	Device                Device   `json:"device"`
	OTP                   string   `json:"otp"`
	// FinancingMonths is the financing term chosen (pay_over_time only; 0
	// means the default term).
	FinancingMonths int `json:"financing_months,omitempty"`
	// PaymentInstrument is the rail reference the consumer pays with (a
	// tokenised card or account, never a card number); pay now charges it at
	// purchase.
	PaymentInstrument string `json:"payment_instrument,omitempty"`
}

// AuthorizeResult is the answer to an authorization: approved with a token the
// merchant places the order with, or not approved with reasons.
type AuthorizeResult struct {
	Approved           bool     `json:"approved"`
	AuthorizationToken string   `json:"authorization_token,omitempty"`
	FraudStatus        string   `json:"fraud_status"`
	Reasons            []string `json:"reasons"`
}

// OTPRequest asks for a one-time code to be sent to the consumer.
type OTPRequest struct {
	Email string `json:"email"`
}

// PaymentMethod describes how the consumer chose to pay.
type PaymentMethod struct {
	Type                 string `json:"type"`
	Description          string `json:"description"`
	NumberOfDays         int    `json:"number_of_days,omitempty"`
	NumberOfInstallments int    `json:"number_of_installments,omitempty"`
}

// OrderCreated is the answer to placing an order.
type OrderCreated struct {
	OrderID                 string        `json:"order_id"`
	RedirectURL             string        `json:"redirect_url,omitempty"`
	FraudStatus             string        `json:"fraud_status"`
	AuthorizedPaymentMethod PaymentMethod `json:"authorized_payment_method"`
}

// ShippingInfo is one shipment of an order or capture.
type ShippingInfo struct {
	ShippingCompany       string `json:"shipping_company,omitempty"`
	ShippingMethod        string `json:"shipping_method,omitempty"`
	TrackingNumber        string `json:"tracking_number,omitempty"`
	TrackingURI           string `json:"tracking_uri,omitempty"`
	ReturnShippingCompany string `json:"return_shipping_company,omitempty"`
	ReturnTrackingNumber  string `json:"return_tracking_number,omitempty"`
	ReturnTrackingURI     string `json:"return_tracking_uri,omitempty"`
}

// CaptureRequest asks to capture part or all of an order.
type CaptureRequest struct {
	CapturedAmount int64          `json:"captured_amount"`
	Description    string         `json:"description,omitempty"`
	Reference      string         `json:"reference,omitempty"`
	OrderLines     []OrderLine    `json:"order_lines,omitempty"`
	ShippingInfo   []ShippingInfo `json:"shipping_info,omitempty"`
	// ShippingDelay is how many days after the capture the goods ship.
	ShippingDelay int64 `json:"shipping_delay,omitempty"`
}

// Capture is a captured amount as the merchant reads it.
type Capture struct {
	CaptureID       string         `json:"capture_id"`
	KlarnaReference string         `json:"klarna_reference"`
	CapturedAmount  int64          `json:"captured_amount"`
	CapturedAt      string         `json:"captured_at"`
	Description     string         `json:"description"`
	Reference       string         `json:"reference,omitempty"`
	OrderLines      []OrderLine    `json:"order_lines"`
	RefundedAmount  int64          `json:"refunded_amount"`
	BillingAddress  *Address       `json:"billing_address,omitempty"`
	ShippingAddress *Address       `json:"shipping_address,omitempty"`
	ShippingInfo    []ShippingInfo `json:"shipping_info"`
}

// RefundRequest asks to refund part or all of what was captured.
type RefundRequest struct {
	RefundedAmount int64       `json:"refunded_amount"`
	Description    string      `json:"description,omitempty"`
	Reference      string      `json:"reference,omitempty"`
	OrderLines     []OrderLine `json:"order_lines,omitempty"`
}

// Refund is a refunded amount as the merchant reads it.
type Refund struct {
	RefundID       string      `json:"refund_id"`
	RefundedAmount int64       `json:"refunded_amount"`
	RefundedAt     string      `json:"refunded_at"`
	Description    string      `json:"description"`
	Reference      string      `json:"reference,omitempty"`
	OrderLines     []OrderLine `json:"order_lines"`
	// Type is "fraud" for a fraud write-off (FraudWriteOff: the claim taken
	// back from the merchant after the order was found fraudulent) and
	// absent for the merchant's own refunds.
	Type string `json:"type,omitempty"`
}

// ShippingInfoRequest adds shipments to an order or capture.
type ShippingInfoRequest struct {
	ShippingInfo []ShippingInfo `json:"shipping_info"`
}

// MerchantReferences are the merchant's own references for an order.
type MerchantReferences struct {
	MerchantReference1 *string `json:"merchant_reference1,omitempty"`
	MerchantReference2 *string `json:"merchant_reference2,omitempty"`
}

// Order is an order as the merchant reads it.
type Order struct {
	OrderID                   string          `json:"order_id"`
	Status                    string          `json:"status"`
	FraudStatus               string          `json:"fraud_status"`
	OrderAmount               int64           `json:"order_amount"`
	OriginalOrderAmount       int64           `json:"original_order_amount"`
	CapturedAmount            int64           `json:"captured_amount"`
	RefundedAmount            int64           `json:"refunded_amount"`
	RemainingAuthorizedAmount int64           `json:"remaining_authorized_amount"`
	PurchaseCurrency          string          `json:"purchase_currency"`
	PurchaseCountry           string          `json:"purchase_country"`
	Locale                    string          `json:"locale"`
	OrderTaxAmount            int64           `json:"order_tax_amount"`
	OrderLines                []OrderLine     `json:"order_lines"`
	MerchantReference1        string          `json:"merchant_reference1,omitempty"`
	MerchantReference2        string          `json:"merchant_reference2,omitempty"`
	KlarnaReference           string          `json:"klarna_reference"`
	Customer                  *Customer       `json:"customer,omitempty"`
	BillingAddress            *Address        `json:"billing_address,omitempty"`
	ShippingAddress           *Address        `json:"shipping_address,omitempty"`
	CreatedAt                 string          `json:"created_at"`
	ExpiresAt                 string          `json:"expires_at"`
	Captures                  []Capture       `json:"captures"`
	Refunds                   []Refund        `json:"refunds"`
	ShippingInfo              []ShippingInfo  `json:"shipping_info"`
	MerchantData              string          `json:"merchant_data,omitempty"`
	InitialPaymentMethod      PaymentMethod   `json:"initial_payment_method"`
	MerchantURLs              *MerchantURLs   `json:"-"`
	Options                   json.RawMessage `json:"-"`
}
