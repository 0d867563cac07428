package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

// GuestSSHPort is the port simulated guests serve SSH on in this process:
// a free unprivileged port picked once, so that the guests (each on its own
// 127.x.y.z) never collide with those of another test process on the same
// machine, which use 2222.
func GuestSSHPort() int {
	guestPort.once.Do(func() {
		guestPort.port = 2299
		if ln, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
			guestPort.port = ln.Addr().(*net.TCPAddr).Port
			ln.Close()
		}
	})
	return guestPort.port
}

var guestPort struct {
	once sync.Once
	port int
}

// WorldOptions configures one simulated cloud.
type WorldOptions struct {
	// Profile is the timing of the world.
	Profile Profile
	// Latency is added to every API call (not to /_sim/ admin calls).
	Latency time.Duration
	// Logf receives the simulator's event lines; nil discards them.
	Logf func(format string, args ...any)
}

// World is one simulator, i.e. one account, with the world's timing and API
// latency. Drivers send their calls to Endpoint; the admin API lives at the
// same address under /_sim/ and is not delayed.
type World struct {
	Sim *ecssim.Server
	// Endpoint is the base URL drivers send API calls to.
	Endpoint string
	// Profile is the world's timing.
	Profile Profile

	guestFailures atomic.Int64
}

// NewWorld starts a simulator on loopback. The latency is the simulator's
// own (Options.Latency): every answer is held that long after the call
// arrived, concurrently for concurrent calls, and the call is recorded with
// its arrival time.
func NewWorld(o WorldOptions) (*World, error) {
	w := &World{Profile: o.Profile}
	logf := func(format string, args ...any) {
		if strings.Contains(format, "guest failed to start") {
			w.guestFailures.Add(1)
		}
		if o.Logf != nil {
			o.Logf(format, args...)
		}
	}
	opts := ecssim.Options{GuestSSHPort: GuestSSHPort(), Logf: logf, Latency: o.Latency}
	if err := o.Profile.apply(&opts); err != nil {
		return nil, err
	}
	sim, err := ecssim.New(opts)
	if err != nil {
		return nil, err
	}
	w.Sim, w.Endpoint = sim, sim.URL()
	return w, nil
}

// GuestFailures counts the simulated guests that could not start (their
// SSH address was taken): a machine of the simulator, not of the driver.
func (w *World) GuestFailures() int { return int(w.guestFailures.Load()) }

// Close stops the simulator.
func (w *World) Close() error { return w.Sim.Close() }

// Call is one entry of GET /_sim/calls.
type Call struct {
	Seq        int       `json:"seq"`
	Time       time.Time `json:"time"`
	Action     string    `json:"action"`
	HTTPStatus int       `json:"httpStatus"`
	Code       string    `json:"code"`
}

// Calls returns the API calls recorded after sequence number since, read
// from the admin API.
func (w *World) Calls(ctx context.Context, since int) ([]Call, error) {
	var calls []Call
	err := w.admin(ctx, http.MethodGet, fmt.Sprintf("/_sim/calls?since=%d", since), nil, &calls)
	return calls, err
}

// Throttle limits action to perSecond calls per second (POST /_sim/throttle).
func (w *World) Throttle(ctx context.Context, action string, perSecond float64) error {
	return w.admin(ctx, http.MethodPost, "/_sim/throttle", map[string]any{"action": action, "perSecond": perSecond}, nil)
}

// Resources returns the number of resources of each kind that exist now
// (GET /_sim/resources), e.g. "instances" → 5.
func (w *World) Resources(ctx context.Context) (map[string]int, error) {
	var inv map[string][]json.RawMessage
	if err := w.admin(ctx, http.MethodGet, "/_sim/resources", nil, &inv); err != nil {
		return nil, err
	}
	out := map[string]int{}
	for k, v := range inv {
		out[k] = len(v)
	}
	return out, nil
}

func (w *World) admin(ctx context.Context, method, path string, body, into any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, w.Sim.URL()+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := loopbackClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, bytes.TrimSpace(msg))
	}
	if into == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(into)
}

// loopbackClient never uses a proxy: every address here is on loopback.
var loopbackClient = &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: time.Minute}
