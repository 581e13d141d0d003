package web

import (
	"errors"
	"fmt"
	"html/template"
	"regexp"
	"sort"
	"strings"
	"text/template/parse"
	"unicode"

	"github.com/tillit/tillit/internal/i18n"
)

// lint checks every template in set: each literal key given to t must be in
// the catalog, each file named by asset must be embedded, and no text a reader sees (element content, or the alt, title,
// placeholder, aria-label and data-label attributes) may be written into the
// template.
func lint(set *template.Template) error {
	seen := map[string]bool{}
	var problems []string
	report := func(p string) {
		if !seen[p] {
			seen[p] = true
			problems = append(problems, p)
		}
	}
	for _, t := range set.Templates() {
		if t.Tree == nil || t.Tree.Root == nil {
			continue
		}
		where := t.Tree.ParseName
		for _, key := range templateKeys(t.Tree.Root) {
			if !i18n.Has(key) {
				report(fmt.Sprintf("%s: template %q uses unknown message key %q", where, t.Name(), key))
			}
		}
		for _, name := range literalArgs(t.Tree.Root, "asset") {
			if _, ok := assets[name]; !ok {
				report(fmt.Sprintf("%s: template %q links static file %q, which is not embedded", where, t.Name(), name))
			}
		}
		for _, text := range hardcodedText(t.Tree.Root) {
			report(fmt.Sprintf("%s: template %q has text %q: use {{t \"key\"}}", where, t.Name(), text))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	sort.Strings(problems)
	return errors.New(strings.Join(problems, "; "))
}

// templateKeys returns the message keys a template tree gives to t as string
// literals ({{t "auth.sign_in"}}, also inside parentheses and pipelines), in
// order of appearance. Keys computed at run time are not seen.
func templateKeys(root parse.Node) []string { return literalArgs(root, "t") }

// literalArgs returns the string literals given as first argument to the
// template function fn.
func literalArgs(root parse.Node, fn string) []string {
	var out []string
	walk(root, func(n parse.Node) {
		cmd, ok := n.(*parse.CommandNode)
		if !ok || len(cmd.Args) < 2 {
			return
		}
		if id, ok := cmd.Args[0].(*parse.IdentifierNode); ok && id.Ident == fn {
			if s, ok := cmd.Args[1].(*parse.StringNode); ok {
				out = append(out, s.Text)
			}
		}
	})
	return out
}

// walk calls fn for n and every node below it.
func walk(n parse.Node, fn func(parse.Node)) {
	if n == nil {
		return
	}
	fn(n)
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walk(c, fn)
		}
	case *parse.ActionNode:
		walk(n.Pipe, fn)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walk(c, fn)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walk(a, fn)
		}
	case *parse.IfNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.TemplateNode:
		walk(n.Pipe, fn)
	}
}

func walkBranch(b *parse.BranchNode, fn func(parse.Node)) {
	walk(b.Pipe, fn)
	walk(b.List, fn)
	if b.ElseList != nil {
		walk(b.ElseList, fn)
	}
}

// action stands for an action's output in the text hardcodedText scans.
const action = "\x00"

// hardcodedText returns the runs of letters a reader would see that a
// template writes itself rather than through an action.
func hardcodedText(root parse.Node) []string {
	var src strings.Builder
	var collect func(n parse.Node)
	collect = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				collect(c)
			}
		case *parse.TextNode:
			src.Write(n.Text)
		case *parse.IfNode:
			collectBranch(&n.BranchNode, collect, &src)
		case *parse.RangeNode:
			collectBranch(&n.BranchNode, collect, &src)
		case *parse.WithNode:
			collectBranch(&n.BranchNode, collect, &src)
		default:
			src.WriteString(action)
		}
	}
	collect(root)
	return scanText(src.String())
}

func collectBranch(b *parse.BranchNode, collect func(parse.Node), src *strings.Builder) {
	src.WriteString(action)
	collect(b.List)
	if b.ElseList != nil {
		collect(b.ElseList)
	}
}

var (
	visibleAttr = regexp.MustCompile(`(?i)\s(alt|title|placeholder|aria-label|data-label)\s*=\s*("[^"]*"|'[^']*')`)
	entity      = regexp.MustCompile(`&(#?[a-zA-Z0-9]+);`)
)

// scanText walks HTML source (with actions replaced by a marker) and returns
// the letters found in element content and in visible attributes.
func scanText(src string) []string {
	var found []string
	var text strings.Builder
	flush := func() {
		if s := strings.TrimSpace(text.String()); hasLetter(s) {
			found = append(found, strings.ReplaceAll(s, action, "…"))
		}
		text.Reset()
	}
	for i := 0; i < len(src); {
		switch {
		case strings.HasPrefix(src[i:], "<!--"):
			end := strings.Index(src[i:], "-->")
			if end < 0 {
				return found
			}
			i += end + 3
		case src[i] == '<' && i+1 < len(src) && (isASCIILetter(src[i+1]) || src[i+1] == '/' || src[i+1] == '!'):
			flush()
			end := tagEnd(src, i)
			tag := src[i:end]
			for _, m := range visibleAttr.FindAllStringSubmatch(tag, -1) {
				if v := m[2][1 : len(m[2])-1]; hasLetter(v) {
					found = append(found, strings.ReplaceAll(v, action, "…"))
				}
			}
			i = end
			lower := strings.ToLower(tag)
			for _, raw := range []string{"<script", "<style"} {
				if strings.HasPrefix(lower, raw) {
					close := strings.Index(strings.ToLower(src[i:]), "</"+raw[1:])
					if close < 0 {
						return found
					}
					i += close
				}
			}
		default:
			text.WriteByte(src[i])
			i++
		}
	}
	flush()
	return found
}

// tagEnd returns the index just past the '>' closing the tag opened at i,
// skipping quoted attribute values.
func tagEnd(src string, i int) int {
	var quote byte
	for j := i + 1; j < len(src); j++ {
		c := src[j]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return j + 1
		}
	}
	return len(src)
}

func hasLetter(s string) bool {
	s = entity.ReplaceAllString(s, "")
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
