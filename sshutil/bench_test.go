package sshutil

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/ssh"
)

// The SSH hot paths of a create: the machine's RSA key (generated on every
// create, before ImportKeyPair), its fingerprint, and one readiness probe.

func BenchmarkGenerateKeyPair(b *testing.B) {
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := GenerateKeyPair(filepath.Join(dir, "id_rsa")); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFingerprintMD5(b *testing.B) {
	pub, err := GenerateKeyPair(filepath.Join(b.TempDir(), "id_rsa"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FingerprintMD5(pub); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProbeRun is one readiness probe (connect, handshake, RSA key
// authentication, `exit 0`) against an SSH server on loopback.
func BenchmarkProbeRun(b *testing.B) {
	keyPath := filepath.Join(b.TempDir(), "id_rsa")
	if _, err := GenerateKeyPair(keyPath); err != nil {
		b.Fatal(err)
	}
	signer, err := LoadSigner(keyPath)
	if err != nil {
		b.Fatal(err)
	}
	addr := benchSSHServer(b, signer.PublicKey())
	p := Probe{Addr: addr, User: "root", Signer: signer}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Run(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// benchSSHServer serves SSH on loopback for the authorized key, answering
// every exec with exit status 0, until the benchmark ends.
func benchSSHServer(b *testing.B, authorized ssh.PublicKey) string {
	b.Helper()
	_, hostKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	hostSigner, err := ssh.NewSignerFromKey(hostKey)
	if err != nil {
		b.Fatal(err)
	}
	cfg := &ssh.ServerConfig{PublicKeyCallback: func(_ ssh.ConnMetadata, k ssh.PublicKey) (*ssh.Permissions, error) {
		if string(k.Marshal()) == string(authorized.Marshal()) {
			return nil, nil
		}
		return nil, errUnauthorizedBench
	}}
	cfg.AddHostKey(hostSigner)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go benchServe(c, cfg)
		}
	}()
	return ln.Addr().String()
}

var errUnauthorizedBench = errors.New("unauthorized key")

func benchServe(c net.Conn, cfg *ssh.ServerConfig) {
	defer c.Close()
	_, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		return
	}
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		ch, chReqs, err := nc.Accept()
		if err != nil {
			return
		}
		go func() {
			for req := range chReqs {
				_ = req.Reply(req.Type == "exec", nil)
				if req.Type == "exec" {
					_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{0}))
					_ = ch.Close()
				}
			}
		}()
	}
}
