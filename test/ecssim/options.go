package ecssim

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// Credential is an AccessKey pair the simulator accepts.
type Credential struct {
	// ID is the AccessKeyId.
	ID string `json:"id"`
	// Secret is the AccessKeySecret. It is never logged or returned.
	Secret string `json:"secret"`
	// Token, when set, makes this an STS credential: requests must carry
	// this SecurityToken. Requests with a SecurityToken for a credential
	// without one are refused too.
	Token string `json:"token,omitempty"`
	// Expiration, when set, is when Token expires; later requests get
	// InvalidSecurityToken.Expired.
	Expiration time.Time `json:"expiration,omitempty"`
}

// Transition names one timed state change of the simulated world, as a key
// of Options.TimingOverrides.
type Transition string

// The transitions whose delay can be tuned.
const (
	// TransitionPending is how long a new instance stays Pending.
	TransitionPending Transition = "pending"
	// TransitionStarting is how long an instance stays Starting.
	TransitionStarting Transition = "starting"
	// TransitionStopping is how long an instance stays Stopping.
	TransitionStopping Transition = "stopping"
	// TransitionRelease is how long a deleted instance stays visible.
	TransitionRelease Transition = "release"
	// TransitionEIP is how long EIP associate/unassociate take.
	TransitionEIP Transition = "eip"
	// TransitionVPC is how long a new VPC stays Pending.
	TransitionVPC Transition = "vpc"
	// TransitionVSwitch is how long a new VSwitch stays Pending.
	TransitionVSwitch Transition = "vswitch"
	// TransitionSSHReady is the time from Running until the guest's SSH
	// server accepts connections.
	TransitionSSHReady Transition = "ssh-ready"
)

// Timing profile names for Options.Timing.
const (
	// TimingFast makes every transition take tens of milliseconds (tests).
	TimingFast = "fast"
	// TimingRealistic uses the delays of aliyun-api.md §5.3 (demos).
	TimingRealistic = "realistic"
)

// timingProfiles holds the delays of each profile. The realistic numbers are
// estimates of the real cloud (aliyun-api.md §5.3); fast keeps every state
// observable for a poll or two while letting a test suite finish in seconds.
var timingProfiles = map[string]map[Transition]time.Duration{
	TimingFast: {
		TransitionPending:  20 * time.Millisecond,
		TransitionStarting: 30 * time.Millisecond,
		TransitionStopping: 30 * time.Millisecond,
		TransitionRelease:  30 * time.Millisecond,
		TransitionEIP:      20 * time.Millisecond,
		TransitionVPC:      20 * time.Millisecond,
		TransitionVSwitch:  20 * time.Millisecond,
		TransitionSSHReady: 0,
	},
	TimingRealistic: {
		TransitionPending:  3 * time.Second,
		TransitionStarting: 25 * time.Second,
		TransitionStopping: 15 * time.Second,
		TransitionRelease:  20 * time.Second,
		TransitionEIP:      3 * time.Second,
		TransitionVPC:      1 * time.Second,
		TransitionVSwitch:  1 * time.Second,
		TransitionSSHReady: 45 * time.Second,
	},
}

// Transitions lists every transition name, sorted.
func Transitions() []Transition {
	out := make([]Transition, 0, len(timingProfiles[TimingFast]))
	for t := range timingProfiles[TimingFast] {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Options configures a simulator. The zero value is usable.
type Options struct {
	// Listen is the TCP address of the API and admin HTTP server.
	// Default "127.0.0.1:0" (a free port).
	Listen string
	// Credentials are the accepted AccessKey pairs. Default: one pair,
	// DefaultAccessKeyID / DefaultAccessKeySecret.
	Credentials []Credential
	// Timing is the delay profile: TimingFast (default) or TimingRealistic.
	Timing string
	// TimingOverrides replaces single delays of the profile, e.g.
	// {TransitionStarting: 2 * time.Second}. Zero is allowed (immediate).
	TimingOverrides map[Transition]time.Duration
	// GuestSSHPort is the port guest SSH servers listen on at their
	// instance's public loopback address. Default 22 when running as root,
	// else 2222.
	GuestSSHPort int
	// Throttle sets token-bucket limits per action (requests per second,
	// per region), "*" for every action; see Server.SetThrottle.
	Throttle map[string]float64
	// ThrottleRules are further limits, each with its own error code; they
	// win over Throttle for the same action.
	ThrottleRules []ThrottleRule
	// Latency delays every API answer (errors too), like the round trip to
	// a real endpoint. Calls wait concurrently, not one after another.
	Latency time.Duration
	// CallHistory is how many calls GET /_sim/calls keeps (the latest).
	// Default 100000; negative keeps every call.
	CallHistory int
	// StopStoppedIsNoop makes StopInstance on a Stopped instance succeed
	// instead of answering IncorrectInstanceStatus (real ECS may do either).
	StopStoppedIsNoop bool
	// Logf receives one line per notable event (API errors, lifecycle,
	// guests). Secrets and user data are never logged. Default: discard.
	Logf func(format string, args ...any)
}

// Default credential of a simulator started without Options.Credentials.
const (
	DefaultAccessKeyID     = "ecssim-ak"
	DefaultAccessKeySecret = "ecssim-secret"
)

// config is Options with every default applied.
type config struct {
	listen            string
	credentials       []Credential
	timingName        string
	timing            map[Transition]time.Duration
	guestSSHPort      int
	throttle          []ThrottleRule
	latency           time.Duration
	callHistory       int
	stopStoppedIsNoop bool
	logf              func(format string, args ...any)
}

func (o Options) resolve() (config, error) {
	c := config{
		listen:            o.Listen,
		guestSSHPort:      o.GuestSSHPort,
		latency:           o.Latency,
		callHistory:       o.CallHistory,
		stopStoppedIsNoop: o.StopStoppedIsNoop,
		logf:              o.Logf,
	}
	if c.listen == "" {
		c.listen = "127.0.0.1:0"
	}
	actions := make([]string, 0, len(o.Throttle))
	for a := range o.Throttle {
		actions = append(actions, a)
	}
	sort.Strings(actions)
	for _, a := range actions {
		c.throttle = append(c.throttle, ThrottleRule{Action: a, PerSecond: o.Throttle[a]})
	}
	c.throttle = append(c.throttle, o.ThrottleRules...)
	for _, r := range c.throttle {
		if err := (&throttler{}).set(r); err != nil {
			return c, fmt.Errorf("ecssim: %w", err)
		}
	}
	if o.Latency < 0 {
		return c, fmt.Errorf("ecssim: negative Latency")
	}
	switch {
	case c.callHistory == 0:
		c.callHistory = defaultCallHistory
	case c.callHistory < 0:
		c.callHistory = 0 // unlimited
	}
	c.credentials = append([]Credential(nil), o.Credentials...)
	if len(c.credentials) == 0 {
		c.credentials = []Credential{{ID: DefaultAccessKeyID, Secret: DefaultAccessKeySecret}}
	}
	for _, cr := range c.credentials {
		if cr.ID == "" || cr.Secret == "" {
			return c, fmt.Errorf("ecssim: credential %q: id and secret must not be empty", cr.ID)
		}
	}
	name := strings.ToLower(o.Timing)
	if name == "" {
		name = TimingFast
	}
	profile, ok := timingProfiles[name]
	if !ok {
		return c, fmt.Errorf("ecssim: unknown timing profile %q (want %q or %q)", o.Timing, TimingFast, TimingRealistic)
	}
	c.timingName = name
	c.timing = make(map[Transition]time.Duration, len(profile))
	for k, v := range profile {
		c.timing[k] = v
	}
	for k, v := range o.TimingOverrides {
		if _, ok := profile[k]; !ok {
			return c, fmt.Errorf("ecssim: unknown transition %q in TimingOverrides", k)
		}
		if v < 0 {
			return c, fmt.Errorf("ecssim: negative delay for transition %q", k)
		}
		c.timing[k] = v
	}
	if c.guestSSHPort == 0 {
		// Port 22 makes guests look like real machines, but only root may
		// bind it.
		c.guestSSHPort = 2222
		if os.Geteuid() == 0 {
			c.guestSSHPort = 22
		}
	}
	if c.guestSSHPort < 0 || c.guestSSHPort > 65535 {
		return c, fmt.Errorf("ecssim: invalid guest SSH port %d", c.guestSSHPort)
	}
	if c.logf == nil {
		c.logf = func(string, ...any) {}
	}
	return c, nil
}
