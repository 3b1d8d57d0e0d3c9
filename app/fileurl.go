package app

import (
	"net/url"
	"strings"
)

// fileURL is the file: URL the desktop opens for local path p: on Unix
// file:///home/me/a%20b; on Windows (windows true) a drive path's
// backslashes become slashes after a leading slash,
// file:///C:/Users/me/a%20b, and \\server\share\x becomes
// file://server/share/x. (url.URL{Scheme: "file", Path: p} made
// file://C:%5CUsers%5C… of a Windows path, which opens nothing.)
func fileURL(p string, windows bool) *url.URL {
	if !windows {
		return &url.URL{Scheme: "file", Path: p}
	}
	if rest, ok := strings.CutPrefix(p, `\\`); ok {
		host, path, _ := strings.Cut(rest, `\`)
		return &url.URL{Scheme: "file", Host: host, Path: "/" + strings.ReplaceAll(path, `\`, "/")}
	}
	return &url.URL{Scheme: "file", Path: "/" + strings.ReplaceAll(p, `\`, "/")}
}
