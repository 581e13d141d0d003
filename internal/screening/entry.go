package screening

// The list names Load gives the publishers' lists.
const (
	// ListOFAC is the US Treasury OFAC Specially Designated Nationals list
	// (sdn.csv with alt.csv and add.csv).
	ListOFAC = "ofac-sdn"
	// ListUN is the UN Security Council consolidated list (XML).
	ListUN = "un-sc"
)

// EntryType is what a list entry is.
type EntryType string

// The entry types.
const (
	Individual EntryType = "individual"
	// Entity is an organisation: a company, bank, group or party. OFAC
	// publishes its type as "-0-" (empty).
	Entity   EntryType = "entity"
	Vessel   EntryType = "vessel"
	Aircraft EntryType = "aircraft"
)

// Quality is how much a list's publisher trusts one of an entry's names.
type Quality string

// The name qualities.
const (
	// Primary is the entry's main name.
	Primary Quality = "primary"
	// Strong is an alias the publisher considers good enough to identify
	// the entry: OFAC's alt.csv, the UN's "Good", "a.k.a." and "f.k.a."
	// aliases and a name in its original script.
	Strong Quality = "strong"
	// Weak is an alias the publisher marks as low quality: OFAC's a.k.a.
	// in an entry's remarks, the UN's "Low" aliases. A match on it counts
	// less (WeakAliasFactor).
	Weak Quality = "weak"
)

// Entry is one listed person, organisation, vessel or aircraft.
type Entry struct {
	// List is the list's name (ListOFAC or ListUN).
	List string `json:"list"`
	// ID is the publisher's id of the entry: OFAC's ent_num, the UN's
	// DATAID.
	ID string `json:"id"`
	// Reference is the UN's reference number (such as "QDi.001"); empty
	// for OFAC.
	Reference string    `json:"reference,omitempty"`
	Type      EntryType `json:"type"`
	// Names are the entry's names, the primary name first.
	Names []Name `json:"names"`
	// BirthDates are the dates of birth the list gives, in its order.
	BirthDates []BirthDate `json:"birth_dates,omitempty"`
	// Nationalities are as published (country names).
	Nationalities []string `json:"nationalities,omitempty"`
	// Programs are the sanctions programmes (OFAC) or the UN list type
	// (such as "Al-Qaida").
	Programs  []string  `json:"programs,omitempty"`
	Title     string    `json:"title,omitempty"`
	Addresses []Address `json:"addresses,omitempty"`
	// Remarks are OFAC's remarks or the UN's comments, as published.
	Remarks string `json:"remarks,omitempty"`
}

// Name is one of an entry's names.
type Name struct {
	Full    string  `json:"name"`
	Quality Quality `json:"quality"`
	// Kind is the publisher's word for an alias: OFAC's "aka", "fka" or
	// "nka", the UN's "a.k.a.", "f.k.a.", "Good" or "Low"; empty for the
	// primary name.
	Kind string `json:"kind,omitempty"`
}

// Address is one address of an entry.
type Address struct {
	Street string `json:"street,omitempty"`
	// City is the city, state or province and postal code as published.
	City    string `json:"city,omitempty"`
	Country string `json:"country,omitempty"`
	Note    string `json:"note,omitempty"`
}
