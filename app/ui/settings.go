package ui

import (
	"errors"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/words"
)

// SettingsStore is the daemon's side of the settings (Manager.Settings and
// Manager.UpdateSettings, api.md): kept in the store, applied at once.
type SettingsStore interface {
	Settings() model.Settings
	UpdateSettings(p model.SettingsPatch) (model.Settings, error)
}

// DesktopSettings are the desktop app's own settings, kept beside the
// daemon's: the Add form's folder and the login entry. A nil function
// leaves its field out.
type DesktopSettings struct {
	Folder       func() string
	SetFolder    func(string) error
	StartAtLogin func() bool
	SetLogin     func(bool) error
	// Browse opens a folder picker and calls set with the chosen folder.
	Browse func(set func(string))
}

// SettingsForm is the settings window's content: each field validated as
// it is typed (a bad value shows what is wanted under the field and keeps
// Save disabled); Save sends what changed, and it applies at once.
type SettingsForm struct {
	widget.BaseWidget

	words   *words.Words
	store   SettingsStore // nil: only the desktop's own settings
	desk    DesktopSettings
	current model.Settings

	Folder, Speed, Schedule, MaxConnections, PerFile, Proxy, History *widget.Entry
	Metered                                                          *widget.Select
	Notifications, Login                                             *widget.Check
	Form                                                             *widget.Form
	Message                                                          *widget.Label
	SaveButton, CloseButton                                          *Button
	Browse                                                           *widget.Button

	// OnClose is called by the Close button.
	OnClose func()

	metered []model.MeteredPolicy
	content fyne.CanvasObject
}

// NewSettingsForm builds the form over store (may be nil) and desk, in
// the language of w, and fills it with the current values.
func NewSettingsForm(w *words.Words, store SettingsStore, desk DesktopSettings) *SettingsForm {
	if w == nil {
		w = words.English
	}
	f := &SettingsForm{words: w, store: store, desk: desk}
	f.Message = widget.NewLabel("")
	f.Message.Wrapping = fyne.TextWrapWord
	f.Message.Hide()
	f.Form = &widget.Form{}
	// Buttons of our own (regular weight, see Button); Save is disabled
	// while a field is refused, as the form's would be.
	f.SaveButton = NewButton(w.T("settings.save"), theme.ConfirmIcon(), f.Save)
	f.SaveButton.Importance = widget.HighImportance
	f.CloseButton = NewButton(w.T("settings.close"), theme.CancelIcon(), func() {
		if f.OnClose != nil {
			f.OnClose()
		}
	})
	f.Form.SetOnValidationChanged(func(err error) {
		if err != nil {
			f.SaveButton.Disable()
		} else {
			f.SaveButton.Enable()
		}
	})
	if desk.Folder != nil {
		f.Folder = widget.NewEntry()
		f.Folder.Validator = func(s string) error {
			if s = strings.TrimSpace(s); s != "" && !filepath.IsAbs(s) {
				return errors.New(w.T("err.folder"))
			}
			return nil
		}
		var row fyne.CanvasObject = f.Folder
		if desk.Browse != nil {
			f.Browse = widget.NewButton(w.T("add.browse"), func() { desk.Browse(func(p string) { f.Folder.SetText(p) }) })
			row = container.NewBorder(nil, nil, nil, f.Browse, f.Folder)
		}
		f.Form.Append(w.T("settings.folder"), row)
		f.hint(w.T("settings.folderHint"))
	}
	if store != nil {
		f.daemonFields()
	}
	if desk.StartAtLogin != nil {
		f.Login = widget.NewCheck("", nil)
		f.Form.Append(w.T("settings.login"), f.Login)
	}
	f.Reload()
	f.content = container.NewVBox(f.Form, f.Message,
		container.NewHBox(layout.NewSpacer(), f.CloseButton, f.SaveButton))
	f.ExtendBaseWidget(f)
	return f
}

func (f *SettingsForm) hint(text string) {
	f.Form.Items[len(f.Form.Items)-1].HintText = text
}

func (f *SettingsForm) entry(label, hint string, valid func(string) error) *widget.Entry {
	e := widget.NewEntry()
	e.Validator = valid
	f.Form.Append(label, e)
	f.hint(hint)
	return e
}

func (f *SettingsForm) daemonFields() {
	w := f.words
	rate := func(s string) error { _, err := ParseRate(w, s); return err }
	count := func(min, max int) func(string) error {
		return func(s string) error { _, err := ParseCount(w, s, min, max); return err }
	}
	f.Speed = f.entry(w.T("settings.speed"), w.T("settings.speedHint"), rate)
	f.Schedule = widget.NewMultiLineEntry()
	f.Schedule.SetMinRowsVisible(2)
	f.Schedule.Validator = func(s string) error { _, err := ParseSchedule(w, s); return err }
	f.Form.Append(w.T("settings.schedule"), f.Schedule)
	f.hint(w.T("settings.scheduleHint"))
	f.MaxConnections = f.entry(w.T("settings.maxConnections"), w.T("settings.maxConnectionsHint"),
		count(1, model.MaxGlobalConnections))
	f.PerFile = f.entry(w.T("settings.perFile"), w.T("settings.perFileHint"), count(0, model.MaxConnectionsPerFile))
	f.metered = []model.MeteredPolicy{model.MeteredAllow, model.MeteredWait}
	f.Metered = widget.NewSelect([]string{w.T("metered.allow"), w.T("metered.wait")}, nil)
	f.Form.Append(w.T("settings.metered"), f.Metered)
	f.Proxy = f.entry(w.T("settings.proxy"), w.T("settings.proxyHint"), func(s string) error { return ValidProxy(w, s) })
	f.Notifications = widget.NewCheck("", nil)
	f.Form.Append(w.T("settings.notifications"), f.Notifications)
	f.History = f.entry(w.T("settings.history"), w.T("settings.historyHint"), count(1, model.MaxKeepHistoryDays))
}

// ValidProxy checks a proxy setting: system, none, or an http, https,
// socks5 or socks5h URL with a host.
func ValidProxy(w *words.Words, s string) error {
	s = strings.TrimSpace(s)
	if s == "system" || s == "none" {
		return nil
	}
	u, err := url.Parse(s)
	if err == nil && u.Host != "" {
		switch u.Scheme {
		case "http", "https", "socks5", "socks5h":
			return nil
		}
	}
	return errors.New(w.T("err.proxy"))
}

// CreateRenderer implements fyne.Widget.
func (f *SettingsForm) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewVScroll(f.content))
}

// Reload fills the fields with the settings in force.
func (f *SettingsForm) Reload() {
	if f.Folder != nil {
		f.Folder.SetText(f.desk.Folder())
	}
	if f.Login != nil {
		f.Login.SetChecked(f.desk.StartAtLogin())
	}
	if f.store == nil {
		return
	}
	s := f.store.Settings()
	f.current = s
	f.Speed.SetText(limitText(s.MaxBytesPerSecond))
	f.Schedule.SetText(FormatSchedule(s.Schedule))
	f.MaxConnections.SetText(strconv.Itoa(s.MaxConnections))
	f.PerFile.SetText(strconv.Itoa(s.ConnectionsPerFile))
	f.Metered.SetSelectedIndex(0)
	if s.Metered == model.MeteredWait {
		f.Metered.SetSelectedIndex(1)
	}
	f.Proxy.SetText(s.Proxy)
	f.Notifications.SetChecked(s.Notifications)
	f.History.SetText(strconv.Itoa(s.KeepHistoryDays))
}

// Patch is what the form changes of the daemon's settings (nil fields
// unchanged), or the first bad value's error.
func (f *SettingsForm) Patch() (model.SettingsPatch, error) {
	var p model.SettingsPatch
	if f.store == nil {
		return p, nil
	}
	w, cur := f.words, f.current
	speed, err := ParseRate(w, f.Speed.Text)
	if err != nil {
		return p, err
	}
	if speed != cur.MaxBytesPerSecond {
		p.MaxBytesPerSecond = &speed
	}
	sched, err := ParseSchedule(w, f.Schedule.Text)
	if err != nil {
		return p, err
	}
	if FormatSchedule(sched) != FormatSchedule(cur.Schedule) {
		p.Schedule = &sched
	}
	maxc, err := ParseCount(w, f.MaxConnections.Text, 1, model.MaxGlobalConnections)
	if err != nil {
		return p, err
	}
	if maxc != cur.MaxConnections {
		p.MaxConnections = &maxc
	}
	per, err := ParseCount(w, f.PerFile.Text, 0, model.MaxConnectionsPerFile)
	if err != nil {
		return p, err
	}
	if per != cur.ConnectionsPerFile {
		p.ConnectionsPerFile = &per
	}
	if i := f.Metered.SelectedIndex(); i >= 0 && f.metered[i] != cur.Metered {
		m := f.metered[i]
		p.Metered = &m
	}
	proxy := strings.TrimSpace(f.Proxy.Text)
	if err := ValidProxy(w, proxy); err != nil {
		return p, err
	}
	if proxy != cur.Proxy {
		p.Proxy = &proxy
	}
	if on := f.Notifications.Checked; on != cur.Notifications {
		p.Notifications = &on
	}
	days, err := ParseCount(w, f.History.Text, 1, model.MaxKeepHistoryDays)
	if err != nil {
		return p, err
	}
	if days != cur.KeepHistoryDays {
		p.KeepHistoryDays = &days
	}
	return p, nil
}

// Save applies what changed: the daemon's settings (one PATCH), the
// folder and the login entry. A refused value leaves everything as it was
// and says why.
func (f *SettingsForm) Save() {
	p, err := f.Patch()
	if err == nil && f.Folder != nil {
		err = f.Folder.Validator(f.Folder.Text)
	}
	if err == nil && f.store != nil && p != (model.SettingsPatch{}) {
		var s model.Settings
		if s, err = f.store.UpdateSettings(p); err == nil {
			f.current = s
		}
	}
	if err == nil && f.Folder != nil && strings.TrimSpace(f.Folder.Text) != f.desk.Folder() {
		err = f.desk.SetFolder(strings.TrimSpace(f.Folder.Text))
	}
	if err == nil && f.Login != nil && f.Login.Checked != f.desk.StartAtLogin() {
		err = f.desk.SetLogin(f.Login.Checked)
	}
	if err != nil {
		f.say(err.Error(), widget.DangerImportance)
		return
	}
	f.say(f.words.T("settings.saved"), widget.SuccessImportance)
	f.Reload()
}

func (f *SettingsForm) say(text string, imp widget.Importance) {
	f.Message.SetText(text)
	f.Message.Importance = imp
	f.Message.Show()
	f.Message.Refresh()
}

// Map names the form's fields for the UI map (UIMapEnv).
func (f *SettingsForm) Map(m *UIMap, win func() fyne.Window) {
	if m == nil {
		return
	}
	for name, o := range map[string]fyne.CanvasObject{
		"settings.folder": f.Folder, "settings.speed": f.Speed, "settings.schedule": f.Schedule,
		"settings.maxConnections": f.MaxConnections, "settings.perFile": f.PerFile, "settings.metered": f.Metered,
		"settings.proxy": f.Proxy, "settings.notifications": f.Notifications, "settings.history": f.History,
		"settings.login": f.Login, "settings.save": f.SaveButton, "settings.close": f.CloseButton,
	} {
		if o != nil && !isNilWidget(o) {
			m.Add(name, o, win)
		}
	}
	m.Fact("settings.message", func() string { return f.Message.Text })
	m.Fact("settings.saveEnabled", func() string { return strconv.FormatBool(!f.SaveButton.Disabled()) })
}

// isNilWidget reports whether o holds a nil pointer (a field left out).
func isNilWidget(o fyne.CanvasObject) bool {
	switch w := o.(type) {
	case *widget.Entry:
		return w == nil
	case *widget.Check:
		return w == nil
	case *widget.Select:
		return w == nil
	}
	return false
}
