package guest

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// handshakeTimeout bounds the SSH handshake and authentication of one
// connection so that a silent client cannot hold a handler forever.
const handshakeTimeout = 30 * time.Second

var (
	hostKeyOnce   sync.Once
	hostKeySigner ssh.Signer
	hostKeyErr    error
)

// hostSigner returns the ed25519 host key shared by every guest of this
// process, generating it on first use.
func hostSigner() (ssh.Signer, error) {
	hostKeyOnce.Do(func() {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			hostKeyErr = err
			return
		}
		hostKeySigner, hostKeyErr = ssh.NewSignerFromKey(priv)
	})
	return hostKeySigner, hostKeyErr
}

// HostPublicKey returns the public host key the guest's SSH server presents,
// for clients that want to pin it (ssh.FixedHostKey).
func (g *Guest) HostPublicKey() ssh.PublicKey {
	s, _ := hostSigner()
	return s.PublicKey()
}

// parseAuthorizedKeys parses authorized_keys lines (each string may hold
// several lines; blank lines and comments are skipped). When strict, the
// first invalid line is an error; otherwise invalid lines are skipped, as
// sshd does.
func parseAuthorizedKeys(lines []string, strict bool) ([]ssh.PublicKey, error) {
	var keys []ssh.PublicKey
	for i, l := range lines {
		for _, line := range strings.Split(l, "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
			if err != nil {
				if strict {
					return nil, fmt.Errorf("entry %d: %w", i, err)
				}
				continue
			}
			keys = append(keys, k)
		}
	}
	return keys, nil
}

// serverConfig builds the SSH server configuration: any user name, public
// keys from Config or cloud-init, and Config.Password when set.
func (g *Guest) serverConfig(signer ssh.Signer) *ssh.ServerConfig {
	c := &ssh.ServerConfig{
		ServerVersion: "SSH-2.0-ecssim_guest",
		PublicKeyCallback: func(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if g.authorizedKey(key) {
				return &ssh.Permissions{}, nil
			}
			return nil, errors.New("public key not authorized")
		},
	}
	if pw := g.cfg.Password; pw != "" {
		c.PasswordCallback = func(_ ssh.ConnMetadata, given []byte) (*ssh.Permissions, error) {
			if subtle.ConstantTimeCompare(given, []byte(pw)) == 1 {
				return &ssh.Permissions{}, nil
			}
			return nil, errors.New("wrong password")
		}
	}
	c.AddHostKey(signer)
	return c
}

// acceptLoop accepts connections until the listener is closed.
func (g *Guest) acceptLoop() {
	defer g.wg.Done()
	for {
		c, err := g.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return
		}
		g.mu.Lock()
		if g.closed {
			g.mu.Unlock()
			_ = c.Close()
			return
		}
		g.conns[c] = struct{}{}
		g.wg.Add(1)
		g.mu.Unlock()
		go g.serveConn(c)
	}
}

// serveConn runs the SSH protocol on one connection.
func (g *Guest) serveConn(c net.Conn) {
	defer g.wg.Done()
	defer func() {
		_ = c.Close()
		g.mu.Lock()
		delete(g.conns, c)
		g.mu.Unlock()
	}()
	_ = c.SetDeadline(time.Now().Add(handshakeTimeout))
	sconn, chans, reqs, err := ssh.NewServerConn(c, g.sshCfg)
	if err != nil {
		return
	}
	_ = c.SetDeadline(time.Time{})
	defer sconn.Close()
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		ssh.DiscardRequests(reqs) // keepalives, tcpip-forward: refused
	}()
	for nc := range chans {
		if nc.ChannelType() != "session" {
			// No port forwarding: the guest never dials anything.
			_ = nc.Reject(ssh.UnknownChannelType, "simulated guest accepts only session channels")
			continue
		}
		g.wg.Add(1)
		go g.serveSession(sconn.User(), nc)
	}
}

// exitStatus is the payload of the "exit-status" channel request.
type exitStatus struct{ Status uint32 }

// serveSession answers the requests of one session channel: pty-req, env and
// window-change are acknowledged, exec runs one simulated command, shell
// reads commands line by line.
func (g *Guest) serveSession(user string, nc ssh.NewChannel) {
	defer g.wg.Done()
	ch, reqs, err := nc.Accept()
	if err != nil {
		return
	}
	defer ch.Close()
	pty, started := false, false
	for req := range reqs {
		switch req.Type {
		case "pty-req":
			pty = true
			_ = req.Reply(true, nil)
		case "env", "window-change":
			_ = req.Reply(true, nil)
		case "exec":
			var p struct{ Command string }
			if started || ssh.Unmarshal(req.Payload, &p) != nil {
				_ = req.Reply(false, nil)
				continue
			}
			started = true
			_ = req.Reply(true, nil)
			r := g.run(p.Command)
			out, errOut := r.stdout, r.stderr
			if pty { // a terminal merges stderr into stdout, with CRLF
				out, errOut = crlf(append(out, errOut...)), nil
			}
			_, _ = ch.Write(out)
			_, _ = ch.Stderr().Write(errOut)
			finish(ch, r.status)
		case "shell":
			if started {
				_ = req.Reply(false, nil)
				continue
			}
			started = true
			_ = req.Reply(true, nil)
			g.wg.Add(1)
			go func() {
				defer g.wg.Done()
				status := g.shell(ch, user, pty)
				finish(ch, status)
			}()
		default: // subsystem (sftp), x11-req, auth-agent-req, signal, ...
			_ = req.Reply(false, nil)
		}
	}
}

// finish sends the exit status and closes the channel.
func finish(ch ssh.Channel, status int) {
	_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(exitStatus{uint32(status)}))
	_ = ch.CloseWrite()
	_ = ch.Close()
}

// crlf turns bare "\n" into "\r\n", as a terminal's output processing does.
func crlf(b []byte) []byte {
	return []byte(strings.ReplaceAll(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n", "\r\n"))
}

// shell runs an interactive shell session: it reads command lines from ch
// and answers each like exec, until "exit" or end of input, and returns the
// exit status. With a pty it echoes input, prints a prompt and handles
// backspace, Ctrl-C and Ctrl-D like a line discipline would.
func (g *Guest) shell(ch ssh.Channel, user string, pty bool) int {
	if !pty {
		sc := bufio.NewScanner(ch)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		last := 0
		for sc.Scan() {
			r := g.run(strings.TrimSuffix(sc.Text(), "\r"))
			_, _ = ch.Write(r.stdout)
			_, _ = ch.Stderr().Write(r.stderr)
			if r.exit {
				return r.status
			}
			last = r.status
		}
		return last
	}
	le := &lineEditor{rw: ch}
	last := 0
	for {
		_, _ = ch.Write([]byte(g.prompt(user)))
		line, ok := le.readLine()
		if !ok {
			return last
		}
		r := g.run(line)
		_, _ = ch.Write(crlf(append(r.stdout, r.stderr...)))
		if r.exit {
			return r.status
		}
		last = r.status
	}
}

// prompt returns the shell prompt shown on a pty.
func (g *Guest) prompt(user string) string {
	sign := "$"
	if user == "root" {
		sign = "#"
	}
	return fmt.Sprintf("%s@%s:~%s ", user, g.hostname(), sign)
}
