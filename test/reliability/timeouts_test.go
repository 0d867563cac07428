package reliability

import (
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
)

// requestTimeoutVar is the environment variable the suites ask the plugin
// to take its per-request timeout from, so that a hang past the deadline
// costs seconds instead of the client's 30 s / 90 s. The plugin may not
// honour it; probeRequestTimeout finds out.
const requestTimeoutVar = "ALIYUNECS_REQUEST_TIMEOUT"

// shortRequestTimeout is the value the suites ask for.
const shortRequestTimeout = 2 * time.Second

// slowActions mirror the ecs client's actions with the long per-request
// timeout (ecs.SlowRequestTimeout).
var slowActions = map[string]bool{
	"RunInstances": true, "DeleteInstance": true, "StartInstance": true, "StopInstance": true,
	"RebootInstance": true, "CreateSecurityGroup": true, "DeleteSecurityGroup": true,
	"DescribeZones": true, "DescribeAvailableResource": true, "DescribeImages": true,
	"DescribeInstanceTypes": true, "DescribeRegions": true,
}

var (
	probeOnce sync.Once
	// honoured says the plugin takes requestTimeoutVar.
	honoured bool
)

// requestTimeoutEnv is the environment that asks for shortRequestTimeout.
func requestTimeoutEnv() []string {
	return []string{requestTimeoutVar + "=" + shortRequestTimeout.String()}
}

// requestTimeout is the plugin's per-request timeout for action.
func requestTimeout(action string) time.Duration {
	switch {
	case honoured:
		return shortRequestTimeout
	case slowActions[action]:
		return ecs.SlowRequestTimeout
	default:
		return ecs.DefaultRequestTimeout
	}
}

// probeRequestTimeout finds out whether the plugin honours
// requestTimeoutVar: it holds the answer of the first DescribeRegions for
// 4×shortRequestTimeout and watches whether the plugin gives up on it and
// retries early.
func probeRequestTimeout(t *testing.T) bool {
	probeOnce.Do(func() {
		w := newWorld(t, worldOptions{})
		w.m.ExtraEnv = append(w.m.ExtraEnv, requestTimeoutEnv()...)
		hold := 4 * shortRequestTimeout
		w.addFault(simFault{Action: "DescribeRegions", HangMs: int(hold.Milliseconds())})
		p := w.start(w.m.CreateArgs("probe", "")...)
		second := w.tap.OnAction("DescribeRegions", 1, 0)
		select {
		case <-second:
			arr := w.tap.Arrivals()
			honoured = len(arr) >= 2 && arr[len(arr)-1].Time.Sub(arr[0].Time) < hold-time.Second
		case <-time.After(hold + 5*time.Second):
		case <-p.done:
		}
		p.crash()
		p.wait()
		t.Logf("the plugin honours %s: %v", requestTimeoutVar, honoured)
	})
	return honoured
}

// crash kills the plugin processes of a running rancher-machine and then
// rancher-machine itself with SIGKILL, as a node failure kills a job pod.
// It returns how many plugin processes it killed.
func (s *started) crash() int {
	pids := harness.ChildProcesses(s.cmd.Process.Pid, harness.DriverBinary)
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	_ = s.cmd.Process.Kill()
	return len(pids)
}
