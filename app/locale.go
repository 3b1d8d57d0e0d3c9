package app

import (
	"os"
	"strings"

	"fyne.io/fyne/v2/lang"

	"github.com/bgfetch/bgfetch/internal/words"
)

// systemWords is the language of the window, tray and notifications: the
// best of English, German and Spanish for the user's locales, in the
// order POSIX gives them (LANGUAGE's list, then LC_ALL, LC_MESSAGES, LANG;
// as Fyne's own lang package reads them, so Fyne's dialogs speak the same
// language), else the system's (Windows, macOS).
func systemWords() *words.Words {
	var locales []string
	if l := os.Getenv("LANGUAGE"); l != "" && os.Getenv("LC_ALL") != "C" {
		locales = append(locales, strings.Split(l, ":")...)
	}
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if l := os.Getenv(k); l != "" {
			locales = append(locales, l)
			break
		}
	}
	if len(locales) == 0 {
		locales = []string{lang.SystemLocale().String()}
	}
	// The catalogues are in the format of Fyne's lang package (which
	// translates Fyne's own dialogs for the same locale); they are not
	// loaded into it as well, which would parse every language a second
	// time (TestCataloguesLoadInFyneLang checks they would load).
	return words.ForLocales(locales)
}
