package guest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// loopbackAddr returns a random 127.66.x.y address with port 0.
func loopbackAddr(t *testing.T) string {
	t.Helper()
	n, err := rand.Int(rand.Reader, big.NewInt(256*254))
	must(t, err)
	v := int(n.Int64())
	return fmt.Sprintf("127.66.%d.%d:0", v/254, v%254+1)
}

// newKey returns a client signer and its authorized_keys line.
func newKey(t *testing.T) (ssh.Signer, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	must(t, err)
	s, err := ssh.NewSignerFromKey(priv)
	must(t, err)
	return s, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.PublicKey()))) + " test@key"
}

func startGuest(t *testing.T, cfg Config) *Guest {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = loopbackAddr(t)
	}
	g, err := Start(cfg)
	must(t, err)
	t.Cleanup(func() { _ = g.Close() })
	return g
}

func dial(g *Guest, user string, auth ...ssh.AuthMethod) (*ssh.Client, error) {
	if !strings.HasPrefix(g.Addr(), "127.") {
		return nil, errors.New("refusing to dial outside 127.0.0.0/8: " + g.Addr())
	}
	return ssh.Dial("tcp", g.Addr(), &ssh.ClientConfig{
		User:            user,
		Auth:            auth,
		HostKeyCallback: ssh.FixedHostKey(g.HostPublicKey()),
		Timeout:         10 * time.Second,
	})
}

func mustDial(t *testing.T, g *Guest, auth ...ssh.AuthMethod) *ssh.Client {
	t.Helper()
	c, err := dial(g, "root", auth...)
	must(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// execute runs cmd in a new session and returns stdout, stderr and status.
func execute(t *testing.T, c *ssh.Client, cmd string) (string, string, int) {
	t.Helper()
	s, err := c.NewSession()
	must(t, err)
	defer s.Close()
	var out, errOut bytes.Buffer
	s.Stdout, s.Stderr = &out, &errOut
	err = s.Run(cmd)
	status := 0
	var ee *ssh.ExitError
	switch {
	case errors.As(err, &ee):
		status = ee.ExitStatus()
	case err != nil:
		t.Fatalf("run %q: %v", cmd, err)
	}
	return out.String(), errOut.String(), status
}

func TestSSHExec(t *testing.T) {
	signer, line := newKey(t)
	g := startGuest(t, Config{HostName: "ecs-node", AuthorizedKeys: []string{line}})
	must(t, g.ApplyUserData([]byte("#cloud-config\nwrite_files:\n- {path: /etc/os-release, content: \"ID=ubuntu\\n\"}\n")))
	c := mustDial(t, g, ssh.PublicKeys(signer))
	tests := []struct {
		cmd, stdout, stderr string
		status              int
	}{
		{cmd: "exit 0"},
		{cmd: "true"},
		{cmd: "exit 7", status: 7},
		{cmd: "hostname", stdout: "ecs-node\n"},
		{cmd: "cat /etc/os-release", stdout: "ID=ubuntu\n"},
		{cmd: "cat /missing", stderr: "cat: /missing: No such file or directory\n", status: 1},
		{cmd: "sudo reboot", stderr: "sh: 1: sudo reboot: simulated guest runs only exit, true, cat and hostname\n", status: 127},
	}
	for _, tc := range tests {
		out, errOut, status := execute(t, c, tc.cmd)
		if out != tc.stdout || errOut != tc.stderr || status != tc.status {
			t.Errorf("%q = (%q, %q, %d), want (%q, %q, %d)", tc.cmd, out, errOut, status, tc.stdout, tc.stderr, tc.status)
		}
	}
}

func TestSSHAuth(t *testing.T) {
	good, line := newKey(t)
	bad, _ := newKey(t)
	g := startGuest(t, Config{HostName: "h", AuthorizedKeys: []string{line}, Password: "s3cret!"})
	for _, user := range []string{"root", "ecs-user"} {
		c, err := dial(g, user, ssh.PublicKeys(good))
		must(t, err)
		_ = c.Close()
	}
	if c, err := dial(g, "root", ssh.PublicKeys(bad)); err == nil {
		_ = c.Close()
		t.Error("wrong key accepted")
	}
	c, err := dial(g, "root", ssh.Password("s3cret!"))
	must(t, err)
	_ = c.Close()
	if c, err := dial(g, "root", ssh.Password("wrong")); err == nil {
		_ = c.Close()
		t.Error("wrong password accepted")
	}

	// RSA keys, as the driver generates, work too (rsa-sha2-* signatures).
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	must(t, err)
	rsaSigner, err := ssh.NewSignerFromKey(rk)
	must(t, err)
	rsaGuest := startGuest(t, Config{AuthorizedKeys: []string{string(ssh.MarshalAuthorizedKey(rsaSigner.PublicKey()))}})
	c, err = dial(rsaGuest, "root", ssh.PublicKeys(rsaSigner))
	must(t, err)
	_ = c.Close()

	noPw := startGuest(t, Config{AuthorizedKeys: []string{line}})
	if c, err := dial(noPw, "root", ssh.Password("")); err == nil {
		_ = c.Close()
		t.Error("empty password accepted when no password is set")
	}
}

func TestSSHCloudInitKeys(t *testing.T) {
	top, topLine := newKey(t)
	user, userLine := newKey(t)
	g := startGuest(t, Config{HostName: "h"})
	if c, err := dial(g, "root", ssh.PublicKeys(top)); err == nil {
		_ = c.Close()
		t.Fatal("key accepted before cloud-init installed it")
	}
	must(t, g.ApplyUserData([]byte(fmt.Sprintf("#cloud-config\nssh_authorized_keys: [%q, not a key]\nusers:\n- name: u\n  ssh_authorized_keys: [%q]\n",
		topLine, userLine))))
	for _, k := range []ssh.Signer{top, user} {
		c, err := dial(g, "u", ssh.PublicKeys(k))
		must(t, err)
		_ = c.Close()
	}
}

func TestRestartKeepsState(t *testing.T) {
	signer, line := newKey(t)
	ciSigner, ciLine := newKey(t)
	cfg := Config{Addr: loopbackAddr(t), HostName: "ecs-name", AuthorizedKeys: []string{line}}
	g, err := Start(cfg)
	must(t, err)
	ud := fmt.Sprintf("#cloud-config\nhostname: from-ci\nssh_authorized_keys: [%q]\nruncmd: [x]\nwrite_files: [{path: /f, content: kept}]\n", ciLine)
	must(t, g.ApplyUserData([]byte(ud)))
	c := mustDial(t, g, ssh.PublicKeys(signer))
	must(t, g.Close())
	if _, err := c.NewSession(); err == nil {
		t.Error("session opened on a closed guest")
	}
	if _, err := dial(g, "root", ssh.PublicKeys(signer)); err == nil {
		t.Error("closed guest still accepts connections")
	}
	must(t, g.Close()) // idempotent
	st := g.State()
	equal(t, "from-ci", st.HostName, "state after close")

	cfg.Addr = g.Addr()
	g2, err := StartWithState(cfg, st)
	must(t, err)
	t.Cleanup(func() { _ = g2.Close() })
	must(t, g2.ApplyUserData([]byte("#cloud-config\nhostname: again\n"))) // no-op
	equal(t, st, g2.State(), "state after restart")
	c2 := mustDial(t, g2, ssh.PublicKeys(ciSigner))
	out, _, _ := execute(t, c2, "hostname")
	equal(t, "from-ci\n", out, "hostname")
	out, _, _ = execute(t, c2, "cat /f")
	equal(t, "kept", out, "cat")
}

func TestSSHShell(t *testing.T) {
	signer, line := newKey(t)
	g := startGuest(t, Config{HostName: "shellhost", AuthorizedKeys: []string{line}})
	c := mustDial(t, g, ssh.PublicKeys(signer))

	s, err := c.NewSession()
	must(t, err)
	var out, errOut bytes.Buffer
	s.Stdout, s.Stderr = &out, &errOut
	s.Stdin = strings.NewReader("hostname\r\nbogus\n\nexit 3\nhostname\n")
	must(t, s.Setenv("LANG", "C"))
	must(t, s.Shell())
	var ee *ssh.ExitError
	if err := s.Wait(); !errors.As(err, &ee) || ee.ExitStatus() != 3 {
		t.Fatalf("shell ended with %v, want exit status 3", err)
	}
	equal(t, "shellhost\n", out.String(), "stdout")
	equal(t, "sh: 1: bogus: simulated guest runs only exit, true, cat and hostname\n", errOut.String(), "stderr")

	// With a pty: prompt, echo, CRLF.
	s, err = c.NewSession()
	must(t, err)
	out.Reset()
	s.Stdout = &out
	must(t, s.RequestPty("xterm", 24, 80, ssh.TerminalModes{}))
	in, err := s.StdinPipe()
	must(t, err)
	must(t, s.Shell())
	_, err = io.WriteString(in, "hostname\rexit 5\r")
	must(t, err)
	if err := s.Wait(); !errors.As(err, &ee) || ee.ExitStatus() != 5 {
		t.Fatalf("pty shell ended with %v, want exit status 5", err)
	}
	equal(t, "root@shellhost:~# hostname\r\nshellhost\r\nroot@shellhost:~# exit 5\r\n", out.String(), "pty output")

	// End of input ends the shell with the last status.
	s, err = c.NewSession()
	must(t, err)
	s.Stdin = strings.NewReader("cat /nope\n")
	must(t, s.Shell())
	if err := s.Wait(); !errors.As(err, &ee) || ee.ExitStatus() != 1 {
		t.Fatalf("shell ended with %v, want exit status 1", err)
	}
}

func TestSSHConcurrentAndClose(t *testing.T) {
	signer, line := newKey(t)
	g := startGuest(t, Config{HostName: "busy", AuthorizedKeys: []string{line}})
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 4 {
		c := mustDial(t, g, ssh.PublicKeys(signer))
		for j := range 10 {
			wg.Go(func() {
				s, err := c.NewSession()
				if err != nil {
					errs <- err
					return
				}
				defer s.Close()
				out, err := s.Output("hostname")
				if err != nil || string(out) != "busy\n" {
					errs <- fmt.Errorf("client %d run %d: %q %v", i, j, out, err)
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// An open interactive session does not keep Close from returning.
	c := mustDial(t, g, ssh.PublicKeys(signer))
	s, err := c.NewSession()
	must(t, err)
	_, err = s.StdinPipe()
	must(t, err)
	must(t, s.Shell())
	must(t, g.Close())
	if err := s.Wait(); err == nil {
		t.Error("session survived Close")
	}
}

func TestSSHRejectsForwarding(t *testing.T) {
	signer, line := newKey(t)
	g := startGuest(t, Config{AuthorizedKeys: []string{line}})
	c := mustDial(t, g, ssh.PublicKeys(signer))
	// The target is never dialled: the channel is refused first.
	if conn, err := c.Dial("tcp", "127.0.0.1:9"); err == nil {
		_ = conn.Close()
		t.Error("direct-tcpip channel accepted")
	}
	s, err := c.NewSession()
	must(t, err)
	if err := s.RequestSubsystem("sftp"); err == nil {
		t.Error("sftp subsystem accepted")
	}
	_ = s.Close()
}

func TestStartErrors(t *testing.T) {
	for _, addr := range []string{"192.0.2.1:22", "localhost:0", "nonsense", "[::ffff:10.0.0.1]:22"} {
		if g, err := Start(Config{Addr: addr}); err == nil {
			_ = g.Close()
			t.Errorf("Start(%q) succeeded", addr)
		}
	}
	if _, err := Start(Config{Addr: loopbackAddr(t), AuthorizedKeys: []string{"not a key"}}); err == nil {
		t.Error("invalid authorized key accepted")
	}
	g := startGuest(t, Config{})
	if _, err := Start(Config{Addr: g.Addr()}); err == nil {
		t.Error("second guest on the same address")
	}
	if host, _, _ := net.SplitHostPort(g.Addr()); !strings.HasPrefix(host, "127.66.") {
		t.Errorf("Addr() = %q", g.Addr())
	}
}
