package bench

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

const baselinePath = "testdata/calls_baseline.json"

// baselineAbout is stored in the baseline file to say what it is.
const baselineAbout = "API calls of one machine life (PreCreateCheck + Create, then Remove) of the aliyunecs driver " +
	"in-process with its default flags against the simulator's fast profile, the first machine of a fresh account. " +
	"TestCallsBaseline fails when a count rises above this (plus tolerance, for the polling actions). When a rise is " +
	"intended: BENCH_UPDATE_BASELINE=1 go test ./test/bench -run TestCallsBaseline, and commit the file with the change."

// TestCallsBaseline guards the number of API calls of the default
// configuration: every call counts against the user's per-account rate
// limits.
func TestCallsBaseline(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	QuietDriverLogs(io.Discard)
	o := LifeOptions{WorkDir: t.TempDir(), World: WorldOptions{Profile: Profile{}, Logf: t.Logf}}
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	life := RunInProcessLife(ctx, o, "baseline-pool1-a1b2c", nil)
	if life.Err != nil {
		t.Fatal(life.Err)
	}
	create, remove := CountCalls(life.CreateCalls), CountCalls(life.RemoveCalls)
	t.Logf("create: %d calls %v", Total(create), create)
	t.Logf("rm: %d calls %v", Total(remove), remove)

	if os.Getenv("BENCH_UPDATE_BASELINE") == "1" {
		b := Baseline{About: baselineAbout, Create: create, Remove: remove,
			Tolerance: map[string]int{"DescribeInstances": 3}}
		if err := b.Write(filepath.FromSlash(baselinePath)); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", baselinePath)
		return
	}
	base, err := LoadBaseline(filepath.FromSlash(baselinePath))
	if err != nil {
		t.Fatal(err)
	}
	rises, falls := base.Compare(create, remove)
	for _, f := range falls {
		t.Logf("fewer calls than the baseline (lower it with BENCH_UPDATE_BASELINE=1): %s", f)
	}
	for _, r := range rises {
		t.Errorf("more API calls than %s: %s", baselinePath, r)
	}
	if len(rises) > 0 {
		t.Log("If the rise is intended, run BENCH_UPDATE_BASELINE=1 go test ./test/bench -run TestCallsBaseline and commit the file.")
	}
}

func TestBaselineCompare(t *testing.T) {
	b := Baseline{
		Create:    map[string]int{"RunInstances": 1, "DescribeInstances": 3, "DescribeZones": 1},
		Remove:    map[string]int{"DeleteInstance": 1},
		Tolerance: map[string]int{"DescribeInstances": 2},
	}
	rises, falls := b.Compare(
		map[string]int{"RunInstances": 1, "DescribeInstances": 5, "RunInstances (DryRun)": 1},
		map[string]int{"DeleteInstance": 2})
	if len(rises) != 2 || len(falls) != 1 {
		t.Fatalf("rises %q, falls %q", rises, falls)
	}
	if rises, _ := b.Compare(map[string]int{"RunInstances": 1, "DescribeInstances": 6, "DescribeZones": 1}, b.Remove); len(rises) != 1 {
		t.Fatalf("DescribeInstances beyond the tolerance not caught: %q", rises)
	}
}

func TestCallKey(t *testing.T) {
	for c, want := range map[Call]string{
		{Action: "RunInstances", HTTPStatus: 200}:                                    "RunInstances",
		{Action: "RunInstances", HTTPStatus: 400, Code: "DryRunOperation"}:           "RunInstances (DryRun)",
		{Action: "DescribeInstances", HTTPStatus: 400, Code: "Throttling.User"}:      "DescribeInstances!Throttling.User",
		{Action: "DeleteKeyPairs", HTTPStatus: 404, Code: "InvalidKeyPair.NotFound"}: "DeleteKeyPairs!InvalidKeyPair.NotFound",
	} {
		if got := CallKey(c); got != want {
			t.Errorf("CallKey(%+v) = %q, want %q", c, got, want)
		}
	}
}
