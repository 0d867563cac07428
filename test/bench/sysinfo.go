package bench

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// MachineInfo describes the computer the benchmark ran on.
type MachineInfo struct {
	CPU      string
	Cores    int
	MemoryKB int64
	OS       string
	Kernel   string
	Go       string
	// LoadAvg is /proc/loadavg's 1, 5 and 15 minute load when the run
	// started: other work on the machine makes the figures noisier.
	LoadAvg string
}

// LoadAvg returns the 1, 5 and 15 minute load averages, or "".
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// DescribeMachine reads the CPU model and memory from /proc, the OS from
// /etc/os-release and the Go version from `go version`.
func DescribeMachine(ctx context.Context) MachineInfo {
	m := MachineInfo{Cores: runtime.NumCPU(), CPU: "unknown", OS: runtime.GOOS, Go: runtime.Version(), LoadAvg: LoadAvg()}
	if v := fileField("/proc/cpuinfo", "model name", ":"); v != "" {
		m.CPU = v
	}
	if v := fileField("/proc/meminfo", "MemTotal", ":"); v != "" {
		m.MemoryKB, _ = strconv.ParseInt(strings.Fields(v)[0], 10, 64)
	}
	if v := fileField("/etc/os-release", "PRETTY_NAME", "="); v != "" {
		m.OS = strings.Trim(v, `"`)
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if b, err := exec.CommandContext(ctx, "go", "version").Output(); err == nil {
		m.Go = strings.TrimPrefix(strings.TrimSpace(string(b)), "go version ")
	}
	return m
}

// fileField returns the value of the first line of path whose key (before
// sep, trimmed) is key.
func fileField(path, key, sep string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), sep)
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
