package reliability

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
)

// runParallel runs fn for i in [0, n) as subtests called name(i), at most
// par at once. Subtests are started from goroutines rather than with
// t.Parallel so the bound does not depend on -parallel (GOMAXPROCS): the
// cases mostly wait on processes and backoff, not on the CPU.
func runParallel(t *testing.T, n, par int, name func(i int) string, fn func(t *testing.T, i int)) {
	sem := make(chan struct{}, max(par, 1))
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			t.Run(name(i), func(t *testing.T) { fn(t, i) })
		}()
	}
	wg.Wait()
}

// parallelTop runs the suites side by side in the short run (which is
// mostly waiting); the full run gives each suite the machine to itself.
func parallelTop(t *testing.T) {
	if !full {
		t.Parallel()
	}
}

// parallelism is how many cases of a matrix run at once.
func parallelism() int {
	if full {
		return 6
	}
	return 4
}

// tally counts a suite's outcomes for its summary line.
type tally struct {
	mu     sync.Mutex
	counts map[string]int
	notes  []string
}

func (tl *tally) add(key string) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if tl.counts == nil {
		tl.counts = map[string]int{}
	}
	tl.counts[key]++
}

func (tl *tally) get(key string) int {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return tl.counts[key]
}

func (tl *tally) note(format string, args ...any) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.notes = append(tl.notes, fmt.Sprintf(format, args...))
}

// breakdown renders every count but the listed ones as "k=v, ...".
func (tl *tally) breakdown(except ...string) string {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	var parts []string
	for k, v := range tl.counts {
		skip := false
		for _, e := range except {
			skip = skip || k == e
		}
		if !skip {
			parts = append(parts, fmt.Sprintf("%s=%d", k, v))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// printNotes prints the suite's notes, sorted, one per line.
func (tl *tally) printNotes(suite string) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	sort.Strings(tl.notes)
	for i, n := range tl.notes {
		if i == 0 || n != tl.notes[i-1] {
			fmt.Printf("%s: note: %s\n", suite, n)
		}
	}
}
