//go:build !race

package e2eapi

const raceEnabled = false
