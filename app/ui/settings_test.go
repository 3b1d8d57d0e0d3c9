package ui

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/words"
)

func TestParseRate(t *testing.T) {
	t.Parallel()
	good := map[string]int64{"": 0, "0": 0, "1000": 1000, "500k": 512000, "500K": 512000, "2M": 2 << 20,
		"1.5G": 3 << 29, "1,5M": 1572864, " 64 kB/s ": 65536, "2MB": 2 << 20}
	for in, want := range good {
		if got, err := ParseRate(words.English, in); err != nil || got != want {
			t.Errorf("ParseRate(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"fast", "-5", "5x", "1e400", "k"} {
		if _, err := ParseRate(words.English, in); err == nil {
			t.Errorf("ParseRate(%q) took it", in)
		}
	}
	for in, want := range map[int64]string{512000: "500k", 2 << 20: "2M", 1572864: "1.5M", 1000: "1000", 3 << 29: "1.5G"} {
		if got := FormatRate(in); got != want {
			t.Errorf("FormatRate(%d) = %q, want %q", in, got, want)
		}
	}
	if _, err := ParseRate(words.New("de"), "schnell"); err == nil || !strings.HasPrefix(err.Error(), "kein Tempo: schnell") {
		t.Errorf("German error %v", err)
	}
}

func TestParseSchedule(t *testing.T) {
	t.Parallel()
	ws, err := ParseSchedule(words.English, "mon-fri 09:00-17:00 500k\n\n# night\nsat,sun 22:00-06:00 paused\ndaily 12:00-13:00 0")
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 3 || strings.Join(ws[0].Days, ",") != "mon,tue,wed,thu,fri" || ws[0].MaxBytesPerSecond != 512000 ||
		!ws[1].Paused || ws[1].From != "22:00" || len(ws[2].Days) != 7 {
		t.Fatalf("windows %+v", ws)
	}
	if got := FormatSchedule(ws); got != "mon-fri 09:00-17:00 500k\nsat,sun 22:00-06:00 paused\ndaily 12:00-13:00 0" {
		t.Fatalf("format %q", got)
	}
	for _, bad := range []string{"mon-fri 9-17 500k", "someday 09:00-17:00 1M", "mon 09:00-17:00", "mon 25:00-26:00 1M", "fri-mon 09:00-10:00 1M", "mon 09:00-10:00 fast"} {
		if _, err := ParseSchedule(words.English, bad); err == nil || !strings.HasPrefix(err.Error(), "line 1: ") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

type fakeDesk struct {
	folder string
	login  bool
	fail   error
}

func (d *fakeDesk) settings() DesktopSettings {
	return DesktopSettings{
		Folder: func() string { return d.folder }, SetFolder: func(s string) error { d.folder = s; return d.fail },
		StartAtLogin: func() bool { return d.login }, SetLogin: func(b bool) error { d.login = b; return nil },
	}
}

// TestSettingsForm: the form shows the settings in force; a bad value is
// refused under its field (Save disabled) and nothing is sent; good
// values go out as one patch of what changed, and apply at once.
func TestSettingsForm(t *testing.T) {
	test.NewTempApp(t)
	mgr := newFakeManager()
	desk := &fakeDesk{folder: "/home/u/Downloads"}
	f := NewSettingsForm(words.English, mgr, desk.settings())
	w := test.NewWindow(f)
	defer w.Close()
	if f.MaxConnections.Text != strconv.Itoa(model.DefaultSettings().MaxConnections) || f.Proxy.Text != "system" || !f.Notifications.Checked || f.History.Text != "30" ||
		f.Folder.Text != "/home/u/Downloads" || f.Speed.Text != "" || f.Metered.SelectedIndex() != 0 {
		t.Fatalf("initial values %q %q %v %q %q", f.MaxConnections.Text, f.Proxy.Text, f.Notifications.Checked, f.History.Text, f.Folder.Text)
	}

	for _, c := range []struct {
		set     func(string)
		bad     string
		message string
	}{
		{set: f.MaxConnections.SetText, bad: "0", message: "a whole number from 1 to 256"},
		{set: f.PerFile.SetText, bad: "17", message: "a whole number from 0 to 16"},
		{set: f.Speed.SetText, bad: "quick", message: "not a speed: quick"},
		{set: f.Proxy.SetText, bad: "ftp://proxy.test", message: "system, none, or an http://"},
		{set: f.History.SetText, bad: "0", message: "a whole number from 1 to 3650"},
		{set: f.Schedule.SetText, bad: "mon 9-5 1M", message: "line 1: times are HH:MM-HH:MM"},
		{set: f.Folder.SetText, bad: "relative/dir", message: "must be a full path"},
	} {
		f.Reload()
		c.set(c.bad)
		err := f.Form.Validate()
		if err == nil || !strings.Contains(err.Error(), c.message) {
			t.Errorf("%q: validation %v, want %q", c.bad, err, c.message)
		}
		if !f.SaveButton.Disabled() {
			t.Errorf("%q: Save enabled", c.bad)
		}
		f.Save()
		if !f.Message.Visible() || !strings.Contains(f.Message.Text, c.message) {
			t.Errorf("%q: message %q", c.bad, f.Message.Text)
		}
	}
	if calls := mgr.Calls(); len(calls) != 0 || desk.folder != "/home/u/Downloads" {
		t.Fatalf("bad values went out: %v %q", calls, desk.folder)
	}

	f.Reload()
	f.Speed.SetText("2M")
	f.MaxConnections.SetText("4")
	f.Schedule.SetText("mon-fri 09:00-17:00 500k")
	f.Metered.SetSelectedIndex(1)
	f.Notifications.SetChecked(false)
	f.Folder.SetText("/data/dl")
	f.Login.SetChecked(true)
	if err := f.Form.Validate(); err != nil {
		t.Fatal(err)
	}
	f.Save()
	calls := mgr.Calls()
	want := `settings {"maxConnections":4,"maxBytesPerSecond":2097152,"schedule":[{"days":["mon","tue","wed","thu","fri"],"from":"09:00","to":"17:00","maxBytesPerSecond":512000,"paused":false}],"metered":"wait","notifications":false}`
	if len(calls) != 1 || calls[0] != want {
		t.Fatalf("calls %v\nwant %s", calls, want)
	}
	if desk.folder != "/data/dl" || !desk.login || f.Message.Text != "Saved. The changes apply now." {
		t.Fatalf("desk %+v, message %q", desk, f.Message.Text)
	}
	// Saving again with nothing changed sends nothing.
	f.Save()
	if len(mgr.Calls()) != 1 {
		t.Fatalf("unchanged save sent %v", mgr.Calls())
	}
	// A refusal from the daemon is shown and nothing else is changed.
	desk.fail = errors.New("disk full")
	f.Folder.SetText("/other")
	f.Save()
	if f.Message.Text != "disk full" {
		t.Fatalf("message %q", f.Message.Text)
	}
}

// TestSettingsFormWithoutDaemonSettings: an engine without settings gets
// only the desktop's own fields.
func TestSettingsFormWithoutDaemonSettings(t *testing.T) {
	test.NewTempApp(t)
	desk := &fakeDesk{folder: "/home/u/Downloads"}
	f := NewSettingsForm(words.New("es"), nil, desk.settings())
	if f.Speed != nil || len(f.Form.Items) != 2 || f.Form.Items[0].Text != "Carpeta de descargas" {
		t.Fatalf("items %d", len(f.Form.Items))
	}
}
