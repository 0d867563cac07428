package ecs

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// instanceScript answers DescribeInstances with one status per call ("" =
// not listed, "!Code" = that error); the last entry repeats.
func instanceScript(id string, steps ...string) handler {
	var mu sync.Mutex
	i := 0
	return func(q url.Values) (int, string) {
		mu.Lock()
		step := steps[min(i, len(steps)-1)]
		i++
		mu.Unlock()
		if strings.HasPrefix(step, "!") {
			status := 400
			if step == "!Forbidden.RAM" {
				status = 403
			}
			return status, errBody(step[1:], "scripted")
		}
		list := []any{}
		if step != "" {
			list = append(list, map[string]any{"InstanceId": id, "Status": step})
		}
		return 200, okBody(map[string]any{"TotalCount": len(list), "Instances": map[string]any{"Instance": list}})
	}
}

func fastBackoff(s *sleeps) WaitOption {
	return WithBackoff(Backoff{Initial: time.Millisecond, Max: 4 * time.Millisecond, Factor: 2, Sleep: s.sleep})
}

func TestWaitInstanceStatusPendingToRunning(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.onECS("DescribeInstances", instanceScript("i-1", "", "Pending", "!Throttling", "Starting", "Running"))
	c, _ := f.client(t)
	s := &sleeps{}
	inst, err := WaitInstanceStatus(context.Background(), c, "i-1", StatusRunning, fastBackoff(s))
	if err != nil || inst.ID != "i-1" || inst.Status != StatusRunning {
		t.Fatalf("WaitInstanceStatus = %+v, %v", inst, err)
	}
	wantParams(t, f.got("DescribeInstances")[0].Query, map[string]string{"InstanceIds": `["i-1"]`})
	// The throttled poll is retried inside DescribeInstances, so the waiter
	// pauses only after polls 1-3.
	want := []time.Duration{1, 2, 4}
	for i := range want {
		want[i] *= time.Millisecond
	}
	if !slices.Equal(s.all(), want) {
		t.Errorf("poll pauses = %v, want %v", s.all(), want)
	}
}

func TestWaitInstanceStatusContextEnds(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.onECS("DescribeInstances", instanceScript("i-1", "Starting"))
	c, _ := f.client(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := WaitInstanceStatus(ctx, c, "i-1", StatusRunning, WithBackoff(Backoff{Sleep: cancelAfter(3, cancel)}))
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), `instance "i-1" is Starting, want Running`) {
		t.Fatalf("err = %v", err)
	}
	if n := len(f.got("DescribeInstances")); n != 3 {
		t.Errorf("polls = %d, want 3", n)
	}
}

func TestWaitInstanceStatusNotFound(t *testing.T) {
	t.Parallel()
	for name, script := range map[string][]string{
		"never listed":      {""},
		"seen then removed": {"Pending", ""},
	} {
		f := newFake(t)
		f.onECS("DescribeInstances", instanceScript("i-1", script...))
		c, _ := f.client(t)
		_, err := WaitInstanceStatus(context.Background(), c, "i-1", StatusRunning, fastBackoff(&sleeps{}), WithNotFoundChecks(3))
		if !IsNotFound(err) {
			t.Errorf("%s: err = %v, want NotFound", name, err)
		}
		if n, want := len(f.got("DescribeInstances")), len(script)+2*boolInt(len(script) == 1); n != want {
			t.Errorf("%s: polls = %d, want %d", name, n, want)
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestWaitInstanceStatusTerminalError(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.onECS("DescribeInstances", instanceScript("i-1", "!Forbidden.RAM"))
	c, _ := f.client(t)
	_, err := WaitInstanceStatus(context.Background(), c, "i-1", StatusRunning, fastBackoff(&sleeps{}))
	if !IsCode(err, "Forbidden.RAM") || len(f.got("DescribeInstances")) != 1 {
		t.Fatalf("err=%v polls=%d", err, len(f.got("DescribeInstances")))
	}
}

func TestWaitInstanceGone(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.onECS("DescribeInstances", instanceScript("i-1", "Running", "Stopping", "Stopped", ""))
	c, _ := f.client(t)
	if err := WaitInstanceGone(context.Background(), c, "i-1", fastBackoff(&sleeps{})); err != nil {
		t.Fatal(err)
	}
	if n := len(f.got("DescribeInstances")); n != 4 {
		t.Errorf("polls = %d, want 4", n)
	}

	f2 := newFake(t)
	f2.onECS("DescribeInstances", instanceScript("i-1", "Stopping"))
	c2, _ := f2.client(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := WaitInstanceGone(ctx, c2, "i-1", WithBackoff(Backoff{Sleep: cancelAfter(2, cancel)}))
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "still Stopping") {
		t.Errorf("err = %v", err)
	}
}

// cancelAfter is a Sleep that cancels the context on its n-th call.
func cancelAfter(n int, cancel context.CancelFunc) func(context.Context, time.Duration) error {
	var mu sync.Mutex
	calls := 0
	return func(ctx context.Context, _ time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		if calls++; calls >= n {
			cancel()
		}
		return ctx.Err()
	}
}

func TestWaitForDeadlineDuringPoll(t *testing.T) {
	t.Parallel()
	// The context ends while a poll is in flight: the previous poll's error
	// is reported, not the aborted call's.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	err := WaitFor(ctx, func(ctx context.Context) (bool, error) {
		if calls++; calls == 1 {
			return false, errors.New("instance is Pending")
		}
		cancel()
		return true, ctx.Err()
	}, Backoff{Sleep: (&sleeps{}).sleep})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "instance is Pending") {
		t.Errorf("err = %v", err)
	}
}

func TestWaitFor(t *testing.T) {
	t.Parallel()
	// Done at once: no sleep.
	s := &sleeps{}
	if err := WaitFor(context.Background(), func(context.Context) (bool, error) { return true, nil }, Backoff{Sleep: s.sleep}); err != nil || len(s.all()) != 0 {
		t.Fatalf("err=%v sleeps=%v", err, s.all())
	}
	// Default schedule: 100ms ×1.5 up to 5s.
	s = &sleeps{}
	n := 0
	_ = WaitFor(context.Background(), func(context.Context) (bool, error) { n++; return n == 13, nil }, Backoff{Sleep: s.sleep})
	want := []time.Duration{100, 150, 225, 337, 506, 759, 1139, 1708, 2562, 3844, 5000, 5000}
	if len(s.all()) != len(want) {
		t.Fatalf("pauses %v, want %d", s.all(), len(want))
	}
	for i, d := range s.all() {
		if d.Milliseconds() != int64(want[i]) {
			t.Errorf("pause %d = %s, want %dms", i, d, want[i])
		}
	}
	// Terminal error returned as is.
	boom := errors.New("boom")
	if err := WaitFor(context.Background(), func(context.Context) (bool, error) { return true, boom }, Backoff{}); err != boom {
		t.Errorf("err = %v", err)
	}
	// Context ends: last error wrapped with the context's.
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := WaitFor(ctx, func(context.Context) (bool, error) {
		if calls++; calls == 3 {
			cancel()
		}
		return false, boom
	}, Backoff{Sleep: (&sleeps{}).sleep})
	if !errors.Is(err, boom) || !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	// Context ends without any error: a timeout error.
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if err := WaitFor(ctx, func(context.Context) (bool, error) { return false, nil }, Backoff{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

func TestWaitEipStatus(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	var mu sync.Mutex
	statuses := []string{"Associating", "InUse"}
	f.onVPC("DescribeEipAddresses", func(q url.Values) (int, string) {
		mu.Lock()
		defer mu.Unlock()
		st := statuses[0]
		if len(statuses) > 1 {
			statuses = statuses[1:]
		}
		return 200, okBody(map[string]any{"TotalCount": 1, "EipAddresses": map[string]any{"EipAddress": []any{
			map[string]any{"AllocationId": "eip-1", "IpAddress": "47.1.2.3", "Status": st, "Bandwidth": "5"},
		}}})
	})
	c, _ := f.client(t)
	eip, err := WaitEipStatus(context.Background(), c, "eip-1", EipInUse, fastBackoff(&sleeps{}))
	if err != nil || eip.Status != EipInUse || eip.Bandwidth != 5 || eip.IPAddress != "47.1.2.3" {
		t.Fatalf("WaitEipStatus = %+v, %v", eip, err)
	}
	wantParams(t, f.got("DescribeEipAddresses")[0].Query, map[string]string{"AllocationId": "eip-1", "PageSize": "100"})
	if _, err := WaitEipStatus(context.Background(), c, "eip-2", EipInUse, fastBackoff(&sleeps{})); !IsNotFound(err) {
		t.Errorf("missing EIP: err = %v", err)
	}
}
