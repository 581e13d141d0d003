package web

import (
	"net/mail"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Message is a catalog key with its placeholder arguments (name/value
// pairs), translated when a page is rendered.
type Message struct {
	Key  string
	Args []any
}

// FieldError is one field's error, as the error summary lists it.
type FieldError struct {
	Field   string
	ID      string
	Message *Message
}

// Form holds what a user submitted and what is wrong with it, so a page can
// be rendered again with the user's input and an error by each field.
type Form struct {
	Values url.Values
	errs   map[string]*Message
	order  []string
}

// NewForm returns a Form over submitted values (r.PostForm); values may be
// nil for an empty form.
func NewForm(values url.Values) *Form {
	if values == nil {
		values = url.Values{}
	}
	return &Form{Values: values, errs: map[string]*Message{}}
}

// FieldID returns the HTML id of the input for a field name, which the error
// summary links to.
func FieldID(name string) string { return "f-" + name }

// Get returns the field's value with surrounding white space removed.
func (f *Form) Get(name string) string { return strings.TrimSpace(f.Values.Get(name)) }

// Has reports whether value is among the values submitted for name: a
// ticked checkbox.
func (f *Form) Has(name, value string) bool {
	for _, v := range f.Values[name] {
		if v == value {
			return true
		}
	}
	return false
}

// AddError records an error for a field as a catalog key and its arguments.
// A field keeps its first error.
func (f *Form) AddError(name, key string, args ...any) {
	if _, ok := f.errs[name]; ok {
		return
	}
	f.errs[name] = &Message{Key: key, Args: args}
	f.order = append(f.order, name)
}

// Valid reports whether no field has an error.
func (f *Form) Valid() bool { return len(f.errs) == 0 }

// Error returns the field's error, or nil.
func (f *Form) Error(name string) *Message { return f.errs[name] }

// Errors returns every field's error in the order they were added, which is
// the order the error summary lists them in: check fields in the order the
// page shows them.
func (f *Form) Errors() []FieldError {
	out := make([]FieldError, 0, len(f.order))
	for _, name := range f.order {
		out = append(out, FieldError{Field: name, ID: FieldID(name), Message: f.errs[name]})
	}
	return out
}

// Required adds "form.required" to each named field that is empty.
func (f *Form) Required(names ...string) {
	for _, name := range names {
		if f.Get(name) == "" {
			f.AddError(name, "form.required")
		}
	}
}

// MaxLength adds "form.too_long" when the field has more than max characters.
func (f *Form) MaxLength(name string, max int) {
	if utf8.RuneCountInString(f.Get(name)) > max {
		f.AddError(name, "form.too_long", "max", max)
	}
}

// Email adds "form.invalid_email" when the field is filled in but is not a
// plain e-mail address (name@example.com, without a display name).
func (f *Form) Email(name string) {
	v := f.Get(name)
	if v == "" {
		return
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || !strings.Contains(v[strings.LastIndexByte(v, '@'):], ".") {
		f.AddError(name, "form.invalid_email")
	}
}
