package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/bgfetch/bgfetch/internal/words"
)

// DownloadList is the virtualized list of rows: only the rows on screen
// exist as widgets, so a thousand fetches cost what a screenful does.
// Delete cancels the selected fetch and Space pauses or resumes it, both
// when the list has the keyboard focus and (through View) when nothing has.
type DownloadList struct {
	widget.List

	model    *Model
	selected string // uid

	// OnKey handles Delete and Space for the selected uid; it returns true
	// when it used the key.
	OnKey func(ev *fyne.KeyEvent, uid string) bool
	// OnSelect is told the uid of a newly selected row, "" when the
	// selection went.
	OnSelect func(uid string)
	// OnBind is told of each row bound to a fetch (for the UI map).
	OnBind func(*Row)
}

// NewDownloadList makes the list over model, its rows doing actions and
// speaking the language of w.
func NewDownloadList(model *Model, actions RowActions, defaultIcon fyne.Resource, w *words.Words) *DownloadList {
	l := &DownloadList{model: model}
	l.Length = model.Len
	l.CreateItem = func() fyne.CanvasObject { return NewRow(actions, defaultIcon, w) }
	l.UpdateItem = func(id widget.ListItemID, o fyne.CanvasObject) {
		it, ok := model.At(id)
		if !ok {
			return
		}
		r := o.(*Row)
		r.Set(it)
		if l.OnBind != nil {
			l.OnBind(r)
		}
	}
	l.List.OnSelected = func(id widget.ListItemID) {
		if it, ok := model.At(id); ok {
			l.setSelected(it.Reg.UID)
		}
	}
	l.List.OnUnselected = func(widget.ListItemID) { l.setSelected("") }
	l.ExtendBaseWidget(l)
	return l
}

func (l *DownloadList) setSelected(uid string) {
	if uid == l.selected {
		return
	}
	l.selected = uid
	if l.OnSelect != nil {
		l.OnSelect(uid)
	}
}

// UnselectAll drops the selection.
func (l *DownloadList) UnselectAll() {
	l.List.UnselectAll()
	l.setSelected("")
}

// Selected is the uid of the selected row, "" when none.
func (l *DownloadList) Selected() string {
	if l.selected == "" {
		return ""
	}
	if _, _, ok := l.model.Find(l.selected); !ok {
		return ""
	}
	return l.selected
}

// SelectUID selects the row of uid (when a search does not hide it).
func (l *DownloadList) SelectUID(uid string) {
	if i, _, ok := l.model.Find(uid); ok && i >= 0 {
		l.Select(i)
		l.setSelected(uid)
	}
}

// TypedKey implements fyne.Focusable: Delete and Space act on the
// selection, the arrows move as in widget.List.
func (l *DownloadList) TypedKey(ev *fyne.KeyEvent) {
	if l.OnKey != nil && l.OnKey(ev, l.Selected()) {
		return
	}
	l.List.TypedKey(ev)
}

// Resync keeps the selection on the same fetch after rows moved, and
// refreshes the visible rows.
func (l *DownloadList) Resync() {
	if l.selected != "" {
		if i, _, ok := l.model.Find(l.selected); ok && i >= 0 {
			uid := l.selected
			l.List.Select(i) // no-op when unchanged
			l.selected = uid
		} else {
			// Forgotten, or hidden by the search.
			l.List.UnselectAll()
			l.setSelected("")
		}
	}
	l.Refresh()
}
