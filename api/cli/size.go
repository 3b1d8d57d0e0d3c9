package cli

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// parseSize reads a size or rate as curl's --limit-rate does: plain bytes,
// or a number with k, M, G or T (powers of 1024; "KiB", "MB" and the like
// mean the same). The error names the flag and the value.
func parseSize(flagName, v string) (int64, error) {
	s := strings.TrimSpace(v)
	num := strings.TrimRightFunc(s, func(r rune) bool { return r < '0' || r > '9' && r != '.' })
	unit := strings.ToLower(strings.TrimSpace(s[len(num):]))
	unit = strings.TrimSuffix(strings.TrimSuffix(unit, "b"), "i")
	mult := map[string]float64{"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[unit]
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || mult == 0 || n < 0 || math.IsInf(n*mult, 0) || n*mult > math.MaxInt64/2 {
		return 0, fmt.Errorf("--%s %q: give bytes, or a number with k, M, G or T (powers of 1024), e.g. 500k or 1.5G", flagName, v)
	}
	return int64(n * mult), nil
}
