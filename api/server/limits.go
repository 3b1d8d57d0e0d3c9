package server

import (
	"context"
	"log"
	"net"
	"net/http"
	"time"
)

// The API's budgets (docs/API.md, "Budgets"): what one client, with a
// token or without, may cost the daemon.
const (
	// MaxHeaderBytes caps a request's header (431 above it). The API's
	// own headers are a few hundred bytes.
	MaxHeaderBytes = 16 << 10
	// ReadHeaderTimeout bounds the wait for a request's header.
	ReadHeaderTimeout = 5 * time.Second
	// IdleTimeout closes a keep-alive connection with no request.
	IdleTimeout = 60 * time.Second
	// BodyReadTimeout bounds the reading of one request body.
	BodyReadTimeout = 60 * time.Second
	// BodyBudget is the request body bytes all requests together may hold
	// while they are read and decoded; a body waits for its share.
	BodyBudget = 96 << 20
	// BodyWait is how long a body waits for its share before 503.
	BodyWait = 30 * time.Second
	// fdReserve is the least number of file descriptors kept for the
	// engine (bodies, checkpoints, the store, transfers).
	fdReserve = 384
)

// DefaultConnLimits derives the connection caps from the process's file
// descriptor limit: at least fdReserve (or a quarter) of the descriptors
// stay the engine's. With 1,024: 640 connections, 80 unauthenticated.
func DefaultConnLimits() ConnLimits {
	return connLimitsFor(fileLimit())
}

func connLimitsFor(fds int) ConnLimits {
	total := fds - max(fdReserve, fds/4)
	total = min(max(total, 16), 4096)
	return ConnLimits{Total: total, Unauthenticated: min(max(total/8, 8), 128)}
}

// HTTPServer is the http.Server of s with the API's budgets, and l
// wrapped so that its connections are counted against limits. base gives
// every request's context (the daemon's); errLog gets the server's own
// complaints.
func (s *Server) HTTPServer(l net.Listener, limits ConnLimits, base context.Context, errLog *log.Logger) (*http.Server, net.Listener) {
	ll := newLimitListener(l, limits)
	return &http.Server{
		Handler:           s,
		ReadHeaderTimeout: ReadHeaderTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return base },
		ConnContext:       withConn,
		ErrorLog:          errLog,
	}, ll
}
