package ui

import (
	"net/url"
	"os"
	"regexp"
	"strings"

	"fyne.io/fyne/v2"
)

// webAddress finds http and https addresses in running text: up to
// whitespace, quotes or angle brackets.
var webAddress = regexp.MustCompile(`(?i)\bhttps?://[^\s<>"'\x60]+`)

// ExtractURLs returns the web addresses in text (a paste, a dropped text
// file, a text/uri-list), in order, each once, without the punctuation
// that ends a sentence around them.
func ExtractURLs(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range webAddress.FindAllString(text, -1) {
		m = trimTrailing(m)
		u, err := url.Parse(m)
		if err != nil || u.Host == "" {
			continue
		}
		s := u.String()
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// trimTrailing drops what closes a sentence or a bracket after an address
// ("see https://x.test/a.iso." or "(https://x.test/a)"), keeping a
// closing bracket the address opened itself.
func trimTrailing(s string) string {
	for len(s) > 0 {
		c := s[len(s)-1]
		switch {
		case strings.IndexByte(".,;:!?", c) >= 0:
			s = s[:len(s)-1]
		case c == ')' && strings.Count(s, "(") < strings.Count(s, ")"),
			c == ']' && strings.Count(s, "[") < strings.Count(s, "]"):
			s = s[:len(s)-1]
		default:
			return s
		}
	}
	return s
}

// maxDroppedText is the largest dropped file read for addresses.
const maxDroppedText = 1 << 20

// droppedLink finds a link in the path GLFW and Fyne made of it: GLFW
// passes a text/uri-list line that is not a file:// URI on as it is
// (percent-decoded), and Fyne's NewFileURI makes that an absolute path,
// "<working dir>/https:/example.test/a file.iso".
var droppedLink = regexp.MustCompile(`(?i)(?:^|/)(https?):/+(.+)$`)

// DroppedURLs turns what was dropped on the window into web addresses:
// dragged links, and the links in a dropped text file (a list of links,
// say).
func DroppedURLs(items []fyne.URI) []string {
	var text strings.Builder
	for _, it := range items {
		if it.Scheme() != "file" {
			text.WriteString(it.String())
			text.WriteByte('\n')
			continue
		}
		if m := droppedLink.FindStringSubmatch(it.Path()); m != nil {
			if u, err := url.Parse(strings.ToLower(m[1]) + "://" + m[2]); err == nil && u.Host != "" {
				text.WriteString(u.String())
				text.WriteByte('\n')
			}
			continue
		}
		if st, err := os.Stat(it.Path()); err == nil && st.Mode().IsRegular() && st.Size() <= maxDroppedText {
			if data, err := os.ReadFile(it.Path()); err == nil {
				text.Write(data)
				text.WriteByte('\n')
			}
		}
	}
	return ExtractURLs(text.String())
}
