package app

import (
	"testing"

	"fyne.io/fyne/v2/lang"

	"github.com/bgfetch/bgfetch/internal/words"
)

// TestCataloguesLoadInFyneLang: bgfetch's catalogues are go-i18n files
// Fyne's lang package reads as they are.
func TestCataloguesLoadInFyneLang(t *testing.T) {
	if err := lang.AddTranslationsFS(words.Catalogues, words.CataloguesDir); err != nil {
		t.Fatal(err)
	}
}

func TestSystemWords(t *testing.T) {
	for _, c := range []struct{ language, all, messages, lang, want string }{
		{"", "", "", "de_DE.UTF-8", "de"},
		{"", "es_ES.UTF-8", "", "de_DE.UTF-8", "es"},
		{"fr:es", "", "", "de_DE.UTF-8", "es"},
		{"", "", "es_MX.UTF-8", "en_US.UTF-8", "es"},
		{"", "C", "", "de_DE.UTF-8", "en"},
		{"", "", "", "fr_FR.UTF-8", "en"},
	} {
		t.Setenv("LANGUAGE", c.language)
		t.Setenv("LC_ALL", c.all)
		t.Setenv("LC_MESSAGES", c.messages)
		t.Setenv("LANG", c.lang)
		if got := systemWords().Lang(); got != c.want {
			t.Errorf("%+v: %s", c, got)
		}
	}
}
