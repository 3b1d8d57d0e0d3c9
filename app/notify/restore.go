package notify

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// Restoring needs notification ids that a server keeps (Linux's
// org.freedesktop.Notifications); elsewhere serverOwner is "" and nothing
// is saved. Windows toasts click through a restart by their bgfetch: URL.

// A notification server sends a click (ActionInvoked) only to the
// connection that raised the notification, so after a restart of bgfetch
// the notifications the earlier process left on screen would lead
// nowhere. The Notifier therefore keeps the ones on screen in
// Options.StateFile (added when raised, dropped when the server closes
// them) and, at start, raises each again with replaces_id set to its id:
// the server replaces it in place, and from then on sends its clicks to
// the new process.
//
// The ids are only good while the same server runs: the file names the
// bus's id and the server's unique name on it, and a file from another server (a new login
// session, a restarted server) is dropped, as is one older than
// restoreMaxAge. A notification the person closed while bgfetch was not
// running cannot be told from one still open (the protocol has no way to
// ask) and comes back once.

// restoreMaxAge is how old a saved state may be to be restored.
const restoreMaxAge = 24 * time.Hour

type savedState struct {
	Server string      `json:"server"` // serverOwner's: bus id / server's unique name
	Saved  time.Time   `json:"saved"`
	Notes  []savedNote `json:"notes"`
}

type savedNote struct {
	ID      uint32   `json:"id"`
	UID     string   `json:"uid"`
	Summary string   `json:"summary"`
	Body    string   `json:"body"`
	Icon    string   `json:"icon"`
	Failed  bool     `json:"failed"`
	Actions []string `json:"actions"`
}

// restore raises again, by id, the notifications an earlier process left
// on screen (see above). It runs once, from New.
func (n *Notifier) restore() {
	if n.opts.StateFile == "" {
		return
	}
	server := n.bus.serverOwner()
	if server == "" {
		return // no server that takes replaces_id and clicks through
	}
	n.mu.Lock()
	n.server = server
	n.notes = map[uint32]savedNote{}
	n.mu.Unlock()
	data, err := os.ReadFile(n.opts.StateFile)
	if err != nil {
		return
	}
	var st savedState
	if err := json.Unmarshal(data, &st); err != nil || st.Server != n.server || time.Since(st.Saved) > restoreMaxAge {
		n.opts.Log.Debug("bgfetch: earlier notifications not restored", "err", err, "server", st.Server, "now", n.server)
		n.save()
		return
	}
	restored := 0
	for _, note := range st.Notes {
		msg := Message{UID: note.UID, Summary: note.Summary, Body: note.Body, Failed: note.Failed, Actions: note.Actions}
		id, err := n.Show(msg, note.Icon, note.ID)
		if err != nil || id == 0 {
			continue
		}
		n.mu.Lock()
		n.notes[id] = savedNote{ID: id, UID: note.UID, Summary: note.Summary, Body: note.Body,
			Icon: note.Icon, Failed: note.Failed, Actions: note.Actions}
		if _, ok := n.shown[note.UID]; !ok {
			n.shown[note.UID] = shown{id: id}
		}
		n.mu.Unlock()
		restored++
	}
	n.save()
	n.opts.Log.Info("bgfetch: notifications of the earlier run restored", "count", restored)
}

// remember records a raised notification (replacing an earlier id).
func (n *Notifier) remember(id uint32, msg Message, icon string, replaces uint32) {
	n.mu.Lock()
	if n.notes == nil {
		n.mu.Unlock()
		return // not restoring here (no state file, or no such server)
	}
	if replaces != 0 {
		delete(n.notes, replaces)
	}
	n.notes[id] = savedNote{ID: id, UID: msg.UID, Summary: msg.Summary, Body: msg.Body,
		Icon: icon, Failed: msg.Failed, Actions: msg.Actions}
	n.mu.Unlock()
	n.save()
}

// closed forgets a notification the server closed.
func (n *Notifier) closed(id uint32) {
	n.mu.Lock()
	_, ok := n.notes[id]
	delete(n.notes, id)
	n.mu.Unlock()
	if ok {
		n.save()
	}
}

// save writes the notifications on screen (atomically, 0600).
func (n *Notifier) save() {
	if n.opts.StateFile == "" {
		return
	}
	n.saveMu.Lock()
	defer n.saveMu.Unlock()
	n.mu.Lock()
	st := savedState{Server: n.server, Saved: time.Now().UTC(), Notes: []savedNote{}}
	for _, note := range n.notes {
		st.Notes = append(st.Notes, note)
	}
	n.mu.Unlock()
	data, err := json.Marshal(st)
	if err != nil {
		return
	}
	tmp := fmt.Sprintf("%s.%d.tmp", n.opts.StateFile, time.Now().UnixNano())
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		n.opts.Log.Debug("bgfetch: saving the notifications", "err", err)
		return
	}
	if err := os.Rename(tmp, n.opts.StateFile); err != nil {
		os.Remove(tmp)
	}
}
