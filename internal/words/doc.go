// Package words turns registrations into the words and numbers a person
// reads in the window, the tray, notifications and the CLI ("Downloading",
// "Failed: network error", "26 MB of 61 MB", "17 s left"): one wording and
// one unit system (decimal, as file managers show sizes) for every surface.
//
// It is also the one translation layer of the desktop surfaces: a Words
// speaks one language from go-i18n catalogues (catalogues/bgfetch.LANG.json,
// the format Fyne's lang package reads), English, German and Spanish, with
// the language's plural forms (Spanish has "many") and number formats
// (decimal comma, thousands separators, Spanish's minimum grouping of two).
// ForLocales picks the language for the user's locales; the window, tray
// and notifications are handed that Words. The package-level functions
// speak English: the CLI stays English. Tests check that German and
// Spanish have every message, every plural form and the same template
// fields as English, and that every message id the code uses exists.
//
// It depends on nothing but the shared shapes (downloads/model), go-i18n
// and x/text, and builds without cgo.
package words
