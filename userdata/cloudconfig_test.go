package userdata

import (
	"bytes"
	"encoding/base64"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// rancherCloudConfig is shaped like the file rancher-machine's
// updateUserdataFile writes with --custom-install-script (yaml.v2 output:
// sorted keys, unindented lists, the install script gzip+b64 encoded).
func rancherCloudConfig(t *testing.T) []byte {
	t.Helper()
	script := "CATTLE_SERVER=https://rancher.example\nCATTLE_TOKEN=\"" + marker + "\"\n" + strings.Repeat("# install.sh body\n", 200)
	content := base64.StdEncoding.EncodeToString(gz(t, []byte(script)))
	return []byte("#cloud-config\n" +
		"hostname: pool1-abcde-x7k2p\n" +
		"runcmd:\n" +
		"- sh /usr/local/custom_script/install.sh\n" +
		"write_files:\n" +
		"- content: " + content + "\n" +
		"  encoding: gzip+b64\n" +
		"  path: /usr/local/custom_script/install.sh\n" +
		"  permissions: \"0644\"\n")
}

func decodeMap(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatalf("output is not valid YAML: %v", err)
	}
	return m
}

func wantEntry(d DataDisk) []any {
	return toAny(bootcmdEntry(d))
}

func TestMergeIntoRancherCloudConfig(t *testing.T) {
	orig := rancherCloudConfig(t)
	disk := DataDisk{FS: "xfs", MountPoint: "/var/lib/rancher"}
	p, err := Build(Options{Path: writeTemp(t, "modified-user-data", orig), DataDisk: &disk})
	if err != nil {
		t.Fatal(err)
	}
	checkPayload(t, p)
	// rancher-machine's bytes come first, untouched.
	if !bytes.HasPrefix(p.Raw, orig) {
		t.Fatalf("output does not start with the original document:\n%s", p.Raw)
	}
	before, after := decodeMap(t, orig), decodeMap(t, p.Raw)
	for _, k := range []string{"hostname", "runcmd", "write_files"} {
		if !reflect.DeepEqual(before[k], after[k]) {
			t.Errorf("%s changed: %v -> %v", k, before[k], after[k])
		}
	}
	if len(after) != 4 {
		t.Errorf("keys = %v, want hostname, runcmd, write_files, bootcmd", after)
	}
	if got := after["bootcmd"]; !reflect.DeepEqual(got, []any{wantEntry(disk)}) {
		t.Errorf("bootcmd = %v", got)
	}
	entry := after["bootcmd"].([]any)[0].([]any)
	if entry[4] != "" || entry[5] != "xfs" || entry[6] != "/var/lib/rancher" {
		t.Errorf("script arguments = %q", entry[3:])
	}
}

func TestMergeCases(t *testing.T) {
	disk := DataDisk{MountPoint: "/data"}
	entry := wantEntry(disk)
	tests := []struct {
		name, in    string
		keepPrefix  bool // the input bytes stay a prefix of the output
		wantBootcmd []any
		wantOther   map[string]any
	}{
		{"header only", "#cloud-config\n", true, []any{entry}, map[string]any{}},
		{"no final newline", "#cloud-config\nhostname: h", true, []any{entry}, map[string]any{"hostname": "h"}},
		{"comment after header", "#cloud-config\n# note\nhostname: h # trailing\n", true, []any{entry}, map[string]any{"hostname": "h"}},
		{"document end marker", "#cloud-config\nhostname: h\n...\n", false, []any{entry}, map[string]any{"hostname": "h"}},
		{"flow root", "#cloud-config\n{hostname: h, runcmd: [a]}\n", false, []any{entry}, map[string]any{"hostname": "h", "runcmd": []any{"a"}}},
		{"existing bootcmd", "#cloud-config\nbootcmd:\n- echo one\n- [echo, two]\nhostname: h\n", false,
			[]any{entry, "echo one", []any{"echo", "two"}}, map[string]any{"hostname": "h"}},
		{"existing flow bootcmd", "#cloud-config\nbootcmd: [echo one]\n", false, []any{entry, "echo one"}, map[string]any{}},
		{"yaml 1.1 scalars kept", "#cloud-config\nbootcmd: []\npackage_upgrade: yes\nmode: 0644\n", false,
			[]any{entry}, map[string]any{"package_upgrade": "yes", "mode": 0o644}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Build(Options{Path: writeTemp(t, "ud", []byte(tt.in)), DataDisk: &disk})
			if err != nil {
				t.Fatal(err)
			}
			out := p.Raw
			if !bytes.HasPrefix(out, []byte("#cloud-config\n")) {
				t.Errorf("output lacks the #cloud-config header:\n%s", out)
			}
			if got := bytes.HasPrefix(out, []byte(tt.in)); got != tt.keepPrefix {
				t.Errorf("input kept as prefix = %v, want %v:\n%s", got, tt.keepPrefix, out)
			}
			m := decodeMap(t, out)
			if !reflect.DeepEqual(m["bootcmd"], tt.wantBootcmd) {
				t.Errorf("bootcmd = %#v", m["bootcmd"])
			}
			delete(m, "bootcmd")
			if !reflect.DeepEqual(m, tt.wantOther) {
				t.Errorf("other keys = %#v, want %#v", m, tt.wantOther)
			}
		})
	}
}

// Re-encoding keeps the plain style of YAML 1.1 booleans and octal-looking
// numbers, so cloud-init (PyYAML, YAML 1.1) reads them as before.
func TestMergeTreeKeepsScalarText(t *testing.T) {
	in := "#cloud-config\nbootcmd: []\npackage_upgrade: yes\nmode: 0644\nname: 'quoted'\n"
	p, err := Build(Options{Path: writeTemp(t, "ud", []byte(in)), DataDisk: &DataDisk{MountPoint: "/data"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"package_upgrade: yes\n", "mode: 0644\n", "name: 'quoted'\n"} {
		if !bytes.Contains(p.Raw, []byte(line)) {
			t.Errorf("output lacks %q:\n%s", line, p.Raw)
		}
	}
}

func TestNewCloudConfigWithoutInput(t *testing.T) {
	disk := DataDisk{Device: "/dev/vdb", FS: "ext4", MountPoint: "/var/lib/docker"}
	p, err := Build(Options{DataDisk: &disk})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(p.Raw, []byte("#cloud-config\nbootcmd:\n")) {
		t.Errorf("output:\n%s", p.Raw)
	}
	m := decodeMap(t, p.Raw)
	if len(m) != 1 || !reflect.DeepEqual(m["bootcmd"], []any{wantEntry(disk)}) {
		t.Errorf("decoded = %#v", m)
	}
}

// RunInstances retries reuse a ClientToken; different bytes would be refused.
func TestBuildIsDeterministic(t *testing.T) {
	disk := &DataDisk{MountPoint: "/data"}
	inputs := [][]byte{
		rancherCloudConfig(t),
		[]byte("#cloud-config\nbootcmd: [a]\n"),
		[]byte("#!/bin/sh\necho hi\n"),
		[]byte(mimeDoc),
		[]byte("#!/bin/sh\n" + strings.Repeat("echo compressible\n", 4000)),
	}
	for _, in := range inputs {
		path := writeTemp(t, "ud", in)
		a, err := Build(Options{Path: path, DataDisk: disk})
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			b, err := Build(Options{Path: path, DataDisk: disk})
			if err != nil {
				t.Fatal(err)
			}
			if a.Base64 != b.Base64 {
				t.Fatalf("two builds of %.20q differ", in)
			}
		}
	}
}
