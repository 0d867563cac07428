package bench

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	s := Summarize([]float64{5, 1, 3})
	if s.Median != 3 || s.Min != 1 || s.Max != 5 || s.N != 3 {
		t.Fatalf("odd: %+v", s)
	}
	if s := Summarize([]float64{4, 1, 3, 2}); s.Median != 2.5 {
		t.Fatalf("even: %+v", s)
	}
	if s := Summarize(nil); s.N != 0 || !math.IsNaN(s.Median) || s.Format(1, "s") != "n/a" {
		t.Fatalf("empty: %+v", s)
	}
	if got := Summarize([]float64{1.25, 2, 3.5}).Format(2, "s"); got != "2.00 s (1.25–3.50)" {
		t.Fatalf("Format = %q", got)
	}
	if got := Summarize([]float64{7, 7}).Format(0, ""); got != "7" {
		t.Fatalf("Format of equal values = %q", got)
	}
}

func TestParseGoBench(t *testing.T) {
	out := `goos: linux
pkg: example.com/m/ecs
BenchmarkSign-2   	    1795	    171729 ns/op	   12244 B/op	     117 allocs/op
BenchmarkSign-2   	    1800	    170000 ns/op	   12244 B/op	     117 allocs/op
BenchmarkDecode-2 	      40	   5834887 ns/op	  20.39 MB/s	  238412 B/op	    3234 allocs/op
PASS
pkg: example.com/m/userdata
BenchmarkBuild     	     333	    805547 ns/op	     14244 payload-bytes	  108745 B/op	     132 allocs/op
ok  	example.com/m/userdata	0.606s
`
	got := ParseGoBench(out)
	if len(got) != 3 {
		t.Fatalf("parsed %+v", got)
	}
	if g := got[0]; g.Pkg != "example.com/m/ecs" || g.Name != "Sign" || g.NsPerOp.N != 2 || g.NsPerOp.Median != 170864.5 || g.AllocsPerOp.Median != 117 {
		t.Errorf("Sign: %+v", g)
	}
	if g := got[1]; g.Extra["MB/s"].Median != 20.39 {
		t.Errorf("Decode: %+v", g)
	}
	if g := got[2]; g.Name != "Build" || g.Extra["payload-bytes"].Median != 14244 {
		t.Errorf("Build: %+v", g)
	}
}

func TestFleetBound(t *testing.T) {
	answered := map[string]int{"RunInstances": 110, "DescribeZones": 100, "DescribeInstances": 5000, "ImportKeyPair": 100}
	rates := map[string]float64{"RunInstances": 10, "DescribeZones": 20, "DescribeInstances": 20}
	pre := []string{"RunInstances", "DescribeZones", "ImportKeyPair"}
	bound, by := FleetBound(answered, rates, pre, 14*time.Second)
	if by != "RunInstances" || bound != 24*time.Second {
		t.Fatalf("bound %s by %s, want 24s by RunInstances", bound, by)
	}
	if bound, by := FleetBound(map[string]int{"RunInstances": 5}, rates, pre, time.Second); bound != time.Second || by != "no limit binds" {
		t.Fatalf("within the burst: %s by %s", bound, by)
	}
}

func TestTimeline(t *testing.T) {
	p := Profile{Scale: 0.1} // to Running 2.8 s, SSH-ready 4.5 s later
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	calls := []Call{
		{Seq: 1, Time: at(100), Action: "DescribeRegions", HTTPStatus: 200},
		{Seq: 2, Time: at(150), Action: "DescribeZones", HTTPStatus: 200},
		{Seq: 3, Time: at(250), Action: "RunInstances", HTTPStatus: 400, Code: "DryRunOperation"},
		{Seq: 4, Time: at(700), Action: "ImportKeyPair", HTTPStatus: 200},
		{Seq: 5, Time: at(1000), Action: "RunInstances", HTTPStatus: 200},
		{Seq: 6, Time: at(1100), Action: "DescribeInstances", HTTPStatus: 200},
		{Seq: 7, Time: at(4300), Action: "DescribeInstances", HTTPStatus: 200},
	}
	tl := timeline(t0, at(9000), calls, p, 100*time.Millisecond)
	// In flight before launch: 100-250 (two overlapping calls), 250-350,
	// 700-800: 350 ms, 3.5 round trips; nothing in flight 350-700.
	want := Timeline{Wall: 9 * time.Second, Floor: 7300 * time.Millisecond, ToLaunch: time.Second,
		AfterReady: 700 * time.Millisecond, RunningLag: 500 * time.Millisecond, CallsBeforeLaunch: 5,
		RoundTrips: 3.5, KeyGap: 350 * time.Millisecond, OK: true}
	if math.Abs(tl.RoundTrips-want.RoundTrips) < 1e-9 {
		tl.RoundTrips = want.RoundTrips
	}
	if tl != want {
		t.Fatalf("timeline\n got %+v\nwant %+v", tl, want)
	}
	if tl.Overhead() != 1700*time.Millisecond {
		t.Fatalf("overhead %s", tl.Overhead())
	}
	if tl := timeline(t0, at(500), calls[:3], p, 0); tl.OK {
		t.Fatalf("a create without launch has a timeline: %+v", tl)
	}
}

func TestPollsFor(t *testing.T) {
	// Polls at 0, 0.1, 0.25, 0.475 s; the fifth, at 0.82 s, is the first after 0.5 s.
	if n := PollsFor(500*time.Millisecond, 0); n != 5 {
		t.Fatalf("PollsFor(0.5s) = %d", n)
	}
	if a, b := PollsFor(28*time.Second, 80*time.Millisecond), pollsWithCap(28*time.Second, 80*time.Millisecond, time.Second); b <= a {
		t.Fatalf("a shorter cap polls no more: %d vs %d", b, a)
	}
}

// TestMarkdownRenders renders a report with every part present and one with
// nothing measured.
func TestMarkdownRenders(t *testing.T) {
	empty := (&Report{Params: Params{Runs: 5, Profile: Profile{Scale: 1}, FleetProfile: Profile{Scale: 0.2}}}).Markdown()
	for _, want := range []string{"# Benchmarks", "not measured", "## 3. Fleet", "Not run."} {
		if !strings.Contains(empty, want) {
			t.Errorf("empty report lacks %q", want)
		}
	}
	t0 := time.Now()
	life := Life{Name: "a", Create: 80 * time.Second, Remove: 21 * time.Second,
		CreateCalls: []Call{{Seq: 1, Time: t0, Action: "RunInstances", HTTPStatus: 200}, {Seq: 2, Time: t0, Action: "DescribeInstances", HTTPStatus: 200}},
		RemoveCalls: []Call{{Seq: 3, Time: t0, Action: "DeleteInstance", HTTPStatus: 200}},
		Timeline:    Timeline{Wall: 80 * time.Second, Floor: 73 * time.Second, ToLaunch: time.Second, CallsBeforeLaunch: 1, KeyGap: 300 * time.Millisecond, OK: true}}
	r := &Report{
		Params: Params{Runs: 1, Profile: Profile{Scale: 1}, FleetProfile: Profile{Scale: 0.2}, Latency: 80 * time.Millisecond, RunRate: 10},
		CLI:    []Life{life}, InProc: []InProcess{{Life: life, PreCreate: time.Second}},
		Fleet: &FleetResult{N: 2, Succeeded: 2, Makespan: 30 * time.Second, Bound: 20 * time.Second, Floor: 14 * time.Second,
			Answered: map[string]int{"RunInstances": 3}, Throttled: map[string]int{"RunInstances": 1}, DryRuns: 1},
		Footprint: Footprint{Stripped: 12 << 20, Tarball: 5 << 20, TarballSource: "test", Startups: []Startup{{time.Millisecond, 2 * time.Millisecond}}},
		GoBench:   []GoBench{{Pkg: "x/sshutil", Name: "GenerateKeyPair", NsPerOp: Summarize([]float64{3e8})}},
	}
	md := r.Markdown()
	for _, want := range []string{"7.00 s", "| RunInstances | 1 | 0 |", "1.50", "12.0 MiB", "GenerateKeyPair", "300 ms", "dry run"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}
