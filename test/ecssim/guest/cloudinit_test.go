package guest

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// offlineGuest is a guest without an SSH server, enough for cloud-init.
func offlineGuest(hostname string) *Guest {
	return &Guest{state: State{HostName: hostname, Files: map[string]File{}}}
}

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(b)
	must(t, err)
	must(t, zw.Close())
	return buf.Bytes()
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func TestApplyUserDataCloudConfig(t *testing.T) {
	script := []byte("#!/bin/sh\necho 'hello world'\n")
	type want struct {
		host    string
		files   map[string]File
		runcmd  []string
		keys    []string
		errPart string // non-empty: an error containing it is expected
	}
	tests := []struct {
		name string
		data string
		want want
	}{
		{"plain and defaults", "#cloud-config\nhostname: node-1\nwrite_files:\n- path: /etc/a.txt\n  content: |\n    line\n",
			want{host: "node-1", files: map[string]File{"/etc/a.txt": {"0644", []byte("line\n")}}}},
		{"b64", "#cloud-config\nwrite_files:\n- {path: /x, encoding: b64, content: " + b64(script) + "}\n",
			want{files: map[string]File{"/x": {"0644", script}}}},
		{"base64 with line breaks", "#cloud-config\nwrite_files:\n- path: /x\n  encoding: base64\n  content: |\n    " +
			b64(script)[:12] + "\n    " + b64(script)[12:] + "\n",
			want{files: map[string]File{"/x": {"0644", script}}}},
		{"gz+b64", "#cloud-config\nwrite_files:\n- {path: /x, encoding: gz+b64, content: " + b64(gz(t, script)) + "}\n",
			want{files: map[string]File{"/x": {"0644", script}}}},
		{"gzip+base64", "#cloud-config\nwrite_files:\n- {path: /x, encoding: gzip+base64, content: " + b64(gz(t, script)) + "}\n",
			want{files: map[string]File{"/x": {"0644", script}}}},
		{"gz+base64 and gzip+b64", "#cloud-config\nwrite_files:\n- {path: /x, encoding: gz+base64, content: " + b64(gz(t, script)) +
			"}\n- {path: /y, encoding: GZIP+B64, content: " + b64(gz(t, script)) + "}\n",
			want{files: map[string]File{"/x": {"0644", script}, "/y": {"0644", script}}}},
		{"gzip binary", "#cloud-config\nwrite_files:\n- {path: /x, encoding: gzip, content: !!binary " + b64(gz(t, script)) + "}\n",
			want{files: map[string]File{"/x": {"0644", script}}}},
		{"permissions", "#cloud-config\nwrite_files:\n- {path: /a, permissions: '0600'}\n- {path: /b, permissions: 0755}\n" +
			"- {path: /c, permissions: 420}\n- {path: /d, permissions: 0o640}\n- {path: /e, permissions: '750'}\n",
			want{files: map[string]File{"/a": {"0600", []byte{}}, "/b": {"0755", []byte{}}, "/c": {"0644", []byte{}},
				"/d": {"0640", []byte{}}, "/e": {"0750", []byte{}}}}},
		{"append and relative path", "#cloud-config\nwrite_files:\n- {path: etc/../x, content: one}\n- {path: /x, content: two, append: true}\n" +
			"- {path: /y, content: one}\n- {path: /y, content: two}\n",
			want{files: map[string]File{"/x": {"0644", []byte("onetwo")}, "/y": {"0644", []byte("two")}}}},
		{"runcmd strings and lists", "#cloud-config\nbootcmd: [reboot]\nruncmd:\n- sh /usr/local/custom_script/install.sh\n" +
			"- [sh, -c, \"echo 'hi' > /tmp/x\"]\n- [ls, '']\n- ~\n",
			want{runcmd: []string{"sh /usr/local/custom_script/install.sh", `sh -c 'echo '\''hi'\'' > /tmp/x'`, "ls ''"}}},
		{"authorized keys", "#cloud-config\nssh_authorized_keys: [ssh-ed25519 AAAA one]\nusers:\n- default\n" +
			"- name: bob\n  ssh_authorized_keys: [ssh-ed25519 AAAA two, ssh-ed25519 AAAA one]\n- name: eve\n  ssh-authorized-keys: ssh-ed25519 AAAA three\n",
			want{keys: []string{"ssh-ed25519 AAAA one", "ssh-ed25519 AAAA two", "ssh-ed25519 AAAA three"}}},
		{"fqdn", "#cloud-config\nfqdn: node-2.example.com\n", want{host: "node-2"}},
		{"dotted hostname", "#cloud-config\nhostname: node-3.example.com\n", want{host: "node-3"}},
		{"prefer fqdn", "#cloud-config\nhostname: n\nfqdn: n.example.com\nprefer_fqdn_over_hostname: true\n", want{host: "n.example.com"}},
		{"preserve hostname", "#cloud-config\nhostname: other\npreserve_hostname: true\n", want{}},
		{"empty cloud-config", "#cloud-config\n", want{}},
		{"shell script", string(script), want{
			files:  map[string]File{"/var/lib/cloud/instance/scripts/part-001": {"0755", script}},
			runcmd: []string{"sh /var/lib/cloud/instance/scripts/part-001"}}},
		{"gzipped cloud-config", string(gz(t, []byte("#cloud-config\nhostname: gzipped\nruncmd: [true]\n"))),
			want{host: "gzipped", runcmd: []string{"true"}}},
		{"gzipped script", string(gz(t, script)), want{
			files:  map[string]File{"/var/lib/cloud/instance/scripts/part-001": {"0755", script}},
			runcmd: []string{"sh /var/lib/cloud/instance/scripts/part-001"}}},
		{"unknown format", "hello: world\n", want{}},
		{"include", "#include\nhttp://192.0.2.1/x\n", want{}},
		{"empty", "", want{}},
		{"malformed yaml", "#cloud-config\nhostname: [a\n", want{errPart: "invalid YAML"}},
		{"not a mapping", "#cloud-config\n- a\n", want{errPart: "invalid YAML"}},
		{"bad base64 keeps the rest", "#cloud-config\nhostname: h\nwrite_files:\n- {path: /bad, encoding: b64, content: '%%%'}\n- {path: /ok, content: x}\n",
			want{host: "h", files: map[string]File{"/ok": {"0644", []byte("x")}}, errPart: "write_files[0] (/bad): encoding b64: invalid base64"}},
		{"bad gzip", "#cloud-config\nwrite_files:\n- {path: /bad, encoding: gz+b64, content: " + b64([]byte("nope")) + "}\n",
			want{errPart: "gzip"}},
		{"unknown encoding", "#cloud-config\nwrite_files:\n- {path: /bad, encoding: rot13, content: x}\n",
			want{errPart: `unknown encoding "rot13"`}},
		{"bad permissions", "#cloud-config\nwrite_files:\n- {path: /bad, permissions: rw}\n", want{errPart: "invalid mode"}},
		{"no path", "#cloud-config\nwrite_files:\n- {content: x}\n", want{errPart: "no path"}},
		{"write_files not a list", "#cloud-config\nwrite_files: {path: /x}\n", want{errPart: "want a list"}},
		{"runcmd entry a mapping", "#cloud-config\nruncmd:\n- {a: b}\n- ok\n", want{runcmd: []string{"ok"}, errPart: "runcmd[0]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := offlineGuest("ecs-host")
			err := g.ApplyUserData([]byte(tc.data))
			if tc.want.errPart != "" {
				errContains(t, err, tc.want.errPart, "cloud-init: part-001")
			} else {
				must(t, err)
			}
			st := g.State()
			host := tc.want.host
			if host == "" {
				host = "ecs-host"
			}
			equal(t, host, st.HostName, "hostname")
			files := tc.want.files
			if files == nil {
				files = map[string]File{}
			}
			for p, f := range st.Files { // normalise nil vs empty content
				if len(f.Content) == 0 {
					st.Files[p] = File{Mode: f.Mode, Content: []byte{}}
				}
			}
			equal(t, files, st.Files, "files")
			equal(t, tc.want.runcmd, st.RunCmd, "runcmd")
			equal(t, tc.want.keys, st.AuthorizedKeys, "keys")
			equal(t, []byte(tc.data), st.UserData, "user data")
			equal(t, true, st.CloudInitDone, "cloud-init done")
		})
	}
}

func TestApplyUserDataRunsOnce(t *testing.T) {
	g := offlineGuest("h")
	must(t, g.ApplyUserData([]byte("#cloud-config\nhostname: first\n")))
	must(t, g.ApplyUserData([]byte("#cloud-config\nhostname: second\n")))
	st := g.State()
	equal(t, "first", st.HostName, "hostname")
	equal(t, "#cloud-config\nhostname: first\n", string(st.UserData), "user data")
}

func TestStateIsDeepCopy(t *testing.T) {
	g := offlineGuest("h")
	must(t, g.ApplyUserData([]byte("#cloud-config\nruncmd: [a]\nwrite_files: [{path: /f, content: abc}]\n")))
	st := g.State()
	st.Files["/f"].Content[0] = 'X'
	st.Files["/g"] = File{}
	st.RunCmd[0] = "changed"
	st.UserData[0] = 'X'
	again := g.State()
	equal(t, "abc", string(again.Files["/f"].Content), "file content")
	equal(t, 1, len(again.Files), "file count")
	equal(t, []string{"a"}, again.RunCmd, "runcmd")
	equal(t, byte('#'), again.UserData[0], "user data")
}

// rancherGzipEncode encodes the install script as rancher-machine's
// gzipEncode does (including its Flush before the first write).
func rancherGzipEncode(t *testing.T, data []byte) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	must(t, zw.Flush())
	_, err := zw.Write(data)
	must(t, err)
	must(t, zw.Close())
	return b64(b.Bytes())
}

// rancherUserData builds user data the way rancher-machine's
// updateUserdataFile does for --custom-install-script on Linux.
func rancherUserData(t *testing.T, base, install []byte, hostname string) []byte {
	t.Helper()
	shebang := regexp.MustCompile(`^#!.*\n`)
	install = shebang.ReplaceAll(install, nil)
	cf := map[string]any{}
	var payload []byte
	switch {
	case bytes.HasPrefix(base, []byte("#!")):
		payload = bytes.Join([][]byte{shebang.ReplaceAll(base, nil), install}, []byte("\n\n"))
	case bytes.HasPrefix(base, []byte("#cloud-config")):
		must(t, yaml.Unmarshal(base, &cf))
		if cf == nil {
			cf = map[string]any{}
		}
		payload = install
	default:
		t.Fatal("base must be a script or cloud-config")
	}
	if _, ok := cf["hostname"]; !ok {
		cf["hostname"] = hostname
	}
	wf := map[string]string{
		"encoding":    "gzip+b64",
		"content":     rancherGzipEncode(t, payload),
		"permissions": "0644",
		"path":        "/usr/local/custom_script/install.sh",
	}
	appendTo := func(key string, v any) {
		l, _ := cf[key].([]any)
		cf[key] = append(l, v)
	}
	appendTo("write_files", wf)
	appendTo("runcmd", "sh /usr/local/custom_script/install.sh")
	out, err := yaml.Marshal(cf)
	must(t, err)
	return append([]byte("#cloud-config\n"), out...)
}

func TestApplyUserDataRancherMachine(t *testing.T) {
	install := []byte("#!/usr/bin/env sh\nCATTLE_SERVER=https://rancher.example\nCATTLE_TOKEN=\"abc'def\"\n" +
		strings.Repeat("echo installing system agent\n", 500))
	body := install[len("#!/usr/bin/env sh\n"):]
	tests := []struct {
		name     string
		base     string
		host     string
		wantFile []byte
		runcmd   []string
		files    int
	}{
		{"no user data", "#cloud-config", "pool-abc-1", body,
			[]string{"sh /usr/local/custom_script/install.sh"}, 1},
		{"user cloud-config", "#cloud-config\nhostname: mine\nruncmd:\n- [echo, a b]\nwrite_files:\n- path: /etc/u\n  content: u\n",
			"mine", body, []string{"echo 'a b'", "sh /usr/local/custom_script/install.sh"}, 2},
		{"user script", "#!/bin/bash\necho user\n", "pool-abc-1",
			append([]byte("echo user\n\n\n"), body...), []string{"sh /usr/local/custom_script/install.sh"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ud := rancherUserData(t, []byte(tc.base), install, "pool-abc-1")
			g := offlineGuest("i-ecs-host")
			must(t, g.ApplyUserData(ud))
			st := g.State()
			f, ok := st.Files["/usr/local/custom_script/install.sh"]
			if !ok {
				t.Fatalf("install.sh not written; files: %v", st.Files)
			}
			equal(t, "0644", f.Mode, "mode")
			if !bytes.Equal(tc.wantFile, f.Content) {
				t.Errorf("install.sh differs:\n want %q\n  got %q", tc.wantFile, f.Content)
			}
			equal(t, tc.host, st.HostName, "hostname")
			equal(t, tc.runcmd, st.RunCmd, "runcmd")
			equal(t, tc.files, len(st.Files), "file count")
			equal(t, ud, st.UserData, "user data")
		})
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"plain": "plain", "/usr/local/x.sh": "/usr/local/x.sh", "": "''", "a b": "'a b'",
		"it's": `'it'\''s'`, "$HOME": "'$HOME'", "k=v,x:y@z%+-_": "k=v,x:y@z%+-_",
	} {
		equal(t, want, shellQuote(in), in)
	}
}
