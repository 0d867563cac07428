package reliability

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
)

// describeActions are throttled as "Describe*": the simulator's throttle
// takes one action (or "*") per rule.
var describeActions = []string{
	"DescribeRegions", "DescribeZones", "DescribeAvailableResource", "DescribeInstanceTypes",
	"DescribeImages", "DescribeVpcs", "DescribeVSwitches", "DescribeSecurityGroups",
	"DescribeSecurityGroupAttribute", "DescribeKeyPairs", "DescribeInstances",
	"DescribeInstanceAttribute", "DescribeEipAddresses", "DescribeDisks", "DescribeUserData",
}

// machineFor returns a rancher-machine environment of w with its own
// storage path, as every Rancher job has its own.
func (w *world) machineFor(t *testing.T) *harness.Machine {
	m := *w.m
	m.StorePath = t.TempDir()
	return &m
}

// TestConcurrentCreatesUnderThrottling creates many machines at once as
// separate rancher-machine processes (separate Rancher jobs) while the
// simulator throttles RunInstances to 5/s and every Describe action to
// 20/s (the short run: 8 machines, 2/s and 6/s), then removes them all at
// once.
func TestConcurrentCreatesUnderThrottling(t *testing.T) {
	parallelTop(t)
	// The short run has fewer machines, so lower limits keep the demand
	// above them.
	n, runRate, describeRate := 8, 2.0, 6.0
	if full {
		n, runRate, describeRate = 50, 5, 20
	}
	w := newWorld(t, worldOptions{})
	w.setThrottle("RunInstances", runRate)
	for _, a := range describeActions {
		w.setThrottle(a, describeRate)
	}
	script := writeScript(t, t.TempDir(), "conc-token")
	machines := make([]*harness.Machine, n)
	names := make([]string, n)
	for i := range n {
		machines[i], names[i] = w.machineFor(t), uniqueName("conc", i)
	}
	start := time.Now()
	creates := runAll(t, machines, func(i int) []string { return machines[i].CreateArgs(names[i], script) })
	createTime := time.Since(start)
	created := 0
	for i, res := range creates {
		if res.ExitCode != 0 {
			t.Errorf("create %s exited %d: %s", names[i], res.ExitCode, lastLine(res.Output))
			continue
		}
		created++
	}
	throttled := 0
	for _, c := range w.calls(0) {
		if strings.HasPrefix(c.Code, "Throttling") {
			throttled++
		}
		if strings.HasPrefix(c.Action, "Describe") && !slices.Contains(describeActions, c.Action) {
			t.Errorf("%s is not throttled with the other Describe actions; add it to describeActions", c.Action)
		}
	}
	for _, name := range names {
		if insts := w.instancesOf(name); len(insts) != 1 {
			t.Errorf("machine %s has instances %v, want one", name, insts)
		}
	}
	checkOneDefaultGroup(t, w)

	start = time.Now()
	rms := runAll(t, machines, func(i int) []string { return []string{"rm", "-y", names[i]} })
	rmTime := time.Since(start)
	removed := 0
	for i, res := range rms {
		if res.ExitCode != 0 {
			t.Errorf("rm %s exited %d: %s", names[i], res.ExitCode, lastLine(res.Output))
			continue
		}
		removed++
	}
	leaked := 0
	for _, name := range names {
		if left := w.settle(name, false); len(left) > 0 {
			leaked++
			t.Errorf("machine %s leaked %v", name, left)
		}
	}
	if left := w.settle("", true); len(left) > 0 {
		t.Errorf("left in the cloud after every rm: %v", left)
	}
	fmt.Printf("concurrency: %d machines, %d created in %s, %d removed in %s, %d leaked, %d calls throttled\n",
		n, created, createTime.Round(time.Second), removed, rmTime.Round(time.Second), leaked, throttled)
	if throttled == 0 && full {
		t.Errorf("the simulator throttled no call: the demand never exceeded the limits")
	}
}

// runAll runs one rancher-machine command per machine, all at once, and
// returns their results in order.
func runAll(t *testing.T, machines []*harness.Machine, args func(i int) []string) []harness.Result {
	out := make([]harness.Result, len(machines))
	var wg sync.WaitGroup
	for i, m := range machines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &world{t: t, m: m}
			out[i] = w.run(args(i)...)
		}()
	}
	wg.Wait()
	return out
}

// checkOneDefaultGroup checks that the world holds one security group
// named docker-machine per VPC, without duplicate rules.
func checkOneDefaultGroup(t *testing.T, w *world) {
	t.Helper()
	inv := w.resources()
	perVPC := map[string]int{}
	for _, g := range inv.SecurityGroups {
		if g.Name != "docker-machine" {
			continue
		}
		perVPC[g.VpcID]++
		seen := map[harness.Rule]int{}
		for _, r := range g.Rules {
			seen[r]++
		}
		for r, n := range seen {
			if n > 1 {
				t.Errorf("security group %s holds %d copies of rule %+v", g.ID, n, r)
			}
		}
	}
	for vpc, n := range perVPC {
		if n != 1 {
			t.Errorf("VPC %s holds %d security groups named docker-machine, want 1", vpc, n)
		}
	}
	if len(perVPC) == 0 {
		t.Errorf("no security group named docker-machine exists")
	}
}

// TestDefaultSecurityGroupRace starts two creates in a fresh simulator and
// lets both reach CreateSecurityGroup before either is answered: they must
// end with one group and one copy of each rule.
func TestDefaultSecurityGroupRace(t *testing.T) {
	parallelTop(t)
	w := newWorld(t, worldOptions{})
	script := writeScript(t, t.TempDir(), "race-token")
	first := w.tap.OnAction("CreateSecurityGroup", 0, harness.HoldBefore)
	second := w.tap.OnAction("CreateSecurityGroup", 1, harness.HoldBefore)
	names := []string{"race-a", "race-b"}
	machines := []*harness.Machine{w.machineFor(t), w.machineFor(t)}
	var procs []*started
	for i, m := range machines {
		procs = append(procs, (&world{t: t, m: m}).start(m.CreateArgs(names[i], script)...))
	}
	raced := false
	select {
	case <-first:
		select {
		case <-second:
			raced = true
		case <-time.After(time.Minute):
		}
	case <-time.After(time.Minute):
	}
	w.tap.Release()
	for i, p := range procs {
		if res := p.wait(); res.ExitCode != 0 {
			t.Errorf("create %s exited %d: %s", names[i], res.ExitCode, lastLine(res.Output))
		}
	}
	if !raced {
		t.Errorf("the two creates did not both reach CreateSecurityGroup before either was answered")
	}
	checkOneDefaultGroup(t, w)
	for i, m := range machines {
		mw := &world{t: t, m: m}
		if res := mw.rm(names[i]); res.ExitCode != 0 {
			t.Errorf("rm %s exited %d: %s", names[i], res.ExitCode, lastLine(res.Output))
		}
	}
	for _, name := range names {
		if left := w.settle(name, false); len(left) > 0 {
			t.Errorf("machine %s leaked %v", name, left)
		}
	}
	fmt.Printf("security group race: 2 creates raced=%v, %d groups named docker-machine\n", raced, countGroups(w, "docker-machine"))
}

func countGroups(w *world, name string) int {
	n := 0
	for _, g := range w.resources().SecurityGroups {
		if g.Name == name {
			n++
		}
	}
	return n
}

// resources reads GET /_sim/resources.
func (w *world) resources() harness.Inventory {
	w.t.Helper()
	inv, err := w.admin.Resources(w.t.Context())
	if err != nil {
		w.t.Fatalf("read resources: %v", err)
	}
	return inv
}
