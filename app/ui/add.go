package ui

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/words"
)

// AddApp is the app name the Add form registers its fetches under.
const AddApp = "bgfetch"

// AddRequest is what the Add form asks for.
type AddRequest struct {
	URLs        []string
	Title       string
	Destination string
}

// ParseURLs splits the URL box (one or more URLs, by line or space) and
// checks each is an absolute http or https URL; its errors are in the
// language of w.
func ParseURLs(w *words.Words, text string) ([]string, error) {
	var out []string
	for _, f := range strings.Fields(text) {
		u, err := url.Parse(f)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, errors.New(w.T("add.err.notAddress", map[string]any{"Address": f}))
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, errors.New(w.T("add.err.none"))
	}
	return out, nil
}

// DefaultDestination is the user's Downloads folder (XDG_DOWNLOAD_DIR when
// set, else ~/Downloads).
func DefaultDestination() string {
	if d := os.Getenv("XDG_DOWNLOAD_DIR"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, "Downloads")
}

// NewFetchID makes an id for a fetch added from the window.
func NewFetchID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "add-" + time.Now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}

// Requests turns the form's URLs into GET requests.
func (a AddRequest) Requests() []model.Request {
	rs := make([]model.Request, len(a.URLs))
	for i, u := range a.URLs {
		rs[i] = model.Request{URL: u, Method: "GET"}
	}
	return rs
}

// AddForm lets a person start a fetch without any app: URLs (one or more),
// title, destination folder.
type AddForm struct {
	widget.BaseWidget

	URLs        *widget.Entry
	Title       *widget.Entry
	Destination *widget.Entry
	Error       *widget.Label
	Form        *widget.Form
	Browse      *widget.Button

	SubmitButton, CancelButton *Button

	words  *words.Words
	submit func(AddRequest) error
	// OnDone is called after a successful submit or a cancel.
	OnDone func()
	// PickFolder, when set, is what Browse… next to the destination does
	// (a folder picker).
	PickFolder func(set func(path string))
	// DefaultFolder, when set, is the folder a reset form starts with
	// (the download folder of the settings).
	DefaultFolder func() string
}

// NewAddForm builds the form in the language of w (nil: English); submit
// registers the fetch (an error is shown under the form, and the form
// stays).
func NewAddForm(w *words.Words, submit func(AddRequest) error) *AddForm {
	if w == nil {
		w = words.English
	}
	f := &AddForm{submit: submit, words: w}
	f.URLs = widget.NewMultiLineEntry()
	f.URLs.SetPlaceHolder(w.T("add.placeholder"))
	f.URLs.SetMinRowsVisible(3)
	f.URLs.Wrapping = fyne.TextWrapOff
	f.Title = widget.NewEntry()
	f.Title.SetPlaceHolder(w.T("add.optional"))
	f.Destination = widget.NewEntry()
	f.Destination.SetText(DefaultDestination())
	f.Error = widget.NewLabel("")
	f.Error.Importance = widget.DangerImportance
	f.Error.Wrapping = fyne.TextWrapWord
	f.Error.Hide()

	f.Browse = widget.NewButton(w.T("add.browse"), func() {
		if f.PickFolder != nil {
			f.PickFolder(func(p string) { f.Destination.SetText(p) })
		}
	})
	dest := container.NewBorder(nil, nil, nil, f.Browse, f.Destination)

	f.Form = &widget.Form{
		Items: []*widget.FormItem{
			{Text: w.T("add.addresses"), Widget: f.URLs, HintText: w.T("add.addressesHint")},
			{Text: w.T("add.titleField"), Widget: f.Title},
			{Text: w.T("add.saveTo"), Widget: dest},
		},
	}
	// The form's own buttons would be Fyne's (bold: see Button).
	f.SubmitButton = NewButton(w.T("add.submit"), theme.ConfirmIcon(), f.Submit)
	f.SubmitButton.Importance = widget.HighImportance
	f.CancelButton = NewButton(w.T("add.cancel"), theme.CancelIcon(), func() {
		f.Reset()
		if f.OnDone != nil {
			f.OnDone()
		}
	})
	f.ExtendBaseWidget(f)
	return f
}

// CreateRenderer implements fyne.Widget.
func (f *AddForm) CreateRenderer() fyne.WidgetRenderer {
	buttons := container.NewHBox(layout.NewSpacer(), f.CancelButton, f.SubmitButton)
	return widget.NewSimpleRenderer(container.NewVBox(f.Form, f.Error, buttons))
}

// Submit validates the form and registers the fetch.
func (f *AddForm) Submit() {
	urls, err := ParseURLs(f.words, f.URLs.Text)
	if err == nil {
		req := AddRequest{URLs: urls, Title: strings.TrimSpace(f.Title.Text), Destination: strings.TrimSpace(f.Destination.Text)}
		if req.Destination != "" && !filepath.IsAbs(req.Destination) {
			err = errors.New(f.words.T("add.err.notAbsolute", map[string]any{"Path": req.Destination}))
		} else if f.submit != nil {
			err = f.submit(req)
		}
	}
	if err != nil {
		f.Error.SetText(err.Error())
		f.Error.Show()
		return
	}
	f.Reset()
	if f.OnDone != nil {
		f.OnDone()
	}
}

// Reset empties the form for the next use; the folder goes back to the
// default one.
func (f *AddForm) Reset() {
	f.URLs.SetText("")
	f.Title.SetText("")
	f.Error.SetText("")
	f.Error.Hide()
	if f.DefaultFolder != nil {
		f.Destination.SetText(f.DefaultFolder())
	}
}

// Fill puts addresses into the form (after a drop or a paste), one a line.
func (f *AddForm) Fill(urls []string) {
	f.URLs.SetText(strings.Join(urls, "\n"))
	f.Error.SetText("")
	f.Error.Hide()
}
