// Package delivery wakes apps with their durable events (the service-worker
// part of the Background Fetch API): it reads the engine's outbox and runs
// each event's command handler or calls its loopback webhook, at least
// once, in order per registration, with capped backoff, across restarts.
// Events with neither are left to the app's live handlers (api/server).
package delivery
