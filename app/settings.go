package app

import (
	"path/filepath"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	"github.com/bgfetch/bgfetch/app/notify"
	"github.com/bgfetch/bgfetch/app/ui"
	"github.com/bgfetch/bgfetch/downloads/model"
)

// showSettings opens the settings window (File → Settings, the toolbar's
// gear, the tray), or brings it up when it is open.
func (da *desktopApp) showSettings() {
	if da.settingsWin != nil {
		da.settingsWin.Show()
		da.settingsWin.RequestFocus()
		return
	}
	w := da.fyne.NewWindow(da.words.T("settings.title") + " — bgfetch")
	desk := ui.DesktopSettings{
		Folder:    da.prefs.Folder,
		SetFolder: da.prefs.SetFolder,
		Browse: func(set func(string)) {
			dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
				if err == nil && u != nil {
					set(u.Path())
				}
			}, w).Show()
		},
	}
	if a := da.autostart; a != nil {
		desk.StartAtLogin = a.Enabled
		desk.SetLogin = a.Set
	}
	form := ui.NewSettingsForm(da.words, da.mgr, desk)
	form.OnClose = w.Close
	form.Map(da.uimap, func() fyne.Window { return w })
	w.SetContent(form)
	w.Resize(fyne.NewSize(700, 660))
	w.SetOnClosed(func() { da.settingsWin = nil })
	da.settingsWin = w
	w.Show()
}

// notificationsOn is the notifications setting.
func (da *desktopApp) notificationsOn() bool { return da.mgr.Settings().Notifications }

func (da *desktopApp) openPath(p string) {
	_ = da.fyne.OpenURL(fileURL(p, runtime.GOOS == "windows"))
}

// showInFolder shows a file selected in the file manager, else opens its
// folder.
func (da *desktopApp) showInFolder(p string) {
	if !showInFolder(p) {
		da.openPath(filepath.Dir(p))
	}
}

// notificationAction is a notification's Open or Show in folder.
func (da *desktopApp) notificationAction(uid, action string) {
	recs, err := da.mgr.Records(uid)
	if err != nil {
		da.logger.Warn("bgfetch: notification action", "uid", uid, "err", err)
		return
	}
	var files []string
	for _, r := range recs {
		if r.Response != nil && r.Response.Path != "" && r.State == model.RecordSuccess {
			files = append(files, r.Response.Path)
		}
	}
	if len(files) == 0 {
		return
	}
	da.logger.Info("bgfetch: notification action", "uid", uid, "action", action, "file", files[0])
	switch action {
	case notify.ActionOpen:
		if len(files) == 1 {
			da.openPath(files[0])
		} else {
			da.openPath(filepath.Dir(files[0]))
		}
	case notify.ActionFolder:
		da.showInFolder(files[0])
	}
}
