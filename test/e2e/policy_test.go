package e2e

import (
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
)

// TestPolicyMatchesDriver runs every feature scenario against the
// simulator and holds docs/ram-policy.json to what the driver does: every
// action a scenario calls (successful or failed) is granted, every granted
// action is called by a scenario (so the scenarios' calls are exactly the
// policy), and the policy grants exactly the actions the ecs package sends.
func TestPolicyMatchesDriver(t *testing.T) {
	root := repoRoot(t)
	scan, err := harness.ScanDriverActions(filepath.Join(root, "ecs"))
	if err != nil {
		t.Fatal(err)
	}
	_, policy, err := harness.LoadRAMPolicy(filepath.Join(root, "docs", "ram-policy.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range scan.Sorted() {
		if !policy[a] {
			t.Errorf("%s (sent at ecs/%s) is not in docs/ram-policy.json; run `go run ./hack/rampolicy -w` and describe it in docs/permissions.md", a, scan.Actions[a])
		}
	}
	for a := range policy {
		if _, ok := scan.Actions[a]; !ok {
			t.Errorf("docs/ram-policy.json grants %s, which the ecs package never sends; run `go run ./hack/rampolicy -w`", a)
		}
	}

	var mu sync.Mutex
	covered := map[string][]string{} // action → scenarios
	ran := 0
	// The group returns once its parallel scenarios are done.
	t.Run("scenarios", func(t *testing.T) {
		for _, sc := range featureScenarios {
			t.Run(sc.name, func(t *testing.T) {
				t.Parallel()
				b := simBackend(t)
				sc.run(t, b)
				calls, err := b.world.admin.Calls(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				mu.Lock()
				defer mu.Unlock()
				for _, c := range calls {
					if c.AccessKeyID == b.checkerKey {
						continue // the test's own setup and checks
					}
					a := scan.ActionOf(c)
					if !policy[a] {
						t.Errorf("the driver called %s (HTTP %d %s), which docs/ram-policy.json does not grant", a, c.HTTPStatus, c.Code)
					}
					if !slices.Contains(covered[a], sc.name) {
						covered[a] = append(covered[a], sc.name)
					}
				}
			})
		}
	})
	if t.Failed() {
		return // a broken scenario covers less; equality would only add noise
	}
	if ran < len(featureScenarios) {
		t.Logf("only %d of %d scenarios ran (-run?): coverage of the policy not checked", ran, len(featureScenarios))
		return
	}
	var uncovered []string
	for a := range policy {
		if len(covered[a]) == 0 {
			uncovered = append(uncovered, a)
		}
	}
	if len(uncovered) > 0 {
		sort.Strings(uncovered)
		t.Errorf("the policy grants %s but no scenario calls them: add a scenario to featureScenarios",
			strings.Join(uncovered, ", "))
	}
	var lines []string
	for a, s := range covered {
		lines = append(lines, a+" ← "+strings.Join(s, "; "))
	}
	sort.Strings(lines)
	t.Logf("actions called by the scenarios:\n%s", strings.Join(lines, "\n"))
}
