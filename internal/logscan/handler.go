package logscan

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
)

// recorder holds the captured log records and the registered secrets of
// one test binary (or, in this package's own tests, of one test).
type recorder struct {
	mu      sync.Mutex
	records []record
	secrets map[string]Kind
}

func newRecorder() *recorder { return &recorder{secrets: map[string]Kind{}} }

// record is one captured log record, flattened: the message and every
// attribute, group members under dotted keys.
type record struct {
	level  slog.Level
	pc     uintptr
	fields []field
}

// field is one part of a record as text.
type field struct {
	// key is slog.MessageKey for the message, the attribute's key
	// qualified by its groups ("request.password") otherwise.
	key   string
	value string
	// text is false for numbers, booleans, times and durations, which
	// short secrets are not looked for in.
	text bool
}

func (r *recorder) add(rec record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec)
}

func (r *recorder) secret(kind Kind, value string) {
	if value == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets[value] = kind
}

// handler is the capturing slog.Handler.
type handler struct {
	rec  *recorder
	next slog.Handler
	// prefix qualifies the keys of attributes added later: the open
	// groups, each followed by a dot.
	prefix string
	// attrs are the fields WithAttrs added.
	attrs []field
}

// Enabled reports true at every level: debug records are scanned too.
func (h *handler) Enabled(context.Context, slog.Level) bool { return true }

// Handle captures r and hands it on to the next handler.
func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	fields := make([]field, 0, 1+len(h.attrs)+r.NumAttrs())
	fields = append(fields, field{key: slog.MessageKey, value: r.Message, text: true})
	fields = append(fields, h.attrs...)
	r.Attrs(func(a slog.Attr) bool {
		fields = appendAttr(fields, h.prefix, a)
		return true
	})
	h.rec.add(record{level: r.Level, pc: r.PC, fields: fields})
	if h.next != nil && h.next.Enabled(ctx, r.Level) {
		return h.next.Handle(ctx, r)
	}
	return nil
}

// WithAttrs returns a handler whose records carry attrs as well.
func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = slices.Clip(h.attrs)
	for _, a := range attrs {
		c.attrs = appendAttr(c.attrs, h.prefix, a)
	}
	if h.next != nil {
		c.next = h.next.WithAttrs(attrs)
	}
	return &c
}

// WithGroup returns a handler that puts later attributes in the group.
func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.prefix = h.prefix + name + "."
	if h.next != nil {
		c.next = h.next.WithGroup(name)
	}
	return &c
}

// appendAttr appends a's fields: one for a plain value, one per member for
// a group, after resolving LogValuers as every handler does.
func appendAttr(fields []field, prefix string, a slog.Attr) []field {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		if a.Key != "" {
			prefix += a.Key + "."
		}
		for _, member := range v.Group() {
			fields = appendAttr(fields, prefix, member)
		}
		return fields
	}
	if a.Key == "" && v.Kind() == slog.KindAny && v.Any() == nil {
		return fields
	}
	value, text := render(v)
	return append(fields, field{key: prefix + a.Key, value: value, text: text})
}

// render returns v as text and whether it is text at all (a string, an
// error, a Stringer or any other value printed with fmt).
func render(v slog.Value) (string, bool) {
	switch v.Kind() {
	case slog.KindString:
		return v.String(), true
	case slog.KindAny:
		if b, ok := v.Any().([]byte); ok {
			return string(b), true
		}
		return fmt.Sprint(v.Any()), true
	default:
		return v.String(), false
	}
}
