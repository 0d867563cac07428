// Command rampolicy writes docs/ram-policy.json, the least-privilege RAM
// policy of the driver: exactly the ECS, VPC and SLB actions the ecs package
// sends (found by reading its source, see harness.ScanDriverActions).
//
//	go run ./hack/rampolicy -w          # rewrite docs/ram-policy.json
//	go run ./hack/rampolicy             # print it
//
// Tests fail when the file and the ecs package disagree, and when an
// end-to-end scenario calls an action the policy does not grant.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
)

// Command is how the policy is regenerated.
const Command = "go run ./hack/rampolicy -w"

func main() {
	write := flag.Bool("w", false, "write docs/ram-policy.json of the enclosing module instead of printing to stdout")
	flag.Parse()
	root, err := harness.ModuleRoot()
	if err != nil {
		fail(err)
	}
	doc, err := Render(root)
	if err != nil {
		fail(err)
	}
	if !*write {
		os.Stdout.Write(doc)
		return
	}
	if err := os.WriteFile(filepath.Join(root, "docs", "ram-policy.json"), doc, 0o644); err != nil {
		fail(err)
	}
}

// Render returns the policy for the ecs package of the module at root.
func Render(root string) ([]byte, error) {
	actions, err := harness.ScanDriverActions(filepath.Join(root, "ecs"))
	if err != nil {
		return nil, err
	}
	return harness.RenderRAMPolicy(actions.Sorted()), nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "rampolicy:", err)
	os.Exit(1)
}
