// Command pkgcheck holds the parts of packaging/test-package.sh that are
// awkward in shell:
//
//	pkgcheck serve -dir DIR -url-file FILE
//	    serve DIR over HTTP on 127.0.0.1 (a free port) until SIGTERM; the
//	    base URL is written to FILE once listening.
//	pkgcheck coldstart [-n 5] [-timeout 60s] BIN
//	    time BIN from exec to a ready API: start `BIN serve --headless
//	    --data-dir D`, poll D/endpoint every millisecond, stop with SIGTERM.
//	    N runs with a fresh data dir, then N with the data dir of a previous
//	    run; prints each run and the medians.
//	pkgcheck pe FILE
//	    check FILE is a Windows amd64 PE executable for the GUI subsystem
//	    (-H windowsgui) with a resource section holding an icon and version
//	    information.
//	pkgcheck pe -console FILE
//	    check FILE is a Windows amd64 PE executable for the console
//	    subsystem (bgfetch-cli.exe: cmd and PowerShell wait for it and show
//	    its output).
//	pkgcheck ico OUT PNG...
//	    write the PNGs (each at most 256 px square) as one Windows icon
//	    file, PNG-compressed entries (Windows Vista and later).
package main

import (
	"bytes"
	"context"
	"debug/pe"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"syscall"
	"time"
	"unicode/utf16"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(os.Args[2:])
	case "coldstart":
		err = coldstart(os.Args[2:])
	case "pe":
		err = checkPE(os.Args[2:])
	case "ico":
		err = writeICO(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pkgcheck:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: pkgcheck serve -dir DIR -url-file FILE | coldstart [-n N] BIN | pe [-console] FILE | ico OUT PNG...")
	os.Exit(2)
}

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	dir := fs.String("dir", ".", "directory to serve")
	urlFile := fs.String("url-file", "", "file to write the base URL to")
	fs.Parse(args)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	if *urlFile != "" {
		tmp := *urlFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(url+"\n"), 0o644); err != nil {
			return err
		}
		if err := os.Rename(tmp, *urlFile); err != nil {
			return err
		}
	}
	fmt.Fprintln(os.Stderr, "pkgcheck: serving", *dir, "on", url)
	srv := &http.Server{Handler: http.FileServer(http.Dir(*dir)), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func coldstart(args []string) error {
	fs := flag.NewFlagSet("coldstart", flag.ExitOnError)
	n := fs.Int("n", 5, "runs per case")
	timeout := fs.Duration("timeout", 60*time.Second, "give up on one start after this long")
	fs.Parse(args)
	if fs.NArg() != 1 {
		usage()
	}
	bin := fs.Arg(0)
	base, err := os.MkdirTemp("", "bgfetch-coldstart-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(base)

	run := func(dataDir string) (time.Duration, error) {
		cmd := exec.Command(bin, "serve", "--headless", "--data-dir", dataDir)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		endpoint := filepath.Join(dataDir, "endpoint")
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return 0, err
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		var ready time.Duration
		for {
			if _, err := os.Stat(endpoint); err == nil {
				ready = time.Since(start)
				break
			}
			select {
			case err := <-exited:
				return 0, fmt.Errorf("%s exited before it was ready (%v): %s", bin, err, stderr.String())
			case <-time.After(time.Millisecond):
			}
			if time.Since(start) > *timeout {
				cmd.Process.Kill()
				<-exited
				return 0, fmt.Errorf("no %s after %s: %s", endpoint, *timeout, stderr.String())
			}
		}
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				return ready, fmt.Errorf("exit after SIGTERM: %v: %s", err, stderr.String())
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-exited
			return ready, fmt.Errorf("still running 30s after SIGTERM: %s", stderr.String())
		}
		return ready, nil
	}

	cases := []struct {
		name  string
		fresh bool
	}{{"fresh data dir (first run)", true}, {"existing data dir", false}}
	existing := filepath.Join(base, "existing")
	if _, err := run(existing); err != nil { // create it
		return err
	}
	for _, c := range cases {
		var ds []time.Duration
		for i := 0; i < *n; i++ {
			dir := existing
			if c.fresh {
				dir = filepath.Join(base, fmt.Sprintf("fresh-%d", i))
			}
			d, err := run(dir)
			if err != nil {
				return fmt.Errorf("%s, run %d: %w", c.name, i+1, err)
			}
			ds = append(ds, d)
		}
		sorted := slices.Clone(ds)
		slices.Sort(sorted)
		fmt.Printf("cold start to ready API, %s: median %s (runs:", c.name, ms(sorted[len(sorted)/2]))
		for _, d := range ds {
			fmt.Printf(" %s", ms(d))
		}
		fmt.Println(")")
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }

func checkPE(args []string) error {
	console := len(args) == 2 && args[0] == "-console"
	if console {
		args = args[1:]
	}
	if len(args) != 1 {
		usage()
	}
	name := args[0]
	raw, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	// The two signatures, by hand, before trusting debug/pe.
	if len(raw) < 0x40 || string(raw[:2]) != "MZ" {
		return fmt.Errorf("%s: no MZ header", name)
	}
	off := binary.LittleEndian.Uint32(raw[0x3c:])
	if int(off)+4 > len(raw) || string(raw[off:off+4]) != "PE\x00\x00" {
		return fmt.Errorf("%s: no PE\\0\\0 signature at 0x%x", name, off)
	}
	f, err := pe.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	if f.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
		return fmt.Errorf("%s: machine 0x%x, want amd64", name, f.Machine)
	}
	if f.Characteristics&pe.IMAGE_FILE_EXECUTABLE_IMAGE == 0 || f.Characteristics&pe.IMAGE_FILE_DLL != 0 {
		return fmt.Errorf("%s: not an executable image (characteristics 0x%x)", name, f.Characteristics)
	}
	oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
	if !ok {
		return fmt.Errorf("%s: not PE32+", name)
	}
	if console {
		if oh.Subsystem != pe.IMAGE_SUBSYSTEM_WINDOWS_CUI {
			return fmt.Errorf("%s: subsystem %d, want %d (console)", name, oh.Subsystem, pe.IMAGE_SUBSYSTEM_WINDOWS_CUI)
		}
		fmt.Printf("%s: PE32+ executable, x86-64, console subsystem\n", name)
		return nil
	}
	if oh.Subsystem != pe.IMAGE_SUBSYSTEM_WINDOWS_GUI {
		return fmt.Errorf("%s: subsystem %d, want %d (windows GUI, -H windowsgui)", name, oh.Subsystem, pe.IMAGE_SUBSYSTEM_WINDOWS_GUI)
	}
	rsrc := f.Section(".rsrc")
	if rsrc == nil {
		return fmt.Errorf("%s: no .rsrc section: icon and version info not embedded", name)
	}
	data, err := rsrc.Data()
	if err != nil {
		return err
	}
	for _, want := range []string{"VS_VERSION_INFO", "ProductName", "bgfetch"} {
		if !bytes.Contains(data, utf16le(want)) {
			return fmt.Errorf("%s: .rsrc lacks %q", name, want)
		}
	}
	// The root resource directory lists the resource types present.
	if len(data) < 16 {
		return fmt.Errorf("%s: .rsrc too short", name)
	}
	named := int(binary.LittleEndian.Uint16(data[12:]))
	ids := int(binary.LittleEndian.Uint16(data[14:]))
	types := map[uint32]bool{}
	for i := named; i < named+ids; i++ {
		at := 16 + 8*i
		if at+8 > len(data) {
			return fmt.Errorf("%s: truncated resource directory", name)
		}
		types[binary.LittleEndian.Uint32(data[at:])] = true
	}
	for id, what := range map[uint32]string{3: "RT_ICON", 14: "RT_GROUP_ICON", 16: "RT_VERSION", 24: "RT_MANIFEST"} {
		if !types[id] {
			return fmt.Errorf("%s: no %s resource", name, what)
		}
	}
	fmt.Printf("%s: PE32+ executable, x86-64, Windows GUI subsystem (-H windowsgui), resources: icon, version info, manifest\n", name)
	return nil
}

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}
