package bench

import (
	"fmt"
	"strings"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
)

// goBenchStat renders the ns/op of the named benchmark, or "not run".
func (r *Report) goBenchStat(name string) string {
	for _, g := range r.GoBench {
		if g.Name == name {
			return nsStat(g.NsPerOp)
		}
	}
	return "not run"
}

// goBenchMedian returns the median ns/op of the named benchmark, or 0.
func (r *Report) goBenchMedian(name string) float64 {
	for _, g := range r.GoBench {
		if g.Name == name {
			return g.NsPerOp.Median
		}
	}
	return 0
}

// findingsSection prices, from this run's numbers, where the driver spends
// calls and time that it need not. Every item is computed from the
// measurements, so it follows the driver as it changes.
func (r *Report) findingsSection(b *strings.Builder) {
	b.WriteString("## 6. Where the driver spends calls and time\n\n")
	b.WriteString("Measured here, not changed here: the driver's code belongs to its own change.\n\n")
	lat := r.Params.Latency
	in := okLives(inProcLives(r.InProc))
	cli := okLives(r.CLI)
	n := 0
	item := func(format string, args ...any) {
		n++
		fmt.Fprintf(b, "%d. "+format+"\n", append([]any{n}, args...)...)
	}
	median := func(lives []Life, f func(Life) float64) float64 { return statOf(lives, f).Median }
	if len(in) > 0 {
		calls := median(in, func(l Life) float64 { return float64(l.Timeline.CallsBeforeLaunch) })
		trips := median(in, func(l Life) float64 { return l.Timeline.RoundTrips })
		toLaunch := median(in, func(l Life) float64 { return secs(l.Timeline.ToLaunch) })
		item("**Round trips before the instance boots.** The driver makes %.0f API calls before its RunInstances reaches "+
			"the cloud; they take %.1f round trips on the critical path (%.2f s at %s; calls that overlap count once) of "+
			"the %.2f s it needs to get there. Each round trip saved is %s off every node's create; a create needs about "+
			"four at least (a round of lookups, the key import, the security group, RunInstances).",
			calls, trips, trips*lat.Seconds(), lat, toLaunch, lat)
		if gap := statOf(in, func(l Life) float64 { return 1000 * secs(l.Timeline.KeyGap) }); gap.Median > 50 {
			item("**The machine's key is generated on the critical path.** Right before ImportKeyPair no call is in flight "+
				"for %s: the driver is generating the 2048-bit RSA key (the GenerateKeyPair benchmark: %s; RSA key "+
				"generation time varies widely). Generated while the lookups are in flight, or in PreCreateCheck, it "+
				"would cost no wall time.", gap.Format(0, "ms"), r.goBenchStat("GenerateKeyPair"))
		}
	}
	if len(cli) > 0 {
		if sg := countStat(cli, createCalls, "DescribeSecurityGroups").Median; sg > 1 {
			later := ""
			if f := r.Fleet; f != nil && f.N > 0 {
				later = fmt.Sprintf(" (in the fleet, where the group soon exists, %.2f per machine)", float64(f.Answered["DescribeSecurityGroups"])/float64(f.N))
			}
			item("**DescribeSecurityGroups %.0f times.** The first machine of an account calls it %.0f times%s: as the "+
				"driver stands, PreCreateCheck looks the default group up, Create looks again before creating it, and the "+
				"group CreateSecurityGroup returned is looked up once more. Each sequential lookup is a round trip (%s) "+
				"on the critical path of that first create.", sg, sg, later, lat)
		}
	}
	if f := r.Fleet; f != nil && f.DryRuns > 0 {
		without := f.Bound - time.Duration(float64(f.DryRuns)/r.Params.RunRate*float64(time.Second))
		item("**The RunInstances dry run spends the RunInstances quota.** PreCreateCheck validates with RunInstances "+
			"DryRun=true whenever the security group already exists; the dry run is a RunInstances call and counts against "+
			"the same per-action limit. In the median fleet run %d of the %d answered RunInstances were dry runs: %.1f s of the bound "+
			"at %g/s, which would be %.1f s without them. A machine pool pays one extra RunInstances per node.",
			f.DryRuns, f.Answered["RunInstances"], float64(f.DryRuns)/r.Params.RunRate, r.Params.RunRate, without.Seconds())
	}
	if len(in) > 0 {
		item("**Noticing SSH.** After the guest's SSH came up the driver needed %.2f s (median) to return: the probe's "+
			"interval and one SSH handshake (the ProbeRun benchmark: %.1f ms on loopback). A probe is a TCP connection to "+
			"the guest, not an API call, so probing often costs no quota. Running itself was seen %.2f s after it "+
			"happened, hidden behind the SSH-ready delay.",
			median(in, func(l Life) float64 { return secs(l.Timeline.AfterReady) }), r.goBenchMedian("ProbeRun")/1e6,
			median(in, func(l Life) float64 { return secs(l.Timeline.RunningLag) }))
		unscaled := Profile{Scale: 1}
		atCap, at2 := PollsFor(unscaled.ToRunning(), lat), pollsWithCap(unscaled.ToRunning(), lat, 2*time.Second)
		item("**Polling for Running costs calls, not time.** Because SSH comes up %s after Running, a Running detected up "+
			"to that much later costs nothing. With the unscaled profile the Running wait makes %d DescribeInstances at the "+
			"driver's %s cap on the pause; a 2 s cap would make %d (%.0f%% more) for no gain, and a fleet would pay that in "+
			"throttled calls.",
			unscaled.Delay("ssh-ready"), atCap, ecs.DefaultWaitMax, at2, 100*(float64(at2)/float64(atCap)-1))
	}
	if len(cli) > 0 && len(in) > 0 {
		c := median(cli, func(l Life) float64 { return secs(l.Timeline.Overhead()) })
		i := median(in, func(l Life) float64 { return secs(l.Timeline.Overhead()) })
		item("**rancher-machine's share.** `rancher-machine create` differs from the driver alone by %+.2f s (process and "+
			"plugin start, flag RPCs, saving the machine, its own DescribeInstances state check). That part is not the "+
			"driver's; with runs this noisy a difference within the min–max spread means nothing.", c-i)
	}
	if rm := okRemoved(r.CLI); len(rm) > 0 {
		item("**rm waits for the release.** `rm -y` took %s and made %s DescribeInstances calls while the instance was "+
			"released (%s in this profile). Waiting makes rm safe to retry and lets the key pair go last; it is a "+
			"deliberate cost.", statOf(rm, func(l Life) float64 { return secs(l.Remove) }).Format(1, "s"),
			countStat(rm, removeCalls, "DescribeInstances").Format(0, ""), r.Params.Profile.Delay("release"))
	}
	if f := r.Fleet; f != nil && f.LastLaunch > 0 && f.Throttled["RunInstances"] > 0 {
		served := float64(f.Answered["RunInstances"]) / f.LastLaunch.Seconds()
		item("**Fleet: the retry backoff leaves the RunInstances quota idle.** In the median run, until the last launch (%.1f s), the account "+
			"served %.1f RunInstances per second of the %g allowed (%.0f%%), while %d calls were refused: throttled callers "+
			"sleep a random 0 to 5 s (full jitter, `ecs.RetryPolicy`), so the bucket often refills with nobody asking. "+
			"The bound allowed the last launch at %.1f s. A lower cap for throttling errors (the window is short) would use "+
			"the quota better at the price of more refused calls, which cost only a round trip.",
			f.LastLaunch.Seconds(), served, r.Params.RunRate, 100*served/r.Params.RunRate, f.Throttled["RunInstances"],
			(f.Bound - f.Floor).Seconds())
	}
	if f := r.Fleet; f != nil {
		race := fmt.Sprintf("One CreateSecurityGroup made the default group (%d at the end)", f.SecurityGroups)
		if c := f.Answered["CreateSecurityGroup"]; c > 1 {
			race = fmt.Sprintf("%d CreateSecurityGroup calls raced for the default group (%d group(s) at the end: the "+
				"shared ClientToken makes racers converge)", c, f.SecurityGroups)
		}
		item("**Fleet: the rest.** %s; %d DescribeInstances calls were refused by flow control against %d answered "+
			"and the ecs retry loop rode them out; %d/%d creates succeeded.", race,
			f.Throttled["DescribeInstances"], f.Answered["DescribeInstances"], f.Succeeded, f.N)
	}
	b.WriteString("\n")
}
