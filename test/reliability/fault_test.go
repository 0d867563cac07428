package reliability

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
)

// faultKind is one column of the fault matrix.
type faultKind struct {
	name string
	// code is what a failed create must name besides the action ("" for
	// hangs, which have no code).
	code string
	// fatal says the fault cannot be retried away: when it fires, the
	// create fails unless the driver has a documented fallback.
	fatal bool
	// transient says the fault hits one attempt only (a lost or late
	// answer): the retry must carry the create through.
	transient bool
	// arm injects the fault on the call of action that follows skip
	// earlier calls of it, and returns a report of whether it fired.
	arm func(w *world, action string, skip int) (fired func() bool)
}

// codeFault arms a simulator fault answering code and reports it fired when
// the simulator recorded a call of action answered with code.
func codeFault(tmpl simFault) func(w *world, action string, skip int) func() bool {
	return func(w *world, action string, skip int) func() bool {
		f := tmpl
		f.Action, f.Skip = action, skip
		w.addFault(f)
		return func() bool {
			for _, c := range w.calls(0) {
				if c.Action == action && c.Code == f.Code {
					return true
				}
			}
			return false
		}
	}
}

// arrived reports whether more than skip calls of action reached the tap.
func arrived(w *world, action string, skip int) func() bool {
	return func() bool {
		n := 0
		for _, a := range w.tap.Arrivals() {
			if a.Action == action {
				n++
			}
		}
		return n > skip
	}
}

// faultKinds are the matrix columns. useSimDrop says the simulator takes
// "drop" faults; otherwise the tap drops the answer.
func faultKinds(useSimDrop bool) []faultKind {
	persist := ecs.DefaultRetryMaxAttempts + 1
	return []faultKind{
		{name: "403-NoStock", code: "OperationDenied.NoStock", fatal: true,
			arm: codeFault(simFault{Code: "OperationDenied.NoStock", HTTPStatus: 403, Times: 1})},
		{name: "403-Forbidden", code: "Forbidden.RAM", fatal: true,
			arm: codeFault(simFault{Code: "Forbidden.RAM", HTTPStatus: 403, Times: 1})},
		{name: "500-persistent", code: "InternalError",
			arm: codeFault(simFault{Code: "InternalError", HTTPStatus: 500, Times: persist})},
		{name: "500-after-effect", code: "InternalError", transient: true,
			arm: codeFault(simFault{Code: "InternalError", HTTPStatus: 500, Times: 1, AfterEffect: true})},
		{name: "drop", transient: true, arm: func(w *world, action string, skip int) func() bool {
			if useSimDrop {
				w.addFault(simFault{Action: action, Skip: skip, Drop: true, AfterEffect: true, Times: 1})
				return arrived(w, action, skip)
			}
			hit := w.tap.OnAction(action, skip, harness.Drop)
			return func() bool {
				select {
				case <-hit:
					return true
				default:
					return false
				}
			}
		}},
		{name: "hang", transient: !honoured, arm: func(w *world, action string, skip int) func() bool {
			// Without a code the call takes effect at once and its answer
			// is held past the plugin's deadline; with the short timeout
			// the hang repeats past the retries.
			times := 1
			if honoured {
				times = persist
			}
			hang := requestTimeout(action).Milliseconds() + 3000
			w.addFault(simFault{Action: action, Skip: skip, HangMs: int(hang), Times: times})
			return arrived(w, action, skip)
		}},
	}
}

// faultCase is one cell of the matrix.
type faultCase struct {
	rec  recording
	k    int // index into rec.calls
	kind faultKind
}

func (c faultCase) String() string {
	return fmt.Sprintf("%s/%02d-%s/%s", c.rec.cfg.name, c.k+1, c.rec.calls[c.k].Action, c.kind.name)
}

// shortFaultCases are the cells `make test` runs, as action/kind on the
// first call of the action: a failure before anything exists, a fatal error
// at launch, and lost answers of calls that create something.
var shortFaultCases = map[string]bool{
	"DescribeRegions/403-Forbidden":  true,
	"RunInstances/403-Forbidden":     true,
	"ImportKeyPair/500-after-effect": true,
	"CreateSecurityGroup/drop":       true,
}

// short reports whether c is in the short subset.
func (c faultCase) short() bool {
	return c.rec.cfg.name == "default" && c.rec.skipOf(c.k) == 0 &&
		shortFaultCases[c.rec.calls[c.k].Action+"/"+c.kind.name]
}

// TestFaultMatrix injects every fault kind on every call of a clean create,
// then does what Rancher does after a failed create job (rm -y) and checks
// that nothing is left.
func TestFaultMatrix(t *testing.T) {
	parallelTop(t)
	var recs []recording
	for _, cfg := range configs {
		if !full && cfg.name != "default" {
			continue
		}
		rec, skip := record(t, cfg)
		if skip != "" {
			fmt.Printf("fault matrix: skipping config %s: %s\n", cfg.name, skip)
			continue
		}
		recs = append(recs, rec)
	}
	if full {
		probeRequestTimeout(t)
	}
	probe := newWorld(t, worldOptions{})
	kinds := faultKinds(probe.supportsDropFault())
	var cases []faultCase
	for _, rec := range recs {
		for k := range rec.calls {
			for _, kind := range kinds {
				c := faultCase{rec: rec, k: k, kind: kind}
				if full || c.short() {
					cases = append(cases, c)
				}
			}
		}
	}
	var tl tally
	runParallel(t, len(cases), parallelism(), func(i int) string { return cases[i].String() }, func(t *testing.T, i int) {
		runFaultCase(t, cases[i], i, &tl)
	})
	fmt.Printf("fault matrix: %d cases, %d clean, %d leaked, %d exposed a secret (%s)\n",
		len(cases), tl.get("clean"), tl.get("leaked"), tl.get("exposed"), tl.breakdown("clean", "leaked", "exposed"))
	tl.printNotes("fault matrix")
	if len(cases) == 0 {
		t.Errorf("no fault case ran: the clean create's calls changed; update shortFaultCases")
	}
}

func runFaultCase(t *testing.T, c faultCase, i int, tl *tally) {
	// Marker secrets: every case also checks that no error path exposes
	// them.
	w, m := markerWorld(t, worldOptions{})
	w.m.ExtraEnv = append(w.m.ExtraEnv, requestTimeoutEnv()...)
	name := uniqueName("fault", i)
	script := writeScript(t, t.TempDir(), m.cattle)
	action := c.rec.calls[c.k].Action
	fired := c.kind.arm(w, action, c.rec.skipOf(c.k))
	res := w.create(name, script, c.rec.cfg.flags...)
	key, _ := os.ReadFile(filepath.Join(w.m.StorePath, "machines", name, "id_rsa"))
	didFire := fired()
	w.clearFaults()
	w.tap.Release()

	ok := true
	switch {
	case !didFire:
		tl.add("not-fired")
	case res.ExitCode == 0 && c.kind.fatal:
		tl.add("absorbed")
		tl.note("%s: create succeeded although the fault fired", c)
	case res.ExitCode == 0:
		tl.add("retried")
	case c.kind.transient:
		tl.add("failed-on-a-transient-fault")
		ok = false
		t.Errorf("one lost or late answer of %s failed the create; a retry must carry it through: %q",
			action, redact(lastLine(res.Output), m, key))
	default:
		tl.add("failed-named")
		last := lastLine(res.Output)
		lower := strings.ToLower(last)
		if !strings.Contains(lower, "error creating machine") && !strings.Contains(lower, "pre-create check") {
			ok = false
			t.Errorf("the last line of create is not rancher-machine's one-line error: %q", redact(last, m, key))
		} else if !strings.Contains(last, action) || !strings.Contains(last, c.kind.code) {
			ok = false
			t.Errorf("the failure message does not name %s and %q: %q", action, c.kind.code, redact(last, m, key))
		}
	}
	if res.ExitCode == 0 {
		insts := w.instancesOf(name)
		running := 0
		for _, st := range insts {
			if st == "Running" {
				running++
			}
		}
		if len(insts) != 1 || running != 1 {
			ok = false
			t.Errorf("create succeeded but the machine has instances %v, want one Running", insts)
		}
	}
	if !didFire && res.ExitCode != 0 {
		ok = false
		t.Errorf("create failed (exit %d) although the fault never fired:\n%s", res.ExitCode, redact(tail(res.Output, 8), m, key))
	}

	rm := w.rm(name)
	if rm.ExitCode != 0 {
		ok = false
		t.Errorf("rm -y exited %d:\n%s", rm.ExitCode, redact(tail(rm.Output, 8), m, key))
	}
	if left := w.settle(name, true); len(left) > 0 {
		tl.add("leaked")
		ok = false
		t.Errorf("leaked after create (exit %d) and rm: %v\ncreate said: %s", res.ExitCode, left, redact(lastLine(res.Output), m, key))
	}
	if strings.Contains(w.log.text(), "guest failed to start") {
		t.Errorf("the simulator could not start a guest (another process holds its loopback address?); not a driver failure")
	}
	places := w.simPlaces(t)
	places["create output"], places["rm output"] = res.Output, rm.Output
	if n := scanSecrets(t, m, key, places); n > 0 {
		tl.add("exposed")
		return // the outputs hold secrets: do not log them
	}
	if ok {
		tl.add("clean")
	} else {
		t.Logf("create output:\n%s\nrm output:\n%s\nsimulator log:\n%s", redact(tail(res.Output, 30), m, key),
			redact(tail(rm.Output, 15), m, key), redact(tail(w.log.text(), 20), m, key))
	}
}
