package web

import (
	"fmt"
	"html/template"
	"time"

	"github.com/tillit/tillit/internal/i18n"
)

// funcs returns the template functions for pages written in lang.
func funcs(lang i18n.Lang) template.FuncMap {
	return template.FuncMap{
		"t": func(key string, args ...any) string { return i18n.T(lang, key, args...) },
		"msg": func(m *Message) string {
			if m == nil {
				return ""
			}
			return i18n.T(lang, m.Key, m.Args...)
		},
		"money": func(amount any, currency string) (string, error) {
			var minor int64
			switch a := amount.(type) {
			case int64:
				minor = a
			case int:
				minor = int64(a)
			case int32:
				minor = int64(a)
			default:
				return "", fmt.Errorf("money: amount is %T, want an integer count of minor units", amount)
			}
			return i18n.FormatMoney(lang, minor, currency), nil
		},
		"date":  func(t time.Time) string { return i18n.FormatDate(lang, t) },
		"asset": AssetURL,
		"field": newField,
	}
}

// Field is what the "web.field" partial renders: a labelled input with its
// hint, its error and the user's value. Build one in a template with field:
//
//	{{template "web.field" field .Data.Form "email" (t "auth.email") "type" "email" "autocomplete" "email"}}
type Field struct {
	Name         string
	ID           string
	Label        string
	Type         string
	Value        string
	Hint         string
	Autocomplete string
	Inputmode    string
	Required     bool
	Error        *Message
}

// DescribedBy returns the ids of the hint and error, for aria-describedby.
func (f Field) DescribedBy() string {
	var ids string
	if f.Hint != "" {
		ids = f.ID + "-hint"
	}
	if f.Error != nil {
		if ids != "" {
			ids += " "
		}
		ids += f.ID + "-error"
	}
	return ids
}

// newField builds a Field for name from form (which may be nil) with options
// given as name/value pairs: type, hint, autocomplete, inputmode and
// required ("true").
func newField(form *Form, name, label string, opts ...string) (Field, error) {
	f := Field{Name: name, ID: FieldID(name), Label: label, Type: "text"}
	if len(opts)%2 != 0 {
		return f, fmt.Errorf("field %s: options must come in name/value pairs", name)
	}
	for i := 0; i < len(opts); i += 2 {
		v := opts[i+1]
		switch opts[i] {
		case "type":
			f.Type = v
		case "hint":
			f.Hint = v
		case "autocomplete":
			f.Autocomplete = v
		case "inputmode":
			f.Inputmode = v
		case "required":
			f.Required = v == "true"
		default:
			return f, fmt.Errorf("field %s: unknown option %q", name, opts[i])
		}
	}
	if form != nil {
		if f.Type != "password" {
			f.Value = form.Get(name)
		}
		f.Error = form.Error(name)
	}
	return f, nil
}
