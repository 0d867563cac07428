// Command bench measures the aliyunecs driver (or any docker-machine driver
// plugin) against the ECS/VPC simulator and writes the figures as Markdown:
// time to a ready node, API calls per machine life, fleet throughput under
// rate limits, footprint, and the Go benchmarks of the hot paths.
//
//	E2E_BIN_DIR=$PWD/bin go run ./test/bench/cmd/bench -out docs/benchmarks.md
//
// `make bench` builds the plugin and rancher-machine first and runs exactly
// that. Another driver is measured the same way with -driver-bin,
// -driver-name and -driver-flag (repeatable; {{endpoint}}, {{ssh-port}},
// {{access-key-id}} and {{access-key-secret}} are filled in). Progress goes
// to stderr. Nothing connects outside 127.0.0.0/8.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/bench"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
)

type options struct {
	out, binDir, driverBin, driverName, skip string
	driverFlags                              listFlag
	runs, fleetN, fleetRuns, benchCount      int
	scale, fleetScale, runRate, descRate     float64
	latency, stagger, timeout, fleetTimeout  time.Duration
	benchTime                                string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
}

func parse(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	binDefault := os.Getenv("E2E_BIN_DIR")
	if binDefault == "" {
		binDefault = "bin"
	}
	fs.StringVar(&o.out, "out", "docs/benchmarks.md", "write the Markdown report to `PATH` (- for stdout)")
	fs.StringVar(&o.binDir, "bin-dir", binDefault, "`DIR` holding rancher-machine and the plugin ($E2E_BIN_DIR when set)")
	fs.StringVar(&o.driverBin, "driver-bin", "", "measure this docker-machine plugin `PATH` instead of ours")
	fs.StringVar(&o.driverName, "driver-name", "", "driver `NAME` of -driver-bin (rancher-machine create --driver NAME)")
	fs.Var(&o.driverFlags, "driver-flag", "extra create `FLAG`, e.g. --foo=bar (repeatable; {{endpoint}} is the simulated API)")
	fs.IntVar(&o.runs, "runs", 5, "runs of each time-to-ready measurement (at least 5 for the report's medians)")
	fs.Float64Var(&o.scale, "timing-scale", 1, "multiply every realistic transition by `S` for time to ready and calls")
	fs.Float64Var(&o.fleetScale, "fleet-timing-scale", 0.2, "multiply every realistic transition by `S` for the fleet")
	fs.DurationVar(&o.latency, "latency", 80*time.Millisecond, "API latency added to every call")
	fs.DurationVar(&o.stagger, "stagger", 2*time.Second, "start time-to-ready runs this far apart (they then overlap)")
	fs.IntVar(&o.fleetN, "fleet-size", 100, "machines in the fleet")
	fs.IntVar(&o.fleetRuns, "fleet-runs", 5, "fleet runs, one after another")
	fs.Float64Var(&o.runRate, "fleet-run-rate", 10, "RunInstances calls per second allowed in the fleet")
	fs.Float64Var(&o.descRate, "fleet-describe-rate", 20, "calls per second allowed per Describe* action in the fleet")
	fs.IntVar(&o.benchCount, "bench-count", 5, "go test -count for the Go benchmarks")
	fs.StringVar(&o.benchTime, "bench-time", "200ms", "go test -benchtime for the Go benchmarks")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Minute, "bound of each time-to-ready rancher-machine command")
	fs.DurationVar(&o.fleetTimeout, "fleet-timeout", 4*time.Minute, "bound of each fleet create (one that takes longer counts as failed)")
	fs.StringVar(&o.skip, "skip", "", "comma-separated parts to leave out: gobench, footprint, ready, fleet")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if (o.driverBin == "") != (o.driverName == "") {
		return o, errors.New("-driver-bin and -driver-name go together")
	}
	if o.runs < 1 || o.fleetN < 1 || o.fleetRuns < 1 || o.scale <= 0 || o.fleetScale <= 0 || o.runRate <= 0 || o.descRate <= 0 {
		return o, errors.New("-runs, -fleet-size, the timing scales and the rates must be positive")
	}
	return o, nil
}

func run(ctx context.Context, args []string) error {
	o, err := parse(args)
	if err != nil {
		return err
	}
	began := time.Now()
	os.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true") // the in-process driver never asks the metadata service
	bench.QuietDriverLogs(io.Discard)
	root, err := bench.ModuleRoot(ctx)
	if err != nil {
		return err
	}
	binDir, err := filepath.Abs(o.binDir)
	if err != nil {
		return err
	}
	rancherMachine := filepath.Join(binDir, harness.RancherMachineBinary)
	if _, err := os.Stat(rancherMachine); err != nil {
		return fmt.Errorf("%s is missing: run `make build rancher-machine` (or `make bench`)", rancherMachine)
	}
	spec := bench.OurDriver(binDir)
	if o.driverBin != "" {
		abs, err := filepath.Abs(o.driverBin)
		if err != nil {
			return err
		}
		spec = bench.DriverSpec{Name: o.driverName, Bin: abs}
	}
	spec.Flags = append(spec.Flags, o.driverFlags...)
	if err := spec.Validate(); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "aliyunecs-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if err := spec.MakeBinDir(filepath.Join(work, "bin"), rancherMachine); err != nil {
		return err
	}

	r := &bench.Report{Started: began, Machine: bench.DescribeMachine(ctx), Params: bench.Params{
		Runs: o.runs, Profile: bench.Profile{Scale: o.scale}, FleetProfile: bench.Profile{Scale: o.fleetScale},
		Latency: o.latency, Stagger: o.stagger, FleetN: o.fleetN, FleetRuns: o.fleetRuns, RunRate: o.runRate, DescribeRate: o.descRate,
		BenchCount: o.benchCount, BenchTime: o.benchTime, Driver: spec, Command: commandLine(args),
	}}
	life := bench.LifeOptions{BinDir: filepath.Join(work, "bin"), Driver: spec, WorkDir: work, Timeout: o.timeout,
		World: bench.WorldOptions{Profile: r.Params.Profile, Latency: o.latency}}
	skip := func(part string) bool { return strings.Contains(","+o.skip+",", ","+part+",") }
	phases := []struct {
		name string
		fn   func() error
	}{
		{"gobench", func() error { return goBenchmarks(ctx, r, root, o) }},
		{"footprint", func() error { return footprint(ctx, r, root, work, spec) }},
		{"ready", func() error { return timeToReady(ctx, r, life, o) }},
		{"fleet", func() error { return fleet(ctx, r, life, o) }},
	}
	for _, ph := range phases {
		if skip(ph.name) {
			r.Notes = append(r.Notes, "Left out by -skip: "+ph.name+".")
			continue
		}
		t := time.Now()
		progress("%s ...", ph.name)
		if err := ph.fn(); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r.Notes = append(r.Notes, fmt.Sprintf("%s failed: %v", ph.name, firstLine(err.Error())))
			progress("%s failed: %v", ph.name, err)
		}
		progress("%s done in %s", ph.name, time.Since(t).Round(time.Second))
	}
	r.Elapsed, r.LoadAvgEnd = time.Since(began), bench.LoadAvg()
	return write(o.out, r.Markdown())
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench %s: "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func commandLine(args []string) string {
	if len(args) == 0 {
		return "bench"
	}
	return "bench " + strings.Join(args, " ")
}

func write(path, text string) error {
	if path == "-" {
		_, err := io.WriteString(os.Stdout, text)
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return err
	}
	progress("wrote %s", path)
	return nil
}

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, " ") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}
