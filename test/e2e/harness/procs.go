package harness

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ChildProcesses returns the PIDs of the live direct children of parent
// whose executable is named base (e.g. DriverBinary), read from /proc. It
// finds the plugin process rancher-machine started, to kill it the way a
// node failure kills a job pod. Without /proc it returns nothing.
func ChildProcesses(parent int, base string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The command name in parentheses may hold spaces; the fields after
		// the last ')' are state, ppid, ...
		i := strings.LastIndexByte(string(stat), ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(string(stat[i+1:]))
		if len(fields) < 2 || fields[0] == "Z" {
			continue
		}
		if ppid, _ := strconv.Atoi(fields[1]); ppid != parent {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		argv0, _, _ := strings.Cut(string(cmdline), "\x00")
		if filepath.Base(argv0) == base {
			out = append(out, pid)
		}
	}
	return out
}
