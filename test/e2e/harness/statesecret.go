package harness

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// StateSecretLimit is the most a Kubernetes secret holds; the machines
// directory must stay well below it.
const StateSecretLimit = 1 << 20

// stateSkipped are the suffixes rancher-machine's secret store leaves out.
var stateSkipped = []string{".iso", ".tar.gz", ".vmdk", ".img"}

// TarMachines packs <store>/machines the way rancher-machine's secret store
// does before it writes the machine-state secret (key extractedConfig): a
// gzip tar whose headers carry absolute paths, the machines directory itself
// and *.iso, *.tar.gz, *.vmdk, *.img files left out.
func TarMachines(machinesDir string) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	err := filepath.Walk(machinesDir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if path == machinesDir {
			return nil
		}
		for _, s := range stateSkipped {
			if strings.HasSuffix(info.Name(), s) {
				return nil
			}
		}
		hdr, err := tar.FileInfoHeader(info, info.Name())
		if err != nil {
			return err
		}
		hdr.Name = path
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if info.IsDir() {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(tw, f)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// RestoreMachines unpacks a TarMachines archive to the absolute paths in its
// headers, as the secret store does when a delete job starts. Every path
// must lie under within, so a broken archive cannot write elsewhere.
func RestoreMachines(archive []byte, within string) error {
	gz, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		path := filepath.Clean(hdr.Name)
		if !filepath.IsAbs(path) || !strings.HasPrefix(path, filepath.Clean(within)+string(filepath.Separator)) {
			return fmt.Errorf("state archive entry %q is not under %s", hdr.Name, within)
		}
		info := hdr.FileInfo()
		if info.IsDir() {
			if err := os.MkdirAll(path, info.Mode().Perm()); err != nil {
				return err
			}
			continue
		}
		f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, info.Mode().Perm())
		if err != nil {
			return err
		}
		_, err = io.Copy(f, tr)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
}

// ArchiveNames lists the entry names of a TarMachines archive.
func ArchiveNames(archive []byte) ([]string, error) {
	gz, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names, nil
		}
		if err != nil {
			return nil, err
		}
		names = append(names, hdr.Name)
	}
}
