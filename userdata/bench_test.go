package userdata

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// benchInstallScript is a 30 KB shell script of varied lines, so that it
// compresses like a real installer rather than like repeated filler.
func benchInstallScript() []byte {
	words := []string{"curl", "-sfL", "install", "rancher-system-agent", "CATTLE_SERVER", "systemctl", "enable",
		"--now", "if", "then", "fi", "echo", "[INFO]", "grep", "-q", "awk", "sed", "/etc/rancher", "chmod", "0600",
		"mkdir", "-p", "export", "PATH", "$(uname -m)", "arch", "amd64", "arm64", "download", "sha256sum", "verify"}
	r := rand.New(rand.NewPCG(7, 11))
	var b bytes.Buffer
	b.WriteString("#!/usr/bin/env sh\nCATTLE_SERVER=https://rancher.example\nCATTLE_TOKEN=\"bench-token\"\n")
	for b.Len() < 30*1024 {
		n := 3 + r.IntN(8)
		for i := range n {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[r.IntN(len(words))])
		}
		fmt.Fprintf(&b, " # %d\n", r.IntN(100000))
	}
	return b.Bytes()
}

// benchRancherFile writes the cloud-config rancher-machine hands the driver
// in Rancher mode around the 30 KB install script, and returns its path.
func benchRancherFile(b *testing.B) string {
	b.Helper()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(benchInstallScript())
	_ = zw.Close()
	doc := "#cloud-config\nhostname: pool1-abcde-x7k2p\nruncmd:\n- sh /usr/local/custom_script/install.sh\nwrite_files:\n" +
		"- content: " + base64.StdEncoding.EncodeToString(gz.Bytes()) + "\n  encoding: gzip+b64\n" +
		"  path: /usr/local/custom_script/install.sh\n  permissions: \"0644\"\n"
	path := filepath.Join(b.TempDir(), "modified-user-data")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}

func benchBuild(b *testing.B, opts Options) {
	b.ReportAllocs()
	var out int
	for b.Loop() {
		p, err := Build(opts)
		if err != nil {
			b.Fatal(err)
		}
		out = len(p.Base64)
	}
	b.ReportMetric(float64(out), "payload-bytes")
}

// BenchmarkBuildRancher is the user data of a Rancher node without a data
// disk: read the file, detect its format, check the size, Base64.
func BenchmarkBuildRancher(b *testing.B) {
	benchBuild(b, Options{Path: benchRancherFile(b)})
}

// BenchmarkBuildRancherDataDisk adds the data disk set-up, which merges a
// bootcmd entry into the cloud-config (YAML parse and re-encode).
func BenchmarkBuildRancherDataDisk(b *testing.B) {
	benchBuild(b, Options{Path: benchRancherFile(b), DataDisk: &DataDisk{FS: "ext4", MountPoint: "/var/lib/rancher"}})
}
