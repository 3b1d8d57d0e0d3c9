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

TEST_TIMEOUT ?= 25m
TEST_FLAGS   ?=
DEPS         := scripts/install-deps.sh

.PHONY: deps run test fmt-check vet build bench faults clean

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
	$(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) $(TEST_FLAGS) ./...
	@# The >2 GiB transfer (grab #103) takes minutes under -race: its own pass.
	$(GO) test -count=1 -timeout 10m -run 'TestOver2GiB' ./downloads

build:
	$(DEPS) build
	$(GO) build -o bin/bgfetch .

bench:
	@if [ -x scripts/bench.sh ] || [ -f scripts/bench.sh ]; then \
		$(DEPS) build bench && bash scripts/bench.sh; \
	else echo "scripts/bench.sh not present"; exit 1; fi

faults:
	@if [ -f scripts/faults.sh ]; then \
		$(DEPS) build bench && bash scripts/faults.sh; \
	else echo "scripts/faults.sh not present"; exit 1; fi

clean:
	rm -rf bin
