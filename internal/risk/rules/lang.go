package rules

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Type is the type of a feature or an expression.
type Type int

// The types of the language.
const (
	Number Type = iota + 1
	Bool
	String
)

// String names the type as error messages do.
func (t Type) String() string {
	switch t {
	case Number:
		return "number"
	case Bool:
		return "bool"
	case String:
		return "string"
	}
	return "invalid"
}

// Value is a feature's or an expression's value.
type Value struct {
	Num  float64
	Bool bool
	Str  string
}

// Num, True and Str make Values.
func Num(f float64) Value { return Value{Num: f} }

// True makes a Value of b.
func True(b bool) Value { return Value{Bool: b} }

// Str makes a Value of s.
func Str(s string) Value { return Value{Str: s} }

// Schema declares the features rules may use, each with its type, in the
// order of the value slice an evaluation is given.
type Schema []Feature

// Feature is one named input of the rules.
type Feature struct {
	Name string
	Type Type
}

// index returns the position and type of the feature called name.
func (s Schema) index(name string) (int, Type, bool) {
	for i, f := range s {
		if f.Name == name {
			return i, f.Type, true
		}
	}
	return 0, 0, false
}

// expr is a compiled, type-checked expression.
type expr interface {
	eval(in []Value) Value
}

type (
	literal struct{ v Value }
	feature struct{ i int }
	not     struct{ x expr }
	negate  struct{ x expr }
	logical struct {
		and  bool
		l, r expr
	}
	arith struct {
		op   byte
		l, r expr
	}
	compare struct {
		op   string
		typ  Type
		l, r expr
	}
	member struct {
		x    expr
		typ  Type
		list []Value
	}
)

func (e literal) eval([]Value) Value    { return e.v }
func (e feature) eval(in []Value) Value { return in[e.i] }
func (e not) eval(in []Value) Value     { return True(!e.x.eval(in).Bool) }
func (e negate) eval(in []Value) Value  { return Num(-e.x.eval(in).Num) }
func (e logical) eval(in []Value) Value {
	l := e.l.eval(in).Bool
	if e.and {
		return True(l && e.r.eval(in).Bool)
	}
	return True(l || e.r.eval(in).Bool)
}

// eval computes an arithmetic operation; division by zero gives zero, so
// that no input can make a rule fail.
func (e arith) eval(in []Value) Value {
	l, r := e.l.eval(in).Num, e.r.eval(in).Num
	switch e.op {
	case '+':
		return Num(l + r)
	case '-':
		return Num(l - r)
	case '*':
		return Num(l * r)
	}
	if r == 0 {
		return Num(0)
	}
	return Num(l / r)
}

func (e compare) eval(in []Value) Value {
	l, r := e.l.eval(in), e.r.eval(in)
	var c int
	switch e.typ {
	case Number:
		switch {
		case l.Num < r.Num:
			c = -1
		case l.Num > r.Num:
			c = 1
		}
	case String:
		c = strings.Compare(l.Str, r.Str)
	case Bool:
		if l.Bool != r.Bool {
			c = 1
		}
	}
	switch e.op {
	case "==":
		return True(c == 0)
	case "!=":
		return True(c != 0)
	case "<":
		return True(c < 0)
	case "<=":
		return True(c <= 0)
	case ">":
		return True(c > 0)
	}
	return True(c >= 0)
}

func (e member) eval(in []Value) Value {
	v := e.x.eval(in)
	for _, w := range e.list {
		if (e.typ == Number && v.Num == w.Num) || (e.typ == String && v.Str == w.Str) {
			return True(true)
		}
	}
	return True(false)
}

// token is a lexical token of an expression.
type token struct {
	kind string // "num", "str", "ident", "op", "eof"
	text string
	pos  int
}

// lex splits src into tokens.
func lex(src string) ([]token, error) {
	var out []token
	for i := 0; i < len(src); {
		c := rune(src[i])
		switch {
		case c == ' ' || c == '\t':
			i++
		case unicode.IsDigit(c) || (c == '.' && i+1 < len(src) && unicode.IsDigit(rune(src[i+1]))):
			j := i
			for j < len(src) && (unicode.IsDigit(rune(src[j])) || src[j] == '.' || src[j] == '_') {
				j++
			}
			out = append(out, token{"num", strings.ReplaceAll(src[i:j], "_", ""), i})
			i = j
		case c == '_' || unicode.IsLetter(c):
			j := i
			for j < len(src) && (src[j] == '_' || unicode.IsLetter(rune(src[j])) || unicode.IsDigit(rune(src[j]))) {
				j++
			}
			out = append(out, token{"ident", src[i:j], i})
			i = j
		case c == '"':
			j := i + 1
			for j < len(src) && src[j] != '"' {
				j++
			}
			if j == len(src) {
				return nil, errAt(i, "string not closed")
			}
			out = append(out, token{"str", src[i+1 : j], i})
			i = j + 1
		default:
			op := ""
			for _, o := range []string{"&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "+", "-", "*", "/", "(", ")", "[", "]", ","} {
				if strings.HasPrefix(src[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				return nil, errAt(i, "unexpected %q", string(c))
			}
			out = append(out, token{"op", op, i})
			i += len(op)
		}
	}
	return append(out, token{"eof", "", len(src)}), nil
}

// posError is a compile error at a byte offset of the expression.
type posError struct {
	pos int
	msg string
}

func (e *posError) Error() string { return fmt.Sprintf("column %d: %s", e.pos+1, e.msg) }

func errAt(pos int, format string, args ...any) error {
	return &posError{pos: pos, msg: fmt.Sprintf(format, args...)}
}

// maxDepth bounds how deeply expressions nest.
const maxDepth = 64

// parser is a recursive-descent parser that type-checks as it goes.
type parser struct {
	toks   []token
	at     int
	schema Schema
	depth  int
}

// compile parses and type-checks src, an expression that must be a bool.
func compile(src string, schema Schema) (expr, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, schema: schema}
	e, t, err := p.or()
	if err != nil {
		return nil, err
	}
	if tok := p.peek(); tok.kind != "eof" {
		return nil, errAt(tok.pos, "unexpected %q", tok.text)
	}
	if t != Bool {
		return nil, errAt(0, "a rule's condition must be true or false, not a %s", t)
	}
	return e, nil
}

func (p *parser) peek() token { return p.toks[p.at] }

func (p *parser) next() token {
	t := p.toks[p.at]
	if t.kind != "eof" {
		p.at++
	}
	return t
}

// accept consumes the operator op when it comes next.
func (p *parser) accept(op string) bool {
	if t := p.peek(); (t.kind == "op" || t.kind == "ident") && t.text == op {
		p.at++
		return true
	}
	return false
}

func (p *parser) or() (expr, Type, error) {
	return p.logic("||", p.and, false)
}

func (p *parser) and() (expr, Type, error) {
	return p.logic("&&", p.unaryNot, true)
}

// logic parses operands of sub joined by op.
func (p *parser) logic(op string, sub func() (expr, Type, error), and bool) (expr, Type, error) {
	l, lt, err := sub()
	if err != nil {
		return nil, 0, err
	}
	for {
		pos := p.peek().pos
		if !p.accept(op) {
			return l, lt, nil
		}
		r, rt, err := sub()
		if err != nil {
			return nil, 0, err
		}
		if lt != Bool || rt != Bool {
			return nil, 0, errAt(pos, "%s joins conditions, not a %s and a %s", op, lt, rt)
		}
		l, lt = logical{and: and, l: l, r: r}, Bool
	}
}

func (p *parser) unaryNot() (expr, Type, error) {
	pos := p.peek().pos
	if p.accept("!") || p.accept("not") {
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > maxDepth {
			return nil, 0, errAt(pos, "nested too deeply")
		}
		x, t, err := p.unaryNot()
		if err != nil {
			return nil, 0, err
		}
		if t != Bool {
			return nil, 0, errAt(pos, "! needs a condition, not a %s", t)
		}
		return not{x}, Bool, nil
	}
	return p.comparison()
}

func (p *parser) comparison() (expr, Type, error) {
	l, lt, err := p.sum()
	if err != nil {
		return nil, 0, err
	}
	tok := p.peek()
	switch {
	case tok.kind == "op" && isComparison(tok.text):
		p.next()
		r, rt, err := p.sum()
		if err != nil {
			return nil, 0, err
		}
		if lt != rt {
			return nil, 0, errAt(tok.pos, "cannot compare a %s with a %s", lt, rt)
		}
		if lt == Bool && tok.text != "==" && tok.text != "!=" {
			return nil, 0, errAt(tok.pos, "conditions can only be compared with == and !=")
		}
		return compare{op: tok.text, typ: lt, l: l, r: r}, Bool, nil
	case tok.kind == "ident" && tok.text == "in":
		p.next()
		list, err := p.list(lt)
		if err != nil {
			return nil, 0, err
		}
		return member{x: l, typ: lt, list: list}, Bool, nil
	}
	return l, lt, nil
}

// isComparison reports whether op compares two values.
func isComparison(op string) bool {
	switch op {
	case "==", "!=", "<", "<=", ">", ">=":
		return true
	}
	return false
}

// list parses a bracketed list of literals of type t.
func (p *parser) list(t Type) ([]Value, error) {
	open := p.peek().pos
	if t == Bool {
		return nil, errAt(open, "in needs a number or a text on its left")
	}
	if !p.accept("[") {
		return nil, errAt(open, "in needs a list such as [\"DK\", \"SE\"]")
	}
	var out []Value
	for {
		tok := p.next()
		switch {
		case tok.kind == "num" && t == Number:
			f, err := strconv.ParseFloat(tok.text, 64)
			if err != nil {
				return nil, errAt(tok.pos, "bad number %q", tok.text)
			}
			out = append(out, Num(f))
		case tok.kind == "str" && t == String:
			out = append(out, Str(tok.text))
		default:
			return nil, errAt(tok.pos, "the list holds %ss only", t)
		}
		if p.accept("]") {
			return out, nil
		}
		if !p.accept(",") {
			return nil, errAt(p.peek().pos, "expected , or ]")
		}
	}
}

func (p *parser) sum() (expr, Type, error) {
	return p.arithmetic("+-", p.product)
}

func (p *parser) product() (expr, Type, error) {
	return p.arithmetic("*/", p.unary)
}

// arithmetic parses operands of sub joined by the operators in ops.
func (p *parser) arithmetic(ops string, sub func() (expr, Type, error)) (expr, Type, error) {
	l, lt, err := sub()
	if err != nil {
		return nil, 0, err
	}
	for {
		tok := p.peek()
		if tok.kind != "op" || len(tok.text) != 1 || !strings.Contains(ops, tok.text) {
			return l, lt, nil
		}
		p.next()
		r, rt, err := sub()
		if err != nil {
			return nil, 0, err
		}
		if lt != Number || rt != Number {
			return nil, 0, errAt(tok.pos, "%s works on numbers, not a %s and a %s", tok.text, lt, rt)
		}
		l, lt = arith{op: tok.text[0], l: l, r: r}, Number
	}
}

func (p *parser) unary() (expr, Type, error) {
	tok := p.peek()
	if tok.kind == "op" && tok.text == "-" {
		p.next()
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > maxDepth {
			return nil, 0, errAt(tok.pos, "nested too deeply")
		}
		x, t, err := p.unary()
		if err != nil {
			return nil, 0, err
		}
		if t != Number {
			return nil, 0, errAt(tok.pos, "- works on numbers, not a %s", t)
		}
		return negate{x}, Number, nil
	}
	return p.primary()
}

func (p *parser) primary() (expr, Type, error) {
	tok := p.next()
	switch tok.kind {
	case "num":
		f, err := strconv.ParseFloat(tok.text, 64)
		if err != nil {
			return nil, 0, errAt(tok.pos, "bad number %q", tok.text)
		}
		return literal{Num(f)}, Number, nil
	case "str":
		return literal{Str(tok.text)}, String, nil
	case "ident":
		switch tok.text {
		case "true", "false":
			return literal{True(tok.text == "true")}, Bool, nil
		}
		i, t, ok := p.schema.index(tok.text)
		if !ok {
			return nil, 0, errAt(tok.pos, "unknown feature %q", tok.text)
		}
		return feature{i}, t, nil
	case "op":
		if tok.text == "(" {
			p.depth++
			defer func() { p.depth-- }()
			if p.depth > maxDepth {
				return nil, 0, errAt(tok.pos, "nested too deeply")
			}
			e, t, err := p.or()
			if err != nil {
				return nil, 0, err
			}
			if !p.accept(")") {
				return nil, 0, errAt(p.peek().pos, "expected )")
			}
			return e, t, nil
		}
	case "eof":
		return nil, 0, errAt(tok.pos, "the condition ends too early")
	}
	return nil, 0, errAt(tok.pos, "unexpected %q", tok.text)
}
