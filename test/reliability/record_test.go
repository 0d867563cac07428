package reliability

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
)

// config is one create configuration whose calls the matrices walk.
type config struct {
	name  string
	flags []string
}

// configs are the fault and crash matrix configurations: the default
// options, a data disk, and an elastic IP.
var configs = []config{
	{"default", nil},
	{"data-disk", []string{"--aliyunecs-disk-size", "40"}},
	{"eip", []string{"--aliyunecs-allocate-public-static-ip"}},
}

// recording is the calls a clean create of one configuration makes, in
// arrival order (the plugin makes one call at a time).
type recording struct {
	cfg   config
	calls []harness.Arrival
}

// writeScript writes an install script like Rancher's into dir.
func writeScript(t testing.TB, dir, token string) string {
	t.Helper()
	path := filepath.Join(dir, "install-script")
	if _, err := harness.WriteInstallScript(path, "https://rancher.example.test", token); err != nil {
		t.Fatal(err)
	}
	return path
}

// record runs a clean create of cfg in a fresh world and returns its calls.
// skip is non-empty when the driver rejects the configuration before
// creating anything (a feature it does not support yet).
func record(t *testing.T, cfg config) (rec recording, skip string) {
	t.Helper()
	w := newWorld(t, worldOptions{})
	name := "rec-" + cfg.name
	script := writeScript(t, t.TempDir(), "rec-token")
	res := w.create(name, script, cfg.flags...)
	if res.ExitCode != 0 {
		last := lastLine(res.Output)
		switch {
		case cfg.flags != nil && strings.Contains(last, strings.TrimPrefix(cfg.flags[0], "--")) && len(w.mutations(0)) == 0:
			return recording{}, fmt.Sprintf("the driver rejects %s before creating anything: %s", cfg.flags[0], last)
		case cfg.flags != nil && strings.Contains(last, "InvalidAction.NotFound"):
			// Still clean up what the attempt made before skipping.
			w.rm(name)
			if left := w.settle(name, true); len(left) > 0 {
				t.Errorf("the failed create of %s and rm left %v", cfg.name, left)
			}
			return recording{}, fmt.Sprintf("the simulator lacks an API %s needs: %s", cfg.flags[0], last)
		}
		t.Fatalf("clean create of %s failed (exit %d):\n%s", cfg.name, res.ExitCode, tail(res.Output, 20))
	}
	rec = recording{cfg: cfg, calls: w.tap.Arrivals()}
	if res := w.rm(name); res.ExitCode != 0 {
		t.Fatalf("rm after the clean create of %s exited %d:\n%s", cfg.name, res.ExitCode, tail(res.Output, 20))
	}
	if left := w.settle(name, true); len(left) > 0 {
		t.Fatalf("the clean create and rm of %s left %v", cfg.name, left)
	}
	return rec, ""
}

// mutations returns the mutating calls that reached the tap after arrival
// number after.
func (w *world) mutations(after int) []harness.Arrival {
	var out []harness.Arrival
	for _, a := range w.tap.Arrivals() {
		if a.Seq > after && a.Mutating() {
			out = append(out, a)
		}
	}
	return out
}

// skipOf returns how many calls of the same action come before call i.
func (r recording) skipOf(i int) int {
	n := 0
	for _, c := range r.calls[:i] {
		if c.Action == r.calls[i].Action {
			n++
		}
	}
	return n
}
