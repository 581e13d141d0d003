package browsertest

import (
	_ "embed"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

//go:embed a11y.js
var auditJS string

// Violation is one failure of an accessibility rule on a page.
type Violation struct {
	// Rule is one of html-lang, control-name, img-alt, link-name,
	// button-name, one-h1, heading-order, contrast and overflow.
	Rule string `json:"rule"`
	// Selector is a CSS path to the offending element.
	Selector string `json:"selector"`
	// Text is the element's text (or markup, for a control or image),
	// shortened.
	Text string `json:"text"`
	// Detail says what is wrong.
	Detail string `json:"detail"`
}

// String returns the violation as one line for a test log.
func (v Violation) String() string {
	return fmt.Sprintf("%s: %s %q: %s", v.Rule, v.Selector, v.Text, v.Detail)
}

// Accessibility checks the current page and returns what fails these rules
// (Tillit's own automated subset of WCAG 2.2 AA; it complements, never
// replaces, testing with a keyboard and a screen reader):
//
//   - html-lang: the html element has a lang attribute.
//   - control-name: every input, select and textarea (except hidden inputs
//     and buttons) has a name from a label (for= or wrapping), aria-label or
//     aria-labelledby.
//   - img-alt: every img and image input has an alt attribute (alt=""
//     marks a decorative image).
//   - link-name, button-name: every visible link and button has text, a
//     value, an aria-label, aria-labelledby or an image with alt text.
//   - one-h1: exactly one h1; heading-order: going down, no heading skips a
//     level (h2 then h4).
//   - contrast: every visible text's colour against its effective
//     background (the background colours of the element and its ancestors,
//     blended over white) has a WCAG contrast ratio of at least 4.5:1, or
//     3:1 for large text (at least 24px, or 18.66px and bold). Text over a
//     background image and text of disabled controls is not judged.
//   - overflow: the page is no wider than the viewport
//     (document.documentElement.scrollWidth <= window.innerWidth, where the
//     width is the root's clientWidth when smaller, because a phone widens
//     innerWidth to fit overflowing content); the innermost elements that
//     stick out are named.
func (b *Browser) Accessibility() []Violation {
	b.t.Helper()
	return run(b, "check accessibility", chromedp.Evaluate[[]Violation](auditJS+"\naudit()"))
}

// CheckAccessibility runs Accessibility on the current page and reports each
// violation as an error of t.
func (b *Browser) CheckAccessibility(t testing.TB) {
	t.Helper()
	vs := b.Accessibility()
	if len(vs) == 0 {
		return
	}
	url := b.URL()
	for _, v := range vs {
		t.Errorf("accessibility of %s: %s", url, v)
	}
}
