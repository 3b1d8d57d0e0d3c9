package app

import (
	"net/url"
	"testing"
)

func TestFileURL(t *testing.T) {
	for _, c := range []struct {
		path    string
		windows bool
		want    string
	}{
		{`C:\Users\Zoë\My Podcasts\ep 5.mp3`, true, "file:///C:/Users/Zo%C3%AB/My%20Podcasts/ep%205.mp3"},
		{`Z:\tmp\dest`, true, "file:///Z:/tmp/dest"},
		{`\\nas\share\ep 5.mp3`, true, "file://nas/share/ep%205.mp3"},
		{"/home/me/My Podcasts/ep#5.mp3", false, "file:///home/me/My%20Podcasts/ep%235.mp3"},
	} {
		if got := fileURL(c.path, c.windows).String(); got != c.want {
			t.Errorf("fileURL(%q) = %s, want %s", c.path, got, c.want)
		}
	}
	// What the window opened before: a URL whose host is the drive.
	if old := (&url.URL{Scheme: "file", Path: `Z:\tmp\dest`}).String(); old == fileURL(`Z:\tmp\dest`, true).String() {
		t.Fatalf("fileURL is the old %s", old)
	}
}
