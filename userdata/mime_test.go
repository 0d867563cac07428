package userdata

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"reflect"
	"strings"
	"testing"
)

type gotPart struct {
	contentType string
	body        []byte // decoded
}

// readMultipart parses out as cloud-init would see it: a MIME message whose
// parts are decoded by their transfer encoding.
func readMultipart(t *testing.T, out []byte) []gotPart {
	t.Helper()
	if !bytes.HasPrefix(out, []byte("Content-Type: multipart/mixed")) {
		t.Fatalf("output does not start with a multipart Content-Type:\n%.200s", out)
	}
	if !bytes.Contains(bytes.ToLower(out[:min(len(out), 4096)]), []byte("mime-version:")) {
		t.Fatal("no MIME-Version in the first 4096 bytes; cloud-init would not read MIME")
	}
	msg, err := mail.ReadMessage(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var parts []gotPart
	for {
		p, err := mr.NextPart() // decodes quoted-printable only
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		if p.Header.Get("Content-Transfer-Encoding") == "base64" {
			body = decodeB64Lines(t, body)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts = append(parts, gotPart{ct, body})
	}
	return parts
}

func decodeB64Lines(t *testing.T, b []byte) []byte {
	t.Helper()
	var out []byte
	for _, line := range strings.Fields(string(b)) {
		dec := make([]byte, len(line))
		n, err := base64.StdEncoding.Decode(dec, []byte(line))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, dec[:n]...)
	}
	return out
}

func TestScriptWithDataDiskBecomesMultipart(t *testing.T) {
	disk := DataDisk{MountPoint: "/var/lib/rancher"}
	scripts := map[string]string{
		"ascii":          "#!/bin/bash\nset -e\necho \"" + marker + "\" > /tmp/x\n",
		"no newline":     "#!/bin/sh\necho hi",
		"crlf":           "#!/bin/sh\r\necho hi\r\n",
		"utf-8":          "#!/bin/sh\necho 'héllo 你好'\n",
		"boundary-ish":   "#!/bin/sh\ncat <<'EOF'\n--aliyunecs-\n--XX--\nEOF\n",
		"long line":      "#!/bin/sh\necho " + strings.Repeat("x", 2000) + "\n",
		"trailing blank": "#!/bin/sh\necho hi\n\n\n",
	}
	for name, script := range scripts {
		t.Run(name, func(t *testing.T) {
			p, err := Build(Options{Path: writeTemp(t, "ud.sh", []byte(script)), DataDisk: &disk})
			if err != nil {
				t.Fatal(err)
			}
			checkPayload(t, p)
			parts := readMultipart(t, p.Raw)
			if len(parts) != 2 {
				t.Fatalf("%d parts, want 2", len(parts))
			}
			if parts[0].contentType != "text/cloud-config" || parts[1].contentType != "text/x-shellscript" {
				t.Errorf("part types = %s, %s", parts[0].contentType, parts[1].contentType)
			}
			if !bytes.Equal(parts[1].body, []byte(script)) {
				t.Errorf("script changed:\n got %q\nwant %q", parts[1].body, script)
			}
			m := decodeMap(t, parts[0].body)
			if !bytes.HasPrefix(parts[0].body, []byte("#cloud-config\n")) || !reflect.DeepEqual(m["bootcmd"], []any{wantEntry(disk)}) {
				t.Errorf("cloud-config part:\n%s", parts[0].body)
			}
		})
	}
}

func TestMultipartWithDataDiskAppendsPart(t *testing.T) {
	disk := DataDisk{MountPoint: "/data"}
	p, err := Build(Options{Path: writeTemp(t, "ud", []byte(mimeDoc)), DataDisk: &disk})
	if err != nil {
		t.Fatal(err)
	}
	parts := readMultipart(t, p.Raw)
	if len(parts) != 3 {
		t.Fatalf("%d parts, want 3", len(parts))
	}
	if string(parts[0].body) != "#!/bin/sh\necho "+marker {
		t.Errorf("first part changed: %q", parts[0].body)
	}
	if string(parts[1].body) != "#cloud-config\nbootcmd:\n- echo user" {
		t.Errorf("second part changed: %q", parts[1].body)
	}
	m := decodeMap(t, parts[2].body)
	if parts[2].contentType != "text/cloud-config" || m["merge_how"] != mergeHow || !reflect.DeepEqual(m["bootcmd"], []any{wantEntry(disk)}) {
		t.Errorf("driver part = %s %#v", parts[2].contentType, m)
	}
}

func TestGzipWithDataDiskIsUnpackedAndMerged(t *testing.T) {
	orig := rancherCloudConfig(t)
	p, err := Build(Options{Path: writeTemp(t, "ud.gz", gz(t, orig)), DataDisk: &DataDisk{MountPoint: "/data"}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(p.Raw, orig) {
		t.Errorf("merged output does not start with the unpacked input:\n%.300s", p.Raw)
	}
	if _, ok := decodeMap(t, p.Raw)["bootcmd"]; !ok {
		t.Error("no bootcmd")
	}
}

func TestIs7bit(t *testing.T) {
	tests := map[string]bool{
		"":                              true,
		"a\nb\r\n":                      true,
		"a\rb":                          false,
		"a\x00":                         false,
		"é":                             false,
		strings.Repeat("x", 998):        true,
		strings.Repeat("x", 999):        false,
		strings.Repeat("x", 998) + "\n": true,
	}
	for in, want := range tests {
		if got := is7bit([]byte(in)); got != want {
			t.Errorf("is7bit(%.20q) = %v, want %v", in, got, want)
		}
	}
}
