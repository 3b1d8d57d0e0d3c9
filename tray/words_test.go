package tray

import (
	"slices"
	"testing"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/words"
)

// TestMenuInGermanWithSettings: the menu speaks the language it is given
// (sizes with a decimal comma, "42 %"), and Settings… opens the settings.
func TestMenuInGermanWithSettings(t *testing.T) {
	settings := 0
	tr := New(&fakeDesk{}, &fakeCtl{}, Options{Words: words.New("de"), Settings: func() { settings++ }})
	regs := []model.Registration{
		reg("1", "Folge 5", model.StateRunning, 42, 100),
		reg("2", "Karte", model.StatePaused, 1, 10),
		reg("3", "Ohne Größe", model.StateRunning, 1_500_000, 0),
	}
	want := []string{"bgfetch zeigen", "---", "2 Downloads laufen — 39 %", "Folge 5 — 42 %", "Karte — Angehalten",
		"Ohne Größe — 1,5 MB", "---", "Alle anhalten", "Alle fortsetzen", "Einstellungen…", "---", "Beenden"}
	m := tr.Menu(regs)
	if got := labels(m); !slices.Equal(got, want) {
		t.Fatalf("menu = %q\nwant   %q", got, want)
	}
	item(t, m, "Einstellungen…").Action()
	if settings != 1 {
		t.Fatal("Settings… did not open the settings")
	}
}

// TestRefreshWith: the summary made of the whole list (history included)
// lights the failure icon though only active fetches are passed.
func TestRefreshWith(t *testing.T) {
	d := &fakeDesk{}
	tr := New(d, &fakeCtl{}, Options{})
	all := []model.Registration{failed(reg("4", "Old", "", 0, 0), model.ReasonFetchError)}
	tr.RefreshWith(nil, words.Summarize(all))
	if got := tr.State().String(); got != "failed" {
		t.Fatalf("icon %s, want failed", got)
	}
}
