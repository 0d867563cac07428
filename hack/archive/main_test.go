package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var testEntries = []Entry{
	{Name: "docker-machine-driver-aliyunecs", Data: []byte("\x7fELF pretend binary"), Mode: 0o755},
	{Name: "LICENSE", Data: []byte("text"), Mode: 0o644},
}

var testTime = time.Unix(1700000000, 0).UTC()

func TestTarGzIsReproducibleAndPlain(t *testing.T) {
	var a, b bytes.Buffer
	if err := WriteTarGz(&a, testEntries, testTime); err != nil {
		t.Fatal(err)
	}
	// Reversed input order must not matter.
	if err := WriteTarGz(&b, []Entry{testEntries[1], testEntries[0]}, testTime); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two tar.gz of the same entries differ")
	}
	gz, err := gzip.NewReader(bytes.NewReader(a.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if gz.Name != "" || !gz.ModTime.IsZero() {
		t.Errorf("gzip header keeps name %q / time %v", gz.Name, gz.ModTime)
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, hdr.Name)
		if hdr.Uid != 0 || hdr.Gid != 0 || hdr.Uname != "" || hdr.Gname != "" {
			t.Errorf("%s: owner %d:%d %q:%q", hdr.Name, hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname)
		}
		if !hdr.ModTime.Equal(testTime) {
			t.Errorf("%s: mtime %v", hdr.Name, hdr.ModTime)
		}
		if hdr.Name == "docker-machine-driver-aliyunecs" && hdr.Mode != 0o755 {
			t.Errorf("binary mode %o", hdr.Mode)
		}
	}
	if strings.Join(names, ",") != "LICENSE,docker-machine-driver-aliyunecs" {
		t.Errorf("entries %v, want sorted names at the root", names)
	}
}

func TestZipIsReproducibleAndPlain(t *testing.T) {
	var a, b bytes.Buffer
	if err := WriteZip(&a, testEntries, testTime); err != nil {
		t.Fatal(err)
	}
	if err := WriteZip(&b, testEntries, testTime); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two zips of the same entries differ")
	}
	zr, err := zip.NewReader(bytes.NewReader(a.Bytes()), int64(a.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if !f.Modified.Equal(testTime) {
			t.Errorf("%s: modified %v", f.Name, f.Modified)
		}
		if f.Name == "docker-machine-driver-aliyunecs" && f.Mode().Perm() != 0o755 {
			t.Errorf("binary mode %v", f.Mode())
		}
	}
}

func TestSumsFormat(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b.tar.gz", "a.zip"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := runSums(&out, []string{filepath.Join(dir, "b.tar.gz"), filepath.Join(dir, "a.zip")}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "  a.zip") || len(strings.Fields(lines[0])[0]) != 64 {
		t.Fatalf("sums:\n%s", out.String())
	}
}
