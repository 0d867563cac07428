package reliability

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
)

// crashCase kills the create job at one call of a recording.
type crashCase struct {
	rec recording
	k   int // index of the call the plugin is stopped at
	// effect: the call took effect and its answer never came back;
	// otherwise the call never reached the cloud (the plugin died right
	// after call k-1 returned).
	effect bool
}

func (c crashCase) String() string {
	mode := "before"
	if c.effect {
		mode = "effect"
	}
	return fmt.Sprintf("%s/%02d-%s/%s", c.rec.cfg.name, c.k+1, c.rec.calls[c.k].Action, mode)
}

// short reports whether c is in the short subset: the instance launch,
// killed before it and after it took effect.
func (c crashCase) short() bool {
	return c.rec.cfg.name == "default" && c.rec.calls[c.k].Action == "RunInstances" && c.rec.skipOf(c.k) == 0
}

// TestCrashMatrix kills the plugin (and rancher-machine, as a node failure
// kills the job pod) at every call of a clean create, then runs the delete
// job from the state rancher-machine saved, and then creates a machine of
// the same name again, which must get a new, working instance.
func TestCrashMatrix(t *testing.T) {
	parallelTop(t)
	var cases []crashCase
	for _, cfg := range configs {
		if !full && cfg.name != "default" {
			continue
		}
		rec, skip := record(t, cfg)
		if skip != "" {
			fmt.Printf("crash matrix: skipping config %s: %s\n", cfg.name, skip)
			continue
		}
		for k := range rec.calls {
			for _, effect := range []bool{false, true} {
				c := crashCase{rec: rec, k: k, effect: effect}
				if full || c.short() {
					cases = append(cases, c)
				}
			}
		}
	}
	var tl tally
	runParallel(t, len(cases), parallelism(), func(i int) string { return cases[i].String() }, func(t *testing.T, i int) {
		runCrashCase(t, cases[i], i, &tl)
	})
	fmt.Printf("crash matrix: %d cases, %d clean, %d leaked, %d recreated with a new working instance, %d exposed a secret (%s)\n",
		len(cases), tl.get("clean"), tl.get("leaked"), tl.get("recreated"), tl.get("exposed"), tl.breakdown("clean", "leaked", "recreated", "exposed"))
	tl.printNotes("crash matrix")
	if len(cases) == 0 {
		t.Error("no crash case ran")
	}
}

func runCrashCase(t *testing.T, c crashCase, i int, tl *tally) {
	w, m := markerWorld(t, worldOptions{})
	name := uniqueName("crash", i)
	script := writeScript(t, t.TempDir(), m.cattle)
	var outputs []string
	defer func() {
		places := w.simPlaces(t)
		for i, out := range outputs {
			places[fmt.Sprintf("rancher-machine output %d", i+1)] = out
		}
		if scanSecrets(t, m, nil, places) > 0 {
			tl.add("exposed")
		}
	}()
	mode := harness.HoldBefore
	if c.effect {
		mode = harness.HoldAfter
	}
	hit := w.tap.AtSeq(c.k+1, mode)
	p := w.start(w.m.CreateArgs(name, script, c.rec.cfg.flags...)...)
	select {
	case <-hit:
	case <-p.done:
		// The create made fewer calls this time (the number of status
		// polls varies); it finished on its own.
		tl.add("not-reached")
		w.tap.Release()
		if cleanUp(t, w, name, tl, m) {
			tl.add("clean")
		}
		return
	}
	if c.effect {
		// The call is answered by the simulator (which records it then),
		// and the tap keeps the answer back.
		deadline := time.Now().Add(time.Minute)
		for len(w.calls(0)) < c.k+1 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	// rancher-machine runs two plugin processes during create (one for
	// the flags, one for the machine); both die with the pod.
	if killed := p.crash(); killed < 1 {
		t.Errorf("found no plugin process to kill")
	}
	outputs = append(outputs, p.wait().Output)
	w.tap.Release()
	tl.add("killed")

	before := slices.Collect(maps.Keys(w.instancesOf(name)))
	if len(before) > 0 {
		tl.add("crash-left-an-instance")
	}
	ok := true
	rm := w.rm(name)
	outputs = append(outputs, rm.Output)
	if rm.ExitCode != 0 {
		ok = false
		t.Errorf("rm -y after the crash exited %d:\n%s", rm.ExitCode, redact(tail(rm.Output, 10), m, nil))
	}
	if left := w.settle(name, true); len(left) > 0 {
		tl.add("leaked")
		ok = false
		t.Errorf("leaked after the crash and rm: %v", left)
	}

	// The same name again: a new instance, never one the crashed machine
	// left or its ClientToken hands back.
	res := w.create(name, script, c.rec.cfg.flags...)
	outputs = append(outputs, res.Output)
	if res.ExitCode != 0 {
		t.Fatalf("create %s again exited %d:\n%s", name, res.ExitCode, redact(tail(res.Output, 15), m, nil))
	}
	after := w.instancesOf(name)
	if len(after) != 1 {
		t.Errorf("after the second create the machine has instances %v, want one", after)
	}
	for id, status := range after {
		if slices.Contains(before, id) {
			t.Errorf("the second create got instance %s, which the crashed create had made", id)
		}
		if status != "Running" {
			t.Errorf("the new instance %s is %s, want Running", id, status)
		}
	}
	if ssh := w.run("ssh", name, "exit", "0"); ssh.ExitCode != 0 {
		t.Errorf("rancher-machine ssh to the new machine exited %d:\n%s", ssh.ExitCode, redact(tail(ssh.Output, 10), m, nil))
	} else if !t.Failed() {
		tl.add("recreated")
	}
	if !cleanUp(t, w, name, tl, m) || !ok || t.Failed() {
		return
	}
	tl.add("clean")
}

// cleanUp removes machine name and checks that nothing of it is left; m
// are the markers to keep out of failure messages.
func cleanUp(t *testing.T, w *world, name string, tl *tally, m markers) bool {
	t.Helper()
	if rm := w.rm(name); rm.ExitCode != 0 {
		t.Errorf("rm -y exited %d:\n%s", rm.ExitCode, redact(tail(rm.Output, 10), m, nil))
		return false
	}
	if left := w.settle(name, true); len(left) > 0 {
		tl.add("leaked")
		t.Errorf("leaked after rm: %v", left)
		return false
	}
	return true
}
