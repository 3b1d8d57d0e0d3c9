package notify

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/words"
)

// actionKey is the freedesktop action a click on the notification itself
// invokes.
const actionKey = "default"

// The actions a notification offers besides its default click.
const (
	ActionOpen   = "open"   // open the file (one file) or the folder
	ActionFolder = "folder" // show the file in the file manager
)

// Message is one notification.
type Message struct {
	UID     string // the fetch it is about; a click calls OnClick(UID)
	Summary string
	Body    string
	Icon    []byte // PNG; nil for the default
	Failed  bool
	// Actions are the buttons besides the default click, as
	// org.freedesktop.Notifications takes them: key, label, key, label….
	Actions []string
}

// actionList is what Notify takes: the default click first (labelled
// for servers that show it as a button, as xfce4-notifyd and
// notification-daemon do), then the message's own.
func (m Message) actionList(w *words.Words) []string {
	return append([]string{actionKey, w.T("notify.show")}, m.Actions...)
}

// For returns the notification for an event in the language of w (nil:
// English): a success or a failure of a settled fetch. Progress, state,
// click and abort events give none.
func For(w *words.Words, ev model.Event) (Message, bool) {
	if w == nil {
		w = words.English
	}
	r := ev.Registration
	title := words.DisplayTitle(r)
	switch ev.Type {
	case model.EventSuccess:
		return Message{UID: r.UID, Summary: w.T("notify.complete"),
			Body: w.T("notify.body", map[string]any{"Title": title,
				"Files": w.N("notify.files", len(ev.Records)), "Size": w.Bytes(r.Downloaded)})}, true
	case model.EventFail:
		if r.FailureReason == model.ReasonAborted {
			return Message{}, false
		}
		why := w.Reason(r.FailureReason)
		if r.FailureReason == model.ReasonBadStatus {
			for _, rec := range ev.Records {
				if rec.Response != nil && (rec.Response.Status < 200 || rec.Response.Status > 299) {
					text := rec.Response.StatusText
					if text == "" {
						text = http.StatusText(rec.Response.Status)
					}
					why = strings.TrimSpace(w.T("notify.status", map[string]any{"Why": why,
						"Status": fmt.Sprint(rec.Response.Status), "Text": text}))
					why = strings.Replace(why, " )", ")", 1)
					break
				}
			}
		}
		return Message{UID: r.UID, Summary: w.T("notify.failed"),
			Body: w.T("notify.failBody", map[string]any{"Title": title, "Why": why}), Failed: true}, true
	}
	return Message{}, false
}

// message is For in the Notifier's language, with Open and Show in
// folder on a success whose files are on disk (when OnAction takes them).
func (n *Notifier) message(ev model.Event) (Message, bool) {
	m, ok := For(n.opts.Words, ev)
	if !ok || m.Failed || n.opts.OnAction == nil || !onDisk(ev.Records) {
		return m, ok
	}
	w := n.opts.Words
	m.Actions = []string{ActionOpen, w.T("notify.open"), ActionFolder, w.T("notify.showInFolder")}
	return m, true
}

func onDisk(recs []model.Record) bool {
	for _, r := range recs {
		if r.Response != nil && r.Response.Path != "" {
			return true
		}
	}
	return false
}
