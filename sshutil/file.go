package sshutil

import (
	"fmt"
	"os"
	"path/filepath"
)

// writeFileAtomic writes data to path with exactly the given mode: it writes a
// temporary file in the same directory, syncs it and renames it over path.
// Readers therefore see either the old file or the complete new one, and the
// mode never depends on the umask or on the mode of a file being replaced.
func writeFileAtomic(path string, data []byte, mode os.FileMode) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, keyDirMode); err != nil {
		return fmt.Errorf("sshutil: create key directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("sshutil: write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	// CreateTemp creates the file 0600, so the private key is never readable
	// by others, not even for a moment; Chmod then sets the final mode.
	if err := tmp.Chmod(mode); err != nil {
		return fmt.Errorf("sshutil: write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("sshutil: write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("sshutil: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("sshutil: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("sshutil: write %s: %w", path, err)
	}
	return nil
}
