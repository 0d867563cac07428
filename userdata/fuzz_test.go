package userdata

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// FuzzBuild feeds Build any bytes as the --aliyunecs-userdata file, with and
// without the data disk set-up, plain or gzip-compressed, with the default
// or a small size limit. Any input either fails with an error naming the
// flag (and quoting none of its long lines), or yields a payload that fits
// the limit, is deterministic and parses back: without additions it is the
// input itself; with them a cloud-config keeps every key of the input (its
// write_files, runcmd, ...) and gains the driver's bootcmd entry, a script
// reaches the instance unchanged as a MIME part, and the parts of a MIME
// input stay as they were.
//
// CI: go test -run='^$' -fuzz=FuzzBuild -fuzztime=5s ./userdata
func FuzzBuild(f *testing.F) {
	seeds := []string{
		"",
		"#cloud-config\n",
		"#cloud-config\nhostname: node\nwrite_files:\n- path: /usr/local/custom_script/install.sh\n  content: H4sI\n  encoding: gzip+b64\n  permissions: \"0644\"\nruncmd:\n- sh /usr/local/custom_script/install.sh\n",
		"#cloud-config\nbootcmd:\n- echo first\n",
		"#cloud-config\n{a: 1, b: [1, 2]}\n",
		"#cloud-config\nbootcmd: not-a-list\n",
		"#cloud-config\n- a\n",
		"#cloud-config\na: 1\n---\nb: 2\n",
		"#cloud-config\nx: .nan\n",
		"#cloud-config\na: &x {b: 1}\nc: *x\n",
		"#!/bin/sh\necho hello\n",
		"#!/bin/sh\r\necho \x00 binary\r",
		"Content-Type: multipart/mixed; boundary=\"B\"\r\nMIME-Version: 1.0\r\n\r\n--B\r\nContent-Type: text/x-shellscript\r\n\r\n#!/bin/sh\r\necho hi\r\n--B--\r\n",
		"Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B--\r\n",
		"hello world\n",
		"#cloud-config-archive\n- type: text/x-shellscript\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s), false, false, uint16(0))
		f.Add([]byte(s), true, false, uint16(0))
	}
	f.Add([]byte("#cloud-config\nruncmd:\n- "+strings.Repeat("echo pad; ", 40)+"\n"), true, false, uint16(300))
	f.Add([]byte("#!/bin/sh\necho zipped\n"), true, true, uint16(0))
	f.Fuzz(func(t *testing.T, content []byte, withDisk, zipped bool, limit uint16) {
		input := content
		if zipped {
			z, err := gzipBytes(content)
			if err != nil {
				t.Fatal(err)
			}
			input = z
		}
		path := filepath.Join(t.TempDir(), "user-data")
		if err := os.WriteFile(path, input, 0o600); err != nil {
			t.Fatal(err)
		}
		opts := Options{Path: path}
		if withDisk {
			opts.DataDisk = &DataDisk{FS: "xfs", MountPoint: "/var/lib/rancher"}
		}
		if limit >= 64 {
			opts.MaxRawBytes = int(limit)
		}
		got, err := Build(opts)
		if err != nil {
			checkBuildError(t, err, content)
			return
		}
		again, err := Build(opts)
		if err != nil || !bytes.Equal(again.Raw, got.Raw) {
			t.Fatalf("Build is not deterministic (%v)", err)
		}
		max := opts.MaxRawBytes
		if max == 0 {
			max = DefaultMaxRawBytes
		}
		if len(got.Raw) > max {
			t.Fatalf("payload of %d bytes is over the limit %d", len(got.Raw), max)
		}
		if got.Base64 != base64.StdEncoding.EncodeToString(got.Raw) {
			t.Fatal("Base64 is not the encoding of Raw")
		}
		out, in := fuzzPlain(t, got.Raw), fuzzPlain(t, input)
		if !withDisk {
			if !bytes.Equal(out, in) {
				t.Fatalf("without additions the payload differs from the input:\n%q\n%q", out, in)
			}
			return
		}
		switch {
		case len(in) == 0 || isCloudConfig(in):
			checkMergedCloudConfig(t, in, out, bootcmdEntry(*opts.DataDisk))
		case bytes.HasPrefix(in, []byte("#!")):
			parts := fuzzParts(t, out)
			if len(parts) != 2 || !bytes.Equal(parts[1].decoded, in) {
				t.Fatalf("the script does not reach the instance unchanged: %d parts", len(parts))
			}
		default: // MIME multipart
			inParts, outParts := fuzzParts(t, in), fuzzParts(t, out)
			if len(outParts) != len(inParts)+1 {
				t.Fatalf("MIME input with %d parts became %d parts", len(inParts), len(outParts))
			}
			for i := range inParts {
				if !bytes.Equal(inParts[i].raw, outParts[i].raw) {
					t.Fatalf("MIME part %d changed", i+1)
				}
			}
		}
	})
}

// checkBuildError requires an error that names the flag (or the package)
// and does not echo long lines of the user's content.
func checkBuildError(t *testing.T, err error, content []byte) {
	t.Helper()
	msg := err.Error()
	if !strings.Contains(msg, flag) && !strings.HasPrefix(msg, "userdata:") {
		t.Fatalf("the error names neither %s nor the package: %v", flag, err)
	}
	for _, line := range strings.Split(string(content), "\n") {
		line = strings.TrimSpace(line)
		if len(line) >= 32 && strings.Contains(msg, line) {
			t.Fatalf("the error quotes the user data: %v", err)
		}
	}
}

// fuzzPlain returns b gunzipped when it is gzip data.
func fuzzPlain(t *testing.T, b []byte) []byte {
	t.Helper()
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		return b
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("gzip payload does not open: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gzip payload does not decompress: %v", err)
	}
	return out
}

// checkMergedCloudConfig checks that out is a cloud-config holding every
// key of in unchanged and the driver's entry first in bootcmd.
func checkMergedCloudConfig(t *testing.T, in, out []byte, entry []string) {
	t.Helper()
	// The user's first line stays (cloud-init takes "#cloud-config0" for
	// cloud-config too: it matches by prefix).
	if !isCloudConfig(out) {
		t.Fatalf("the merged payload is not #cloud-config: %.60q", out)
	}
	var before, after map[string]any
	if err := yaml.Unmarshal(out, &after); err != nil {
		t.Fatalf("the merged cloud-config is not valid YAML: %v", err)
	}
	if err := yaml.Unmarshal(in, &before); err != nil {
		return // e.g. duplicate keys: yaml.v3 is stricter than cloud-init
	}
	boot, _ := after["bootcmd"].([]any)
	if len(boot) == 0 || !reflect.DeepEqual(boot[0], toAny(entry)) {
		t.Fatalf("bootcmd does not start with the data disk entry: %.200v", after["bootcmd"])
	}
	if old, ok := before["bootcmd"].([]any); ok && !sameYAML(boot[1:], old) {
		t.Fatalf("the input's bootcmd entries changed")
	}
	delete(before, "bootcmd")
	delete(after, "bootcmd")
	if before == nil {
		before = map[string]any{}
	}
	if !sameYAML(before, after) {
		t.Fatalf("keys of the input changed:\nbefore %.300v\nafter  %.300v", before, after)
	}
}

// sameYAML compares decoded YAML values; NaN equals NaN.
func sameYAML(a, b any) bool {
	return reflect.DeepEqual(a, b) || fmt.Sprintf("%#v", a) == fmt.Sprintf("%#v", b)
}

// fuzzPart is one MIME part: its bytes on the wire and its decoded body.
type fuzzPart struct {
	raw, decoded []byte
}

// fuzzParts reads a multipart/mixed payload as cloud-init does.
func fuzzParts(t *testing.T, b []byte) []fuzzPart {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a MIME message: %v", err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("bad Content-Type: %v", err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var parts []fuzzPart
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			return parts
		}
		if err != nil {
			t.Fatalf("malformed multipart: %v", err)
		}
		raw, err := io.ReadAll(p)
		if err != nil {
			t.Fatalf("malformed multipart: %v", err)
		}
		decoded := raw
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
			clean := strings.NewReplacer("\r", "", "\n", "").Replace(string(raw))
			if decoded, err = base64.StdEncoding.DecodeString(clean); err != nil {
				t.Fatalf("base64 part does not decode: %v", err)
			}
		}
		parts = append(parts, fuzzPart{raw: raw, decoded: decoded})
	}
}
