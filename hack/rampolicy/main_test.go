package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
)

// TestPolicyUpToDate fails when docs/ram-policy.json does not grant exactly
// the actions the ecs package sends.
func TestPolicyUpToDate(t *testing.T) {
	root := filepath.Join("..", "..")
	want, err := Render(root)
	if err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile(filepath.Join(root, "docs", "ram-policy.json"))
	if err != nil {
		t.Fatalf("%v; run `%s`", err, Command)
	}
	if !bytes.Equal(have, want) {
		t.Fatalf("docs/ram-policy.json differs from the actions the ecs package sends; run `%s`, "+
			"then describe new actions in docs/permissions.md\nwant:\n%s", Command, want)
	}
}

// TestPermissionsDocumented requires docs/permissions.md to explain every
// action of the policy, and to mention no action the policy lacks.
func TestPermissionsDocumented(t *testing.T) {
	root := filepath.Join("..", "..")
	_, granted, err := harness.LoadRAMPolicy(filepath.Join(root, "docs", "ram-policy.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs", "permissions.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]bool{}
	for _, m := range tableAction.FindAllStringSubmatch(string(doc), -1) {
		rows[m[1]] = true
	}
	for a := range granted {
		if !rows[a] {
			t.Errorf("docs/permissions.md has no row for %s: say which flag or step needs it", a)
		}
	}
	for a := range rows {
		if !granted[a] {
			t.Errorf("docs/permissions.md describes %s, which docs/ram-policy.json does not grant", a)
		}
	}
}

// tableAction matches the first cell of a permissions table row.
var tableAction = regexp.MustCompile("(?m)^\\| `((?:ecs|vpc|slb):[A-Za-z]+)` \\|")
