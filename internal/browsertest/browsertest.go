// Package browsertest drives Tillit's pages in a real headless Chromium
// (Debian's /usr/bin/chromium, through the DevTools protocol with chromedp)
// for end-to-end tests: navigate, fill fields by their label, click buttons
// by their text, read text, switch between desktop and phone viewports, take
// screenshots, and check a page's accessibility with CheckAccessibility.
//
// Without Chromium the tests skip, unless TILLIT_BROWSER_TESTS=1, when they
// fail: CI sets it, after scripts/install-chromium.
package browsertest

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// ChromiumPath is where Debian's chromium package installs the browser.
const ChromiumPath = "/usr/bin/chromium"

// EnvRequire is the environment variable that, set to "1", turns a missing
// Chromium from a skipped test into a failed one.
const EnvRequire = "TILLIT_BROWSER_TESTS"

// Timeout bounds each browser action; a page that never shows what a test
// waits for fails the test after it instead of hanging.
const Timeout = 20 * time.Second

// Viewport is a browser window size in CSS pixels.
type Viewport struct {
	Width, Height int64
	// Mobile emulates a phone: the page's meta viewport applies and touch
	// is on.
	Mobile bool
}

// The viewports Tillit's pages are tested at.
var (
	Desktop = Viewport{Width: 1280, Height: 900}
	Phone   = Viewport{Width: 375, Height: 812, Mobile: true}
)

// Browser is one headless Chromium with one tab, for one test. It is closed
// when the test ends. Its methods fail the test on error.
type Browser struct {
	t   testing.TB
	ctx context.Context
}

// New starts Chromium with a fresh profile. It skips the test when Chromium
// is not installed, unless TILLIT_BROWSER_TESTS=1.
func New(t testing.TB) *Browser {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		msg := fmt.Sprintf("browser test needs Chromium at %s (run scripts/install-chromium): %v", ChromiumPath, err)
		if os.Getenv(EnvRequire) == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(ChromiumPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(int(Desktop.Width), int(Desktop.Height)),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// Start the browser and open the tab now, on a context without a
	// timeout (a timeout on the first run would stop the whole browser).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browser: start Chromium: %v", err)
	}
	b := &Browser{t: t, ctx: ctx}
	b.SetViewport(Desktop)
	return b
}

// Context returns the tab's context, for chromedp actions this package does
// not wrap.
func (b *Browser) Context() context.Context { return b.ctx }

// run performs an action within Timeout and returns its value, failing the
// test on error.
func run[T any](b *Browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, Timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("browser: %s: %v", what, err)
	}
	return v
}

// load performs steps that navigate (loading a URL, submitting a form) and
// waits until the new page has loaded; it returns the HTTP status of the
// page's response, after any redirects.
func (b *Browser) load(what string, steps ...chromedp.Action[chromedp.Void]) int {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, Timeout)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		b.t.Fatalf("browser: %s: %v", what, err)
	}
	if res == nil {
		b.t.Fatalf("browser: %s: no page was loaded", what)
	}
	return int(res.Status)
}

// Navigate loads url, waits for it to load and returns its HTTP status.
func (b *Browser) Navigate(url string) int {
	b.t.Helper()
	return b.load("navigate to "+url, chromedp.Navigate(url))
}

// URL returns the address of the current page.
func (b *Browser) URL() string {
	b.t.Helper()
	return run(b, "read the URL", chromedp.Location())
}

// SetViewport resizes the page's viewport. The current page lays itself out
// again at the new size.
func (b *Browser) SetViewport(v Viewport) {
	b.t.Helper()
	var opts []chromedp.EmulateViewportOption
	if v.Mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2))
	}
	run(b, fmt.Sprintf("set viewport %dx%d", v.Width, v.Height), chromedp.EmulateViewport(v.Width, v.Height, opts...))
}

//go:embed find.js
var findJS string

// mark runs find.js to locate one element (kind "field" by label, "button"
// by text) and returns a CSS selector that picks it, or fails the test.
func (b *Browser) mark(kind, text string) chromedp.CSS {
	b.t.Helper()
	arg, err := json.Marshal(text)
	if err != nil {
		b.t.Fatal(err)
	}
	type found struct {
		Selector string   `json:"selector"`
		Error    string   `json:"error"`
		Seen     []string `json:"seen"`
	}
	res := run(b, "find "+kind+" "+text, chromedp.Evaluate[found](fmt.Sprintf("%s\nfind(%q, %s)", findJS, kind, arg)))
	if res.Error != "" {
		b.t.Fatalf("browser: %s (the page has: %q)", res.Error, res.Seen)
	}
	return chromedp.CSS(res.Selector)
}

// Fill types value into the form control whose label (a label element,
// aria-label or aria-labelledby) reads label, replacing what it held. The
// match is on the label's own text, ignoring case and surrounding space.
func (b *Browser) Fill(label, value string) {
	b.t.Helper()
	sel := b.mark("field", label)
	clear := fmt.Sprintf("document.querySelector(%q).value = ''", string(sel))
	run(b, "fill "+label, chromedp.Steps(chromedp.Evaluate[chromedp.Void](clear), chromedp.SendKeys(sel, value)))
}

// Value returns the current value of the form control labelled label.
func (b *Browser) Value(label string) string {
	b.t.Helper()
	return run(b, "read "+label, chromedp.Value(b.mark("field", label)))
}

// Click clicks the button or link whose text (or value, or aria-label) is
// text, without waiting for anything to load; use Submit for a click that
// loads a page.
func (b *Browser) Click(text string) {
	b.t.Helper()
	run(b, "click "+text, chromedp.Click(b.mark("button", text)))
}

// Submit clicks the button or link whose text is text, waits for the page
// it leads to (following redirects) and returns that page's HTTP status.
func (b *Browser) Submit(text string) int {
	b.t.Helper()
	return b.load("submit with "+text, chromedp.Click(b.mark("button", text)))
}

// Press sends keys to the focused element as key presses: "\t" is Tab,
// and chromedp/kb names the other special keys.
func (b *Browser) Press(keys string) {
	b.t.Helper()
	run(b, fmt.Sprintf("press %q", keys), chromedp.KeyEvent(keys))
}

// Focused returns the visible text, or else the outer HTML, of the element
// that has the keyboard focus.
func (b *Browser) Focused() string {
	b.t.Helper()
	return Eval[string](b, `(() => { const e = document.activeElement; return e ? (e.innerText || "").trim() || e.outerHTML : ""; })()`)
}

// Text returns the visible text of the first element matching a CSS
// selector, with each run of white space (line breaks included) made one
// space, waiting for the element to be visible.
func (b *Browser) Text(selector string) string {
	b.t.Helper()
	sel := chromedp.CSS(selector)
	return strings.Join(strings.Fields(run(b, "read "+selector, chromedp.Text(sel, chromedp.NodeVisible))), " ")
}

// Count returns how many elements match a CSS selector now, without waiting.
func (b *Browser) Count(selector string) int {
	b.t.Helper()
	return Eval[int](b, fmt.Sprintf("document.querySelectorAll(%q).length", selector))
}

// WaitVisible waits until an element matching a CSS selector is visible.
func (b *Browser) WaitVisible(selector string) {
	b.t.Helper()
	run(b, "wait for "+selector, chromedp.WaitVisible(chromedp.CSS(selector)))
}

// Attribute returns an attribute of the first element matching a CSS
// selector ("" when absent).
func (b *Browser) Attribute(selector, name string) string {
	b.t.Helper()
	return run(b, "read "+selector+" "+name, chromedp.AttributeValue(chromedp.CSS(selector), name)).Value
}

// Eval evaluates a JavaScript expression in the page and returns its value
// decoded from JSON into T.
func Eval[T any](b *Browser, expr string) T {
	b.t.Helper()
	return run(b, "evaluate "+expr, chromedp.Evaluate[T](expr))
}

// Cookies returns the cookies the browser holds for the current page,
// HttpOnly ones included.
func (b *Browser) Cookies() []*network.Cookie {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, Timeout)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{})
	if err != nil {
		b.t.Fatalf("browser: read cookies: %v", err)
	}
	return res.Cookies
}

// Screenshot saves a PNG of the whole page, beyond the viewport, at path.
func (b *Browser) Screenshot(path string) {
	b.t.Helper()
	png := run(b, "screenshot", chromedp.FullScreenshot(100))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}
