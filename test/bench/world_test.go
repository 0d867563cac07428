package bench

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

// TestLatency checks that API calls take the world's latency and admin
// calls do not.
func TestLatency(t *testing.T) {
	const latency = 150 * time.Millisecond
	w, err := NewWorld(WorldOptions{Profile: Profile{}, Latency: latency})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	start := time.Now()
	resp, err := loopbackClient.Get(w.Endpoint + "/?Action=DescribeRegions")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if d := time.Since(start); d < latency {
		t.Fatalf("API call took %s, want at least %s", d, latency)
	}
	if resp.StatusCode == http.StatusOK {
		t.Fatalf("an unsigned call succeeded")
	}
	calls, err := w.Calls(context.Background(), 0)
	if err != nil || len(calls) != 1 {
		t.Fatalf("calls = %+v, %v", calls, err)
	}
	start = time.Now()
	if err := w.Throttle(context.Background(), "RunInstances", 10); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d >= latency {
		t.Fatalf("admin call took %s: it must not be delayed", d)
	}
}

func TestProfile(t *testing.T) {
	p := Profile{Scale: 0.5}
	if got, want := p.Floor(), (3+25+45)*time.Second/2; got != want {
		t.Fatalf("floor %s, want %s", got, want)
	}
	var o ecssim.Options
	if err := p.apply(&o); err != nil {
		t.Fatal(err)
	}
	if o.Timing != ecssim.TimingRealistic || o.TimingOverrides[ecssim.TransitionStarting] != 12500*time.Millisecond {
		t.Fatalf("options %+v", o)
	}
	if err := (Profile{Scale: -1}).Validate(); err == nil {
		t.Fatal("negative scale accepted")
	}
	if !(Profile{}).Fast() || (Profile{}).Floor() != 0 {
		t.Fatal("zero profile is not the fast one")
	}
}
