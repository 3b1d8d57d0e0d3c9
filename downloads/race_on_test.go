//go:build race

package downloads

const raceEnabled = true
