// Package persistence is bgfetch's only door to disk state other than the
// downloaded bodies themselves: registrations, records, resume checkpoints,
// the event outbox, app handlers and cached icons, all kept in one Badger
// store tuned for a desktop process.
//
// It knows nothing about HTTP or the Background Fetch semantics: values are
// opaque JSON documents owned by the downloads package, except for the
// Checkpoint, whose shape is the resume contract itself. Nothing else in the
// module imports Badger.
package persistence
