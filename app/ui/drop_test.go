package ui

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
)

func TestExtractURLs(t *testing.T) {
	t.Parallel()
	text := `Get it at https://example.test/a.iso. Mirror (https://mirror.test/a.iso), and
<https://example.test/b.bin> or "http://x.test/c?d=1&e=2"; again https://example.test/a.iso
https://en.wikipedia.test/wiki/Go_(language) ftp://nope.test/x example.test/no`
	want := []string{"https://example.test/a.iso", "https://mirror.test/a.iso", "https://example.test/b.bin",
		"http://x.test/c?d=1&e=2", "https://en.wikipedia.test/wiki/Go_(language)"}
	if got := ExtractURLs(text); !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	if got := ExtractURLs("no links here"); got != nil {
		t.Fatalf("got %q", got)
	}
}

// TestDroppedURLs: a dragged link arrives from GLFW as a file URI of the
// decoded link; a dropped text file is read for links; other files give
// nothing.
func TestDroppedURLs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	list := filepath.Join(dir, "links.txt")
	os.WriteFile(list, []byte("https://example.test/one.iso\nhttps://example.test/two.iso\n"), 0o600)
	bin := filepath.Join(dir, "photo.jpg")
	os.WriteFile(bin, []byte{0xff, 0xd8, 0xff}, 0o600)
	items := []fyne.URI{
		storage.NewFileURI("https://example.test/a file.iso"),
		storage.NewFileURI(list),
		storage.NewFileURI(bin),
	}
	want := []string{"https://example.test/a%20file.iso", "https://example.test/one.iso", "https://example.test/two.iso"}
	if got := DroppedURLs(items); !slices.Equal(got, want) {
		t.Fatalf("got %q", got)
	}
}

// TestDropAndPasteOpenAddFilled: a drop or Ctrl+V of text with links
// opens the Add form with them; a paste without any says so.
func TestDropAndPasteOpenAddFilled(t *testing.T) {
	v, w := newTestView(t, newFakeManager(), Options{})
	v.Dropped([]fyne.URI{storage.NewFileURI("https://example.test/dropped.iso")})
	if v.Add.URLs.Text != "https://example.test/dropped.iso" || w.Canvas().Overlays().Top() == nil {
		t.Fatalf("after a drop: %q", v.Add.URLs.Text)
	}
	v.addDialog.Hide()
	fyne.CurrentApp().Clipboard().SetContent("see https://example.test/x.bin and https://example.test/y.bin.")
	w.Canvas().(interface {
		TypedShortcut(fyne.Shortcut)
	}).TypedShortcut(&fyne.ShortcutPaste{Clipboard: fyne.CurrentApp().Clipboard()})
	if v.Add.URLs.Text != "https://example.test/x.bin\nhttps://example.test/y.bin" {
		t.Fatalf("after a paste: %q", v.Add.URLs.Text)
	}
	v.addDialog.Hide()
	v.Paste("nothing to fetch")
	if top := w.Canvas().Overlays().Top(); top == nil {
		t.Fatal("no message for a paste without links")
	}
}
