// Package downloads is the bgfetch engine: the Background Fetch Manager
// (fetch, get, getIds, abort, match, pause, resume, click, release), the
// scheduler that shares a global connection limit fairly between active
// fetches, transfers driven by grab with resume that cannot corrupt a body,
// offline handling with backoff, quotas, integrity checks, and the one event
// bus every UI and handler subscribes to.
//
// It owns the shapes every part shares (downloads/model), persists through
// package persistence and never imports UI or API code
// (TestEngineImportsNoAPIOrUI): everything here runs and is tested with no
// display and no daemon. The Manager coordinates; a transfer (transfer.go)
// owns one record's attempt; Outbox, Handlers and IconCache are small
// types over the store. The Manager's lock guards memory only: no disk or
// store work happens under it (control.go, settle.go).
package downloads
