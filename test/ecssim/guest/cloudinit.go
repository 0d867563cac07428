package guest

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

const (
	// maxNesting bounds gzip-in-MIME-in-gzip recursion.
	maxNesting = 8
	// maxDecompressed bounds what one gunzip may produce.
	maxDecompressed = 64 << 20
	// scriptsDir is where cloud-init keeps the instance's shell-script parts.
	scriptsDir = "/var/lib/cloud/instance/scripts"
	// defaultPermissions is the mode of write_files entries without one.
	defaultPermissions = 0o644
)

// cloudInit applies user data to a State. Parts are numbered from 1 in the
// order they are met, as cloud-init names them (part-001, part-002, ...).
type cloudInit struct {
	st   *State
	part int
	errs []error
}

// fail records an error of the current part.
func (ci *cloudInit) fail(format string, args ...any) {
	ci.errs = append(ci.errs, fmt.Errorf("cloud-init: part-%03d: "+format, append([]any{ci.part}, args...)...))
}

// process handles user data whose type must be detected from its content:
// gzip, a MIME message, #cloud-config, a #! script, or anything else (ignored).
func (ci *cloudInit) process(data []byte, depth int) {
	if depth > maxNesting {
		ci.fail("user data nested more than %d levels deep", maxNesting)
		return
	}
	if isGzip(data) {
		d, err := gunzip(data)
		if err != nil {
			ci.part++
			ci.fail("gzip: %v", err)
			return
		}
		ci.process(d, depth+1)
		return
	}
	if hdr, body, ok := parseMIME(data); ok {
		ci.processEntity(hdr, body, depth+1)
		return
	}
	ci.part++
	switch {
	case bytes.HasPrefix(data, []byte("#cloud-config")):
		ci.applyCloudConfig(data)
	case bytes.HasPrefix(data, []byte("#!")):
		ci.addScript(data, "")
	default:
		// #include, #cloud-boothook, #part-handler, plain text, ...:
		// nothing the simulation applies; cloud-init ignores unknown formats.
	}
}

// addScript stores a shell-script part where cloud-init keeps it and records
// the command that would run it.
func (ci *cloudInit) addScript(data []byte, filename string) {
	name := path.Base(strings.ReplaceAll(filename, "\\", "/"))
	if name == "" || name == "." || name == ".." || name == "/" {
		name = fmt.Sprintf("part-%03d", ci.part)
	}
	p := scriptsDir + "/" + name
	ci.st.Files[p] = File{Mode: "0755", Content: bytes.Clone(data)}
	ci.st.RunCmd = append(ci.st.RunCmd, "sh "+p)
}

// applyCloudConfig applies one #cloud-config document: write_files,
// hostname/fqdn, ssh_authorized_keys, users[].ssh_authorized_keys, runcmd.
// Other modules (bootcmd, packages, ...) are ignored. A key of the wrong
// shape is reported and the other keys are still applied.
func (ci *cloudInit) applyCloudConfig(data []byte) {
	var doc map[string]yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		ci.fail("cloud-config: invalid YAML: %v", err)
		return
	}
	if n, ok := doc["write_files"]; ok {
		ci.writeFiles(&n)
	}
	ci.setHostname(doc)
	if n, ok := doc["ssh_authorized_keys"]; ok {
		ci.addKeys(&n, "ssh_authorized_keys")
	}
	if n, ok := doc["users"]; ok && n.Kind == yaml.SequenceNode {
		for i, u := range n.Content {
			if u.Kind != yaml.MappingNode {
				continue // "default" and other names: no keys to install
			}
			var user map[string]yaml.Node
			if err := u.Decode(&user); err != nil {
				ci.fail("cloud-config: users[%d]: %v", i, err)
				continue
			}
			for _, k := range []string{"ssh_authorized_keys", "ssh-authorized-keys"} {
				if kn, ok := user[k]; ok {
					ci.addKeys(&kn, fmt.Sprintf("users[%d].%s", i, k))
				}
			}
		}
	}
	if n, ok := doc["runcmd"]; ok {
		ci.addRunCmd(&n)
	}
}

// setHostname applies hostname, fqdn, prefer_fqdn_over_hostname and
// preserve_hostname the way cloud-init's set_hostname module does: the short
// name is used unless the FQDN is preferred.
func (ci *cloudInit) setHostname(doc map[string]yaml.Node) {
	var hostname, fqdn string
	var preserve, preferFQDN bool
	for _, f := range []struct {
		key string
		dst any
	}{
		{"hostname", &hostname}, {"fqdn", &fqdn},
		{"preserve_hostname", &preserve}, {"prefer_fqdn_over_hostname", &preferFQDN},
	} {
		if n, ok := doc[f.key]; ok {
			if err := n.Decode(f.dst); err != nil {
				ci.fail("cloud-config: %s: %v", f.key, err)
				return
			}
		}
	}
	hostname, fqdn = strings.TrimSpace(hostname), strings.TrimSpace(fqdn)
	if preserve {
		return
	}
	switch {
	case fqdn != "":
		if hostname == "" || strings.Contains(hostname, ".") {
			hostname, _, _ = strings.Cut(fqdn, ".")
		}
	case strings.Contains(hostname, "."):
		fqdn = hostname
		hostname, _, _ = strings.Cut(hostname, ".")
	}
	if preferFQDN && fqdn != "" {
		hostname = fqdn
	}
	if hostname != "" {
		ci.st.HostName = hostname
	}
}

// addKeys appends authorized_keys lines from a string or a list of strings.
func (ci *cloudInit) addKeys(n *yaml.Node, where string) {
	var keys []string
	if n.Kind == yaml.ScalarNode {
		keys = []string{n.Value}
	} else if err := n.Decode(&keys); err != nil {
		ci.fail("cloud-config: %s: %v", where, err)
		return
	}
	for _, k := range keys {
		k = strings.TrimSpace(k)
		if k != "" && !contains(ci.st.AuthorizedKeys, k) {
			ci.st.AuthorizedKeys = append(ci.st.AuthorizedKeys, k)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// addRunCmd records runcmd entries: strings as they are, lists joined by
// spaces with each word shell-quoted when it needs it.
func (ci *cloudInit) addRunCmd(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode {
		if n.Tag != "!!null" && n.Value != "" {
			ci.st.RunCmd = append(ci.st.RunCmd, n.Value)
		}
		return
	}
	if n.Kind != yaml.SequenceNode {
		ci.fail("cloud-config: runcmd: want a list, got %s", kindName(n))
		return
	}
	for i, e := range n.Content {
		switch {
		case e.Kind == yaml.ScalarNode && e.Tag == "!!null":
		case e.Kind == yaml.ScalarNode:
			ci.st.RunCmd = append(ci.st.RunCmd, e.Value)
		case e.Kind == yaml.SequenceNode:
			words := make([]string, 0, len(e.Content))
			for _, w := range e.Content {
				if w.Kind != yaml.ScalarNode {
					ci.fail("cloud-config: runcmd[%d]: list entries must be scalars, got %s", i, kindName(w))
					words = nil
					break
				}
				words = append(words, shellQuote(w.Value))
			}
			if len(words) > 0 {
				ci.st.RunCmd = append(ci.st.RunCmd, strings.Join(words, " "))
			}
		default:
			ci.fail("cloud-config: runcmd[%d]: want a string or a list, got %s", i, kindName(e))
		}
	}
}

// kindName names a YAML node's kind for error messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a scalar"
	case yaml.AliasNode:
		return "an alias"
	}
	return "nothing"
}

// shellQuote quotes s for sh when it holds anything but safe characters.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("@%+=:,./-_", c)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// isGzip reports whether data starts with the gzip magic number.
func isGzip(data []byte) bool {
	return len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b
}

// gunzip decompresses data, refusing more than maxDecompressed bytes.
func gunzip(data []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, maxDecompressed+1))
	if err != nil {
		return nil, err
	}
	if len(out) > maxDecompressed {
		return nil, fmt.Errorf("decompresses to more than %d bytes", maxDecompressed)
	}
	return out, nil
}

// decodeBase64 decodes standard base64, ignoring whitespace and tolerating
// missing padding.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Join(strings.Fields(s), "")
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, errors.New("invalid base64")
	}
	return b, nil
}

// parseMode reads write_files permissions: a quoted string is octal
// ("0644", "644", "0o644"); an integer is octal when written with a leading
// 0 or 0o (YAML 1.1, as cloud-init reads it) and decimal otherwise.
func parseMode(n *yaml.Node) (uint32, error) {
	if n.Kind == 0 || (n.Kind == yaml.ScalarNode && (n.Tag == "!!null" || n.Value == "")) {
		return defaultPermissions, nil
	}
	if n.Kind != yaml.ScalarNode {
		return 0, fmt.Errorf("permissions: want a number, got %s", kindName(n))
	}
	s := strings.TrimSpace(n.Value)
	base := 8
	switch {
	case strings.HasPrefix(s, "0o") || strings.HasPrefix(s, "0O"):
		s = s[2:]
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		s, base = s[2:], 16
	case n.Tag == "!!int" && !strings.HasPrefix(s, "0"):
		base = 10
	}
	m, err := strconv.ParseUint(s, base, 32)
	if err != nil || m > 0o7777 {
		return 0, fmt.Errorf("permissions: invalid mode %q", n.Value)
	}
	return uint32(m), nil
}
