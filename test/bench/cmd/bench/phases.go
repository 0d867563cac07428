package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/bench"
)

// goBenchmarks runs the packages' testing.B benchmarks.
func goBenchmarks(ctx context.Context, r *bench.Report, root string, o options) error {
	if !r.Params.Driver.Ours {
		r.Notes = append(r.Notes, "The Go benchmarks are of this repository's code; left out for another driver.")
		return nil
	}
	pkgs := bench.PackagesWithBenchmarks(root, bench.BenchPackages)
	if len(pkgs) == 0 {
		return fmt.Errorf("no package of %v has benchmarks", bench.BenchPackages)
	}
	res, out, err := bench.RunGoBenchmarks(ctx, root, pkgs, o.benchCount, o.benchTime)
	if err != nil {
		return fmt.Errorf("%w\n%s", err, out)
	}
	r.GoBench = res
	return nil
}

// footprint measures sizes and the plugin's start-up.
func footprint(ctx context.Context, r *bench.Report, root, work string, spec bench.DriverSpec) error {
	fp := &r.Footprint
	if st, err := os.Stat(spec.Bin); err == nil {
		fp.BinarySize = st.Size()
	}
	if spec.Ours {
		stripped := filepath.Join(work, "stripped", "docker-machine-driver-aliyunecs")
		if err := bench.BuildStripped(ctx, root, stripped); err != nil {
			return err
		}
		st, err := os.Stat(stripped)
		if err != nil {
			return err
		}
		fp.Stripped = st.Size()
		if fp.Tarball, fp.TarballSource, err = bench.Tarball(ctx, root, stripped, filepath.Join(work, "stripped")); err != nil {
			return err
		}
	}
	const runs = 10
	for i := range runs + 1 {
		s, err := bench.PluginStartup(ctx, spec.Bin)
		if err != nil {
			return fmt.Errorf("plugin start-up: %w", err)
		}
		if i > 0 { // the first start warms the page cache
			fp.Startups = append(fp.Startups, s)
		}
	}
	return nil
}

// timeToReady runs the rancher-machine lives and, for our driver, as many
// in-process lives, interleaved and staggered.
func timeToReady(ctx context.Context, r *bench.Report, life bench.LifeOptions, o options) error {
	ours := r.Params.Driver.Ours
	per := 1
	if ours {
		per = 2
	} else {
		r.Notes = append(r.Notes, "The in-process measurement exists for this repository's driver only.")
	}
	cli := make([]bench.Life, o.runs)
	in := make([]bench.InProcess, o.runs)
	var mu sync.Mutex
	bench.RunConcurrently(ctx, per*o.runs, o.stagger, func(ctx context.Context, i int) bench.Life {
		k := i / per
		var l bench.Life
		if i%per == 1 {
			p := bench.RunInProcessLife(ctx, life, fmt.Sprintf("bench-inproc-%d", k), nil)
			in[k], l = p, p.Life
		} else {
			l = bench.RunCLILife(ctx, life, fmt.Sprintf("bench-cli-%d", k))
			cli[k] = l
		}
		mu.Lock()
		defer mu.Unlock()
		if l.Err != nil {
			progress("  %s failed: %v", l.Name, l.Err)
		} else {
			progress("  %s: create %.2f s (overhead %.2f s), rm %.2f s", l.Name, l.Create.Seconds(), l.Timeline.Overhead().Seconds(), l.Remove.Seconds())
		}
		return l
	})
	r.CLI = cli
	if ours {
		r.InProc = in
	}
	for _, l := range cli {
		if l.Err != nil {
			r.Notes = append(r.Notes, fmt.Sprintf("%s failed: %s", l.Name, firstLine(l.Err.Error())))
		}
	}
	return ctx.Err()
}

// fleet runs the fleet; the pre-launch actions come from the lives.
func fleet(ctx context.Context, r *bench.Report, life bench.LifeOptions, o options) error {
	var ok []bench.Life
	for _, l := range r.CLI {
		if l.Err == nil && l.Timeline.OK {
			ok = append(ok, l)
		}
	}
	pre := bench.PreLaunchActions(ok)
	if len(pre) == 0 {
		pre = append(slices.DeleteFunc(slices.Clone(bench.DescribeActions), func(a string) bool { return a == "DescribeInstances" }), "RunInstances")
		r.Notes = append(r.Notes, "No time-to-ready run told which actions come before launch; the fleet bound assumes every Describe* but DescribeInstances.")
	}
	life.World.Profile, life.Timeout = r.Params.FleetProfile, o.fleetTimeout
	for i := range o.fleetRuns {
		res, err := bench.RunFleet(ctx, bench.FleetOptions{LifeOptions: life, N: o.fleetN, RunRate: o.runRate, DescribeRate: o.descRate}, pre)
		if err != nil {
			return err
		}
		progress("  fleet run %d: %d/%d ok, makespan %.1f s, bound %.1f s, ratio %.2f", i+1, res.Succeeded, res.N,
			res.Makespan.Seconds(), res.Bound.Seconds(), res.Ratio())
		r.Fleets = append(r.Fleets, res)
		r.Fleet = bench.MedianFleet(r.Fleets)
	}
	return nil
}
