package cli

import "testing"

func TestParseSize(t *testing.T) {
	t.Parallel()
	good := map[string]int64{"0": 0, "62914560": 62914560, "500k": 500 << 10, "500K": 500 << 10, "2M": 2 << 20,
		"1.5G": 3 << 29, "60MB": 60 << 20, "60MiB": 60 << 20, "1t": 1 << 40, " 7 ": 7}
	for in, want := range good {
		if got, err := parseSize("limit", in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "-1", "5x", "1.2.3", "M", "1e400", "9999999999T"} {
		if got, err := parseSize("limit", in); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", in, got)
		} else if want := `--limit "` + in + `"`; len(err.Error()) < len(want) || err.Error()[:len(want)] != want {
			t.Errorf("parseSize(%q) error %q does not name the flag and value", in, err)
		}
	}
}
