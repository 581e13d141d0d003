package hosted

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/tillit/tillit/internal/plan"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/web"
)

// detailsLifetime is how long the details a consumer entered are kept
// between the details page and the code page.
const detailsLifetime = time.Hour

// Form field names of the details page.
const (
	fieldGivenName  = "given_name"
	fieldFamilyName = "family_name"
	fieldEmail      = "email"
	fieldPhone      = "phone"
	fieldStreet     = "street_address"
	fieldPostalCode = "postal_code"
	fieldCity       = "city"
	fieldCountry    = "country"
	fieldBirth      = "date_of_birth"
	fieldMethod     = "payment_method"
	fieldMonths     = "financing_months"
	fieldInstrument = "instrument"
)

// The ways to pay now, and the simulated rail instrument each one charges.
var instruments = map[string]string{
	"card": "sim:ok:card",
	"bank": "sim:ok:bank",
}

// details is what the consumer entered: their identity and billing address,
// and how they want to pay. It never holds an amount: those come from the
// session.
type details struct {
	GivenName   string `json:"gn"`
	FamilyName  string `json:"fn"`
	Email       string `json:"em"`
	Phone       string `json:"ph,omitempty"`
	Street      string `json:"st"`
	PostalCode  string `json:"pc"`
	City        string `json:"ci"`
	Country     string `json:"co"`
	DateOfBirth string `json:"db"` // YYYY-MM-DD
	Method      string `json:"pm"`
	Months      int    `json:"mo,omitempty"`
	Instrument  string `json:"in,omitempty"` // a key of instruments
	// IssuedAt is when the details were entered, in Unix seconds.
	IssuedAt int64 `json:"at"`
}

var (
	phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{4,28}[0-9]$`)
	// datePattern reads a date of birth as day, month and year (17-05-1990,
	// 17.05.1990, 17/05/1990) or as an ISO date (1990-05-17).
	dmyPattern = regexp.MustCompile(`^(\d{1,2})[-./ ](\d{1,2})[-./ ](\d{4})$`)
	isoPattern = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})$`)
)

// parseBirthDate returns a date of birth typed as day, month and year (or as
// an ISO date) as YYYY-MM-DD, or the catalog key of what is wrong with it.
func parseBirthDate(s string, now time.Time) (string, string) {
	var y, m, d string
	if g := dmyPattern.FindStringSubmatch(s); g != nil {
		d, m, y = g[1], g[2], g[3]
	} else if g := isoPattern.FindStringSubmatch(s); g != nil {
		y, m, d = g[1], g[2], g[3]
	} else {
		return "", "checkout.error.birth_format"
	}
	yi, _ := strconv.Atoi(y)
	mi, _ := strconv.Atoi(m)
	di, _ := strconv.Atoi(d)
	t := time.Date(yi, time.Month(mi), di, 0, 0, 0, 0, time.UTC)
	if t.Year() != yi || int(t.Month()) != mi || t.Day() != di {
		return "", "form.invalid_date"
	}
	if t.After(now) || yi < 1900 {
		return "", "checkout.error.birth_range"
	}
	return t.Format("2006-01-02"), ""
}

// birthDateForForm shows a stored date of birth the way the form asks for
// it: day, month and year.
func birthDateForForm(iso string) string {
	t, err := time.Parse("2006-01-02", iso)
	if err != nil {
		return iso
	}
	return t.Format("02-01-2006")
}

// parseDetails validates the details form against the session: every field
// in the order the page shows them, so the error summary follows the page.
// The payment method must be one the merchant offers.
func parseDetails(f *web.Form, offered []string, now time.Time) (details, bool) {
	f.Required(fieldGivenName, fieldFamilyName, fieldEmail)
	f.MaxLength(fieldGivenName, 100)
	f.MaxLength(fieldFamilyName, 100)
	f.Email(fieldEmail)
	f.MaxLength(fieldEmail, 254)
	if v := f.Get(fieldPhone); v != "" && !phonePattern.MatchString(v) {
		f.AddError(fieldPhone, "checkout.error.phone")
	}
	f.Required(fieldStreet, fieldPostalCode, fieldCity, fieldCountry)
	f.MaxLength(fieldStreet, 150)
	f.MaxLength(fieldPostalCode, 20)
	f.MaxLength(fieldCity, 100)
	if c := f.Get(fieldCountry); c != "" && !slices.Contains(countries, c) {
		f.AddError(fieldCountry, "form.invalid_choice")
	}
	f.Required(fieldBirth)
	var birth string
	if v := f.Get(fieldBirth); v != "" {
		var problem string
		if birth, problem = parseBirthDate(v, now); problem != "" {
			f.AddError(fieldBirth, problem)
		}
	}
	d := details{
		GivenName: f.Get(fieldGivenName), FamilyName: f.Get(fieldFamilyName), Email: f.Get(fieldEmail),
		Phone: f.Get(fieldPhone), Street: f.Get(fieldStreet), PostalCode: f.Get(fieldPostalCode),
		City: f.Get(fieldCity), Country: f.Get(fieldCountry), DateOfBirth: birth,
		Method: f.Get(fieldMethod), IssuedAt: now.Unix(),
	}
	switch {
	case d.Method == "":
		f.AddError(fieldMethod, "checkout.error.method_required")
	case !slices.Contains(offered, d.Method):
		f.AddError(fieldMethod, "checkout.error.method_unavailable")
	case d.Method == repayment.CategoryFinancing:
		m, err := strconv.Atoi(f.Get(fieldMonths))
		if err != nil || !slices.Contains(plan.FinancingMonths, m) {
			f.AddError(fieldMonths, "checkout.error.months")
		}
		d.Months = m
	case d.Method == repayment.CategoryPayNow:
		d.Instrument = f.Get(fieldInstrument)
		if _, ok := instruments[d.Instrument]; !ok {
			f.AddError(fieldInstrument, "checkout.error.instrument")
		}
	}
	return d, f.Valid()
}

// values returns the details as the form's values, to fill the form in again.
func (d details) values() url.Values {
	v := url.Values{}
	set := func(name, value string) {
		if value != "" {
			v.Set(name, value)
		}
	}
	set(fieldGivenName, d.GivenName)
	set(fieldFamilyName, d.FamilyName)
	set(fieldEmail, d.Email)
	set(fieldPhone, d.Phone)
	set(fieldStreet, d.Street)
	set(fieldPostalCode, d.PostalCode)
	set(fieldCity, d.City)
	set(fieldCountry, d.Country)
	set(fieldBirth, birthDateForForm(d.DateOfBirth))
	set(fieldMethod, d.Method)
	if d.Months > 0 {
		set(fieldMonths, strconv.Itoa(d.Months))
	}
	set(fieldInstrument, d.Instrument)
	return v
}

// deriveKey derives a 32-byte key for one purpose from the configured key.
func deriveKey(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// aead returns the cipher that seals the details cookie.
func (p *Pages) aead() cipher.AEAD {
	block, err := aes.NewCipher(p.detailKey)
	if err != nil {
		panic(err) // the key is always 32 bytes
	}
	g, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return g
}

// sealDetails encrypts and authenticates details for one session's cookie:
// the browser can neither read nor change them, nor move them to another
// session.
func (p *Pages) sealDetails(sessionID string, d details) string {
	plain, err := json.Marshal(d)
	if err != nil {
		panic(err)
	}
	g := p.aead()
	nonce := make([]byte, g.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(g.Seal(nonce, nonce, plain, []byte("checkout details:"+sessionID)))
}

// openDetails returns the details sealed in a cookie value for sessionID,
// or false when the value was changed, belongs to another session or is
// older than detailsLifetime.
func (p *Pages) openDetails(sessionID, value string) (details, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(value)
	g := p.aead()
	if err != nil || len(raw) < g.NonceSize() {
		return details{}, false
	}
	plain, err := g.Open(nil, raw[:g.NonceSize()], raw[g.NonceSize():], []byte("checkout details:"+sessionID))
	if err != nil {
		return details{}, false
	}
	var d details
	if json.Unmarshal(plain, &d) != nil {
		return details{}, false
	}
	age := p.now().Sub(time.Unix(d.IssuedAt, 0))
	if age < -time.Minute || age > detailsLifetime {
		return details{}, false
	}
	return d, true
}

// storedDetails returns the details kept for the request's session, if any.
func (p *Pages) storedDetails(r *http.Request, sessionID string) (details, bool) {
	c, err := r.Cookie(detailsCookie)
	if err != nil {
		return details{}, false
	}
	return p.openDetails(sessionID, c.Value)
}
