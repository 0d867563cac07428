package main

import (
	"slices"
	"testing"
	"time"
)

func TestParseDefaults(t *testing.T) {
	t.Setenv("E2E_BIN_DIR", "/opt/bin")
	o, err := parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.out != "docs/benchmarks.md" || o.binDir != "/opt/bin" || o.runs != 5 || o.latency != 80*time.Millisecond ||
		o.scale != 1 || o.fleetScale != 0.2 || o.fleetN != 100 || o.runRate != 10 || o.descRate != 20 {
		t.Fatalf("defaults %+v", o)
	}
}

func TestParseOtherDriver(t *testing.T) {
	o, err := parse([]string{"-driver-bin", "/x/docker-machine-driver-foo", "-driver-name", "foo",
		"-driver-flag", "--foo-endpoint={{endpoint}}", "-driver-flag", "--foo-fast"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.driverFlags, []string{"--foo-endpoint={{endpoint}}", "--foo-fast"}) {
		t.Fatalf("driver flags %q", o.driverFlags)
	}
	for _, bad := range [][]string{
		{"-driver-bin", "/x/plugin"},
		{"-runs", "0"},
		{"-timing-scale", "-1"},
		{"extra"},
	} {
		if _, err := parse(bad); err == nil {
			t.Errorf("parse(%q) succeeded", bad)
		}
	}
}
