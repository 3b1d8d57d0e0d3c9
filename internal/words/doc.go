// Package words turns registrations into the words and numbers a person
// reads in the window, the tray, notifications and the CLI ("Downloading",
// "Failed: network error", "26 MB of 61 MB", "17 s left"): one wording and
// one unit system (decimal, as file managers show sizes) for every surface.
// It depends on nothing but the shared shapes (downloads/model).
package words
