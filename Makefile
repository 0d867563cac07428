# docker-machine-driver-aliyunecs
#
#   make build            bin/docker-machine-driver-aliyunecs
#   make rancher-machine  bin/rancher-machine, built from the same rancher/machine version the driver uses
#   make test             vet, unit, simulator and end-to-end tests (the README's test command; CI runs it)
#   make demo             a whole machine life against the embedded simulated cloud
#   make sim              run the ECS/VPC simulator in the foreground
#   make test-reliability the full fault, crash, concurrency and bad-input suites
#   make release          static builds and archives for every platform in dist/
#   make bench            performance figures against the realistic simulator → docs/benchmarks.md

GO      ?= go
BIN     := $(CURDIR)/bin
DRIVER  := $(BIN)/docker-machine-driver-aliyunecs
RM_BIN  := $(BIN)/rancher-machine
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/aliyunecs/docker-machine-driver-aliyunecs/driver.Version=$(VERSION)

# Tests never reach a proxy: the simulator lives on loopback.
export NO_PROXY := 127.0.0.0/8,localhost
unexport HTTP_PROXY HTTPS_PROXY http_proxy https_proxy

.PHONY: all build rancher-machine test test-unit test-reliability demo sim fuzz release release-check generate bench vet fmt-check clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(DRIVER) .

rancher-machine: $(RM_BIN)

# The CLI is ~125 MB and takes minutes to build, so it is built once and kept
# in bin/ (never committed) until the pinned version changes.
$(RM_BIN): tools/rancher-machine/go.mod go.mod
	@want=$$($(GO) list -m -f '{{.Version}}' github.com/rancher/machine); \
	 got=$$(cd tools/rancher-machine && $(GO) list -m -f '{{.Version}}' github.com/rancher/machine); \
	 if [ "$$want" != "$$got" ]; then echo "tools/rancher-machine pins rancher/machine $$got but the driver uses $$want" >&2; exit 1; fi
	cd tools/rancher-machine && CGO_ENABLED=0 $(GO) build -trimpath -o $(RM_BIN) github.com/rancher/machine/cmd/rancher-machine

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	 if [ -n "$$out" ]; then echo "gofmt would change:" $$out >&2; exit 1; fi

test: fmt-check vet build rancher-machine
	E2E_BIN_DIR=$(BIN) E2E_REQUIRE=1 $(GO) test -race -count=1 -timeout 15m ./...

test-unit:
	$(GO) test -race -count=1 -short ./...

# The reliability suites run a short subset in `make test`; this runs them all.
test-reliability: build rancher-machine
	E2E_BIN_DIR=$(BIN) E2E_REQUIRE=1 RELIABILITY_FULL=1 $(GO) test -race -count=1 -timeout 60m -v ./test/reliability/...

# Runs every fuzz target for a few seconds (their seed corpora run in make test).
fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzParseUserTag -fuzztime=5s ./driver
	$(GO) test -run='^$$' -fuzz=FuzzParsePortSpec -fuzztime=5s ./driver
	$(GO) test -run='^$$' -fuzz=FuzzSetConfigFromFlags -fuzztime=5s ./driver
	$(GO) test -run='^$$' -fuzz=FuzzBuild -fuzztime=5s ./userdata
	$(GO) test -run='^$$' -fuzz=FuzzReadParams -fuzztime=5s ./test/ecssim
	$(GO) test -run='^$$' -fuzz=FuzzVerifySignature -fuzztime=5s ./test/ecssim

release:
	VERSION=$(VERSION) bash scripts/release.sh

# Builds the whole release matrix twice and checks every archive.
release-check: build rancher-machine
	E2E_BIN_DIR=$(BIN) E2E_REQUIRE=1 E2E_RELEASE_ALL=1 $(GO) test -count=1 -run 'TestRelease' ./test/e2e/

# Regenerates the flag reference and the RAM policy from the code.
generate:
	$(GO) run ./hack/flagdoc -w
	$(GO) run ./hack/rampolicy -w

bench: build rancher-machine
	E2E_BIN_DIR=$(BIN) $(GO) run ./test/bench/cmd/bench -out docs/benchmarks.md $(BENCH_FLAGS)

demo: build rancher-machine
	E2E_BIN_DIR=$(BIN) $(GO) run ./test/e2e/cmd/demo

sim:
	$(GO) run ./test/ecssim/cmd/ecssim $(SIM_FLAGS)

clean:
	rm -rf $(BIN) dist
