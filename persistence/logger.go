package persistence

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// badgerLogger forwards Badger's warnings and errors to slog; its chatty
// info and debug lines are dropped.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, a ...any) {
	b.l.Log(context.Background(), slog.LevelError, "store: "+strings.TrimSpace(fmt.Sprintf(f, a...)))
}

func (b badgerLogger) Warningf(f string, a ...any) {
	b.l.Log(context.Background(), slog.LevelWarn, "store: "+strings.TrimSpace(fmt.Sprintf(f, a...)))
}

func (badgerLogger) Infof(string, ...any)  {}
func (badgerLogger) Debugf(string, ...any) {}
