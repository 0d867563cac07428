package guest

import (
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

// unsupportedMsg ends the stderr line of every command the guest cannot run.
const unsupportedMsg = "simulated guest runs only exit, true, cat and hostname"

// result is the outcome of one simulated command.
type result struct {
	stdout, stderr []byte
	status         int
	exit           bool // the command was "exit": an interactive shell ends
}

// run answers one command line from the in-memory state. It never executes
// anything on this machine.
func (g *Guest) run(cmdline string) result {
	line := strings.TrimSpace(cmdline)
	if line == "" {
		return result{}
	}
	words, ok := splitWords(line)
	if !ok {
		return unsupported(line)
	}
	if len(words) == 0 { // only a comment
		return result{}
	}
	switch words[0] {
	case "exit":
		if len(words) == 1 {
			return result{exit: true}
		}
		n, err := strconv.Atoi(words[1])
		if err != nil || n < 0 {
			return result{
				stderr: fmt.Appendf(nil, "sh: 1: exit: Illegal number: %s\n", words[1]),
				status: 2, exit: true,
			}
		}
		return result{status: n & 0xff, exit: true}
	case "true":
		return result{}
	case "hostname":
		if len(words) == 1 {
			return result{stdout: []byte(g.hostname() + "\n")}
		}
	case "cat":
		if len(words) > 1 && !strings.HasPrefix(words[1], "-") {
			return g.cat(words[1:])
		}
	}
	return unsupported(line)
}

// unsupported is the answer to any command the guest does not simulate.
func unsupported(line string) result {
	return result{
		stderr: fmt.Appendf(nil, "sh: 1: %s: %s\n", line, unsupportedMsg),
		status: 127,
	}
}

// hostname returns the guest's current hostname.
func (g *Guest) hostname() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.state.HostName
}

// cat prints the named files cloud-init wrote, like cat(1).
func (g *Guest) cat(paths []string) result {
	g.mu.Lock()
	defer g.mu.Unlock()
	var r result
	for _, p := range paths {
		clean := path.Clean(p)
		if f, ok := g.state.Files[clean]; ok && path.IsAbs(p) {
			r.stdout = append(r.stdout, f.Content...)
			continue
		}
		switch {
		case clean == "/etc/hostname":
			r.stdout = append(r.stdout, g.state.HostName+"\n"...)
		case path.IsAbs(p) && g.isDirLocked(clean):
			r.stderr = fmt.Appendf(r.stderr, "cat: %s: Is a directory\n", p)
			r.status = 1
		default:
			r.stderr = fmt.Appendf(r.stderr, "cat: %s: No such file or directory\n", p)
			r.status = 1
		}
	}
	return r
}

// isDirLocked reports whether dir is an ancestor of a file. g.mu is held.
func (g *Guest) isDirLocked(dir string) bool {
	if dir == "/" {
		return true
	}
	for p := range g.state.Files {
		if strings.HasPrefix(p, dir+"/") {
			return true
		}
	}
	return false
}

// splitWords splits a command line into words the way sh would for simple
// commands: blanks separate words, single and double quotes and backslashes
// quote, an unquoted # starts a comment. It reports false for anything the
// guest does not simulate (pipes, redirections, expansions, globs, lists) and
// for unbalanced quotes.
func splitWords(line string) ([]string, bool) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '#' && !inWord:
			return words, true
		case c == '~' && !inWord:
			return nil, false
		case c == '\\':
			if i+1 >= len(line) {
				return nil, false
			}
			i++
			cur.WriteByte(line[i])
			inWord = true
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, false
			}
			cur.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(line) && line[i] != '"'; i++ {
				switch line[i] {
				case '$', '`':
					return nil, false
				case '\\':
					if i+1 < len(line) && strings.IndexByte("$`\"\\", line[i+1]) >= 0 {
						i++
					}
				}
				cur.WriteByte(line[i])
			}
			if i >= len(line) {
				return nil, false
			}
			inWord = true
		case strings.IndexByte(";&|<>()`$*?[\n", c) >= 0:
			return nil, false
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, true
}

// lineEditor reads lines typed on a pty in raw mode, echoing them and
// handling backspace, Ctrl-U, Ctrl-C, Ctrl-D and (by ignoring them) escape
// sequences such as arrow keys.
type lineEditor struct {
	rw     io.ReadWriter
	buf    [256]byte
	n, pos int
	esc    int  // 0 none, 1 after ESC, 2 inside a CSI/SS3 sequence
	lastCR bool // the previous byte was '\r': a following '\n' is part of it
}

// next returns the next input byte.
func (le *lineEditor) next() (byte, error) {
	for le.pos >= le.n {
		n, err := le.rw.Read(le.buf[:])
		if n == 0 && err != nil {
			return 0, err
		}
		le.n, le.pos = n, 0
	}
	b := le.buf[le.pos]
	le.pos++
	return b, nil
}

// readLine returns the next line; false means end of input (EOF or Ctrl-D
// on an empty line).
func (le *lineEditor) readLine() (string, bool) {
	var line []byte
	for {
		b, err := le.next()
		if err != nil {
			return "", false
		}
		cr := le.lastCR
		le.lastCR = false
		switch le.esc {
		case 1:
			le.esc = 0
			if b == '[' || b == 'O' {
				le.esc = 2
			}
			continue
		case 2:
			if b >= 0x40 && b <= 0x7e {
				le.esc = 0
			}
			continue
		}
		switch b {
		case 0x1b:
			le.esc = 1
		case '\n':
			if cr {
				continue
			}
			_, _ = le.rw.Write([]byte("\r\n"))
			return string(line), true
		case '\r':
			le.lastCR = true
			_, _ = le.rw.Write([]byte("\r\n"))
			return string(line), true
		case 0x7f, 0x08:
			if len(line) > 0 {
				_, size := utf8.DecodeLastRune(line)
				line = line[:len(line)-size]
				_, _ = le.rw.Write([]byte("\b \b"))
			}
		case 0x15: // Ctrl-U
			for range utf8.RuneCount(line) {
				_, _ = le.rw.Write([]byte("\b \b"))
			}
			line = line[:0]
		case 0x03: // Ctrl-C
			_, _ = le.rw.Write([]byte("^C\r\n"))
			return "", true
		case 0x04: // Ctrl-D
			if len(line) == 0 {
				_, _ = le.rw.Write([]byte("\r\n"))
				return "", false
			}
		default:
			if b >= 0x20 {
				line = append(line, b)
				_, _ = le.rw.Write([]byte{b})
			}
		}
	}
}
