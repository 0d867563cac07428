package bench

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Stat is the median, minimum and maximum of a set of measurements.
type Stat struct {
	Median, Min, Max float64
	N                int
}

// Summarize returns the Stat of xs; the median of an even count is the mean
// of the middle two. An empty xs gives NaNs and N 0.
func Summarize(xs []float64) Stat {
	if len(xs) == 0 {
		return Stat{Median: math.NaN(), Min: math.NaN(), Max: math.NaN()}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	med := s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return Stat{Median: med, Min: s[0], Max: s[n-1], N: n}
}

// SummarizeDurations is Summarize over durations, in seconds.
func SummarizeDurations(ds []time.Duration) Stat {
	xs := make([]float64, len(ds))
	for i, d := range ds {
		xs[i] = d.Seconds()
	}
	return Summarize(xs)
}

// Format renders the Stat as "median (min–max)" with the given number of
// decimals and a unit suffix, e.g. "75.31 s (74.90–76.02)".
func (s Stat) Format(decimals int, unit string) string {
	if s.N == 0 {
		return "n/a"
	}
	f := func(x float64) string { return fmt.Sprintf("%.*f", decimals, x) }
	if unit != "" && unit != "%" {
		unit = " " + unit
	}
	if s.N == 1 || f(s.Min) == f(s.Max) {
		return f(s.Median) + unit
	}
	return fmt.Sprintf("%s%s (%s–%s)", f(s.Median), unit, f(s.Min), f(s.Max))
}
