package bench

import (
	"slices"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

// Timeline splits the wall time of one create around the simulated floor,
// from the simulator's call records:
//
//	Wall = ToLaunch + Floor + AfterReady
//
// ToLaunch runs from the start to the moment the (non-dry-run) RunInstances
// reached the cloud; the floor follows (Pending, Starting, SSH-ready); then
// AfterReady until create returned: the SSH probe's lag and, for
// rancher-machine, its work after the driver's Create. RunningLag, the time
// from Running until a DescribeInstances could see it, overlaps the SSH-ready
// delay and so costs calls but no time while it is shorter.
type Timeline struct {
	Wall, Floor          time.Duration
	ToLaunch, AfterReady time.Duration
	RunningLag           time.Duration
	// CallsBeforeLaunch counts the API calls up to and including the
	// RunInstances that launched.
	CallsBeforeLaunch int
	// RoundTrips is the time before launch during which at least one call
	// was in flight, in units of the API latency: the round trips on the
	// critical path (calls that overlap count once).
	RoundTrips float64
	// KeyGap is the time right before ImportKeyPair with no call in
	// flight: the machine's key being generated.
	KeyGap time.Duration
	// OK is false when the calls hold no launch (a failed create).
	OK bool
}

// Overhead is the wall time above the floor.
func (t Timeline) Overhead() time.Duration { return t.Wall - t.Floor }

// launched reports whether c is the RunInstances that created the instance.
func launched(c Call) bool {
	return c.Action == "RunInstances" && c.HTTPStatus == 200 && c.Code == ""
}

// timeline computes the Timeline of a create that ran from start to end in
// a world with latency; calls are the world's records of it.
func timeline(start, end time.Time, calls []Call, p Profile, latency time.Duration) Timeline {
	t := Timeline{Wall: end.Sub(start), Floor: p.Floor()}
	var launch *Call
	for i := range calls {
		if launched(calls[i]) {
			launch = &calls[i]
			t.CallsBeforeLaunch = i + 1
			break
		}
	}
	if launch == nil {
		return t
	}
	t.OK = true
	t.ToLaunch = launch.Time.Sub(start)
	t.RoundTrips, t.KeyGap = inFlight(calls[:t.CallsBeforeLaunch-1], launch.Time, latency)
	running := launch.Time.Add(p.ToRunning())
	ready := running.Add(p.Delay(ecssim.TransitionSSHReady))
	t.AfterReady = end.Sub(ready)
	for _, c := range calls {
		if c.Action == "DescribeInstances" && !c.Time.Before(running) {
			t.RunningLag = c.Time.Sub(running)
			break
		}
	}
	return t
}

// PreLaunchActions returns, sorted, the actions the creates of lives called
// up to and including the RunInstances that launched their instance.
func PreLaunchActions(lives []Life) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range lives {
		for i, c := range l.CreateCalls {
			if i >= l.Timeline.CallsBeforeLaunch {
				break
			}
			if !seen[c.Action] {
				seen[c.Action] = true
				out = append(out, c.Action)
			}
		}
	}
	slices.Sort(out)
	return out
}

// inFlight measures, up to limit, how long at least one of calls was being
// answered (each from its arrival for latency), in units of latency, and the
// idle time just before the first ImportKeyPair.
func inFlight(calls []Call, limit time.Time, latency time.Duration) (roundTrips float64, keyGap time.Duration) {
	if latency <= 0 {
		return 0, 0
	}
	sorted := slices.Clone(calls)
	slices.SortFunc(sorted, func(a, b Call) int { return a.Time.Compare(b.Time) })
	var busy time.Duration
	var until time.Time // end of the current busy stretch
	for _, c := range sorted {
		if c.Action == "ImportKeyPair" && keyGap == 0 && !until.IsZero() && c.Time.After(until) {
			keyGap = c.Time.Sub(until)
		}
		from, to := c.Time, c.Time.Add(latency)
		if to.After(limit) {
			to = limit
		}
		if from.Before(until) {
			from = until
		}
		if to.After(from) {
			busy += to.Sub(from)
		}
		if to.After(until) {
			until = to
		}
	}
	return busy.Seconds() / latency.Seconds(), keyGap
}
