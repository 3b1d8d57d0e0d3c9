//go:build race

package e2eapi

// raceEnabled makes TestMain build the daemon with the race detector too.
const raceEnabled = true
