package userdata

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// marker stands in for secrets such as CATTLE_TOKEN; no error may show it.
const marker = "SECRET-MARKER-5b1e"

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gunzipT(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := out.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func checkPayload(t *testing.T, p Payload) {
	t.Helper()
	dec, err := base64.StdEncoding.DecodeString(p.Base64)
	if err != nil || !bytes.Equal(dec, p.Raw) {
		t.Errorf("Base64 does not decode to Raw")
	}
}

const mimeDoc = "Content-Type: multipart/mixed; boundary=\"XX\"\n" +
	"MIME-Version: 1.0\n\n" +
	"--XX\nContent-Type: text/x-shellscript\n\n#!/bin/sh\necho " + marker + "\n" +
	"--XX\nContent-Type: text/cloud-config\n\n#cloud-config\nbootcmd:\n- echo user\n" +
	"--XX--\n"

// Without additions every accepted format reaches ECS byte for byte.
func TestBuildPassesFormatsThrough(t *testing.T) {
	tests := map[string][]byte{
		"cloud-config":        []byte("#cloud-config\nhostname: h1\nruncmd:\n- echo " + marker + "\n"),
		"cloud-config crlf":   []byte("#cloud-config\r\nhostname: h1\r\n"),
		"cloud-config header": []byte("#cloud-config\n"),
		"script":              []byte("#!/bin/bash\necho " + marker + "\n"),
		"mime":                []byte(mimeDoc),
		"mime-version first":  []byte("MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"XX\"\n\n--XX\nContent-Type: text/plain\n\nhello\n--XX--\n"),
		"gzip":                gz(t, []byte("#cloud-config\nhostname: h1\n")),
		"gzip of garbage":     gz(t, []byte("whatever")),
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			p, err := Build(Options{Path: writeTemp(t, "ud", data)})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(p.Raw, data) {
				t.Errorf("Raw = %q, want the input", p.Raw)
			}
			checkPayload(t, p)
		})
	}
}

func TestBuildEmpty(t *testing.T) {
	for name, path := range map[string]string{
		"no path":    "",
		"empty file": writeTemp(t, "empty", nil),
	} {
		p, err := Build(Options{Path: path})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if p.Raw != nil || p.Base64 != "" {
			t.Errorf("%s: payload = %+v, want none", name, p)
		}
	}
}

func TestBuildInline(t *testing.T) {
	for _, v := range []string{
		"#cloud-config\nhostname: inline\n",
		"#cloud-config",
		"#!/bin/sh\necho hi",
	} {
		p, err := Build(Options{Path: v})
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		if string(p.Raw) != v {
			t.Errorf("Raw = %q, want %q", p.Raw, v)
		}
	}
}

// A file wins over inline interpretation when one of that name exists.
func TestBuildFileNamedLikeInline(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("#!x", []byte("#!/bin/sh\necho file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := Build(Options{Path: "#!x"})
	if err != nil {
		t.Fatal(err)
	}
	if string(p.Raw) != "#!/bin/sh\necho file\n" {
		t.Errorf("Raw = %q, want the file content", p.Raw)
	}
}

func TestBuildErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "x")
	tests := []struct {
		name, path string
		want       string // exact error, or a substring when wantSub
		wantSub    bool
	}{
		{"missing file", missing, "--aliyunecs-userdata: open " + missing + ": no such file or directory", false},
		{"directory", t.TempDir(), "is a directory", true},
		{"inline without header", "hostname: h\nruncmd: [" + marker + "]", "--aliyunecs-userdata: the value is not a readable file, and inline content must start with #cloud-config or #!", false},
	}
	for _, body := range []struct{ name, data string }{
		{"plain text", "hello " + marker},
		{"cloud-config-archive", "#cloud-config-archive\n- " + marker},
		{"cloud-boothook", "#cloud-boothook\necho " + marker},
		{"bom", "\ufeff#cloud-config\nx: " + marker},
	} {
		p := writeTemp(t, "ud", []byte(body.data))
		tests = append(tests, struct {
			name, path string
			want       string
			wantSub    bool
		}{body.name, p, "--aliyunecs-userdata: " + p + " is neither #cloud-config, a #! script, MIME multipart nor gzip", false})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build(Options{Path: tt.path})
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); (tt.wantSub && !strings.Contains(got, tt.want)) || (!tt.wantSub && got != tt.want) {
				t.Errorf("error = %q, want %q", got, tt.want)
			}
			if strings.Contains(err.Error(), marker) {
				t.Errorf("error leaks content: %q", err)
			}
		})
	}
}

// Every content-related error, with and without a data disk, names the flag
// and never quotes the content.
func TestErrorsNeverContainContent(t *testing.T) {
	inputs := map[string]string{
		"bad yaml":            "#cloud-config\nwrite_files:\n  - content: " + marker + "\n   bad: [\n",
		"tab indent":          "#cloud-config\nruncmd:\n\t- " + marker + "\n",
		"not a mapping":       "#cloud-config\n- " + marker + "\n",
		"two documents":       "#cloud-config\na: 1\n---\nb: " + marker + "\n",
		"bootcmd not list":    "#cloud-config\nbootcmd: " + marker + "\n",
		"mime no version":     "Content-Type: multipart/mixed; boundary=XX\n\n--XX\n\n" + marker + "\n--XX--\n",
		"mime not mixed":      "Content-Type: text/plain\nMIME-Version: 1.0\n\n" + marker + "\n",
		"mime bad header":     "Content-Type: multipart/mixed; boundary=XX\nMIME-Version: 1.0\n" + marker + "\n\n--XX--\n",
		"mime truncated":      "Content-Type: multipart/mixed; boundary=XX\nMIME-Version: 1.0\n\n--XX\nContent-Type: text/plain\n\n" + marker + "\n",
		"mime no parts":       "Content-Type: multipart/mixed; boundary=XX\nMIME-Version: 1.0\n\n" + marker + "\n--XX--\n",
		"neither":             marker,
		"gzip of plain text":  string(gz(t, []byte(marker))),
		"gzip of bad yaml":    string(gz(t, []byte("#cloud-config\n"+marker+": [\n"))),
		"corrupt gzip":        "\x1f\x8b" + marker,
		"gzip of gzip":        string(gz(t, gz(t, []byte("#cloud-config\n")))),
		"inline bad yaml":     "#cloud-config\n" + marker + ": [\n",
		"inline bad mapping":  "#cloud-config\n- " + marker,
		"multiline not found": marker + "\n#cloud-config",
	}
	disk := &DataDisk{MountPoint: "/data"}
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			path := writeTemp(t, "ud", []byte(data))
			if strings.HasPrefix(name, "inline") || strings.HasPrefix(name, "multiline") {
				path = data
			}
			_, err := Build(Options{Path: path, DataDisk: disk})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if strings.Contains(msg, marker) {
				t.Errorf("error leaks content: %q", msg)
			}
			if !strings.HasPrefix(msg, "--aliyunecs-userdata: ") {
				t.Errorf("error %q does not name the flag", msg)
			}
		})
	}
}

func TestMalformedYAMLNamesLine(t *testing.T) {
	path := writeTemp(t, "ud", []byte("#cloud-config\nhostname: h\nruncmd:\n  - a\n - b: [\n"))
	_, err := Build(Options{Path: path})
	if err == nil {
		t.Fatal("no error")
	}
	want := "--aliyunecs-userdata: " + path + ": #cloud-config is not valid YAML: line "
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %q, want prefix %q", err, want)
	}
}
