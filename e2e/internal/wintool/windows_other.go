//go:build !windows

package main

import (
	"errors"
	"io"
)

func listWindows(io.Writer) error { return errors.New("windows: only on Windows") }
