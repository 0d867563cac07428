package ecs

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// failFirst answers the first n calls with status/code, then ok.
func failFirst(n int, status int, code string, ok string) handler {
	var calls atomic.Int32
	return func(url.Values) (int, string) {
		if int(calls.Add(1)) <= n {
			return status, errBody(code, "injected")
		}
		return 200, ok
	}
}

func TestRetryThrottlingThenSuccess(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.onECS("DescribeRegions", failFirst(2, 400, "Throttling.User", okBody(map[string]any{
		"Regions": map[string]any{"Region": []any{map[string]any{"RegionId": "cn-beijing"}}},
	})))
	var logged []string
	c, s := f.client(t, func(cfg *Config) {
		cfg.Logf = func(format string, args ...any) { logged = append(logged, format) }
	})
	regions, err := c.DescribeRegions(context.Background())
	if err != nil || len(regions) != 1 {
		t.Fatalf("DescribeRegions = %v, %v", regions, err)
	}
	calls := f.got("DescribeRegions")
	if len(calls) != 3 {
		t.Fatalf("calls = %d, want 3", len(calls))
	}
	if calls[0].Query.Get("SignatureNonce") == calls[1].Query.Get("SignatureNonce") {
		t.Error("retry reused the signature nonce")
	}
	if got, want := s.all(), []time.Duration{200 * time.Millisecond, 400 * time.Millisecond}; !slices.Equal(got, want) {
		t.Errorf("sleeps = %v, want %v", got, want)
	}
	if len(logged) != 2 {
		t.Errorf("logged %d lines, want 2", len(logged))
	}
}

func TestRetryNonRetryableStopsAtOnce(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.onECS("StopInstance", failFirst(10, 403, "IncorrectInstanceStatus", ""))
	c, s := f.client(t)
	err := c.StopInstance(context.Background(), "i-1", true, "")
	if !IsCode(err, "IncorrectInstanceStatus") || len(f.got("StopInstance")) != 1 || len(s.all()) != 0 {
		t.Fatalf("err=%v calls=%d sleeps=%d", err, len(f.got("StopInstance")), len(s.all()))
	}
	wantParams(t, f.got("StopInstance")[0].Query, map[string]string{"InstanceId": "i-1", "ForceStop": "true"})
}

func TestRetryReusesClientToken(t *testing.T) {
	t.Parallel()
	for _, token := range []string{"caller-token-1", ""} {
		f := newFake(t)
		f.onECS("RunInstances", failFirst(2, 503, "ServiceUnavailable",
			okBody(map[string]any{"InstanceIdSets": map[string]any{"InstanceIdSet": []string{"i-1"}}})))
		c, _ := f.client(t)
		ids, err := c.RunInstances(context.Background(), RunInstancesRequest{ImageID: "img", ClientToken: token})
		if err != nil || !slices.Equal(ids, []string{"i-1"}) {
			t.Fatalf("RunInstances = %v, %v", ids, err)
		}
		calls := f.got("RunInstances")
		if len(calls) != 3 {
			t.Fatalf("calls = %d", len(calls))
		}
		first := calls[0].Query.Get("ClientToken")
		if first == "" || (token != "" && first != token) {
			t.Errorf("ClientToken = %q, want %q (or generated)", first, token)
		}
		for _, c := range calls[1:] {
			if got := c.Query.Get("ClientToken"); got != first {
				t.Errorf("retry ClientToken = %q, want %q", got, first)
			}
		}
	}
}

func TestRetryGivesUpAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.onECS("DescribeZones", failFirst(100, 500, "InternalError", ""))
	c, _ := f.client(t, func(cfg *Config) { cfg.Retry.MaxAttempts = 3 })
	_, err := c.DescribeZones(context.Background())
	if !IsCode(err, "InternalError") || !strings.Contains(err.Error(), "gave up after 3 attempts") {
		t.Fatalf("err = %v", err)
	}
	if n := len(f.got("DescribeZones")); n != 3 {
		t.Errorf("calls = %d, want 3", n)
	}
}

// TestThrottlingRetriesUntilTheDeadline: with a deadline, throttling answers
// do not use up MaxAttempts (a 100-node pool against a 10/s RunInstances
// limit can lose the draw more than 15 times); other errors still do.
func TestThrottlingRetriesUntilTheDeadline(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.onECS("DescribeRegions", failFirst(8, 400, "Throttling.User", okBody(map[string]any{
		"Regions": map[string]any{"Region": []any{map[string]any{"RegionId": "cn-hangzhou"}}}})))
	c, _ := f.client(t, func(cfg *Config) { cfg.Retry.MaxAttempts = 3 })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.DescribeRegions(ctx); err != nil {
		t.Fatalf("DescribeRegions under a deadline: %v", err)
	}
	if n := len(f.got("DescribeRegions")); n != 9 {
		t.Errorf("calls = %d, want 9", n)
	}
	// Without a deadline MaxAttempts still bounds it.
	f.onECS("DescribeZones", failFirst(8, 400, "Throttling.User", okBody(nil)))
	if _, err := c.DescribeZones(context.Background()); !IsThrottled(err) || !strings.Contains(err.Error(), "gave up after 3 attempts") {
		t.Fatalf("DescribeZones without a deadline: %v", err)
	}
}

func TestRetryContextEndReturnsLastError(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.onECS("DescribeRegions", failFirst(100, 400, "Throttling", ""))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var n int
	c, _ := f.client(t, func(cfg *Config) {
		cfg.Retry.MaxAttempts = -1
		cfg.Retry.Sleep = func(ctx context.Context, d time.Duration) error {
			if n++; n == 4 {
				cancel()
			}
			return ctx.Err()
		}
	})
	_, err := c.DescribeRegions(ctx)
	if !IsThrottled(err) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want Throttling wrapping context.Canceled", err)
	}
	if got := len(f.got("DescribeRegions")); got != 4 {
		t.Errorf("calls = %d, want 4", got)
	}
}

func TestRetryHelper(t *testing.T) {
	t.Parallel()
	dep := &APIError{Action: "DeleteVpc", Code: "DependencyViolation.VSwitch", HTTPStatus: 400}
	s := &sleeps{}
	p := RetryPolicy{MaxAttempts: -1, Sleep: s.sleep, Jitter: noJitter, Base: time.Millisecond, Cap: 4 * time.Millisecond}
	var calls int
	err := Retry(context.Background(), p, func(context.Context) error {
		if calls++; calls < 6 {
			return dep
		}
		return nil
	}, "DependencyViolation")
	if err != nil || calls != 6 {
		t.Fatalf("err=%v calls=%d", err, calls)
	}
	want := []time.Duration{1, 2, 4, 4, 4}
	for i := range want {
		want[i] *= time.Millisecond
	}
	if !slices.Equal(s.all(), want) {
		t.Errorf("sleeps = %v, want %v", s.all(), want)
	}
	calls = 0
	err = Retry(context.Background(), p, func(context.Context) error { calls++; return dep })
	if !errors.Is(err, dep) || calls != 1 {
		t.Errorf("without extra codes: err=%v calls=%d", err, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Retry(ctx, p, func(context.Context) error { t.Error("called"); return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("done ctx: err = %v", err)
	}
}

func TestRetryPolicyDefaults(t *testing.T) {
	t.Parallel()
	var p RetryPolicy
	want := []time.Duration{200, 400, 800, 1600, 3200, 5000, 5000}
	for i, w := range want {
		if got := p.Ceiling(i + 1); got != w*time.Millisecond {
			t.Errorf("Ceiling(%d) = %s, want %s", i+1, got, w*time.Millisecond)
		}
	}
	if p.withDefaults().MaxAttempts != DefaultRetryMaxAttempts {
		t.Error("default MaxAttempts")
	}
	for range 1000 {
		if d := fullJitter(time.Second); d < 0 || d > time.Second {
			t.Fatalf("fullJitter = %s", d)
		}
	}
	if fullJitter(0) != 0 {
		t.Error("fullJitter(0)")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sleepCtx(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("sleepCtx on done ctx = %v", err)
	}
	if err := sleepCtx(context.Background(), time.Millisecond); err != nil {
		t.Errorf("sleepCtx = %v", err)
	}
}

func TestDeleteInstanceRetriesInitializing(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.onECS("DeleteInstance", failFirst(2, 403, "IncorrectInstanceStatus.Initializing", okBody(nil)))
	c, _ := f.client(t)
	if err := c.DeleteInstance(context.Background(), "i-1", true); err != nil {
		t.Fatal(err)
	}
	calls := f.got("DeleteInstance")
	if len(calls) != 3 {
		t.Fatalf("calls = %d, want 3", len(calls))
	}
	wantParams(t, calls[0].Query, map[string]string{"InstanceId": "i-1", "Force": "true"})
}

func TestInvokeDependencyViolationNotRetried(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.onECS("DeleteSecurityGroup", failFirst(2, 403, "DependencyViolation", okBody(nil)))
	c, s := f.client(t)
	err := c.Invoke(context.Background(), ServiceECS, "DeleteSecurityGroup", map[string]string{"SecurityGroupId": "sg-1"}, nil)
	if !IsCode(err, "DependencyViolation") || len(f.got("DeleteSecurityGroup")) != 1 {
		t.Fatalf("err=%v calls=%d", err, len(f.got("DeleteSecurityGroup")))
	}
	// The caller opts in while tearing down.
	err = Retry(context.Background(), RetryPolicy{Sleep: s.sleep}, func(ctx context.Context) error {
		return c.Invoke(ctx, ServiceECS, "DeleteSecurityGroup", map[string]string{"SecurityGroupId": "sg-1"}, nil)
	}, "DependencyViolation")
	if err != nil || len(f.got("DeleteSecurityGroup")) != 3 {
		t.Fatalf("with Retry: err=%v calls=%d", err, len(f.got("DeleteSecurityGroup")))
	}
}

func TestDeleteInstanceInitializingUntilDeadline(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.onECS("DeleteInstance", failFirst(8, 403, "IncorrectInstanceStatus.Initializing", okBody(nil)))
	c, _ := f.client(t) // MaxAttempts 5
	// Without a deadline MaxAttempts bounds the wait.
	err := c.DeleteInstance(context.Background(), "i-1", true)
	if !IsCode(err, "IncorrectInstanceStatus.Initializing") || len(f.got("DeleteInstance")) != 5 {
		t.Fatalf("no deadline: err=%v calls=%d", err, len(f.got("DeleteInstance")))
	}
	// With one, the known-transient state is waited out.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.DeleteInstance(ctx, "i-1", true); err != nil || len(f.got("DeleteInstance")) != 9 {
		t.Fatalf("deadline: err=%v calls=%d", err, len(f.got("DeleteInstance")))
	}
}
