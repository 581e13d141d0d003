package help

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestRenderBody pins what each piece of the article Markdown becomes, and
// that everything else is shown escaped.
func TestRenderBody(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
		links           []string
	}{
		{"paragraph over lines", "One line\nand the next.", "<p>One line and the next.</p>\n", nil},
		{"headings", "## Two\n### Three\n", "<h2>Two</h2>\n<h3>Three</h3>\n", nil},
		{"list with continuation", "- first\n  goes on\n- second\n\nAfter.", "<ul>\n<li>first goes on</li>\n<li>second</li>\n</ul>\n<p>After.</p>\n", nil},
		{"star list", "* one\n* two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n", nil},
		{"numbered list", "1. one\n2. two\n10. ten", "<ol>\n<li>one</li>\n<li>two</li>\n<li>ten</li>\n</ol>\n", nil},
		{"bold", "a **b** c **d**", "<p>a <strong>b</strong> c <strong>d</strong></p>\n", nil},
		{"unclosed bold stays as written", "a **b", "<p>a **b</p>\n", nil},
		{"internal link", "See [your cards](/app/cards).", `<p>See <a href="/app/cards">your cards</a>.</p>` + "\n", []string{"/app/cards"}},
		{"link with query and fragment", "[x](/help/?lang=da#top)", `<p><a href="/help/?lang=da#top">x</a></p>` + "\n", []string{"/help/?lang=da#top"}},
		{"link inside bold", "**[Freeze](/app/cards)**", `<p><strong><a href="/app/cards">Freeze</a></strong></p>` + "\n", []string{"/app/cards"}},
		{"external link is text", "[evil](https://evil.example/x)", "<p>evil</p>\n", []string{"https://evil.example/x"}},
		{"other host is text", "[evil](//evil.example)", "<p>evil</p>\n", []string{"//evil.example"}},
		{"script scheme is text", "[click](javascript:alert(1))", "<p>[click](javascript:alert(1))</p>\n", nil},
		{"quote in target is text", `[x](/a"onclick=b)`, "<p>x</p>\n", []string{`/a"onclick=b`}},
		{"html is escaped", `<script>alert("x")</script> & 'y'`, "<p>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;y&#39;</p>\n", nil},
		{"html in link text is escaped", "[<b>x</b>](/app/)", `<p><a href="/app/">&lt;b&gt;x&lt;/b&gt;</a></p>` + "\n", []string{"/app/"}},
		{"h1 is a paragraph", "# Title", "<p># Title</p>\n", nil},
		{"windows line ends", "## A\r\nb\r\n", "<h2>A</h2>\n<p>b</p>\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, links := renderBody(tc.src)
			if string(got) != tc.want {
				t.Errorf("renderBody(%q) =\n%s\nwant\n%s", tc.src, got, tc.want)
			}
			if !slices.Equal(links, tc.links) {
				t.Errorf("links %q, want %q", links, tc.links)
			}
		})
	}
}

// allowedMarkup is every piece of markup renderBody may write.
var allowedMarkup = regexp.MustCompile(`</?(h2|h3|p|ul|ol|li|strong)>|<a href="/[^"<>]*">|</a>`)

// FuzzRenderBody checks that whatever an article holds, the HTML has no
// markup but the renderer's own, no quote outside it, and links only to
// paths on this site.
func FuzzRenderBody(f *testing.F) {
	for _, s := range []string{
		"## A\n- b **c** [d](/e)\n1. f",
		`<img src=x onerror=alert(1)>`,
		"[x](/a)[y](//b)[z](javascript:c)",
		"**[x](/a**)**",
		"[a\"b](/c?d=\"e)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		out, _ := renderBody(src)
		rest := allowedMarkup.ReplaceAllString(string(out), "")
		if strings.ContainsAny(rest, `<>"`) {
			t.Fatalf("renderBody(%q) = %q: markup or quote outside the allowed tags", src, out)
		}
		for _, m := range regexp.MustCompile(`<a href="([^"]*)">`).FindAllStringSubmatch(string(out), -1) {
			if strings.HasPrefix(m[1], "//") || !strings.HasPrefix(m[1], "/") {
				t.Fatalf("renderBody(%q) links %q", src, m[1])
			}
		}
	})
}
