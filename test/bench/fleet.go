package bench

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
)

// DescribeActions are the Describe* actions a fleet's Describe rate limit
// applies to: every one the simulator answers for the driver's calls. Each
// gets its own bucket, as ECS limits per action.
var DescribeActions = []string{
	"DescribeRegions", "DescribeZones", "DescribeImages", "DescribeInstanceTypes",
	"DescribeAvailableResource", "DescribeVpcs", "DescribeVSwitches", "DescribeSecurityGroups",
	"DescribeSecurityGroupAttribute", "DescribeKeyPairs", "DescribeInstances",
	"DescribeInstanceStatus", "DescribeEipAddresses", "DescribeDisks", "DescribeTags",
}

// FleetOptions configures a fleet run: N machines created at once, each by
// its own rancher-machine process (as N Rancher jobs would), in one account
// whose RunInstances and Describe* calls are rate limited.
type FleetOptions struct {
	LifeOptions
	N int
	// RunRate and DescribeRate are the limits in calls per second.
	RunRate, DescribeRate float64
}

// FleetResult is what a fleet run measured.
type FleetResult struct {
	N, Succeeded int
	// Makespan runs from the first process start to the last create's end.
	Makespan time.Duration
	// Creates are the wall times of the successful creates.
	Creates []time.Duration
	// Calls counts the fleet's calls by action: answered, and refused by
	// flow control.
	Answered, Throttled map[string]int
	// DryRuns counts the answered RunInstances that were dry runs.
	DryRuns int
	// Bound is the least makespan the limits allow (see FleetBound) and
	// BoundBy the action whose limit sets it.
	Bound   time.Duration
	BoundBy string
	Floor   time.Duration
	// LastLaunch is when, after the start, the last instance was launched
	// (its RunInstances reached the cloud).
	LastLaunch time.Duration
	// SecurityGroups is how many security groups exist at the end.
	SecurityGroups int
	// PeakPairKB is the largest rancher-machine plus largest plugin VmHWM;
	// PeakTotalKB the peak resident memory of all of them together.
	PeakPairKB, PeakTotalKB int64
	// CPUSeconds is the processor time of the benchmark process (simulator
	// included) and its children during the run.
	CPUSeconds float64
	// Failures holds the telling line of each failed create.
	Failures []string
	// GuestFailures counts simulated guests that could not start.
	GuestFailures int
}

// MedianFleet returns the run with the median makespan/bound ratio (the
// lower middle one of an even count), or nil.
func MedianFleet(fs []FleetResult) *FleetResult {
	if len(fs) == 0 {
		return nil
	}
	sorted := slices.Clone(fs)
	slices.SortFunc(sorted, func(a, b FleetResult) int { return cmp.Compare(a.Ratio(), b.Ratio()) })
	return &sorted[(len(sorted)-1)/2]
}

// Ratio is Makespan / Bound.
func (f FleetResult) Ratio() float64 { return f.Makespan.Seconds() / f.Bound.Seconds() }

// RunFleet creates opts.N machines concurrently in one throttled world.
// preLaunch names the actions a machine calls before its instance is
// launched (RunInstances included); they set the bound.
func RunFleet(ctx context.Context, o FleetOptions, preLaunch []string) (FleetResult, error) {
	res := FleetResult{N: o.N, Floor: o.World.Profile.Floor()}
	w, err := NewWorld(o.World)
	if err != nil {
		return res, err
	}
	defer w.Close()
	if err := w.Throttle(ctx, "RunInstances", o.RunRate); err != nil {
		return res, err
	}
	for _, a := range DescribeActions {
		if err := w.Throttle(ctx, a, o.DescribeRate); err != nil {
			return res, err
		}
	}
	script, err := installScript(o.WorkDir)
	if err != nil {
		return res, err
	}
	// Every run has its own storage paths: the machine names repeat.
	stores, err := os.MkdirTemp(o.WorkDir, "fleet-")
	if err != nil {
		return res, err
	}
	sampler := newMemSampler(200 * time.Millisecond)
	sctx, stopSampler := context.WithCancel(ctx)
	sampled := make(chan struct{})
	go func() {
		sampler.run(sctx, os.Getpid(), o.Driver.PluginBase(), harness.RancherMachineBinary)
		close(sampled)
	}()
	cpu0 := cpuSeconds()

	start := time.Now()
	var mu sync.Mutex
	var wg sync.WaitGroup
	var last time.Time
	for i := range o.N {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("fleet-%03d", i)
			m := machine(o.BinDir, filepath.Join(stores, name), w)
			t0 := time.Now()
			err := runCommand(ctx, o.Timeout, m, nil, o.Driver.createArgs(w, name, script)...)
			end := time.Now()
			mu.Lock()
			defer mu.Unlock()
			last = maxTime(last, end)
			if err != nil {
				res.Failures = append(res.Failures, name+": "+errorLine(err.Error()))
				return
			}
			res.Succeeded++
			res.Creates = append(res.Creates, end.Sub(t0))
		}()
	}
	wg.Wait()
	res.Makespan = last.Sub(start)
	res.CPUSeconds = cpuSeconds() - cpu0
	stopSampler()
	<-sampled
	res.PeakPairKB = sampler.PeakKB(o.Driver.PluginBase()) + sampler.PeakKB(harness.RancherMachineBinary)
	res.PeakTotalKB = sampler.PeakSumKB()
	sort.Strings(res.Failures)

	calls, err := w.Calls(ctx, 0)
	if err != nil {
		return res, err
	}
	res.GuestFailures = w.GuestFailures()
	res.Answered, res.Throttled = map[string]int{}, map[string]int{}
	for _, c := range calls {
		if launched(c) {
			res.LastLaunch = max(res.LastLaunch, c.Time.Sub(start))
		}
		if c.Code == "DryRunOperation" {
			res.DryRuns++
		}
		if Throttled(c) {
			res.Throttled[c.Action]++
		} else {
			res.Answered[c.Action]++
		}
	}
	rates := map[string]float64{"RunInstances": o.RunRate}
	for _, a := range DescribeActions {
		rates[a] = o.DescribeRate
	}
	res.Bound, res.BoundBy = FleetBound(res.Answered, rates, preLaunch, res.Floor)
	if inv, err := w.Resources(ctx); err == nil {
		res.SecurityGroups = inv["securityGroups"]
	}
	return res, nil
}

// FleetBound is the least makespan rate limits allow a fleet: every machine
// makes its pre-launch calls one after another and its instance boots for
// the floor after its RunInstances, so the last launch cannot come before
// the busiest pre-launch action has served all its calls — n calls at r per
// second with a bucket of r to start with take (n - r) / r — and that
// machine then needs the floor. answered holds the calls each action
// served (answered, not refused).
func FleetBound(answered map[string]int, rates map[string]float64, preLaunch []string, floor time.Duration) (time.Duration, string) {
	var worst time.Duration
	by := "no limit binds"
	for _, a := range slices.Sorted(maps.Keys(answered)) {
		r, limited := rates[a]
		if !limited || r <= 0 || !slices.Contains(preLaunch, a) {
			continue
		}
		d := time.Duration(max(float64(answered[a])-max(r, 1), 0) / r * float64(time.Second))
		if d > worst {
			worst, by = d, a
		}
	}
	return worst + floor, by
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// errorLine picks the telling line of a failed command's report: the last
// one that mentions an error, else the last one.
func errorLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(strings.ToLower(lines[i]), "error") {
			return strings.TrimSpace(lines[i])
		}
	}
	return strings.TrimSpace(lines[len(lines)-1])
}

// cpuSeconds is the user+system time of this process and its reaped
// children.
func cpuSeconds() float64 {
	total := 0.0
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if syscall.Getrusage(who, &ru) == nil {
			total += time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
		}
	}
	return total
}
