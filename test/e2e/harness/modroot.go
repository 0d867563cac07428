package harness

import (
	"errors"
	"os"
	"path/filepath"
)

// ModuleRoot finds the directory holding go.mod, from the working directory
// up; the generators under hack/ write into it from wherever they run.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
