package bench

import (
	"fmt"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

// realisticDelays is the simulator's realistic timing profile, the estimates
// of aliyun-api.md §5.3. A Profile passes every one of them to the simulator
// explicitly (scaled), so the floor computed here is exactly the delay the
// simulated world applies, whatever the simulator's own defaults become.
var realisticDelays = map[ecssim.Transition]time.Duration{
	ecssim.TransitionPending:  3 * time.Second,
	ecssim.TransitionStarting: 25 * time.Second,
	ecssim.TransitionStopping: 15 * time.Second,
	ecssim.TransitionRelease:  20 * time.Second,
	ecssim.TransitionEIP:      3 * time.Second,
	ecssim.TransitionVPC:      1 * time.Second,
	ecssim.TransitionVSwitch:  1 * time.Second,
	ecssim.TransitionSSHReady: 45 * time.Second,
}

// Profile is the timing of a simulated world: the realistic profile with
// every transition multiplied by Scale, or, when Scale is 0, the simulator's
// fast profile (tests).
type Profile struct {
	Scale float64
}

// Fast reports whether p is the simulator's fast test profile.
func (p Profile) Fast() bool { return p.Scale == 0 }

// Validate rejects a negative scale.
func (p Profile) Validate() error {
	if p.Scale < 0 {
		return fmt.Errorf("timing scale %v: must be > 0", p.Scale)
	}
	return nil
}

// Delay is the scaled delay of transition t (0 for the fast profile, whose
// delays the simulator keeps to itself).
func (p Profile) Delay(t ecssim.Transition) time.Duration {
	return time.Duration(float64(realisticDelays[t]) * p.Scale)
}

// Floor is the least time from RunInstances to a node that accepts SSH:
// Pending + Starting + SSH-ready. No driver can be faster in this world.
func (p Profile) Floor() time.Duration {
	return p.Delay(ecssim.TransitionPending) + p.Delay(ecssim.TransitionStarting) + p.Delay(ecssim.TransitionSSHReady)
}

// ToRunning is Pending + Starting: RunInstances to Running.
func (p Profile) ToRunning() time.Duration {
	return p.Delay(ecssim.TransitionPending) + p.Delay(ecssim.TransitionStarting)
}

// apply sets the profile on simulator options. Every transition the
// simulator knows is overridden; one this package does not know is an error,
// so a new transition cannot silently escape the scaling.
func (p Profile) apply(o *ecssim.Options) error {
	if p.Fast() {
		o.Timing = ecssim.TimingFast
		return nil
	}
	o.Timing = ecssim.TimingRealistic
	o.TimingOverrides = map[ecssim.Transition]time.Duration{}
	for _, t := range ecssim.Transitions() {
		if _, ok := realisticDelays[t]; !ok {
			return fmt.Errorf("bench: the simulator has a transition %q this benchmark does not scale", t)
		}
		o.TimingOverrides[t] = p.Delay(t)
	}
	return nil
}

// String describes the profile for the report.
func (p Profile) String() string {
	if p.Fast() {
		return "fast"
	}
	return fmt.Sprintf("realistic ×%g (Pending %s, Starting %s, SSH-ready %s, release %s)", p.Scale,
		p.Delay(ecssim.TransitionPending), p.Delay(ecssim.TransitionStarting),
		p.Delay(ecssim.TransitionSSHReady), p.Delay(ecssim.TransitionRelease))
}
