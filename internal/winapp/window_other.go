//go:build !windows

package winapp

import "time"

func listen(string, Handlers) (func(), error) { return func() {}, nil }
func send(string, string) error               { return ErrNotRunning }
func endSession(string, time.Duration) error  { return ErrNotRunning }
