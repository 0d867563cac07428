package bench

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
)

// CallKey names a recorded call for counting: the action, marked
// "(DryRun)" for a dry run and "!CODE" for any other error answer.
func CallKey(c Call) string {
	switch {
	case c.Code == "DryRunOperation":
		return c.Action + " (DryRun)"
	case c.Code != "":
		return c.Action + "!" + c.Code
	}
	return c.Action
}

// CountCalls counts calls by CallKey.
func CountCalls(calls []Call) map[string]int {
	out := map[string]int{}
	for _, c := range calls {
		out[CallKey(c)]++
	}
	return out
}

// Throttled reports whether the call was refused by flow control.
func Throttled(c Call) bool { return strings.HasPrefix(c.Code, "Throttling") }

// Baseline is the committed number of API calls of one machine's life with
// the default configuration (testdata/calls_baseline.json).
type Baseline struct {
	// About says how the numbers were taken and how to update them.
	About string `json:"about"`
	// Create and Remove count the calls of each phase by CallKey.
	Create map[string]int `json:"create"`
	Remove map[string]int `json:"remove"`
	// Tolerance is how far above the baseline a key may go because its
	// count depends on timing (polling), by CallKey.
	Tolerance map[string]int `json:"tolerance"`
}

// LoadBaseline reads a baseline file.
func LoadBaseline(path string) (Baseline, error) {
	var b Baseline
	data, err := os.ReadFile(path)
	if err != nil {
		return b, err
	}
	if err := json.Unmarshal(data, &b); err != nil {
		return b, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// Write stores the baseline as indented JSON.
func (b Baseline) Write(path string) error {
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// Compare returns one line per key whose count in a phase rose above the
// baseline plus its tolerance (rises), and one per key that fell below it
// (falls: the baseline may be lowered).
func (b Baseline) Compare(create, remove map[string]int) (rises, falls []string) {
	for _, ph := range []struct {
		name      string
		got, base map[string]int
	}{{"create", create, b.Create}, {"rm", remove, b.Remove}} {
		keys := slices.Sorted(maps.Keys(ph.got))
		for _, k := range slices.Sorted(maps.Keys(ph.base)) {
			if _, ok := ph.got[k]; !ok {
				keys = append(keys, k)
			}
		}
		for _, k := range keys {
			got, base := ph.got[k], ph.base[k]
			switch {
			case got > base+b.Tolerance[k]:
				rises = append(rises, fmt.Sprintf("%s: %s %d calls, baseline %d (tolerance %d)", ph.name, k, got, base, b.Tolerance[k]))
			case got < base:
				falls = append(falls, fmt.Sprintf("%s: %s %d calls, baseline %d", ph.name, k, got, base))
			}
		}
	}
	return rises, falls
}

// Total is the sum of counts.
func Total(counts map[string]int) int {
	n := 0
	for _, v := range counts {
		n += v
	}
	return n
}
