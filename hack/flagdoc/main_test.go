package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFlagDocUpToDate fails when docs/flags.md is not what the generator
// prints for the driver's current flags.
func TestFlagDocUpToDate(t *testing.T) {
	want, err := Render()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "docs", "flags.md")
	have, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v; run `%s`", path, err, Command)
	}
	if !bytes.Equal(have, want) {
		t.Fatalf("docs/flags.md is out of date with driver.GetCreateFlags (first difference at line %d); run `%s`",
			firstDiffLine(have, want), Command)
	}
}

// TestREADMEFlagListUpToDate fails when README.md's complete flag list is
// not what the generator renders.
func TestREADMEFlagListUpToDate(t *testing.T) {
	path := filepath.Join("..", "..", "README.md")
	have, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := RenderREADME(have)
	if err != nil {
		t.Fatalf("%v; run `%s`", err, Command)
	}
	if !bytes.Equal(have, want) {
		t.Fatalf("README.md's flag list is out of date with driver.GetCreateFlags (first difference at line %d); run `%s`",
			firstDiffLine(have, want), Command)
	}
}

// TestFlagDocCoversEveryFlag checks the rendering itself: one row per flag,
// and no row broken by a "|" in a usage text.
func TestFlagDocCoversEveryFlag(t *testing.T) {
	doc, err := Render()
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, line := range strings.Split(string(doc), "\n") {
		if !strings.HasPrefix(line, "| `--") {
			continue
		}
		rows++
		cells := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|")
		if cells != 7 {
			t.Errorf("row has %d separators, want 7: %s", cells, line)
		}
	}
	if rows == 0 {
		t.Fatal("no flag rows")
	}
}

func firstDiffLine(a, b []byte) int {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return i + 1
		}
	}
	return min(len(la), len(lb)) + 1
}
