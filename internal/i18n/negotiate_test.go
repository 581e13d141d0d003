package i18n

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestParse(t *testing.T) {
	for tag, want := range map[string]Lang{
		"da": Danish, "da-DK": Danish, "DA_dk": Danish, " sv-SE ": Swedish,
		"nl-BE": Dutch, "en-GB": English, "EN": English,
	} {
		if got, ok := Parse(tag); !ok || got != want {
			t.Errorf("Parse(%q) = %q, %v; want %q", tag, got, ok, want)
		}
	}
	for _, tag := range []string{"", "fr", "nb-NO", "d", "dan", "-da"} {
		if got, ok := Parse(tag); ok {
			t.Errorf("Parse(%q) = %q, want no language", tag, got)
		}
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct {
		name    string
		query   string
		cookie  string
		accept  string
		session string
		want    Lang
	}{
		{name: "nothing known", want: English},
		{name: "query wins over all", query: "?lang=sv", cookie: "da", accept: "nl", session: "da-DK", want: Swedish},
		{name: "query with region", query: "?lang=nl-NL", cookie: "da", want: Dutch},
		{name: "unsupported query falls through to cookie", query: "?lang=fr", cookie: "da", accept: "nl", want: Danish},
		{name: "cookie wins over header", cookie: "da", accept: "sv", session: "nl-NL", want: Danish},
		{name: "bad cookie falls through", cookie: "xx", accept: "sv-SE", want: Swedish},
		{name: "header wins over session", accept: "nl-NL,nl;q=0.9", session: "da-DK", want: Dutch},
		{name: "header q-values", accept: "da;q=0.5, sv;q=0.8, en;q=0.7", want: Swedish},
		{name: "header first of equal q", accept: "nl, da", want: Dutch},
		{name: "header skips unsupported", accept: "fr-FR, de;q=0.9, da;q=0.1", want: Danish},
		{name: "header q=0 refuses", accept: "sv;q=0, da;q=0.2", want: Danish},
		{name: "header wildcard ignored", accept: "*, nl;q=0.1", want: Dutch},
		{name: "header malformed entries ignored", accept: "sv;q=abc, da;level=1, nl;q=2, en;q=0.3", want: English},
		{name: "unsupported header falls to session", accept: "fr-FR,de;q=0.9", session: "sv-SE", want: Swedish},
		{name: "session locale", session: "da-DK", want: Danish},
		{name: "session Dutch", session: "nl-NL", want: Dutch},
		{name: "unsupported session", session: "fi-FI", want: English},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/page"+tt.query, nil)
			if tt.cookie != "" {
				r.AddCookie(&http.Cookie{Name: Param, Value: tt.cookie})
			}
			if tt.accept != "" {
				r.Header.Set("Accept-Language", tt.accept)
			}
			if got := Negotiate(r, tt.session); got != tt.want {
				t.Errorf("Negotiate = %q, want %q", got, tt.want)
			}
		})
	}
}
