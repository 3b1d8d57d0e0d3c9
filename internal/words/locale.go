package words

import (
	"embed"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Catalogues are the translations, one go-i18n JSON file per language
// (bgfetch.LANG.json), in the format Fyne's lang package reads too: the
// desktop app hands them to lang.AddTranslationsFS as well.
//
//go:embed catalogues/*.json
var Catalogues embed.FS

// CataloguesDir is the folder of Catalogues that holds the files.
const CataloguesDir = "catalogues"

// Languages are the languages with a complete catalogue, English first
// (the fallback and the CLI's only language).
var Languages = []language.Tag{language.English, language.German, language.Spanish}

var (
	bundlesMu sync.Mutex
	bundles   = map[string]*i18n.Bundle{}
)

// bundleFor returns the go-i18n bundle of lang: its catalogue and the
// English one (the fallback), parsed the first time lang is asked for, so
// the desktop app holds only its own language and English. A bundle is
// never changed once made, so Words of any language may be used from any
// goroutine.
func bundleFor(lang string) *i18n.Bundle {
	bundlesMu.Lock()
	defer bundlesMu.Unlock()
	if b, ok := bundles[lang]; ok {
		return b
	}
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	for _, l := range []string{"en", lang} {
		f := CataloguesDir + "/bgfetch." + l + ".json"
		data, err := Catalogues.ReadFile(f)
		if err != nil {
			panic("words: no catalogue " + f)
		}
		if _, err := b.ParseMessageFileBytes(data, f); err != nil {
			panic("words: catalogue " + f + ": " + err.Error())
		}
	}
	bundles[lang] = b
	return b
}

// Words speaks one language: every string a person reads in the window,
// the tray and notifications comes from one of its methods. The zero value
// is not usable; use New, ForLocales or English.
type Words struct {
	tag   language.Tag
	loc   *i18n.Localizer
	num   numberFormat
	times timeFormat
}

// English is the CLI's language and every surface's fallback.
var English = New("en")

// New returns the words of lang (a BCP 47 tag such as "de" or "es-MX");
// a language without a catalogue gets English.
func New(lang string) *Words {
	tag, err := language.Parse(lang)
	if err != nil {
		tag = language.English
	}
	return forTag(match(tag))
}

// ForLocales picks the best supported language for a list of the user's
// locales, most wanted first, as POSIX ("de_DE.UTF-8") or BCP 47 ("de-DE")
// names; English when none matches.
func ForLocales(locales []string) *Words {
	var tags []language.Tag
	for _, l := range locales {
		l, _, _ = strings.Cut(l, ".") // de_DE.UTF-8
		l, _, _ = strings.Cut(l, "@") // de_DE@euro
		l = strings.ReplaceAll(l, "_", "-")
		if l == "" || l == "C" || l == "POSIX" {
			continue
		}
		if t, err := language.Parse(l); err == nil {
			tags = append(tags, t)
		}
	}
	if len(tags) == 0 {
		return English
	}
	return forTag(match(tags...))
}

var matcher = language.NewMatcher(Languages)

func match(tags ...language.Tag) language.Tag {
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return language.English
	}
	return Languages[i]
}

func forTag(tag language.Tag) *Words {
	w := &Words{tag: tag, loc: i18n.NewLocalizer(bundleFor(tag.String()), tag.String(), "en")}
	w.num = numberFormat{
		decimal:     w.T("format.decimal"),
		group:       w.T("format.group"),
		minGrouping: atoiOr(w.T("format.minGrouping"), 1),
	}
	w.times = timeFormat{date: w.T("format.date"), clock: w.T("format.time")}
	return w
}

// Lang is the language's tag: "en", "de" or "es".
func (w *Words) Lang() string { return w.tag.String() }

// T is the text of message id, with data (a map or a struct) filled into
// its template. A message no catalogue has comes back as its id (a test
// makes sure every id in the code is in every catalogue).
func (w *Words) T(id string, data ...any) string {
	var d any
	if len(data) > 0 {
		d = data[0]
	}
	s, err := w.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: d})
	if err != nil {
		slog.Debug("words: no message", "id", id, "lang", w.Lang(), "err", err)
		return id
	}
	return s
}

// N is the plural form of message id for count, with {{.Count}} the count
// formatted for the language and data's other fields filled in.
func (w *Words) N(id string, count int, data ...map[string]any) string {
	d := map[string]any{}
	if len(data) > 0 {
		for k, v := range data[0] {
			d[k] = v
		}
	}
	d["Count"] = w.Int(int64(count))
	s, err := w.loc.Localize(&i18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: d})
	if err != nil {
		slog.Debug("words: no message", "id", id, "lang", w.Lang(), "err", err)
		return id
	}
	return s
}

// MessageIDs lists the ids of a language's catalogue (for tests).
func MessageIDs(lang string) (map[string]map[string]string, error) {
	data, err := Catalogues.ReadFile(CataloguesDir + "/bgfetch." + lang + ".json")
	if err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	out := map[string]map[string]string{}
	for id, v := range raw {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[id] = map[string]string{"other": s}
			continue
		}
		var forms map[string]string
		if err := json.Unmarshal(v, &forms); err != nil {
			return nil, err
		}
		out[id] = forms
	}
	return out, nil
}

// numberFormat is how a language writes numbers: the decimal mark, the
// thousands separator and from how many digits before the mark it groups
// (Spanish writes 1234 but 12 345; CLDR's minimumGroupingDigits).
type numberFormat struct {
	decimal, group string
	minGrouping    int
}

// Int writes n with the language's thousands separator: 12,345 · 12.345.
func (w *Words) Int(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if len(s) > 3+w.num.minGrouping-1 {
		var b strings.Builder
		head := len(s) % 3
		if head > 0 {
			b.WriteString(s[:head])
		}
		for i := head; i < len(s); i += 3 {
			if b.Len() > 0 {
				b.WriteString(w.num.group)
			}
			b.WriteString(s[i : i+3])
		}
		s = b.String()
	}
	if neg {
		return "-" + s
	}
	return s
}

// Decimal writes v with one digit after the language's decimal mark.
func (w *Words) Decimal(v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	whole, frac, _ := strings.Cut(s, ".")
	n, _ := strconv.ParseInt(whole, 10, 64)
	return w.Int(n) + w.num.decimal + frac
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}
