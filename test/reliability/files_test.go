package reliability

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// checkModes checks that private keys under a storage path are 0600 and
// notes the modes of the other machine files (rancher-machine writes
// config.json itself).
func checkModes(t *testing.T, storePath string, tl *tally) {
	t.Helper()
	machines := filepath.Join(storePath, "machines")
	_ = filepath.WalkDir(machines, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		mode := info.Mode().Perm()
		base := filepath.Base(path)
		switch {
		case base == "id_rsa" || filepath.Ext(base) == ".pem" && bytes.Contains([]byte(base), []byte("key")):
			if mode != 0o600 {
				t.Errorf("%s is mode %o, want 600", base, mode)
			}
		default:
			tl.note("machine file %s is mode %o", base, mode)
		}
		return nil
	})
}

// checkFiles fails for every file under root that holds marker, plain or
// Base64-encoded.
func checkFiles(t *testing.T, root, marker, what string, tl *tally) {
	t.Helper()
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err == nil && containsForm(string(b), marker) {
			tl.add("exposed")
			rel, _ := filepath.Rel(root, path)
			t.Errorf("%s is persisted in %s", what, rel)
		}
		return nil
	})
}

// countFilesWith counts the files directly in dir that hold marker, plain
// or Base64-encoded.
func countFilesWith(dir, marker string) int {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		if b, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil && containsForm(string(b), marker) {
			n++
		}
	}
	return n
}
