package downloads

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/persistence"
)

// Outbox is the store's queue of durable events (success, fail, abort,
// click): written in the transaction that settles a fetch, read by event
// streams (replay) and by handler delivery, marked handled once a handler
// took an event.
type Outbox struct {
	store *persistence.Store
}

// append writes ev to the outbox inside tx and sets its Seq and EventID.
func (o *Outbox) append(tx *persistence.Tx, ev *model.Event) error {
	var merr error
	_, err := tx.AppendOutbox(func(seq uint64) []byte {
		ev.Seq = seq
		ev.EventID = strconv.FormatUint(seq, 10)
		doc, err := json.Marshal(ev)
		merr = err
		return doc
	})
	if merr != nil {
		return merr
	}
	return err
}

// After calls fn with each durable event after seq, in order, with whether
// its handler has handled it, until fn returns false.
func (o *Outbox) After(seq uint64, fn func(ev model.Event, handled bool) bool) error {
	return o.store.View(func(tx *persistence.Tx) error {
		var derr error
		err := tx.OutboxAfter(seq, func(e persistence.OutboxEntry) bool {
			ev, err := decodeEvent(e)
			if err != nil {
				derr = err
				return false
			}
			return fn(ev, e.Delivered)
		})
		if err != nil {
			return err
		}
		return derr
	})
}

// Event returns the durable event seq and whether it was handled; a
// NotFoundError when the outbox does not hold it (never, or pruned).
func (o *Outbox) Event(seq uint64) (model.Event, bool, error) {
	var e persistence.OutboxEntry
	err := o.store.View(func(tx *persistence.Tx) error {
		var err error
		e, err = tx.OutboxEntryAt(seq)
		return err
	})
	if errors.Is(err, persistence.ErrNotFound) {
		return model.Event{}, false, model.NotFoundf("no event %d", seq)
	}
	if err != nil {
		return model.Event{}, false, err
	}
	ev, err := decodeEvent(e)
	return ev, e.Delivered, err
}

func decodeEvent(e persistence.OutboxEntry) (model.Event, error) {
	var ev model.Event
	if err := json.Unmarshal(e.Doc, &ev); err != nil {
		return model.Event{}, fmt.Errorf("outbox entry %d: %w", e.Seq, err)
	}
	ev.Seq = e.Seq
	return ev, nil
}

// MarkHandled records that the event seq reached its handler.
func (o *Outbox) MarkHandled(seq uint64) error {
	return o.store.Update(func(tx *persistence.Tx) error { return tx.MarkDelivered(seq) })
}

// Last is the sequence number of the newest durable event.
func (o *Outbox) Last() uint64 { return o.store.LastOutboxSeq() }
