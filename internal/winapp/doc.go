// Package winapp is what a Windows bgfetch needs from Windows beyond Go's
// standard library, kept out of the portable packages:
//
//   - a hidden top-level window per running instance (class
//     "bgfetchInstance", title "bgfetch " + the data directory) that ends
//     the instance cleanly when the session ends (WM_QUERYENDSESSION and
//     WM_ENDSESSION at log-off, restart or shutdown, and WM_CLOSE, which
//     `taskkill /pid N` sends) and answers other processes: Show (a second
//     start brings the window up) and Click (a toast's bgfetch: URL,
//     forwarded by the protocol handler, ends in Manager.Click);
//   - the per-user registry entries: the bgfetch: URL protocol, the
//     toast's AppUserModelID, and the Run key for "Start at login";
//   - the bgfetch: click URL itself (ClickURL, ParseClickURL), which is
//     portable so that its checks are tested everywhere.
//
// On other systems Listen does nothing and the senders report
// ErrNotRunning.
package winapp
