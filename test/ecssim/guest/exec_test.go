package guest

import (
	"bytes"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	g := offlineGuest("node-a")
	must(t, g.ApplyUserData([]byte("#cloud-config\nwrite_files:\n- {path: /etc/os-release, content: \"ID=ubuntu\\n\"}\n"+
		"- {path: '/opt/a b', content: spaced}\n")))
	const msg = ": simulated guest runs only exit, true, cat and hostname\n"
	tests := []struct {
		cmd, stdout, stderr string
		status              int
		exit                bool
	}{
		{cmd: "exit 0", exit: true},
		{cmd: "  exit 0  ", exit: true},
		{cmd: "exit", exit: true},
		{cmd: "exit 3", status: 3, exit: true},
		{cmd: "exit 256", status: 0, exit: true},
		{cmd: "exit nope", stderr: "sh: 1: exit: Illegal number: nope\n", status: 2, exit: true},
		{cmd: "true"},
		{cmd: ""},
		{cmd: "# just a comment"},
		{cmd: "hostname", stdout: "node-a\n"},
		{cmd: "cat /etc/os-release", stdout: "ID=ubuntu\n"},
		{cmd: "cat '/opt/a b' /etc/os-release", stdout: "spacedID=ubuntu\n"},
		{cmd: `cat "/opt/a b"`, stdout: "spaced"},
		{cmd: `cat /opt/a\ b`, stdout: "spaced"},
		{cmd: "cat /etc/hostname", stdout: "node-a\n"},
		{cmd: "cat /nope", stderr: "cat: /nope: No such file or directory\n", status: 1},
		{cmd: "cat /opt", stderr: "cat: /opt: Is a directory\n", status: 1},
		{cmd: "cat os-release", stderr: "cat: os-release: No such file or directory\n", status: 1},
		{cmd: "uname -a", stderr: "sh: 1: uname -a" + msg, status: 127},
		{cmd: "hostname new", stderr: "sh: 1: hostname new" + msg, status: 127},
		{cmd: "cat", stderr: "sh: 1: cat" + msg, status: 127},
		{cmd: "cat -n /etc/os-release", stderr: "sh: 1: cat -n /etc/os-release" + msg, status: 127},
		{cmd: "cat /etc/os-release | grep ID", stderr: "sh: 1: cat /etc/os-release | grep ID" + msg, status: 127},
		{cmd: "exit 0; rm -rf /", stderr: "sh: 1: exit 0; rm -rf /" + msg, status: 127},
		{cmd: "cat $HOME/x", stderr: "sh: 1: cat $HOME/x" + msg, status: 127},
		{cmd: `cat "$(id)"`, stderr: `sh: 1: cat "$(id)"` + msg, status: 127},
		{cmd: "cat ~/x", stderr: "sh: 1: cat ~/x" + msg, status: 127},
		{cmd: "cat 'unterminated", stderr: "sh: 1: cat 'unterminated" + msg, status: 127},
	}
	for _, tc := range tests {
		r := g.run(tc.cmd)
		if string(r.stdout) != tc.stdout || string(r.stderr) != tc.stderr || r.status != tc.status || r.exit != tc.exit {
			t.Errorf("run(%q) = {%q %q %d %v}, want {%q %q %d %v}", tc.cmd,
				r.stdout, r.stderr, r.status, r.exit, tc.stdout, tc.stderr, tc.status, tc.exit)
		}
	}
}

// rw is a fake pty: it reads from in and collects what is written.
type rw struct {
	in  *strings.Reader
	out bytes.Buffer
}

func (r *rw) Read(p []byte) (int, error)  { return r.in.Read(p) }
func (r *rw) Write(p []byte) (int, error) { return r.out.Write(p) }

func TestLineEditor(t *testing.T) {
	dev := &rw{in: strings.NewReader("hostx\x7fname\r\nab\x15exit 1\x1b[A\rcat\x03\x04")}
	le := &lineEditor{rw: dev}
	var lines []string
	for {
		l, ok := le.readLine()
		if !ok {
			break
		}
		lines = append(lines, l)
	}
	equal(t, []string{"hostname", "exit 1", ""}, lines, "lines")
	equal(t, "hostx\b \bname\r\nab\b \b\b \bexit 1\r\ncat^C\r\n\r\n", dev.out.String(), "echo")
}
