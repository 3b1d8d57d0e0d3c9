package ui

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"github.com/bgfetch/bgfetch/downloads/model"
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
// checks each is an absolute http or https URL.
func ParseURLs(text string) ([]string, error) {
	var out []string
	for _, f := range strings.Fields(text) {
		u, err := url.Parse(f)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("not a web address: %s", f)
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, errors.New("enter at least one address")
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

	submit func(AddRequest) error
	// OnDone is called after a successful submit or a cancel.
	OnDone func()
	// Browse, when set, is offered next to the destination (a folder picker).
	Browse func(set func(path string))
}

// NewAddForm builds the form; submit registers the fetch (an error is shown
// under the form, and the form stays).
func NewAddForm(submit func(AddRequest) error) *AddForm {
	f := &AddForm{submit: submit}
	f.URLs = widget.NewMultiLineEntry()
	f.URLs.SetPlaceHolder("https://example.com/file.iso\none address per line")
	f.URLs.SetMinRowsVisible(3)
	f.URLs.Wrapping = fyne.TextWrapOff
	f.Title = widget.NewEntry()
	f.Title.SetPlaceHolder("optional")
	f.Destination = widget.NewEntry()
	f.Destination.SetText(DefaultDestination())
	f.Error = widget.NewLabel("")
	f.Error.Importance = widget.DangerImportance
	f.Error.Wrapping = fyne.TextWrapWord
	f.Error.Hide()

	browse := widget.NewButton("Browse…", func() {
		if f.Browse != nil {
			f.Browse(func(p string) { f.Destination.SetText(p) })
		}
	})
	dest := container.NewBorder(nil, nil, nil, browse, f.Destination)

	f.Form = &widget.Form{
		Items: []*widget.FormItem{
			{Text: "Addresses", Widget: f.URLs, HintText: "One or more, each on its own line"},
			{Text: "Title", Widget: f.Title},
			{Text: "Save to", Widget: dest},
		},
		SubmitText: "Download",
		CancelText: "Cancel",
		OnSubmit:   f.Submit,
		OnCancel: func() {
			f.Reset()
			if f.OnDone != nil {
				f.OnDone()
			}
		},
	}
	f.ExtendBaseWidget(f)
	return f
}

// CreateRenderer implements fyne.Widget.
func (f *AddForm) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewVBox(f.Form, f.Error))
}

// Submit validates the form and registers the fetch.
func (f *AddForm) Submit() {
	urls, err := ParseURLs(f.URLs.Text)
	if err == nil {
		req := AddRequest{URLs: urls, Title: strings.TrimSpace(f.Title.Text), Destination: strings.TrimSpace(f.Destination.Text)}
		if req.Destination != "" && !filepath.IsAbs(req.Destination) {
			err = fmt.Errorf("the folder must be a full path: %s", req.Destination)
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

// Reset empties the form for the next use.
func (f *AddForm) Reset() {
	f.URLs.SetText("")
	f.Title.SetText("")
	f.Error.SetText("")
	f.Error.Hide()
}
