package help

import (
	"html"
	"html/template"
	"regexp"
	"strings"
)

// The body of an article is written in a small Markdown:
//
//	## A heading            (### for one level below)
//	A paragraph, which may run over several lines.
//	- a list item           (or "* "; "1. " for a numbered list)
//	**bold**                [link text](/app/cards)
//
// Blocks are separated by blank lines; an indented line continues the list
// item above it. Links lead to Tillit's own pages only: a target that is not
// a path on this site ("https://…", "//host", "javascript:…") is shown as its
// text without a link. Everything else, HTML included, is shown as written,
// escaped.

// block is one block of a body being rendered.
type block struct {
	kind  string   // "h2", "h3", "p", "ul" or "ol"
	lines []string // the paragraph's lines, or one entry per list item
}

// renderBody renders src as HTML and returns the link targets it names
// (internal or not), for the loader to check.
func renderBody(src string) (template.HTML, []string) {
	var b strings.Builder
	var links []string
	for _, bl := range blocks(src) {
		switch bl.kind {
		case "h2", "h3":
			b.WriteString("<" + bl.kind + ">" + inline(bl.lines[0], &links) + "</" + bl.kind + ">\n")
		case "p":
			b.WriteString("<p>" + inline(strings.Join(bl.lines, " "), &links) + "</p>\n")
		case "ul", "ol":
			b.WriteString("<" + bl.kind + ">\n")
			for _, item := range bl.lines {
				b.WriteString("<li>" + inline(item, &links) + "</li>\n")
			}
			b.WriteString("</" + bl.kind + ">\n")
		}
	}
	// Every piece of text above went through inline, which escapes it.
	return template.HTML(b.String()), links
}

var orderedItem = regexp.MustCompile(`^[0-9]{1,3}\. `)

// blocks splits src into headings, paragraphs and lists.
func blocks(src string) []block {
	var out []block
	var cur *block
	flush := func() {
		if cur != nil {
			out = append(out, *cur)
			cur = nil
		}
	}
	for _, raw := range strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n") {
		line := strings.TrimRight(raw, " \t")
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			flush()
		case strings.HasPrefix(line, "### "):
			flush()
			out = append(out, block{kind: "h3", lines: []string{strings.TrimSpace(line[4:])}})
		case strings.HasPrefix(line, "## "):
			flush()
			out = append(out, block{kind: "h2", lines: []string{strings.TrimSpace(line[3:])}})
		case strings.HasPrefix(line, "- ") || strings.HasPrefix(line, "* "):
			if cur == nil || cur.kind != "ul" {
				flush()
				cur = &block{kind: "ul"}
			}
			cur.lines = append(cur.lines, strings.TrimSpace(line[2:]))
		case orderedItem.MatchString(line):
			if cur == nil || cur.kind != "ol" {
				flush()
				cur = &block{kind: "ol"}
			}
			cur.lines = append(cur.lines, strings.TrimSpace(line[strings.Index(line, " ")+1:]))
		case cur != nil && (cur.kind == "ul" || cur.kind == "ol") && line != trimmed:
			cur.lines[len(cur.lines)-1] += " " + trimmed
		default:
			if cur == nil || cur.kind != "p" {
				flush()
				cur = &block{kind: "p"}
			}
			cur.lines = append(cur.lines, trimmed)
		}
	}
	flush()
	return out
}

// inline renders one block's text: **bold** and [text](target) become
// markup, everything else is escaped. Bold does not nest; an unclosed ** is
// shown as written. The targets of links are appended to links.
func inline(s string, links *[]string) string {
	var b strings.Builder
	for {
		open := strings.Index(s, "**")
		if open < 0 {
			break
		}
		end := strings.Index(s[open+2:], "**")
		if end < 0 {
			break
		}
		b.WriteString(withLinks(s[:open], links))
		b.WriteString("<strong>" + withLinks(s[open+2:open+2+end], links) + "</strong>")
		s = s[open+2+end+2:]
	}
	b.WriteString(withLinks(s, links))
	return b.String()
}

// link is [text](target): text without brackets, target without spaces or
// parentheses.
var link = regexp.MustCompile(`\[([^\[\]]+)\]\(([^()\s]+)\)`)

// withLinks escapes s and turns its links to internal paths into anchors.
func withLinks(s string, links *[]string) string {
	var b strings.Builder
	for {
		m := link.FindStringSubmatchIndex(s)
		if m == nil {
			break
		}
		text, target := s[m[2]:m[3]], s[m[4]:m[5]]
		*links = append(*links, target)
		b.WriteString(html.EscapeString(s[:m[0]]))
		if internalPath(target) {
			b.WriteString(`<a href="` + html.EscapeString(target) + `">` + html.EscapeString(text) + "</a>")
		} else {
			b.WriteString(html.EscapeString(text))
		}
		s = s[m[1]:]
	}
	b.WriteString(html.EscapeString(s))
	return b.String()
}

// internalTarget is a path on this site with an optional query and
// fragment, in plain characters.
var internalTarget = regexp.MustCompile(`^/[A-Za-z0-9/_.~-]*(\?[A-Za-z0-9_.~=&-]*)?(#[A-Za-z0-9_-]*)?$`)

// internalPath reports whether target is a path on this site: it starts
// with one slash (not "//", another host) and holds nothing a browser could
// read as a scheme or an escape.
func internalPath(target string) bool {
	return internalTarget.MatchString(target) && !strings.HasPrefix(target, "//") && !strings.Contains(target, "/../")
}

// plainText returns src without its markup, for search: link targets go,
// link texts and everything else stay.
func plainText(src string) string {
	return link.ReplaceAllString(src, "$1")
}
