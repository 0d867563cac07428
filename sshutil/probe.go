package sshutil

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"golang.org/x/crypto/ssh"
)

// DefaultDialTimeout bounds the TCP connect and the SSH handshake of one probe
// when Probe.DialTimeout is zero. It matches libmachine's SSH connect timeout.
const DefaultDialTimeout = 10 * time.Second

// DefaultInterval is the pause between WaitReady attempts when no interval
// function is given; libmachine's WaitForSSH uses the same spacing.
const DefaultInterval = 3 * time.Second

// Probe checks once that an instance accepts SSH logins with a key.
type Probe struct {
	// Addr is host:port, e.g. "47.1.2.3:22".
	Addr string
	// User is the login name, usually "root" on ECS public images.
	User string
	// Signer is the private key the instance was given.
	Signer ssh.Signer
	// DialTimeout bounds the TCP connect and, separately, the SSH handshake;
	// zero means DefaultDialTimeout.
	DialTimeout time.Duration
	// HandshakeTimeout, when not zero, bounds the SSH handshake instead of
	// DialTimeout. A short connect bound suits a booting instance (an
	// unanswered SYN is better retried than waited on) while a handshake
	// with a busy new sshd may take longer.
	HandshakeTimeout time.Duration
}

// Run connects, authenticates with the key, runs `exit 0` and requires exit
// status 0. A failure at any stage is returned wrapped, so callers can look
// for *ssh.ExitError or net errors with errors.As. Cancelling ctx aborts the
// dial, the handshake and the command.
func (p Probe) Run(ctx context.Context) (err error) {
	if err := p.validate(); err != nil {
		return err
	}
	timeout := p.DialTimeout
	if timeout <= 0 {
		timeout = DefaultDialTimeout
	}
	dialer := net.Dialer{Timeout: timeout}
	conn, err := dialer.DialContext(ctx, "tcp", p.Addr)
	if err != nil {
		return fmt.Errorf("ssh probe %s: %w", p.Addr, err)
	}
	// x/crypto/ssh has no context support: closing the connection when ctx
	// ends is what unblocks a handshake or session that hangs.
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer func() {
		stop()
		_ = conn.Close()
		if cause := ctxEnded(ctx); err != nil && cause != nil {
			// The underlying error is then just "use of closed network
			// connection" or "i/o timeout"; say why.
			err = fmt.Errorf("%w (%w)", err, cause)
		}
	}()

	config := &ssh.ClientConfig{
		User: p.User,
		Auth: []ssh.AuthMethod{ssh.PublicKeys(p.Signer)},
		// The host key of a new instance is generated on its first boot and
		// is not known to the driver beforehand, so there is nothing to check
		// it against. The probe only proves that the instance is reachable and
		// accepts our key; it sends no secrets and the session runs nothing
		// but `exit 0`. Pinning the key on first use (known_hosts style) is
		// out of scope for a reachability check.
		HostKeyCallback: ssh.InsecureIgnoreHostKey(),
	}
	// A server that accepts TCP but never speaks SSH (sshd still starting,
	// a port forwarder) would otherwise hold the handshake until ctx ends.
	if p.HandshakeTimeout > 0 {
		timeout = p.HandshakeTimeout
	}
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return fmt.Errorf("ssh probe %s: %w", p.Addr, err)
	}
	c, chans, reqs, err := ssh.NewClientConn(conn, p.Addr, config)
	if err != nil {
		return fmt.Errorf("ssh probe %s@%s: handshake: %w", p.User, p.Addr, err)
	}
	if err := conn.SetDeadline(time.Time{}); err != nil {
		return fmt.Errorf("ssh probe %s: %w", p.Addr, err)
	}
	client := ssh.NewClient(c, chans, reqs)
	defer client.Close()

	session, err := client.NewSession()
	if err != nil {
		return fmt.Errorf("ssh probe %s@%s: open session: %w", p.User, p.Addr, err)
	}
	defer session.Close()
	if err := session.Run("exit 0"); err != nil {
		return fmt.Errorf("ssh probe %s@%s: `exit 0`: %w", p.User, p.Addr, err)
	}
	return nil
}

func (p Probe) validate() error {
	switch {
	case p.Addr == "":
		return errors.New("ssh probe: no address")
	case p.User == "":
		return errors.New("ssh probe: no user")
	case p.Signer == nil:
		return errors.New("ssh probe: no private key")
	}
	return nil
}

// WaitReady runs p until it succeeds or ctx ends. interval(attempt) gives the
// pause after the attempt-th failure (attempts count from 1); nil means
// DefaultInterval. Every failure is retried, including authentication errors,
// because cloud-init may install the key only after sshd is already up.
//
// When ctx ends, the error wraps both ctx's error and the last failure that
// was not caused by the cancellation itself (connection refused, handshake
// failure, non-zero exit, ...), so errors.Is(err, context.DeadlineExceeded)
// and errors.As(err, **ssh.ExitError) both work.
func WaitReady(ctx context.Context, p Probe, interval func(attempt int) time.Duration) error {
	if err := p.validate(); err != nil {
		return err
	}
	if interval == nil {
		interval = func(int) time.Duration { return DefaultInterval }
	}
	var last error
	for attempt := 1; ; attempt++ {
		err := p.Run(ctx)
		if err == nil {
			return nil
		}
		// An attempt cut short by ctx says nothing about the instance; keep
		// the previous, more telling error if there is one.
		cause := ctxEnded(ctx)
		if cause == nil || last == nil {
			last = err
		}
		if cause != nil {
			return waitError(p, attempt, cause, last)
		}
		t := time.NewTimer(interval(attempt))
		select {
		case <-ctx.Done():
			t.Stop()
			return waitError(p, attempt, context.Cause(ctx), last)
		case <-t.C:
		}
	}
}

func waitError(p Probe, attempts int, cause, last error) error {
	return fmt.Errorf("ssh on %s not ready after %d attempt(s): %w; last error: %w", p.Addr, attempts, cause, last)
}

// ctxEnded returns why ctx ended, or nil. It also reports the short window in
// which the deadline has passed (net.Dialer gives up exactly at it) but the
// context's own timer has not fired yet, so ctx.Err is still nil.
func ctxEnded(ctx context.Context) error {
	if err := context.Cause(ctx); err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return nil
}
