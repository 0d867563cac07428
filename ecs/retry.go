package ecs

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Retry defaults. With full jitter the expected pauses are 0.1, 0.2, 0.4,
// 0.8, 1.6 s and then 2.5 s each, so the 15 attempts of one call span about
// half a minute on average (at most about 55 s): long enough to ride out a
// passing fault, short enough to surface a dead endpoint. Throttling answers
// under a context deadline are retried until the deadline instead.
const (
	DefaultRetryBase        = 200 * time.Millisecond
	DefaultRetryCap         = 5 * time.Second
	DefaultRetryMaxAttempts = 15
)

// RetryPolicy is a capped exponential backoff with full jitter: the pause
// after failed attempt n is a uniform random duration in
// [0, min(Cap, Base*2^(n-1))]. Zero fields take the defaults above.
type RetryPolicy struct {
	// MaxAttempts is the total number of attempts, the first included.
	// 0 means DefaultRetryMaxAttempts, 1 disables retrying, and a negative
	// value retries until the context ends. Throttling answers do not count
	// when the context has a deadline.
	MaxAttempts int
	// Base is the first backoff ceiling (DefaultRetryBase).
	Base time.Duration
	// Cap bounds every pause (DefaultRetryCap).
	Cap time.Duration
	// Sleep waits d or until ctx ends, returning ctx's error then. Tests
	// inject one that records d and returns at once. Nil uses a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter maps a ceiling to the actual pause in [0, ceiling]. Nil draws
	// uniformly (full jitter); tests may return the ceiling itself.
	Jitter func(ceiling time.Duration) time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts == 0 {
		p.MaxAttempts = DefaultRetryMaxAttempts
	}
	if p.Base <= 0 {
		p.Base = DefaultRetryBase
	}
	if p.Cap <= 0 {
		p.Cap = DefaultRetryCap
	}
	if p.Cap < p.Base {
		p.Cap = p.Base
	}
	if p.Sleep == nil {
		p.Sleep = sleepCtx
	}
	if p.Jitter == nil {
		p.Jitter = fullJitter
	}
	return p
}

// Ceiling returns the backoff ceiling after failed attempt n (1-based):
// min(Cap, Base*2^(n-1)), defaults applied.
func (p RetryPolicy) Ceiling(n int) time.Duration {
	p = p.withDefaults()
	d := p.Base
	for i := 1; i < n && d < p.Cap; i++ {
		d *= 2
	}
	return min(d, p.Cap)
}

func fullJitter(ceiling time.Duration) time.Duration {
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling + 1)
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

// Retry calls fn until it succeeds, fails with an error that is neither
// IsRetryable nor in one of the extra code families, p.MaxAttempts is
// reached, or ctx ends. extra names additional retryable codes, matched as
// families: "DependencyViolation" also matches "DependencyViolation.VSwitch".
//
// This is the helper for waits on dependencies, which the calls themselves
// do not retry because a caller that is not tearing down wants the error at
// once, e.g.
//
//	err := ecs.Retry(ctx, ecs.RetryPolicy{MaxAttempts: -1}, func(ctx context.Context) error {
//		return api.DeleteSecurityGroup(ctx, id)
//	}, "DependencyViolation")
//
// On exhaustion it returns the last error of fn, annotated with the attempt
// count and, if the context ended, wrapping the context's error too, so both
// errors.As(err, **APIError) and errors.Is(err, context.DeadlineExceeded)
// work.
func Retry(ctx context.Context, p RetryPolicy, fn func(ctx context.Context) error, extra ...string) error {
	return retry(ctx, p, retryOpts{extra: extra}, fn)
}

// retryOpts are the per-call knobs of retry.
type retryOpts struct {
	logf  func(string, ...any) // one line per retried attempt
	label string               // action name for log lines
	extra []string             // further retryable code families
	// extraUntilDeadline lifts MaxAttempts for errors matched only by extra
	// when ctx has a deadline: waiting out a known-transient state
	// (IncorrectInstanceStatus.Initializing) is bounded by the deadline.
	extraUntilDeadline bool
}

// retry is Retry with per-call options.
func retry(ctx context.Context, p RetryPolicy, o retryOpts, fn func(ctx context.Context) error) error {
	p = p.withDefaults()
	logf, label, extra := o.logf, o.label, o.extra
	var last error
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return gaveUp(ctx, last, attempt-1)
		}
		err := fn(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil && last != nil {
			// The attempt died with the context; the previous answer says more.
			return gaveUp(ctx, last, attempt-1)
		}
		last = err
		transient := IsRetryable(err)
		if ctx.Err() != nil || !(transient || IsCodeFamily(err, extra...)) {
			return err
		}
		limited := p.MaxAttempts > 0 && attempt >= p.MaxAttempts
		// Under a deadline, throttling does not use up the attempts: the
		// cloud asked for patience, and giving up would turn a busy account
		// into a failed node that Rancher re-creates with more calls.
		if _, hasDeadline := ctx.Deadline(); limited && hasDeadline && (IsThrottled(err) || !transient && o.extraUntilDeadline) {
			limited = false
		}
		if limited {
			return fmt.Errorf("%w (gave up after %d attempts)", err, attempt)
		}
		pause := p.Jitter(p.Ceiling(attempt))
		if logf != nil {
			logf("ecs: %s attempt %d failed, retrying in %s: %v", label, attempt, pause.Round(time.Millisecond), err)
		}
		if err := p.Sleep(ctx, pause); err != nil {
			return gaveUp(ctx, last, attempt)
		}
	}
}

// gaveUp reports the last error of a retry loop cut short by ctx.
func gaveUp(ctx context.Context, last error, attempts int) error {
	cause := context.Cause(ctx)
	if cause == nil {
		cause = ctx.Err()
	}
	if cause == nil {
		cause = context.Canceled
	}
	if last == nil {
		return cause
	}
	if errors.Is(last, cause) {
		return last
	}
	return fmt.Errorf("%w (gave up after %d attempts: %w)", last, attempts, cause)
}
