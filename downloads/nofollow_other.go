//go:build !unix

package downloads

// oNoFollow: Windows opens no symlink planted by an unprivileged user in
// the way Unix does; there is no flag to add.
const oNoFollow = 0
