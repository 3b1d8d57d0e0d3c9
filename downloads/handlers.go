package downloads

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/persistence"
)

// Handlers are the apps' default handlers (PUT /v1/handler), and the one
// place that decides which handler an event goes to.
type Handlers struct {
	store *persistence.Store
}

// SetApp stores app's default handler; nil removes it.
func (h *Handlers) SetApp(app string, spec *model.HandlerSpec) error {
	if err := ValidateApp(app); err != nil {
		return err
	}
	var doc []byte
	if spec != nil {
		if err := ValidateHandler(*spec); err != nil {
			return err
		}
		doc, _ = json.Marshal(spec) // a plain struct: Marshal cannot fail
	}
	return h.store.Update(func(tx *persistence.Tx) error { return tx.PutHandler(app, doc) })
}

// App returns app's default handler, or nil when it has none.
func (h *Handlers) App(app string) (*model.HandlerSpec, error) {
	var doc []byte
	err := h.store.View(func(tx *persistence.Tx) error {
		var err error
		doc, err = tx.Handler(app)
		return err
	})
	if errors.Is(err, persistence.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	doc = bytes.TrimSpace(doc)
	if len(doc) == 0 || bytes.Equal(doc, []byte("null")) {
		return nil, nil
	}
	var spec model.HandlerSpec
	if err := json.Unmarshal(doc, &spec); err != nil {
		return nil, err
	}
	return &spec, nil
}

// For is the handler of reg's events: the fetch's own, else its app's
// default, else nil — no command or webhook: the app's live handlers (a
// connected client) take its events.
func (h *Handlers) For(reg model.Registration) (*model.HandlerSpec, error) {
	if reg.Handler != nil {
		return reg.Handler, nil
	}
	return h.App(reg.App)
}

// HasHandler reports whether a command or webhook takes reg's events (the
// window opens a clicked fetch's files itself when none does).
func (m *Manager) HasHandler(reg model.Registration) bool {
	spec, err := m.handlers.For(reg)
	return err == nil && spec != nil
}
