//go:build !windows

package winapp

func register(string, string, string, string) error { return nil }
