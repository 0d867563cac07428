package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// GoBench is one Go benchmark over several runs (-count).
type GoBench struct {
	Pkg, Name string
	// NsPerOp, BytesPerOp and AllocsPerOp summarize the runs.
	NsPerOp, BytesPerOp, AllocsPerOp Stat
	// Extra holds custom metrics (b.ReportMetric), by unit.
	Extra map[string]Stat
}

// BenchPackages are the packages whose benchmarks `make bench` reports, when
// they have any.
var BenchPackages = []string{"./ecs", "./userdata", "./sshutil", "./test/ecssim"}

// PackagesWithBenchmarks returns those of pkgs (relative to root) with a
// func Benchmark in a _test.go file.
func PackagesWithBenchmarks(root string, pkgs []string) []string {
	var out []string
	for _, p := range pkgs {
		files, _ := filepath.Glob(filepath.Join(root, p, "*_test.go"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err == nil && strings.Contains(string(b), "\nfunc Benchmark") {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// RunGoBenchmarks runs `go test -run=^$ -bench=. -benchmem` on pkgs in root
// count times each and returns the parsed results and the raw output.
func RunGoBenchmarks(ctx context.Context, root string, pkgs []string, count int, benchtime string) ([]GoBench, string, error) {
	args := []string{"test", "-run=^$", "-bench=.", "-benchmem", "-count=" + strconv.Itoa(count), "-benchtime=" + benchtime}
	cmd := exec.CommandContext(ctx, "go", append(args, pkgs...)...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, string(out), fmt.Errorf("go test -bench: %v", err)
	}
	return ParseGoBench(string(out)), string(out), nil
}

// ParseGoBench parses `go test -bench` output: "pkg:" lines and benchmark
// lines ("BenchmarkX-8  N  V unit  V unit ..."), several runs of one
// benchmark summarized together, in the order first seen.
func ParseGoBench(out string) []GoBench {
	type acc struct {
		pkg, name string
		vals      map[string][]float64
	}
	var order []string
	accs := map[string]*acc{}
	pkg := ""
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		key := pkg + " " + name
		a := accs[key]
		if a == nil {
			a = &acc{pkg: pkg, name: strings.TrimPrefix(name, "Benchmark"), vals: map[string][]float64{}}
			accs[key] = a
			order = append(order, key)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err == nil {
				a.vals[f[i+1]] = append(a.vals[f[i+1]], v)
			}
		}
	}
	out2 := make([]GoBench, 0, len(order))
	for _, k := range order {
		a := accs[k]
		g := GoBench{Pkg: a.pkg, Name: a.name, Extra: map[string]Stat{}}
		for unit, vs := range a.vals {
			switch unit {
			case "ns/op":
				g.NsPerOp = Summarize(vs)
			case "B/op":
				g.BytesPerOp = Summarize(vs)
			case "allocs/op":
				g.AllocsPerOp = Summarize(vs)
			default:
				g.Extra[unit] = Summarize(vs)
			}
		}
		out2 = append(out2, g)
	}
	slices.SortStableFunc(out2, func(a, b GoBench) int { return strings.Compare(a.Pkg, b.Pkg) })
	return out2
}
