//go:build !windows && !(unix && !darwin)

package netwatch

import (
	"context"
	"log/slog"
)

func watch(context.Context, *slog.Logger, Events) error { return ErrUnsupported }
