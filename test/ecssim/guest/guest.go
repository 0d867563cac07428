// Package guest simulates the guest machine of a simulated ECS instance: an
// SSH server listening on a loopback address and a simulated cloud-init that
// applies the instance's user data to an in-memory state.
//
// Nothing a guest receives is ever executed on the host: the SSH server only
// answers a handful of commands (exit, true, cat and hostname) from the
// in-memory state, and cloud-init only records what it would run.
package guest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"sync"

	"golang.org/x/crypto/ssh"
)

// Config describes a guest to start.
type Config struct {
	// Addr is the "127.x.y.z:port" address to listen on. It must be a
	// loopback IP address; port 0 picks a free port.
	Addr string
	// HostName is the initial hostname (the ECS HostName); cloud-config
	// "hostname" replaces it.
	HostName string
	// AuthorizedKeys are OpenSSH authorized_keys lines accepted for any user
	// (the instance's key pair).
	AuthorizedKeys []string
	// Password is accepted for any user if non-empty (the instance password).
	Password string
}

// File is a file the simulated cloud-init wrote.
type File struct {
	// Mode is the octal permission string, such as "0644".
	Mode string
	// Content is the file's bytes.
	Content []byte
}

// State is what the simulated cloud-init left on the guest. It carries
// everything needed to restart the guest with StartWithState.
type State struct {
	// HostName is the current hostname.
	HostName string
	// Files maps absolute paths to the files cloud-init wrote.
	Files map[string]File
	// RunCmd lists the commands cloud-init would have run, in order:
	// cloud-config runcmd entries and shell-script parts.
	RunCmd []string
	// UserData is the raw user data given to ApplyUserData.
	UserData []byte
	// AuthorizedKeys are the authorized_keys lines cloud-init installed
	// (cloud-config ssh_authorized_keys and users[].ssh_authorized_keys).
	AuthorizedKeys []string
	// CloudInitDone reports that cloud-init has run; ApplyUserData does
	// nothing once it is set, as cloud-init runs once per instance.
	CloudInitDone bool
}

// Clone returns a deep copy of s.
func (s State) Clone() State {
	c := State{
		HostName:      s.HostName,
		RunCmd:        append([]string(nil), s.RunCmd...),
		UserData:      bytes.Clone(s.UserData),
		CloudInitDone: s.CloudInitDone,
	}
	if s.AuthorizedKeys != nil {
		c.AuthorizedKeys = append([]string(nil), s.AuthorizedKeys...)
	}
	if s.Files != nil {
		c.Files = make(map[string]File, len(s.Files))
		for p, f := range s.Files {
			c.Files[p] = File{Mode: f.Mode, Content: bytes.Clone(f.Content)}
		}
	}
	return c
}

// Guest is a running (or closed) simulated guest machine. Its methods are
// safe for concurrent use.
type Guest struct {
	cfg    Config
	keys   []ssh.PublicKey // parsed from cfg.AuthorizedKeys
	sshCfg *ssh.ServerConfig
	ln     net.Listener
	addr   string

	mu     sync.Mutex
	state  State
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// Start starts a fresh guest whose SSH server listens on cfg.Addr.
func Start(cfg Config) (*Guest, error) {
	return StartWithState(cfg, State{HostName: cfg.HostName})
}

// StartWithState starts a guest that keeps st, the State of an earlier guest
// of the same instance (a restart after a stop): files, hostname, recorded
// commands and cloud-init keys survive, and cloud-init does not run again
// when st.CloudInitDone is set. An empty st.HostName falls back to
// cfg.HostName.
func StartWithState(cfg Config, st State) (*Guest, error) {
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("guest: address %q: %w", cfg.Addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("guest: address %q is not a loopback IP address", cfg.Addr)
	}
	keys, err := parseAuthorizedKeys(cfg.AuthorizedKeys, true)
	if err != nil {
		return nil, fmt.Errorf("guest: Config.AuthorizedKeys: %w", err)
	}
	signer, err := hostSigner()
	if err != nil {
		return nil, fmt.Errorf("guest: host key: %w", err)
	}
	st = st.Clone()
	if st.HostName == "" {
		st.HostName = cfg.HostName
	}
	if st.Files == nil {
		st.Files = map[string]File{}
	}
	g := &Guest{
		cfg:   cfg,
		keys:  keys,
		state: st,
		conns: map[net.Conn]struct{}{},
	}
	g.sshCfg = g.serverConfig(signer)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("guest: listen: %w", err)
	}
	g.ln = ln
	g.addr = ln.Addr().String()
	g.wg.Add(1)
	go g.acceptLoop()
	return g, nil
}

// Addr returns the address the SSH server listens on, with the real port
// when Config.Addr asked for port 0.
func (g *Guest) Addr() string { return g.addr }

// State returns a deep copy of the guest's current state.
func (g *Guest) State() State {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.state.Clone()
}

// Close stops listening and closes every SSH connection, waiting for their
// handlers to end. The state stays readable. Closing twice is a no-op.
func (g *Guest) Close() error {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return nil
	}
	g.closed = true
	err := g.ln.Close()
	for c := range g.conns {
		_ = c.Close()
	}
	g.mu.Unlock()
	g.wg.Wait()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// ApplyUserData runs the simulated cloud-init over raw, the decoded user data
// (after the ECS API's base64): gzip is undone, MIME multipart messages are
// split, #cloud-config parts are applied and #! shell scripts are recorded.
// Unknown formats are kept in State.UserData and otherwise ignored, as
// cloud-init does. It runs once: when cloud-init has already run (see
// State.CloudInitDone) it does nothing and returns nil. Errors (malformed
// YAML, undecodable write_files content, ...) are returned after every other
// part has been applied.
func (g *Guest) ApplyUserData(raw []byte) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.state.CloudInitDone {
		return nil
	}
	g.state.CloudInitDone = true
	g.state.UserData = bytes.Clone(raw)
	if g.state.Files == nil {
		g.state.Files = map[string]File{}
	}
	ci := &cloudInit{st: &g.state}
	ci.process(raw, 0)
	return errors.Join(ci.errs...)
}

// authorizedKey reports whether key may log in: a Config key or a key
// cloud-init installed.
func (g *Guest) authorizedKey(key ssh.PublicKey) bool {
	want := key.Marshal()
	for _, k := range g.keys {
		if bytes.Equal(k.Marshal(), want) {
			return true
		}
	}
	g.mu.Lock()
	lines := append([]string(nil), g.state.AuthorizedKeys...)
	g.mu.Unlock()
	// Lines cloud-init installed are not validated up front: a bad line
	// simply matches nothing, as with sshd.
	ks, _ := parseAuthorizedKeys(lines, false)
	for _, k := range ks {
		if bytes.Equal(k.Marshal(), want) {
			return true
		}
	}
	return false
}
