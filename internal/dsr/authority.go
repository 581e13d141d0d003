package dsr

import (
	"slices"
	"strings"

	"github.com/tillit/tillit/internal/i18n"
)

// Authority is a data protection supervisory authority a person can lodge a
// complaint with (GDPR Art. 77).
type Authority struct {
	// Country is the ISO 3166-1 alpha-2 code of its country.
	Country string `json:"country"`
	// Name is the authority's own name, as it writes it.
	Name string `json:"name"`
	// URL is its website, where complaints are lodged.
	URL string `json:"url"`
}

// CountryKey is the message key of the authority's country's name.
func (a Authority) CountryKey() string { return CountryKey(a.Country) }

// CountryKey is the message key of the name of a listed country.
func CountryKey(country string) string { return "dsr.country." + strings.ToLower(country) }

// AuthoritiesListURL is the European Data Protection Board's list of every
// national supervisory authority of the EU and EEA: answers point to it for
// the authority of wherever the person lives or works.
const AuthoritiesListURL = "https://www.edpb.europa.eu/about-edpb/about-edpb/members_en"

// authorities are the supervisory authorities of the countries Tillit's
// people most likely live in, by country code. Keep it sorted by country.
var authorities = []Authority{
	{Country: "AT", Name: "Österreichische Datenschutzbehörde", URL: "https://www.dsb.gv.at"},
	{Country: "BE", Name: "Gegevensbeschermingsautoriteit / Autorité de protection des données", URL: "https://www.gegevensbeschermingsautoriteit.be"},
	{Country: "DK", Name: "Datatilsynet", URL: "https://www.datatilsynet.dk"},
	{Country: "ES", Name: "Agencia Española de Protección de Datos (AEPD)", URL: "https://www.aepd.es"},
	{Country: "FI", Name: "Tietosuojavaltuutetun toimisto", URL: "https://tietosuoja.fi"},
	{Country: "FR", Name: "Commission nationale de l'informatique et des libertés (CNIL)", URL: "https://www.cnil.fr"},
	{Country: "IE", Name: "Data Protection Commission", URL: "https://www.dataprotection.ie"},
	{Country: "IT", Name: "Garante per la protezione dei dati personali", URL: "https://www.garanteprivacy.it"},
	{Country: "NL", Name: "Autoriteit Persoonsgegevens", URL: "https://autoriteitpersoonsgegevens.nl"},
	{Country: "NO", Name: "Datatilsynet", URL: "https://www.datatilsynet.no"},
	{Country: "PL", Name: "Urząd Ochrony Danych Osobowych (UODO)", URL: "https://uodo.gov.pl"},
	{Country: "PT", Name: "Comissão Nacional de Proteção de Dados (CNPD)", URL: "https://www.cnpd.pt"},
	{Country: "SE", Name: "Integritetsskyddsmyndigheten (IMY)", URL: "https://www.imy.se"},
}

// Authorities returns every listed authority, sorted by country code.
func Authorities() []Authority { return slices.Clone(authorities) }

// AuthorityOf returns the authority of country (ISO 3166-1 alpha-2, any
// case), and false when none is listed for it.
func AuthorityOf(country string) (Authority, bool) {
	country = strings.ToUpper(strings.TrimSpace(country))
	i := slices.IndexFunc(authorities, func(a Authority) bool { return a.Country == country })
	if i < 0 {
		return Authority{}, false
	}
	return authorities[i], true
}

// AuthorityFor returns the authority an answer to r names: the one of the
// person's country, or, when that has none listed, the one of the
// operator's home country (Config.HomeCountry). Answers name the list of
// every authority as well (AuthoritiesListURL).
func (s *Service) AuthorityFor(r Request) Authority {
	if a, ok := AuthorityOf(r.Country); ok {
		return a
	}
	a, _ := AuthorityOf(s.cfg.HomeCountry)
	return a
}

// CountryFromLocale guesses the country of a person from their locale: the
// region of "da-DK", else the country of the language (da: DK, sv: SE, nl:
// NL); "" when neither names a listed country. Pages use it to preselect the
// country a person confirms.
func CountryFromLocale(locale string) string {
	if _, region, ok := strings.Cut(strings.ReplaceAll(locale, "_", "-"), "-"); ok {
		if a, ok := AuthorityOf(region); ok {
			return a.Country
		}
	}
	lang, _ := i18n.Parse(locale)
	switch lang {
	case i18n.Danish:
		return "DK"
	case i18n.Swedish:
		return "SE"
	case i18n.Dutch:
		return "NL"
	}
	return ""
}

// validCountry checks a country given with a request: a listed country or
// "" (not known).
func validCountry(country string) (string, bool) {
	if strings.TrimSpace(country) == "" {
		return "", true
	}
	a, ok := AuthorityOf(country)
	return a.Country, ok
}
