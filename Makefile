# bgfetch — build, run and test. `make test` is what CI runs (.ci/run).
#
# Fyne needs cgo (OpenGL/X11), so CGO stays on everywhere. Module downloads go
# through the Go module proxy only; -mod=readonly keeps builds from silently
# rewriting go.mod/go.sum.

SHELL        := bash
.SHELLFLAGS  := -eu -o pipefail -c
.DEFAULT_GOAL := build

GO           ?= go
export PATH        := /usr/local/go/bin:$(PATH)
export CGO_ENABLED := 1
export GOFLAGS     ?= -mod=readonly -buildvcs=false

# Build tags of every build, test and package (the packaging scripts pass
# them to `fyne package`, which sets -tags itself). no_emoji leaves out
# Fyne's bundled colour emoji font: 4 MiB of binary, parsed again for every
# text style (about 10 MiB of the desktop app's memory); a glyph the bundled
# fonts lack is drawn from the system's fonts instead (docs/benchmarks.md).
export BUILD_TAGS  := no_emoji
GOFLAGS            += -tags=$(BUILD_TAGS)

TEST_TIMEOUT ?= 25m
TEST_FLAGS   ?=
DEPS         := scripts/install-deps.sh

.PHONY: deps run test fmt-check vet build bench bench-rss bench-history faults abuse clean fuzz-short cross-check

deps:
	$(DEPS)

run:
	$(DEPS) build desktop
	$(GO) run .

fmt-check:
	@out="$$(gofmt -l .)"; \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

test:
	$(DEPS)
	$(MAKE) --no-print-directory fmt-check
	$(MAKE) --no-print-directory vet
	$(MAKE) --no-print-directory cross-check
	$(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) $(TEST_FLAGS) ./...
	@# The >2 GiB transfer (grab #103) takes minutes under -race: its own pass.
	$(GO) test -count=1 -timeout 10m -run 'TestOver2GiB' ./downloads
	$(MAKE) --no-print-directory fuzz-short
	$(MAKE) --no-print-directory test-clients

# The clients' suites run against the binary just built (bin/bgfetch):
# JavaScript (node --test; npm ci installs the one dev dependency,
# TypeScript, for the types check).
.PHONY: test-clients test-js test-python test-openapi
test-clients: test-js test-python test-openapi

test-js:
	$(GO) build -o bin/bgfetch .
	cd clients/js && npm ci --no-audit --no-fund --loglevel=error && BGFETCH_BIN=../../bin/bgfetch npm test

# Python (standard library only; unittest, and pip install into fresh venvs).
test-python:
	$(GO) build -o bin/bgfetch .
	BGFETCH_BIN=$(CURDIR)/bin/bgfetch python3 -m unittest discover -s clients/python/tests

# docs/openapi.yaml: valid OpenAPI 3.1, and every answer of the real daemon
# matches it (docs/openapi-test).
test-openapi:
	$(GO) build -o bin/bgfetch .
	cd docs/openapi-test && npm ci --no-audit --no-fund --loglevel=error && BGFETCH_BIN=../../bin/bgfetch npm test

# The platform-independent packages must build for Windows and macOS too
# (the full Windows exe is built by package-test; this catches it in seconds).
# The Windows-only tests compile here too (make wine-test runs them).
CROSS_PKGS := ./downloads/... ./persistence/... ./api/... ./icons/... ./internal/... ./packaging/... ./cmd/...
WIN_TEST_PKGS := ./internal/winapp ./internal/netwatch ./packaging/autostart ./api/datadir
cross-check:
	GOOS=windows CGO_ENABLED=0 $(GO) build $(CROSS_PKGS)
	GOOS=darwin CGO_ENABLED=0 $(GO) build $(CROSS_PKGS)
	@for p in $(WIN_TEST_PKGS); do GOOS=windows CGO_ENABLED=0 $(GO) test -c -o /dev/null $$p || exit 1; done

# Each fuzz target for about 10 s here; what it finds lands in
# testdata/fuzz. The budgets are counts of runs, not times: with a time,
# Go 1.26's fuzzing coordinator can fail a target with a bare "context
# deadline exceeded" at the deadline, having found nothing (go.dev/issue/
# 75804, fixed in Go 1.27; CI hit it once). The counts are about what each
# target ran in 10 s on this 2-CPU machine.
FUZZ_SCALE ?= 1
fuzz-short:
	$(GO) test -run XXX -fuzz '^FuzzDecodeFetchRequest$$' -fuzztime $$((15000 * $(FUZZ_SCALE)))x ./downloads/model
	$(GO) test -run XXX -fuzz '^FuzzParseHandlerSpec$$' -fuzztime $$((80000 * $(FUZZ_SCALE)))x ./downloads/model
	$(GO) test -run XXX -fuzz '^FuzzValidateFetchRequest$$' -fuzztime $$((5000 * $(FUZZ_SCALE)))x ./api/server

build:
	$(DEPS) build
	$(GO) build -o bin/bgfetch .

bench:
	@if [ -x scripts/bench.sh ] || [ -f scripts/bench.sh ]; then \
		$(DEPS) build bench && bash scripts/bench.sh; \
	else echo "scripts/bench.sh not present"; exit 1; fi

# The desktop app's memory against an empty Fyne window (issue 4), three
# runs: quote the median. The benchmark starts Xvfb, D-Bus, dunst and the
# tray watcher itself.
bench-rss:
	$(DEPS) build desktop
	$(GO) test -run '^$$' -bench RSS -benchtime 1x -count 3 ./e2e/desktop

# The window over 10,000 kept registrations (issue 12): RSS against an
# empty Fyne window (target ≤ 1.5×) and the UI goroutine's frame times
# while the list is scrolled and a search typed with xdotool (< 100 ms).
bench-history:
	$(DEPS) build desktop
	$(GO) test -run '^$$' -bench History -benchtime 1x -count 3 -timeout 30m ./e2e/desktop

faults:
	@if [ -f scripts/faults.sh ]; then \
		$(DEPS) build bench && bash scripts/faults.sh; \
	else echo "scripts/faults.sh not present"; exit 1; fi

# The local API and handlers under abuse (issue 14, bench/abuse): each
# attack against a real daemon with 1,024 file descriptors, printed as a
# table of figures against their targets and against main before the
# hardening. About a minute; exit 1 when a figure misses its target.
abuse:
	$(DEPS) build
	$(GO) build -o bin/bgfetch .
	$(GO) build -o bin/abuse ./bench/abuse
	bin/abuse -bin bin/bgfetch

clean:
	rm -rf bin

# --- Packaging (issue 5; see packaging/README.md) ----------------------------
# package:   dist/bgfetch-<version>-linux-<arch>.tar.xz (fyne package, linux)
# deb:       dist/bgfetch_<version>_<arch>.deb from that package: /usr tree,
#            AppStream metainfo, man page (packaging/build-deb.sh)
# windows:   dist/bgfetch.exe (fyne package, windows; MinGW-w64; ~7 min cold)
#            and dist/bgfetch-cli.exe (console CLI, pure Go)
# msi:       dist/bgfetch-<version>-windows-amd64.msi (wixl; per-user)
# wine-test: the Windows test bed (packaging/windows/test-wine.sh): the
#            exes and the MSI under Wine, headless and on a virtual desktop
# install:   per-user install from the package into $PREFIX (~/.local):
#            bin/bgfetch, the desktop entry, hicolor icons; no root needed
# uninstall: remove them (and a start-at-login entry running that binary)
# package-test: packaging/test-package.sh (PACKAGE_TEST=linux|deb|windows|all)

APP_VERSION  := $(shell sed -n 's/^[[:space:]]*Version[[:space:]]*=[[:space:]]*"\(.*\)"/\1/p' FyneApp.toml)
DIST         ?= dist
PKG_ARCH     := $(shell $(GO) env GOARCH)
LINUX_PKG    := $(DIST)/bgfetch-$(APP_VERSION)-linux-$(PKG_ARCH).tar.xz
PACKAGE_TEST ?= all
# Everything that goes into the package: rebuilt only when one changes.
PKG_INPUTS   := $(shell find . \( -path ./.git -o -path ./bin -o -path ./dist -o -path ./e2e/out \) -prune \
                  -o -type f -name '*.go' -print) go.mod go.sum FyneApp.toml \
                $(wildcard icons/png/bgfetch-*.png icons/src/bgfetch.svg packaging/linux/*) \
                packaging/build-linux.sh packaging/lib.sh

DEB_ARCH     := $(shell dpkg --print-architecture 2>/dev/null || $(GO) env GOARCH)
DEB          := $(DIST)/bgfetch_$(APP_VERSION)_$(DEB_ARCH).deb
WIN_EXE      := $(DIST)/bgfetch.exe
WIN_MSI      := $(DIST)/bgfetch-$(APP_VERSION)-windows-amd64.msi

.PHONY: package deb windows msi wine-test install uninstall package-test

package: $(LINUX_PKG)

deb: $(DEB)

$(DEB): $(LINUX_PKG) packaging/build-deb.sh $(wildcard packaging/linux/*) README.md docs/API.md
	$(DEPS) build packaging
	packaging/build-deb.sh $(DIST)

$(LINUX_PKG): $(PKG_INPUTS)
	$(DEPS) build packaging
	packaging/build-linux.sh $(DIST)

# Rebuilt only when an input changed, so that `make wine-test` after the CI
# step that builds the exes does not build them again.
windows: $(WIN_EXE)

$(WIN_EXE): $(PKG_INPUTS) packaging/build-windows.sh
	$(DEPS) build packaging
	packaging/build-windows.sh $(DIST)

msi: $(WIN_MSI)

$(WIN_MSI): $(WIN_EXE) packaging/windows/bgfetch.wxs $(wildcard packaging/windows/msi/*.idt) packaging/windows/build-msi.sh
	$(DEPS) wine
	packaging/windows/build-msi.sh $(DIST)

wine-test: $(WIN_MSI)
	$(DEPS) build wine
	DIST="$(DIST)" packaging/windows/test-wine.sh

# PREFIX, DESTDIR and HOME (environment or command line) reach install.sh
# through the environment; PREFIX defaults to $HOME/.local there.
install: $(LINUX_PKG)
	@tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; \
	tar -xJf $(LINUX_PKG) -C "$$tmp" --strip-components=1; \
	"$$tmp/install.sh" install

uninstall:
	@packaging/linux/install.sh uninstall

package-test:
	$(DEPS) build packaging
	DIST="$(DIST)" MAKE="$(MAKE)" packaging/test-package.sh $(PACKAGE_TEST)
