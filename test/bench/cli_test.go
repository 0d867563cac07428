package bench

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
)

// cliOptions returns lives aimed at the built binaries (E2E_BIN_DIR, else
// ../../bin), or skips the test when they are missing (fails with
// E2E_REQUIRE=1, as under make test).
func cliOptions(t *testing.T) LifeOptions {
	t.Helper()
	binDir := os.Getenv("E2E_BIN_DIR")
	if binDir == "" {
		binDir, _ = filepath.Abs("../../bin")
	}
	rm, _, err := harness.FindBinaries(binDir)
	if err != nil {
		if os.Getenv("E2E_REQUIRE") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	work := t.TempDir()
	spec := OurDriver(binDir)
	if err := spec.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := spec.MakeBinDir(filepath.Join(work, "bin"), rm); err != nil {
		t.Fatal(err)
	}
	return LifeOptions{BinDir: filepath.Join(work, "bin"), Driver: spec, WorkDir: work, Timeout: 2 * time.Minute,
		World: WorldOptions{Profile: Profile{}, Latency: 5 * time.Millisecond}}
}

// TestCLILife runs one machine life through rancher-machine on the fast
// profile and checks what the benchmark reads from it.
func TestCLILife(t *testing.T) {
	o := cliOptions(t)
	l := RunCLILife(context.Background(), o, "bench-test-a1b2c")
	if l.Err != nil {
		t.Fatal(l.Err)
	}
	if !l.Timeline.OK || l.Timeline.ToLaunch <= 0 || l.Timeline.CallsBeforeLaunch < 2 {
		t.Errorf("timeline %+v", l.Timeline)
	}
	if CountCalls(l.CreateCalls)["RunInstances"] != 1 || CountCalls(l.RemoveCalls)["DeleteInstance"] != 1 {
		t.Errorf("create calls %v, rm calls %v", CountCalls(l.CreateCalls), CountCalls(l.RemoveCalls))
	}
	// The plugin is sampled while it lives; a create of well under a second
	// may end between two samples.
	if l.CLIPeakKB <= 0 || l.PluginPeakKB <= 0 && l.Create > time.Second {
		t.Errorf("peak RSS plugin %d kB, rancher-machine %d kB", l.PluginPeakKB, l.CLIPeakKB)
	}
	if pre := PreLaunchActions([]Life{l}); !slices.Contains(pre, "RunInstances") || slices.Contains(pre, "DescribeInstances") {
		t.Errorf("pre-launch actions %v", pre)
	}
	t.Logf("create %s, rm %s, timeline %+v", l.Create, l.Remove, l.Timeline)
}

// TestSmallFleet creates a few machines at once under tight rate limits,
// twice: the second run reuses the machine names of the first.
func TestSmallFleet(t *testing.T) {
	if testing.Short() {
		t.Skip("starts several rancher-machine processes")
	}
	o := cliOptions(t)
	pre := []string{"DescribeRegions", "DescribeZones", "RunInstances"}
	for run := range 2 {
		f, err := RunFleet(context.Background(), FleetOptions{LifeOptions: o, N: 4, RunRate: 2, DescribeRate: 5}, pre)
		if err != nil {
			t.Fatal(err)
		}
		if f.Succeeded != 4 || len(f.Creates) != 4 || f.Makespan <= 0 || f.Answered["RunInstances"] < 4 {
			t.Fatalf("run %d: fleet %+v", run, f)
		}
		if f.Bound <= 0 || f.BoundBy != "RunInstances" && f.BoundBy != "no limit binds" {
			t.Errorf("run %d: bound %s by %s", run, f.Bound, f.BoundBy)
		}
		t.Logf("run %d: makespan %s, bound %s by %s, throttled %v", run, f.Makespan, f.Bound, f.BoundBy, f.Throttled)
	}
}
