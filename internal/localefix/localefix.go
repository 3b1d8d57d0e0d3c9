// Package localefix keeps Fyne v2.7.1 from logging "Error parsing user
// locale C" on every start when the locale is C.UTF-8 (as on most servers
// and CI machines): its lang package reads the locale in an init function
// and does not recognise "C.UTF-8" as the C locale.
//
// Go initialises packages in import-path order once their imports are
// done; this package imports only os and strings, so it runs before
// fyne.io/fyne/v2/lang's dependency github.com/jeandeaual/go-locale and
// hence before lang. main imports it and calls Restore first thing, so
// child processes (event handlers) get the environment bgfetch was given.
package localefix

import (
	"os"
	"strings"
)

var setLanguage bool

func init() {
	if os.Getenv("LANGUAGE") != "" {
		return
	}
	loc := ""
	for _, env := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if loc = os.Getenv(env); loc != "" {
			break
		}
	}
	if strings.HasPrefix(loc, "C.") || strings.HasPrefix(loc, "POSIX.") {
		os.Setenv("LANGUAGE", "en")
		setLanguage = true
	}
}

// Restore undoes what init changed in the environment.
func Restore() {
	if setLanguage {
		os.Unsetenv("LANGUAGE")
		setLanguage = false
	}
}
