package words

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
)

// pluralForms are the CLDR plural categories each language's catalogue
// must give for a message with plural forms.
var pluralForms = map[string][]string{
	"en": {"one", "other"},
	"de": {"one", "other"},
	"es": {"one", "many", "other"},
}

var templateVar = regexp.MustCompile(`{{\s*\.(\w+)\s*}}`)

func vars(forms map[string]string) []string {
	seen := map[string]bool{}
	for _, s := range forms {
		for _, m := range templateVar.FindAllStringSubmatch(s, -1) {
			seen[m[1]] = true
		}
	}
	var out []string
	for v := range seen {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// TestCataloguesComplete: German and Spanish have every message English
// has and no other, each plural message with every form the language
// needs, each message with the same template fields.
func TestCataloguesComplete(t *testing.T) {
	t.Parallel()
	en, err := MessageIDs("en")
	if err != nil {
		t.Fatal(err)
	}
	if len(en) < 100 {
		t.Fatalf("English catalogue has only %d messages", len(en))
	}
	for _, lang := range []string{"de", "es"} {
		cat, err := MessageIDs(lang)
		if err != nil {
			t.Fatal(err)
		}
		for id, forms := range en {
			tr, ok := cat[id]
			if !ok {
				t.Errorf("%s: no %q", lang, id)
				continue
			}
			plural := len(forms) > 1
			if plural {
				for _, f := range pluralForms[lang] {
					if tr[f] == "" {
						t.Errorf("%s: %q lacks the plural form %q", lang, id, f)
					}
				}
			} else if len(tr) != 1 || tr["other"] == "" && forms["other"] != "" {
				t.Errorf("%s: %q should be one plain string, is %v", lang, id, tr)
			}
			if a, b := vars(forms), vars(tr); !slices.Equal(a, b) {
				t.Errorf("%s: %q uses fields %v, English %v", lang, id, b, a)
			}
		}
		for id := range cat {
			if _, ok := en[id]; !ok {
				t.Errorf("%s: %q is not in the English catalogue", lang, id)
			}
		}
	}
}

// TestEveryMessageInCodeIsCatalogued: each T("…") and N("…") id written in
// the desktop's Go code (window, tray, notifications, words) is in the
// English catalogue (and so, by TestCataloguesComplete, in all).
func TestEveryMessageInCodeIsCatalogued(t *testing.T) {
	t.Parallel()
	en, err := MessageIDs("en")
	if err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`\b(?:T|N|t|n)\("([a-z][A-Za-z0-9.-]*)"\s*[,)]`)
	used := 0
	for _, dir := range []string{"../../app", "../../tray", "."} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			src, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, m := range call.FindAllStringSubmatch(string(src), -1) {
				used++
				if _, ok := en[m[1]]; !ok {
					t.Errorf("%s: message %q is in no catalogue", p, m[1])
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Ids the code builds from a value: "priority." + the priority, etc.
	for _, id := range []string{"priority.high", "priority.normal", "priority.low",
		"record.pending", "record.running", "record.success", "record.failed", "record.aborted"} {
		if _, ok := en[id]; !ok {
			t.Errorf("message %q is in no catalogue", id)
		}
	}
	if used < 50 {
		t.Fatalf("found only %d message uses in the code; is the pattern stale?", used)
	}
}

func TestForLocales(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		locales []string
		want    string
	}{
		{[]string{"de_DE.UTF-8"}, "de"},
		{[]string{"de_AT"}, "de"},
		{[]string{"es_MX.UTF-8"}, "es"},
		{[]string{"fr_FR.UTF-8", "es_ES.UTF-8"}, "es"},
		{[]string{"fr_FR.UTF-8"}, "en"},
		{[]string{"C"}, "en"},
		{[]string{"POSIX", "de"}, "de"},
		{nil, "en"},
		{[]string{"en_GB.UTF-8"}, "en"},
	} {
		if got := ForLocales(c.locales).Lang(); got != c.want {
			t.Errorf("ForLocales(%q) = %s, want %s", c.locales, got, c.want)
		}
	}
}

// TestNumbersEachLanguage: decimal marks, thousands separators (Spanish
// does not group four digits), percent signs and sizes.
func TestNumbersEachLanguage(t *testing.T) {
	t.Parallel()
	de, es := New("de"), New("es")
	for _, c := range []struct {
		got, want string
	}{
		{English.Int(1234567), "1,234,567"},
		{de.Int(1234567), "1.234.567"},
		{es.Int(1234), "1234"},
		{es.Int(12345), "12.345"},
		{de.Int(1234), "1.234"},
		{English.Bytes(9_250_000), "9.2 MB"},
		{de.Bytes(9_250_000), "9,2 MB"},
		{es.Bytes(9_250_000), "9,2 MB"},
		{de.Bytes(1_500_000_000_000), "1,5 TB"},
		{English.Bytes(9_960_000), "10 MB"},
		{de.Bytes(999), "999 B"},
		{English.Percent(42), "42%"},
		{de.Percent(42), "42 %"},
		{es.Percent(42), "42 %"},
		{de.Speed(2_500_000), "2,5 MB/s"},
		{de.Amount(model.Registration{Downloaded: 12_000_000, DownloadTotal: 61_000_000}), "12 MB von 61 MB"},
		{es.Amount(model.Registration{Downloaded: 12_000_000, DownloadTotal: 61_000_000}), "12 MB de 61 MB"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// TestPluralsEachLanguage: one and other in German, and Spanish's many
// (a million).
func TestPluralsEachLanguage(t *testing.T) {
	t.Parallel()
	de, es := New("de"), New("es")
	for _, c := range []struct {
		got, want string
	}{
		{de.Summary(Summary{Active: 1, Running: 1}), "1 Download läuft"},
		{de.Summary(Summary{Active: 3, Running: 3, Downloaded: 50, Total: 100}), "3 Downloads laufen — 50 %"},
		{de.Summary(Summary{Failed: 1}), "1 Download fehlgeschlagen"},
		{es.Summary(Summary{Failed: 2}), "2 descargas fallidas"},
		{es.Summary(Summary{Failed: 1}), "1 descarga fallida"},
		{es.N("details.files", 1_000_000), "1.000.000 de archivos"},
		{es.N("details.files", 1), "1 archivo"},
		{English.N("details.files", 1), "1 file"},
		{English.N("details.files", 2), "2 files"},
		{de.ETA(model.Registration{DownloadTotal: 100_000_000, Downloaded: 10_000_000}, 100), "noch 10 Tage"},
		{es.ETA(model.Registration{DownloadTotal: 100_000_000, Downloaded: 10_000_000}, 1e6), "quedan 2 min"},
		{de.State(model.Registration{Result: model.ResultFailure, FailureReason: model.ReasonFetchError}), "Fehlgeschlagen: Netzwerkfehler"},
		{es.State(model.Registration{State: model.StateWaitingNetwork, WaitReason: model.WaitSchedule}), "En pausa por el horario"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestWhen(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 12, 18, 0, 0, 0, time.Local)
	earlier := time.Date(2026, 3, 12, 14, 3, 0, 0, time.Local)
	before := time.Date(2026, 3, 1, 9, 5, 0, 0, time.Local)
	for _, c := range []struct{ got, want string }{
		{English.When(earlier, now), "2:03 PM"},
		{New("de").When(earlier, now), "14:03"},
		{New("de").When(before, now), "01.03.2026 09:05"},
		{New("es").When(before, now), "01/03/2026 09:05"},
		{English.When(before, now), "Mar 1, 2026 9:05 AM"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
