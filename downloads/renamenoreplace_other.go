//go:build !linux

package downloads

import "errors"

// renameNoReplace is not available here: on a file system without hard
// links a name is claimed with an empty file instead (see placeBody).
func renameNoReplace(_, _ string) error { return errors.ErrUnsupported }
