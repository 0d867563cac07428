// Command archive writes the release archives byte for byte reproducibly,
// which the system tar, gzip and zip cannot promise on every machine (zip
// may be missing, BSD tar has no --sort, gzip stores a time and a name):
//
//	archive tgz  -o OUT.tar.gz -mtime SECONDS NAME=PATH ...
//	archive zip  -o OUT.zip    -mtime SECONDS NAME=PATH ...
//	archive sums FILE ...      # "<sha256>  <basename>" lines, sorted by name
//
// Entries are written in name order at the archive root with the given
// modification time, owner 0:0, mode 0755 for executables and 0644 for the
// rest, and no other metadata; the gzip stream has no name and no time.
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Entry is one file of an archive.
type Entry struct {
	Name string // path inside the archive
	Data []byte
	Mode os.FileMode // permission bits
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch cmd := os.Args[1]; cmd {
	case "tgz", "zip":
		err = runArchive(cmd, os.Args[2:])
	case "sums":
		err = runSums(os.Stdout, os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "archive:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: archive tgz|zip -o OUT -mtime SECONDS NAME=PATH ... | archive sums FILE ...")
	os.Exit(2)
}

func runArchive(kind string, args []string) error {
	fs := flag.NewFlagSet(kind, flag.ContinueOnError)
	out := fs.String("o", "", "output file")
	mtime := fs.Int64("mtime", 0, "modification time of every entry, in seconds since the epoch")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() == 0 {
		return errors.New("need -o and at least one NAME=PATH")
	}
	var entries []Entry
	for _, spec := range fs.Args() {
		name, path, ok := strings.Cut(spec, "=")
		if !ok || name == "" || path == "" {
			return fmt.Errorf("%q is not NAME=PATH", spec)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		st, err := os.Stat(path)
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if st.Mode()&0o111 != 0 {
			mode = 0o755
		}
		entries = append(entries, Entry{Name: name, Data: data, Mode: mode})
	}
	when := time.Unix(*mtime, 0).UTC()
	var buf bytes.Buffer
	var err error
	if kind == "tgz" {
		err = WriteTarGz(&buf, entries, when)
	} else {
		err = WriteZip(&buf, entries, when)
	}
	if err != nil {
		return err
	}
	return os.WriteFile(*out, buf.Bytes(), 0o644)
}

func sorted(entries []Entry) []Entry {
	s := slices.Clone(entries)
	slices.SortFunc(s, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	return s
}

// WriteTarGz writes entries as a gzip-compressed ustar archive.
func WriteTarGz(w io.Writer, entries []Entry, mtime time.Time) error {
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	// gzip.Writer leaves Header.Name empty and ModTime zero (stored as 0),
	// which is what `gzip -n` does.
	tw := tar.NewWriter(gz)
	for _, e := range sorted(entries) {
		hdr := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     e.Name,
			Size:     int64(len(e.Data)),
			Mode:     int64(e.Mode.Perm()),
			ModTime:  mtime,
			Format:   tar.FormatUSTAR,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(e.Data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// WriteZip writes entries as a deflated zip archive.
func WriteZip(w io.Writer, entries []Entry, mtime time.Time) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestCompression)
	})
	for _, e := range sorted(entries) {
		hdr := &zip.FileHeader{Name: e.Name, Method: zip.Deflate, Modified: mtime}
		hdr.SetMode(e.Mode.Perm())
		f, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		if _, err := f.Write(e.Data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// runSums prints "<sha256>  <basename>" for every file, sorted by name: the
// format of sha256sum, so `sha256sum -c SHA256SUMS` checks it.
func runSums(w io.Writer, files []string) error {
	files = slices.Clone(files)
	slices.SortFunc(files, func(a, b string) int { return strings.Compare(filepath.Base(a), filepath.Base(b)) })
	for _, f := range files {
		sum, err := FileSHA256(f)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s  %s\n", sum, filepath.Base(f))
	}
	return nil
}

// FileSHA256 returns the hex SHA-256 of a file.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
