package datadir

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// File names inside the data directory.
const (
	TokenFile    = "token"
	EndpointFile = "endpoint"
	SocketFile   = "api.sock"
)

// tokenBytes is the token's entropy; the file holds it hex-encoded.
const tokenBytes = 32

// ErrNoEndpoint means no daemon has announced itself in the data directory.
var ErrNoEndpoint = errors.New("no endpoint file: bgfetch is not running")

// TokenPath and EndpointPath locate the two files clients read.
func TokenPath(dir string) string    { return filepath.Join(dir, TokenFile) }
func EndpointPath(dir string) string { return filepath.Join(dir, EndpointFile) }

// LoadOrCreateToken returns the token of dir, creating it (mode 0600, 32
// random bytes in hex) the first time. An existing valid token is kept
// forever; its mode is tightened to 0600 if it was looser.
func LoadOrCreateToken(dir string) (string, error) {
	path := TokenPath(dir)
	if tok, err := ReadToken(dir); err == nil {
		if runtime.GOOS != "windows" {
			if st, err := os.Stat(path); err == nil && st.Mode().Perm() != 0o600 {
				if err := os.Chmod(path, 0o600); err != nil {
					return "", fmt.Errorf("tighten token mode: %w", err)
				}
			}
		}
		return tok, nil
	}
	buf := make([]byte, tokenBytes)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("generate token: %w", err)
	}
	tok := hex.EncodeToString(buf)
	// Written through a temporary file so that a reader never sees half a token.
	if err := writeAtomic(path, tok+"\n", 0o600); err != nil {
		return "", fmt.Errorf("write token: %w", err)
	}
	return tok, nil
}

// ReadToken reads the token of dir.
func ReadToken(dir string) (string, error) {
	b, err := os.ReadFile(TokenPath(dir))
	if err != nil {
		return "", err
	}
	tok := strings.TrimSpace(string(b))
	if len(tok) != 2*tokenBytes {
		return "", fmt.Errorf("token file %s is malformed", TokenPath(dir))
	}
	if _, err := hex.DecodeString(tok); err != nil {
		return "", fmt.Errorf("token file %s is malformed", TokenPath(dir))
	}
	return tok, nil
}

// WriteEndpoint announces the daemon: one line, `unix:/abs/path` or
// `http://127.0.0.1:PORT`, written atomically (temp file + rename).
func WriteEndpoint(dir, endpoint string) error {
	return writeAtomic(EndpointPath(dir), endpoint+"\n", 0o600)
}

// ReadEndpoint returns the endpoint the running daemon announced, or
// ErrNoEndpoint.
func ReadEndpoint(dir string) (string, error) {
	b, err := os.ReadFile(EndpointPath(dir))
	if errors.Is(err, fs.ErrNotExist) {
		return "", ErrNoEndpoint
	}
	if err != nil {
		return "", err
	}
	ep := strings.TrimSpace(string(b))
	if ep == "" {
		return "", ErrNoEndpoint
	}
	return ep, nil
}

// RemoveEndpoint withdraws the announcement (clean shutdown).
func RemoveEndpoint(dir string) error {
	err := os.Remove(EndpointPath(dir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

func writeAtomic(path, content string, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after a successful rename
	if err := f.Chmod(mode); err != nil && runtime.GOOS != "windows" {
		f.Close()
		return err
	}
	if mode&0o077 == 0 { // private: on Windows, an access list for the user alone
		if err := restrictToUser(f); err != nil {
			f.Close()
			return err
		}
	}
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
