package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
)

// LifeOptions configures machine lives run through rancher-machine.
type LifeOptions struct {
	// BinDir holds rancher-machine and the plugin (see DriverSpec.MakeBinDir).
	BinDir string
	// Driver is the plugin under test.
	Driver DriverSpec
	// World configures the simulator each life gets.
	World WorldOptions
	// WorkDir holds the storage paths and the install script.
	WorkDir string
	// Timeout bounds each rancher-machine command.
	Timeout time.Duration
}

// Life is one machine's life, `create` then `rm -y`, each in its own
// simulated account so that runs do not share state.
type Life struct {
	Name           string
	Create, Remove time.Duration
	// Err is the first failure: a command that exited non-zero (with the
	// tail of its output) or could not run.
	Err error
	// PluginPeakKB and CLIPeakKB are the peak resident sets (VmHWM) of the
	// plugin and of rancher-machine during create.
	PluginPeakKB, CLIPeakKB int64
	// CreateCalls and RemoveCalls are the simulator's records of each phase.
	CreateCalls, RemoveCalls []Call
	// Timeline splits Create around the simulated floor.
	Timeline Timeline
	// GuestFailures counts simulated guests that could not start.
	GuestFailures int
}

// installScript writes the Rancher-shaped bootstrap script into dir (once:
// concurrent callers may race, so it is written aside and renamed).
func installScript(dir string) (string, error) {
	path := filepath.Join(dir, "install-script")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	tmp, err := os.CreateTemp(dir, "install-script-*")
	if err != nil {
		return "", err
	}
	_, err = tmp.Write(harness.InstallScript("https://rancher.bench.test", "bench-cattle-token-0000"))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return path, nil
}

// RunCLILife runs `rancher-machine create` (Rancher mode, with
// --custom-install-script) and `rancher-machine rm -y` for one machine in a
// fresh world, and measures both.
func RunCLILife(ctx context.Context, o LifeOptions, name string) (life Life) {
	life = Life{Name: name}
	w, err := NewWorld(o.World)
	if err != nil {
		life.Err = err
		return life
	}
	defer func() { life.GuestFailures = w.GuestFailures(); w.Close() }()
	script, err := installScript(o.WorkDir)
	if err != nil {
		life.Err = err
		return life
	}
	m := machine(o.BinDir, filepath.Join(o.WorkDir, "store-"+name), w)

	start := time.Now()
	peaks, res := runSampled(ctx, o.Timeout, m, o.Driver.PluginBase(), o.Driver.createArgs(w, name, script)...)
	end := time.Now()
	life.Create, life.PluginPeakKB, life.CLIPeakKB = end.Sub(start), peaks[o.Driver.PluginBase()], peaks[harness.RancherMachineBinary]
	if life.Err = res; life.Err != nil {
		return life
	}
	if life.CreateCalls, err = w.Calls(ctx, 0); err != nil {
		life.Err = err
		return life
	}
	life.Timeline = timeline(start, end, life.CreateCalls, w.Profile, o.World.Latency)

	start = time.Now()
	res = runCommand(ctx, o.Timeout, m, nil, "rm", "-y", name)
	life.Remove = time.Since(start)
	if life.Err = res; life.Err != nil {
		return life
	}
	life.RemoveCalls, life.Err = w.Calls(ctx, lastSeq(life.CreateCalls))
	return life
}

// runSampled runs one rancher-machine command and returns the peak VmHWM,
// by executable name, of it and its plugin, and its failure (nil for exit 0).
func runSampled(ctx context.Context, timeout time.Duration, m *harness.Machine, plugin string, args ...string) (map[string]int64, error) {
	sampler := newMemSampler(100 * time.Millisecond)
	err := runCommand(ctx, timeout, m, func(ctx context.Context, pid int) {
		sampler.run(ctx, pid, plugin, harness.RancherMachineBinary)
	}, args...)
	peaks := map[string]int64{plugin: sampler.PeakKB(plugin), harness.RancherMachineBinary: sampler.PeakKB(harness.RancherMachineBinary)}
	return peaks, err
}

// runCommand runs one rancher-machine command, with watch (if not nil)
// running beside it until it exits, and returns its failure (nil for exit
// 0) with the tail of its output.
func runCommand(ctx context.Context, timeout time.Duration, m *harness.Machine, watch func(ctx context.Context, pid int), args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := m.Command(ctx, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		return err
	}
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if watch != nil {
			watch(wctx, cmd.Process.Pid)
		}
	}()
	err := cmd.Wait()
	stop()
	<-done
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) || ctx.Err() != nil {
		return fmt.Errorf("rancher-machine %s: %v; output ends:\n%s", args[0], err, tail(out.String(), 15))
	}
	return err
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func lastSeq(calls []Call) int {
	last := 0
	for _, c := range calls {
		last = max(last, c.Seq)
	}
	return last
}

// RunConcurrently runs n lives, starting one every stagger (so that their
// CPU-heavy first seconds do not overlap on a small machine while their long
// waits do), and returns them in order.
func RunConcurrently(ctx context.Context, n int, stagger time.Duration, run func(ctx context.Context, i int) Life) []Life {
	out := make([]Life, n)
	var wg sync.WaitGroup
	for i := range n {
		if i > 0 && stagger > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(stagger):
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = run(ctx, i)
		}()
	}
	wg.Wait()
	return out
}
