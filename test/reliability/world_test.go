package reliability

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

// guestSSHPort is an unprivileged port, so the suites also run as non-root.
const guestSSHPort = 2222

// Generous bounds: the machine running the suites may have two cores and
// dozens of rancher-machine processes at once.
const (
	runTimeout    = 10 * time.Minute
	settleTimeout = 60 * time.Second
)

// worldOptions tune a world's simulator.
type worldOptions struct {
	timing      map[ecssim.Transition]time.Duration
	credentials []ecssim.Credential
}

// world is one simulator, a tap in front of it and a rancher-machine
// environment (its own storage path) aimed at the tap.
type world struct {
	t     testing.TB
	sim   *ecssim.Server
	tap   *harness.Tap
	admin harness.Admin
	m     *harness.Machine
	log   *lineLog
}

// lineLog keeps the simulator's log lines for the secrets checks and for
// failure reports.
type lineLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *lineLog) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *lineLog) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func newWorld(t testing.TB, o worldOptions) *world {
	t.Helper()
	log := &lineLog{}
	sim, err := ecssim.New(ecssim.Options{
		GuestSSHPort:    guestSSHPort,
		Credentials:     o.credentials,
		TimingOverrides: o.timing,
		Logf:            log.logf,
	})
	if err != nil {
		t.Fatalf("start simulator: %v", err)
	}
	tap, err := harness.NewTap(sim.URL())
	if err != nil {
		sim.Close()
		t.Fatalf("start tap: %v", err)
	}
	t.Cleanup(func() {
		tap.Close()
		sim.Close()
	})
	cred := ecssim.Credential{ID: ecssim.DefaultAccessKeyID, Secret: ecssim.DefaultAccessKeySecret}
	if len(o.credentials) > 0 {
		cred = o.credentials[0]
	}
	return &world{
		t:     t,
		sim:   sim,
		tap:   tap,
		admin: harness.Admin{URL: sim.URL()},
		log:   log,
		m: &harness.Machine{
			BinDir:          binDir,
			StorePath:       t.TempDir(),
			Endpoint:        tap.URL(),
			AccessKeyID:     cred.ID,
			AccessKeySecret: cred.Secret,
			GuestSSHPort:    guestSSHPort,
			// rancher-machine writes the merged user data (with the
			// install script's token) to a temp file it never removes;
			// keep those inside the test's temp dir.
			ExtraEnv: []string{"TMPDIR=" + t.TempDir()},
		},
	}
}

// run runs rancher-machine to completion.
func (w *world) run(args ...string) harness.Result {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	res, err := w.m.Run(ctx, args...)
	if err != nil {
		w.t.Fatalf("rancher-machine %s: %v", args[0], err)
	}
	return res
}

// create runs `rancher-machine create` as Rancher's job does, with an
// install script, extra driver flags and the machine name.
func (w *world) create(name, script string, extra ...string) harness.Result {
	w.t.Helper()
	return w.run(w.m.CreateArgs(name, script, extra...)...)
}

// rm runs `rancher-machine rm -y NAME`, what Rancher's delete job runs.
func (w *world) rm(name string) harness.Result {
	w.t.Helper()
	return w.run("rm", "-y", name)
}

// started is a rancher-machine process running in the background.
type started struct {
	cmd  *exec.Cmd
	out  *bytes.Buffer
	done chan struct{}
	res  harness.Result
}

// start starts rancher-machine without waiting for it.
func (w *world) start(args ...string) *started {
	w.t.Helper()
	cmd := w.m.Command(context.Background(), args...)
	s := &started{cmd: cmd, out: &bytes.Buffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = s.out, s.out
	if err := cmd.Start(); err != nil {
		w.t.Fatalf("start rancher-machine: %v", err)
	}
	go func() {
		err := cmd.Wait()
		s.res = harness.Result{Output: s.out.String(), ExitCode: cmd.ProcessState.ExitCode()}
		if err != nil && s.res.ExitCode == 0 {
			s.res.ExitCode = -1
		}
		close(s.done)
	}()
	return s
}

// wait waits for a started process, killing it after runTimeout.
func (s *started) wait() harness.Result {
	select {
	case <-s.done:
	case <-time.After(runTimeout):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	return s.res
}

// lastLine is the last non-empty line of rancher-machine's output: what
// Rancher shows as the machine's failure message.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// tail returns the last n lines of out, for failure reports.
func tail(out string, n int) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// uniqueName makes machine names that differ per case, so that no check of
// one case can match what another left.
func uniqueName(prefix string, i int) string {
	return fmt.Sprintf("%s-%03d", prefix, i)
}
