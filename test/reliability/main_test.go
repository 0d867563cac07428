package reliability

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
)

// binDir holds the built rancher-machine and plugin (E2E_BIN_DIR; by default
// the repository's bin/). E2E_REQUIRE=1 turns missing binaries into a
// failure instead of a skip.
var binDir string

// full is set by RELIABILITY_FULL=1: run every case of every suite instead
// of the short subset.
var full bool

func TestMain(m *testing.M) {
	flag.Parse()
	full = os.Getenv("RELIABILITY_FULL") == "1"
	if testing.Short() && !full {
		fmt.Fprintln(os.Stderr, "reliability: skipping the end-to-end suites in -short mode")
		os.Exit(0)
	}
	binDir = os.Getenv("E2E_BIN_DIR")
	if binDir == "" {
		binDir, _ = filepath.Abs("../../bin")
	} else if !filepath.IsAbs(binDir) {
		// A relative E2E_BIN_DIR means the module root's directory (go
		// test runs in the package directory).
		if _, err := os.Stat(binDir); err != nil {
			binDir = filepath.Join("../..", binDir)
		}
		binDir, _ = filepath.Abs(binDir)
	}
	if _, _, err := harness.FindBinaries(binDir); err != nil {
		if os.Getenv("E2E_REQUIRE") == "1" {
			fmt.Fprintln(os.Stderr, "reliability:", err)
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "reliability: SKIPPING the reliability suites:", err)
		os.Exit(0)
	}
	os.Exit(m.Run())
}
