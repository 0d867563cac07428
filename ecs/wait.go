package ecs

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Wait defaults: poll at once, then after 100 ms, growing by half each time
// up to one poll every 5 s. Short transitions (a VPC, an EIP, a fast boot)
// are seen within a few hundred milliseconds; a machine that needs 30 s to
// reach Running costs about 14 DescribeInstances calls. The 5 s floor keeps
// a 100-node pool, each job polling its own instance, at 20 calls per
// second, within a typical account's DescribeInstances limit; seeing Running
// a few seconds late costs nothing, as sshd comes up later still.
const (
	DefaultWaitInitial = 100 * time.Millisecond
	DefaultWaitMax     = 5 * time.Second
	DefaultWaitFactor  = 1.5
)

// Backoff is the polling schedule of WaitFor: the first pause is Initial,
// each next one is Factor times longer, capped at Max. Zero fields take the
// defaults above; tests use millisecond values or inject Sleep.
type Backoff struct {
	Initial time.Duration
	Max     time.Duration
	Factor  float64
	// Sleep waits d or until ctx ends (returning the context's error). Nil
	// uses a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

func (b Backoff) withDefaults() Backoff {
	if b.Initial <= 0 {
		b.Initial = DefaultWaitInitial
	}
	if b.Max <= 0 {
		b.Max = DefaultWaitMax
	}
	if b.Max < b.Initial {
		b.Max = b.Initial
	}
	if b.Factor < 1 {
		b.Factor = DefaultWaitFactor
	}
	if b.Sleep == nil {
		b.Sleep = sleepCtx
	}
	return b
}

// WaitFor polls until poll reports done or ctx ends. poll returns:
//   - done=true: stop; WaitFor returns err (nil for success, or a terminal
//     failure);
//   - done=false, err!=nil: not there yet, err says why (a transient API
//     error, "instance is Starting"); it is kept as the last error;
//   - done=false, err==nil: not there yet.
//
// The first poll runs at once. When ctx ends WaitFor returns the last error
// poll reported, wrapping the context's error as well, rather than a bare
// timeout.
func WaitFor(ctx context.Context, poll func(ctx context.Context) (done bool, err error), b Backoff) error {
	b = b.withDefaults()
	var last error
	pause := b.Initial
	for {
		if ctx.Err() != nil {
			return waitGaveUp(ctx, last)
		}
		done, err := poll(ctx)
		if ctx.Err() != nil && !(done && err == nil) {
			// The poll was cut short; its error is the context's, so report
			// the one before it if there is one.
			if last == nil {
				last = err
			}
			return waitGaveUp(ctx, last)
		}
		if done {
			return err
		}
		if err != nil {
			last = err
		}
		if err := b.Sleep(ctx, pause); err != nil {
			return waitGaveUp(ctx, last)
		}
		pause = min(time.Duration(float64(pause)*b.Factor), b.Max)
	}
}

func waitGaveUp(ctx context.Context, last error) error {
	cause := context.Cause(ctx)
	if cause == nil {
		cause = context.Canceled
	}
	if last == nil {
		return fmt.Errorf("timed out waiting: %w", cause)
	}
	if errors.Is(last, cause) {
		return last
	}
	return fmt.Errorf("%w (stopped waiting: %w)", last, cause)
}

// WaitOption tunes the instance waiters.
type WaitOption func(*waitConfig)

type waitConfig struct {
	backoff        Backoff
	notFoundChecks int
}

// WithBackoff sets the polling schedule (the driver uses ~100ms→2s).
func WithBackoff(b Backoff) WaitOption {
	return func(c *waitConfig) { c.backoff = b }
}

// WithNotFoundChecks sets how many consecutive polls WaitInstanceStatus
// tolerates an instance that was never seen yet (DescribeInstances is
// eventually consistent right after RunInstances). Default 20.
func WithNotFoundChecks(n int) WaitOption {
	return func(c *waitConfig) { c.notFoundChecks = n }
}

func newWaitConfig(opts []WaitOption) waitConfig {
	c := waitConfig{notFoundChecks: 20}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// errInstanceGone builds the NotFound error the waiters report for an
// instance DescribeInstances no longer lists; IsNotFound is true for it.
func errInstanceGone(id string) error {
	return &APIError{
		Action:  "DescribeInstances",
		Code:    "InvalidInstanceId.NotFound",
		Message: fmt.Sprintf("instance %q is not listed", id),
	}
}

// describeOne returns the instance id, or nil if it is not listed. A
// *Client coalesces it with the concurrent waits of its account (batch.go).
func describeOne(ctx context.Context, api API, id string) (*Instance, error) {
	if c, ok := api.(*Client); ok {
		return c.describeForWait(ctx, id)
	}
	list, err := api.DescribeInstances(ctx, InstanceQuery{InstanceIDs: []string{id}})
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].ID == id {
			return &list[i], nil
		}
	}
	return nil, nil
}

// WaitInstanceStatus polls DescribeInstances until instance id has Status
// want and returns it. A retryable API error or another status keeps it
// waiting (a status read right after StartInstance may still be stale); a
// non-retryable error ends it. An instance that was seen and then vanished,
// or that stays unlisted for WithNotFoundChecks polls, fails with an error
// for which IsNotFound is true. When ctx ends the error names the last status
// seen, e.g. `instance "i-x" is Starting, want Running (stopped waiting:
// context deadline exceeded)`.
func WaitInstanceStatus(ctx context.Context, api API, id, want string, opts ...WaitOption) (*Instance, error) {
	cfg := newWaitConfig(opts)
	var (
		found   *Instance
		seen    bool
		missing int
	)
	err := WaitFor(ctx, func(ctx context.Context) (bool, error) {
		inst, err := describeOne(ctx, api, id)
		switch {
		case err != nil:
			return !IsRetryable(err), err
		case inst == nil:
			missing++
			if seen || missing >= cfg.notFoundChecks {
				return true, errInstanceGone(id)
			}
			return false, errInstanceGone(id)
		case inst.Status == want:
			found = inst
			return true, nil
		default:
			seen = true
			return false, fmt.Errorf("instance %q is %s, want %s", id, inst.Status, want)
		}
	}, cfg.backoff)
	if err != nil {
		return nil, err
	}
	return found, nil
}

// WaitInstanceGone polls DescribeInstances until instance id is no longer
// listed (a released instance may show Stopping or Stopped for a while). A
// NotFound answer counts as gone. When ctx ends the error names the last
// status seen.
func WaitInstanceGone(ctx context.Context, api API, id string, opts ...WaitOption) error {
	cfg := newWaitConfig(opts)
	return WaitFor(ctx, func(ctx context.Context) (bool, error) {
		inst, err := describeOne(ctx, api, id)
		switch {
		case IsNotFound(err):
			return true, nil
		case err != nil:
			return !IsRetryable(err), err
		case inst == nil:
			return true, nil
		default:
			return false, fmt.Errorf("instance %q is still %s", id, inst.Status)
		}
	}, cfg.backoff)
}
