//go:build unix

package downloads

import "syscall"

// oNoFollow makes OpenFile fail on a symlink instead of following it.
const oNoFollow = syscall.O_NOFOLLOW
