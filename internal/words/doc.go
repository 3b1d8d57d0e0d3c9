// Package words turns registrations into the words and numbers a person
// reads in the window, the tray and notifications ("Downloading",
// "Failed: network error", "26 MB of 61 MB", "17 s left"). It has no UI
// dependency so every surface says the same thing.
package words
