package reliability

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

// removalCase is one way a machine can be when Rancher's delete job runs.
type removalCase struct {
	name  string
	world worldOptions
	// prepare brings machine name into its state.
	prepare func(t *testing.T, w *world, name, script string)
}

// removalCases are the states rm must handle: each rm exits 0 and leaves
// nothing of the machine.
func removalCases() []removalCase {
	mustCreate := func(t *testing.T, w *world, name, script string) {
		t.Helper()
		if res := w.create(name, script); res.ExitCode != 0 {
			t.Fatalf("create exited %d:\n%s", res.ExitCode, tail(res.Output, 15))
		}
	}
	return []removalCase{
		{name: "rm-twice", prepare: func(t *testing.T, w *world, name, script string) {
			mustCreate(t, w, name, script)
			if res := w.rm(name); res.ExitCode != 0 {
				t.Fatalf("the first rm exited %d:\n%s", res.ExitCode, tail(res.Output, 10))
			}
		}},
		{name: "instance-deleted-out-of-band", prepare: func(t *testing.T, w *world, name, script string) {
			mustCreate(t, w, name, script)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			for id := range w.instancesOf(name) {
				if err := w.simAPI(t).DeleteInstance(ctx, id, true); err != nil {
					t.Fatalf("delete %s out of band: %v", id, err)
				}
			}
			for len(w.instancesOf(name)) > 0 && ctx.Err() == nil {
				time.Sleep(20 * time.Millisecond)
			}
		}},
		{name: "create-failed-at-launch", prepare: func(t *testing.T, w *world, name, script string) {
			w.addFault(simFault{Action: "RunInstances", Code: "Forbidden.RAM", HTTPStatus: 403, Times: -1})
			if res := w.create(name, script); res.ExitCode == 0 {
				t.Fatalf("create succeeded despite the fault")
			}
			w.clearFaults()
		}},
		{name: "create-failed-in-pre-create-check", prepare: func(t *testing.T, w *world, name, script string) {
			w.addFault(simFault{Action: "DescribeRegions", Code: "Forbidden.RAM", HTTPStatus: 403, Times: -1})
			if res := w.create(name, script); res.ExitCode == 0 {
				t.Fatalf("create succeeded despite the fault")
			}
			w.clearFaults()
		}},
		{name: "stopped", prepare: func(t *testing.T, w *world, name, script string) {
			mustCreate(t, w, name, script)
			if res := w.run("stop", name); res.ExitCode != 0 {
				t.Fatalf("stop exited %d:\n%s", res.ExitCode, tail(res.Output, 10))
			}
			for id, st := range w.instancesOf(name) {
				if st != "Stopped" {
					t.Fatalf("instance %s is %s after stop, want Stopped", id, st)
				}
			}
		}},
		// ECS refuses to delete an instance that is still Pending
		// (IncorrectInstanceStatus.Initializing); rm must wait it out.
		{name: "pending", world: worldOptions{timing: map[ecssim.Transition]time.Duration{ecssim.TransitionPending: pendingFor()}},
			prepare: func(t *testing.T, w *world, name, script string) {
				// Kill the job while it waits for the instance to leave
				// Pending.
				polled := w.tap.OnAction("DescribeInstances", 1, 0)
				p := w.start(w.m.CreateArgs(name, script)...)
				select {
				case <-polled:
				case <-p.done:
					t.Fatalf("create ended before the instance left Pending:\n%s", tail(p.res.Output, 10))
				}
				p.crash()
				p.wait()
				for id, st := range w.instancesOf(name) {
					if st != "Pending" {
						t.Fatalf("instance %s is %s, want Pending", id, st)
					}
				}
			}},
	}
}

// pendingFor is how long instances stay Pending in the "pending" case:
// long enough to find the instance still Pending after the kill, short
// enough for rm, which waits it out, to stay quick.
func pendingFor() time.Duration {
	if full {
		return 20 * time.Second
	}
	return 5 * time.Second
}

// TestIdempotentRemoval runs rm -y in every state a machine can be in when
// Rancher deletes it.
func TestIdempotentRemoval(t *testing.T) {
	parallelTop(t)
	cases := removalCases()
	var tl tally
	runParallel(t, len(cases), parallelism(), func(i int) string { return cases[i].name }, func(t *testing.T, i int) {
		c := cases[i]
		w := newWorld(t, c.world)
		name := uniqueName("rm", i)
		c.prepare(t, w, name, writeScript(t, t.TempDir(), "rm-token"))
		if res := w.rm(name); res.ExitCode != 0 {
			t.Fatalf("rm exited %d:\n%s", res.ExitCode, tail(res.Output, 10))
		}
		if left := w.settle(name, true); len(left) > 0 {
			t.Fatalf("left after rm: %v", left)
		}
		if _, err := os.Stat(filepath.Join(w.m.StorePath, "machines", name)); !os.IsNotExist(err) {
			t.Errorf("the machine directory is still there after rm (%v)", err)
		}
		tl.add("clean")
	})
	fmt.Printf("idempotent removal: %d cases, %d clean\n", len(cases), tl.get("clean"))
}

// TestRemoveWithRevokedCredential: rm with a credential the cloud no longer
// accepts must fail loudly and keep the machine, never look like "not
// found" (which rancher-machine takes for success and forgets the machine).
func TestRemoveWithRevokedCredential(t *testing.T) {
	parallelTop(t)
	w := newWorld(t, worldOptions{})
	name := "rm-revoked"
	script := writeScript(t, t.TempDir(), "rm-token")
	if res := w.create(name, script); res.ExitCode != 0 {
		t.Fatalf("create exited %d:\n%s", res.ExitCode, tail(res.Output, 15))
	}
	w.revokeCredential(ecssim.DefaultAccessKeyID)
	res := w.rm(name)
	if res.ExitCode == 0 {
		t.Errorf("rm with a revoked credential exited 0")
	}
	if strings.Contains(strings.ToLower(res.Output), "not found") {
		t.Errorf("rm's output says \"not found\", which rancher-machine takes for success: %q", lastLine(res.Output))
	}
	if !strings.Contains(lastLine(res.Output), "InvalidAccessKeyId") {
		t.Errorf("rm's failure does not name the cloud's code: %q", lastLine(res.Output))
	}
	if _, err := os.Stat(filepath.Join(w.m.StorePath, "machines", name, "config.json")); err != nil {
		t.Errorf("the machine's state is gone after the failed rm: %v", err)
	}
	if ls := w.run("ls", "-q"); !strings.Contains(ls.Output, name) {
		t.Errorf("rancher-machine ls no longer lists %s:\n%s", name, ls.Output)
	}
	if insts := w.instancesOf(name); len(insts) != 1 {
		t.Errorf("the instance should still exist, have %v", insts)
	}

	// The credential comes back (or Rancher passes a rotated one): rm works.
	w.addCredential(ecssim.DefaultAccessKeyID, ecssim.DefaultAccessKeySecret, "")
	if res := w.rm(name); res.ExitCode != 0 {
		t.Fatalf("rm with the credential restored exited %d:\n%s", res.ExitCode, tail(res.Output, 10))
	}
	if left := w.settle(name, true); len(left) > 0 {
		t.Fatalf("left after rm: %v", left)
	}
	fmt.Printf("revoked credential: rm exit %d, state kept, then removed cleanly\n", res.ExitCode)
}
