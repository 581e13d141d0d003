package privacy

import (
	"slices"

	"github.com/tillit/tillit/internal/i18n"
)

// Notice is the purpose table of the privacy notice for consumers in one
// language: one row per purpose that processes consumers' data, ready for a
// page to render or an API to return as JSON.
type Notice struct {
	Lang     i18n.Lang      `json:"lang"`
	Title    string         `json:"title"`
	Intro    string         `json:"intro"`
	Headings NoticeHeadings `json:"headings"`
	Rows     []NoticeRow    `json:"purposes"`
}

// NoticeHeadings are the column headings of the notice's table.
type NoticeHeadings struct {
	Purpose    string `json:"purpose"`
	Data       string `json:"data"`
	Sources    string `json:"sources"`
	Basis      string `json:"legal_basis"`
	Retention  string `json:"retention"`
	Recipients string `json:"recipients"`
	Rights     string `json:"rights"`
}

// NoticeRow is one purpose in the notice.
type NoticeRow struct {
	ID          PurposeID `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Data        []string  `json:"data"`
	Sources     []string  `json:"sources"`
	// Basis is the Art. 6(1) basis, followed by the Art. 9(2) condition
	// when the purpose uses a special category.
	Basis     []string `json:"legal_basis"`
	Retention []string `json:"retention"`
	// Recipients names who receives the data; one "nobody outside Tillit"
	// line when none does.
	Recipients []string `json:"recipients"`
	// Rights says whether the person may object, withdraw consent or
	// contest automated decisions.
	Rights []string `json:"rights"`
}

// BuildNotice returns the privacy notice's purpose table in lang.
func BuildNotice(lang i18n.Lang) Notice {
	t := func(key string) string { return i18n.T(lang, key) }
	n := Notice{
		Lang:  lang,
		Title: t("privacy.notice.title"),
		Intro: t("privacy.notice.intro"),
		Headings: NoticeHeadings{
			Purpose:    t("privacy.column.purpose"),
			Data:       t("privacy.column.data"),
			Sources:    t("privacy.column.sources"),
			Basis:      t("privacy.column.basis"),
			Retention:  t("privacy.column.retention"),
			Recipients: t("privacy.column.recipients"),
			Rights:     t("privacy.column.rights"),
		},
	}
	for _, p := range purposes {
		if !slices.Contains(p.Subjects, SubjectConsumer) {
			continue
		}
		row := NoticeRow{
			ID:          p.ID,
			Name:        t(p.ID.NameKey()),
			Description: t(p.ID.AboutKey()),
			Data:        texts(lang, p.Categories, CategoryID.NameKey),
			Sources:     texts(lang, p.Sources, Source.NameKey),
			Basis:       []string{t(p.Basis.NameKey())},
			Recipients:  texts(lang, p.Recipients, Recipient.NameKey),
			Rights:      rightsTexts(p, lang),
		}
		if p.Special != NoSpecialCondition {
			row.Basis = append(row.Basis, t(p.Special.NameKey()))
		}
		for _, rt := range retentionTexts(p, lang) {
			row.Retention = append(row.Retention, rt.Text)
		}
		if len(row.Recipients) == 0 {
			row.Recipients = []string{t("privacy.recipients.none")}
		}
		n.Rows = append(n.Rows, row)
	}
	return n
}

// texts returns the names of ids in lang.
func texts[T ~string](lang i18n.Lang, ids []T, key func(T) string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, i18n.T(lang, key(id)))
	}
	return out
}
