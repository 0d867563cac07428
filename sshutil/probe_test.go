package sshutil

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

func fast(int) time.Duration { return time.Millisecond }

func TestProbeRunExitZero(t *testing.T) {
	key := newSigner(t)
	srv := startServer(t, "127.0.0.1:0", key.PublicKey(), 0)
	p := Probe{Addr: srv.Addr, User: "root", Signer: key, DialTimeout: time.Second}
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestProbeRunNonZeroExit(t *testing.T) {
	key := newSigner(t)
	srv := startServer(t, "127.0.0.1:0", key.PublicKey(), 1)
	err := Probe{Addr: srv.Addr, User: "root", Signer: key}.Run(context.Background())
	var exit *ssh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Fatalf("error = %v, want exit status 1", err)
	}
}

func TestProbeRunWrongKey(t *testing.T) {
	srv := startServer(t, "127.0.0.1:0", newSigner(t).PublicKey(), 0)
	err := Probe{Addr: srv.Addr, User: "root", Signer: newSigner(t)}.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "handshake") {
		t.Fatalf("error = %v, want handshake failure", err)
	}
}

func TestProbeRunConnectionRefused(t *testing.T) {
	err := Probe{Addr: freeAddr(t), User: "root", Signer: newSigner(t)}.Run(context.Background())
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("error = %v, want connection refused", err)
	}
}

// silentListener accepts TCP connections and never speaks SSH.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				_ = c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); <-done })
	return ln.Addr().String()
}

func TestProbeRunHandshakeRespectsContext(t *testing.T) {
	addr := silentListener(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := Probe{Addr: addr, User: "root", Signer: newSigner(t), DialTimeout: time.Minute}.Run(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Run took %v after the context ended", d)
	}
}

func TestProbeRunHandshakeTimeout(t *testing.T) {
	addr := silentListener(t)
	err := Probe{Addr: addr, User: "root", Signer: newSigner(t), DialTimeout: 20 * time.Millisecond}.Run(context.Background())
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("error = %v, want a timeout", err)
	}
}

func TestProbeRunHandshakeTimeoutOverridesDialTimeout(t *testing.T) {
	addr := silentListener(t)
	start := time.Now()
	err := Probe{Addr: addr, User: "root", Signer: newSigner(t), DialTimeout: time.Hour, HandshakeTimeout: 20 * time.Millisecond}.Run(context.Background())
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("error = %v, want a timeout", err)
	}
	if d := time.Since(start); d > time.Minute {
		t.Fatalf("the handshake was bounded by DialTimeout (%v), not HandshakeTimeout", d)
	}
}

func TestWaitReadyRetriesUntilServerStarts(t *testing.T) {
	key := newSigner(t)
	addr := freeAddr(t)
	var attempts atomic.Int32
	interval := func(attempt int) time.Duration {
		attempts.Store(int32(attempt))
		// The instance's sshd comes up after two refused attempts.
		if attempt == 2 {
			startServer(t, addr, key.PublicKey(), 0)
		}
		return time.Millisecond
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := WaitReady(ctx, Probe{Addr: addr, User: "root", Signer: key}, interval); err != nil {
		t.Fatal(err)
	}
	if got := attempts.Load(); got != 2 {
		t.Errorf("failed attempts = %d, want 2", got)
	}
}

func TestWaitReadyReturnsLastErrorWhenContextEnds(t *testing.T) {
	key := newSigner(t)
	srv := startServer(t, "127.0.0.1:0", key.PublicKey(), 1)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := WaitReady(ctx, Probe{Addr: srv.Addr, User: "root", Signer: key}, fast)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want it to wrap context.DeadlineExceeded", err)
	}
	var exit *ssh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Errorf("error = %v, want it to wrap the exit status 1 failure", err)
	}
}

func TestWaitReadyLastErrorConnectionRefused(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := WaitReady(ctx, Probe{Addr: freeAddr(t), User: "root", Signer: newSigner(t)}, fast)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("error = %v, want deadline exceeded and connection refused", err)
	}
}

func TestWaitReadyInvalidProbe(t *testing.T) {
	for _, p := range []Probe{
		{User: "root", Signer: newSigner(t)},
		{Addr: "127.0.0.1:22", Signer: newSigner(t)},
		{Addr: "127.0.0.1:22", User: "root"},
	} {
		if err := WaitReady(context.Background(), p, fast); err == nil {
			t.Errorf("WaitReady(%+v): no error", p)
		}
	}
}
