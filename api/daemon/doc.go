// Package daemon starts a bgfetch: it opens the data directory's store,
// starts the engine, serves the API on the chosen socket or loopback port,
// runs handler delivery, and announces itself in DATA_DIR/endpoint once
// everything answers. The headless CLI and the desktop app both use it.
package daemon
