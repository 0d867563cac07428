package bench

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
)

// PollsFor is how many DescribeInstances calls the driver's default wait
// schedule makes while waiting d for a state, each call taking latency.
func PollsFor(d, latency time.Duration) int { return pollsWithCap(d, latency, ecs.DefaultWaitMax) }

// pollsWithCap is PollsFor with another cap on the pause.
func pollsWithCap(d, latency, maxPause time.Duration) int {
	n, t, pause := 1, latency, ecs.DefaultWaitInitial
	for t < d {
		t += pause + latency
		n++
		pause = min(time.Duration(float64(pause)*ecs.DefaultWaitFactor), maxPause)
	}
	return n
}

func (r *Report) fleetSection(b *strings.Builder) {
	f, fs := r.Fleet, r.fleets()
	b.WriteString("## 3. Fleet\n\n")
	if f == nil {
		b.WriteString("Not measured in this run.\n\n")
		return
	}
	p := r.Params
	fmt.Fprintf(b, "%d machines created at once, each by its own `rancher-machine create` process (as %d Rancher jobs would), "+
		"in one simulated account with RunInstances limited to %g/s and every Describe* action to %g/s (`POST /_sim/throttle`; "+
		"token buckets that start full), timing %s; %d run(s), one after another.\n\n",
		f.N, f.N, p.RunRate, p.DescribeRate, p.FleetProfile, len(fs))
	sec := func(g func(FleetResult) time.Duration) string {
		return fleetStat(fs, func(x FleetResult) float64 { return g(x).Seconds() }).Format(1, "s")
	}
	ok, all, guests := 0, 0, 0
	var creates []time.Duration
	for _, x := range fs {
		ok, all, guests = ok+x.Succeeded, all+x.N, guests+x.GuestFailures
		creates = append(creates, x.Creates...)
	}
	fmt.Fprintf(b, "| figure | value |\n|---|---|\n")
	fmt.Fprintf(b, "| succeeded | %d/%d (%.0f%%) |\n", ok, all, 100*float64(ok)/float64(max(all, 1)))
	fmt.Fprintf(b, "| makespan (first start to last create's end) | %s |\n", sec(func(x FleetResult) time.Duration { return x.Makespan }))
	fmt.Fprintf(b, "| bound the rate limits impose | %s (%s, then the %.1f s floor) |\n",
		sec(func(x FleetResult) time.Duration { return x.Bound }), f.BoundBy, f.Floor.Seconds())
	fmt.Fprintf(b, "| makespan / bound | **%s** |\n", fleetStat(fs, FleetResult.Ratio).Format(2, ""))
	fmt.Fprintf(b, "| last instance launched after | %s |\n", sec(func(x FleetResult) time.Duration { return x.LastLaunch }))
	fmt.Fprintf(b, "| one create's wall time (every machine of every run) | %s |\n", SummarizeDurations(creates).Format(1, "s"))
	fmt.Fprintf(b, "| security groups at the end | %s |\n", fleetStat(fs, func(x FleetResult) float64 { return float64(x.SecurityGroups) }).Format(0, ""))
	if guests > 0 {
		fmt.Fprintf(b, "| simulated guests that could not start (the simulator's failure, not the driver's) | %d |\n", guests)
	}
	kb := func(g func(FleetResult) int64) string {
		return fleetStat(fs, func(x FleetResult) float64 { return float64(g(x)) / 1024 }).Format(0, "MiB")
	}
	fmt.Fprintf(b, "| peak memory, the largest rancher-machine + the largest plugin (VmHWM) | %s |\n", kb(func(x FleetResult) int64 { return x.PeakPairKB }))
	fmt.Fprintf(b, "| peak memory, all processes together (sum of VmRSS) | %s |\n", kb(func(x FleetResult) int64 { return x.PeakTotalKB }))
	cpu := fleetStat(fs, func(x FleetResult) float64 {
		return 100 * x.CPUSeconds / x.Makespan.Seconds() / float64(max(r.Machine.Cores, 1))
	})
	fmt.Fprintf(b, "| CPU time (processes and simulator) | %s, %s of %d cores over the makespan |\n\n",
		fleetStat(fs, func(x FleetResult) float64 { return x.CPUSeconds }).Format(1, "s"), cpu.Format(0, "%"), r.Machine.Cores)
	fmt.Fprintf(b, "Memory: a rancher-machine and its plugin peak at about %s together, so %d of them at once need about %s "+
		"(rancher-machine's share is in §4).\n\n", mib(f.PeakPairKB<<10), f.N, mib(f.PeakTotalKB<<10))
	b.WriteString("The bound: every machine makes its pre-launch calls one after another and boots for the floor after its " +
		"RunInstances, so the last launch cannot come before the busiest rate-limited pre-launch action has served all the " +
		"calls the fleet needed of it — n calls at r/s from a bucket holding r take (n − r)/r — and that machine then needs " +
		"the floor. n counts the calls the simulator answered (refused ones excluded), so dry runs and duplicate lookups " +
		"the driver makes are in the bound; §6 prices them.\n\n")
	fmt.Fprintf(b, "Calls of the median run (ratio %.2f):\n\n| action | answered | refused (Throttling) |\n|---|---|---|\n", f.Ratio())
	keys := maps.Clone(f.Answered)
	maps.Copy(keys, f.Throttled)
	for _, a := range slices.Sorted(maps.Keys(keys)) {
		fmt.Fprintf(b, "| %s | %d | %d |\n", a, f.Answered[a], f.Throttled[a])
	}
	b.WriteString("\n")
	var failures []string
	for i, x := range fs {
		for _, msg := range x.Failures {
			failures = append(failures, fmt.Sprintf("run %d, %s", i+1, msg))
		}
	}
	if len(failures) > 0 {
		b.WriteString("Failures:\n\n")
		for _, x := range failures[:min(len(failures), 10)] {
			fmt.Fprintf(b, "- `%s`\n", x)
		}
		b.WriteString("\n")
	}
}

func (r *Report) footprintSection(b *strings.Builder) {
	fp := r.Footprint
	b.WriteString("## 4. Footprint\n\n| figure | value |\n|---|---|\n")
	if fp.Stripped > 0 {
		fmt.Fprintf(b, "| stripped linux/amd64 binary (`CGO_ENABLED=0 go build -trimpath -ldflags '-s -w'`) | %s (%d bytes); target ≤ 16 MiB, test limit 20 MiB |\n", mib(fp.Stripped), fp.Stripped)
	}
	if fp.Tarball > 0 {
		fmt.Fprintf(b, "| release tarball, linux/amd64 | %s (%d bytes), %s |\n", mib(fp.Tarball), fp.Tarball, fp.TarballSource)
	}
	fmt.Fprintf(b, "| the measured plugin binary, `%s` | %s |\n", filepath.Base(r.Params.Driver.Bin), mib(fp.BinarySize))
	if len(fp.Startups) > 0 {
		var line, rpc []time.Duration
		for _, s := range fp.Startups {
			line, rpc = append(line, s.FirstLine), append(rpc, s.FirstRPC)
		}
		ms := func(ds []time.Duration) string {
			st := SummarizeDurations(ds)
			st.Median, st.Min, st.Max = st.Median*1000, st.Min*1000, st.Max*1000
			return st.Format(1, "ms")
		}
		fmt.Fprintf(b, "| plugin start to its first stdout line (the RPC address), %d runs after one warm-up | %s |\n", len(fp.Startups), ms(line))
		fmt.Fprintf(b, "| plugin start to the answer of its first RPC (`RPCServerDriver.GetVersion`) | %s |\n", ms(rpc))
	}
	if ok := okLives(r.CLI); len(ok) > 0 {
		kb := func(f func(Life) int64) string {
			st := statOf(ok, func(l Life) float64 { return float64(f(l)) / 1024 })
			return st.Format(1, "MiB")
		}
		fmt.Fprintf(b, "| peak RSS of the plugin during `create` (VmHWM) | %s |\n", kb(func(l Life) int64 { return l.PluginPeakKB }))
		fmt.Fprintf(b, "| peak RSS of rancher-machine during `create` (VmHWM) | %s |\n", kb(func(l Life) int64 { return l.CLIPeakKB }))
	}
	b.WriteString("\nStart-up: the plugin is started as rancher-machine starts it (`MACHINE_PLUGIN_TOKEN=42`); the benchmark " +
		"reads the address it prints, connects over net/rpc HTTP and calls `RPCServerDriver.GetVersion`. Peak RSS is read " +
		"from `/proc/PID/status` every 100 ms while `create` runs. `go test ./test/bench` builds the stripped binary and fails above 20 MiB.\n\n")
}

func (r *Report) goBenchSection(b *strings.Builder) {
	b.WriteString("## 5. Go benchmarks of the hot paths\n\n")
	if len(r.GoBench) == 0 {
		b.WriteString("Not run.\n\n")
		return
	}
	fmt.Fprintf(b, "`go test -run=^$ -bench=. -benchmem -count=%d -benchtime=%s` on the packages below.\n\n", r.Params.BenchCount, r.Params.BenchTime)
	b.WriteString("| package | benchmark | time/op | B/op | allocs/op | other |\n|---|---|---|---|---|---|\n")
	for _, g := range r.GoBench {
		var extra []string
		for _, u := range slices.Sorted(maps.Keys(g.Extra)) {
			extra = append(extra, g.Extra[u].Format(0, u))
		}
		fmt.Fprintf(b, "| %s | %s | %s | %.0f | %.0f | %s |\n", shortPkg(g.Pkg), g.Name, nsStat(g.NsPerOp),
			g.BytesPerOp.Median, g.AllocsPerOp.Median, strings.Join(extra, ", "))
	}
	b.WriteString("\nSign*: build the SDK request and sign it (HMAC-SHA1 over the sorted query), as `ecs.Client` does for every call; " +
		"RunInstances carries 12 KB of Base64 user data. Call*/DescribeInstancesPage100: the whole call over loopback HTTP. " +
		"Decode*: one DescribeInstances page of 100 instances into the driver's structs. BuildRancher*: the user data of a " +
		"Rancher node from rancher-machine's cloud-config around a 30 KB install script, without and with the data-disk set-up. " +
		"GenerateKeyPair: the 2048-bit RSA key made on every create. ProbeRun: one SSH readiness probe on loopback.\n\n")
	if slices.ContainsFunc(r.GoBench, func(g GoBench) bool { return strings.HasSuffix(g.Pkg, "test/ecssim") }) {
		b.WriteString("test/ecssim: the simulator answering DescribeInstances through the real SDK with 1,000 instances in the " +
			"region, from parallel clients (calls/s is its throughput; the page size and the tag filter vary). It bounds how " +
			"hard a benchmark can push the simulated account, not the driver.\n\n")
	} else {
		b.WriteString("The simulator's DescribeInstances-at-1,000-instances benchmark is not in `test/ecssim`; when it is, `make bench` runs and reports it here.\n\n")
	}
}

func shortPkg(p string) string {
	_, after, ok := strings.Cut(p, "docker-machine-driver-aliyunecs/")
	if ok {
		return after
	}
	return p
}

// nsStat renders a ns/op Stat in a readable unit.
func nsStat(s Stat) string {
	unit, div := "ns", 1.0
	switch {
	case s.Median >= 1e9:
		unit, div = "s", 1e9
	case s.Median >= 1e6:
		unit, div = "ms", 1e6
	case s.Median >= 1e3:
		unit, div = "µs", 1e3
	}
	s.Median, s.Min, s.Max = s.Median/div, s.Min/div, s.Max/div
	return s.Format(2, unit)
}
