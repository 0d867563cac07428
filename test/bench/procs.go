package bench

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// procStatusKB reads a field such as VmHWM or VmRSS (in kB) from
// /proc/PID/status; 0 if the process or the field is gone.
func procStatusKB(pid int, field string) int64 {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

// procTable is a snapshot of /proc: parent and executable base name of every
// live process. Only processes whose command name (cut to 15 bytes by the
// kernel) starts one of the wanted names get their full name read.
type procTable map[int]struct {
	ppid int
	base string
}

func readProcs(want map[string]bool) procTable {
	out := procTable{}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return out
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(stat, ')')
		j := bytes.IndexByte(stat, '(')
		if i < 0 || j < 0 || j > i {
			continue
		}
		fields := strings.Fields(string(stat[i+1:]))
		if len(fields) < 2 || fields[0] == "Z" {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		comm, base := string(stat[j+1:i]), ""
		for w := range want {
			if comm != "" && strings.HasPrefix(w, comm) {
				if cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline")); err == nil {
					argv0, _, _ := strings.Cut(string(cmd), "\x00")
					base = filepath.Base(argv0)
				}
				break
			}
		}
		out[pid] = struct {
			ppid int
			base string
		}{ppid, base}
	}
	return out
}

// memSampler follows processes while they run and keeps the peak resident
// set (VmHWM) of each, and the peak of the sum of the current resident sets
// (VmRSS) of all of them.
type memSampler struct {
	mu       sync.Mutex
	hwm      map[int]int64 // pid → VmHWM kB
	base     map[int]string
	peakSum  int64
	interval time.Duration
}

func newMemSampler(interval time.Duration) *memSampler {
	return &memSampler{hwm: map[int]int64{}, base: map[int]string{}, interval: interval}
}

// run samples, until ctx ends, the processes whose base name is in bases
// and that are root or descend from it. Known processes are read every
// interval; /proc is searched for new ones every interval during the first
// ten, then every fifth.
func (m *memSampler) run(ctx context.Context, root int, bases ...string) {
	want := map[string]bool{}
	for _, b := range bases {
		want[b] = true
	}
	t := time.NewTicker(m.interval)
	defer t.Stop()
	for tick := 0; ; tick++ {
		if tick < 10 || tick%5 == 0 {
			procs := readProcs(want)
			m.mu.Lock()
			for pid, p := range procs {
				if want[p.base] && (pid == root || descends(procs, pid, root)) {
					m.base[pid] = p.base
				}
			}
			m.mu.Unlock()
		}
		m.mu.Lock()
		var sum int64
		for pid := range m.base {
			if hwm := procStatusKB(pid, "VmHWM"); hwm > 0 {
				m.hwm[pid] = max(m.hwm[pid], hwm)
				sum += procStatusKB(pid, "VmRSS")
			}
		}
		m.peakSum = max(m.peakSum, sum)
		m.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func descends(procs procTable, pid, ancestor int) bool {
	for i := 0; i < 64 && pid > 1; i++ {
		p, ok := procs[pid]
		if !ok {
			return false
		}
		if p.ppid == ancestor {
			return true
		}
		pid = p.ppid
	}
	return false
}

// PeakKB returns the largest VmHWM seen among processes named base.
func (m *memSampler) PeakKB(base string) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	var peak int64
	for pid, h := range m.hwm {
		if m.base[pid] == base {
			peak = max(peak, h)
		}
	}
	return peak
}

// PeakSumKB is the peak total resident memory of the sampled processes.
func (m *memSampler) PeakSumKB() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.peakSum
}
