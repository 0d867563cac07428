package harness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/cloudops"
)

// RunTagKey is the tag every end-to-end run puts on what it creates
// (--aliyunecs-tag e2e-run=<run ID>), so that a sweeper can find what a
// failed run left behind in a real account.
const RunTagKey = "e2e-run"

// machineNameTagKey is the tag the driver puts the machine name in
// (driver/tags.go).
const machineNameTagKey = "docker-machine-name"

// NewRunID returns a run ID that records when the run started:
// "r<unix seconds>-<random>".
func NewRunID(now time.Time) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return "r" + strconv.FormatInt(now.Unix(), 10) + "-" + hex.EncodeToString(b)
}

// RunStarted parses the start time out of a NewRunID value.
func RunStarted(runID string) (time.Time, bool) {
	rest, ok := strings.CutPrefix(runID, "r")
	if !ok {
		return time.Time{}, false
	}
	secs, _, _ := strings.Cut(rest, "-")
	n, err := strconv.ParseInt(secs, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

// SweepOlderThan selects run IDs that started more than age before now, or
// that do not parse (nothing but an e2e run uses the tag). A run still in
// progress in another CI job is younger and stays.
func SweepOlderThan(age time.Duration, now time.Time) func(runID string) bool {
	return func(runID string) bool {
		started, ok := RunStarted(runID)
		return !ok || now.Sub(started) > age
	}
}

// SweepAPI is the part of the ecs client the sweeper uses.
type SweepAPI interface {
	DescribeInstances(ctx context.Context, q ecs.InstanceQuery) ([]ecs.Instance, error)
	DeleteInstance(ctx context.Context, instanceID string, force bool) error
	DescribeKeyPairs(ctx context.Context, name string) ([]ecs.KeyPair, error)
	DeleteKeyPairs(ctx context.Context, names []string) error
	DescribeSecurityGroups(ctx context.Context, q ecs.SecurityGroupQuery) ([]ecs.SecurityGroup, error)
	DescribeVSwitches(ctx context.Context, q ecs.VSwitchQuery) ([]ecs.VSwitch, error)
	DescribeVpcs(ctx context.Context, q ecs.VpcQuery) ([]ecs.Vpc, error)
	cloudops.Invoker // deletes the shared network
}

// Swept lists what Sweep deleted, by ID (key pairs by name).
type Swept struct {
	Instances, KeyPairs, SecurityGroups, VSwitches, Vpcs []string
}

// Sweep deletes, in the client's region, what end-to-end runs selected by
// match left behind: instances and key pairs tagged RunTagKey, then the
// security groups, VSwitches and VPCs tagged with it (the driver puts the
// user's tags on the network resources it creates; the tests tag what they
// make themselves). Nothing without the tag is touched: the key is the
// tests' own. A network resource still in use (by anything, e.g. another
// run) is left with a log line.
// logf gets one line per deletion; nothing secret is logged.
func Sweep(ctx context.Context, api SweepAPI, match func(runID string) bool, logf func(string, ...any)) (Swept, error) {
	var out Swept
	var errs []error
	selected := func(tags []ecs.Tag) bool {
		v, ok := tagValue(tags, RunTagKey)
		return ok && match(v)
	}

	instances, err := api.DescribeInstances(ctx, ecs.InstanceQuery{Tags: []ecs.Tag{{Key: RunTagKey}}})
	if err != nil {
		return out, fmt.Errorf("sweep: list instances: %w", err)
	}
	for _, inst := range instances {
		if !selected(inst.Tags) {
			continue
		}
		if err := api.DeleteInstance(ctx, inst.ID, true); err != nil && !ecs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("sweep: delete instance %s: %w", inst.ID, err))
			continue
		}
		logf("sweep: deleting instance %s (%s)", inst.ID, inst.Name)
		out.Instances = append(out.Instances, inst.ID)
	}
	if err := waitInstancesGone(ctx, api, out.Instances); err != nil {
		errs = append(errs, err)
	}

	pairs, err := api.DescribeKeyPairs(ctx, "")
	if err != nil {
		return out, errors.Join(append(errs, fmt.Errorf("sweep: list key pairs: %w", err))...)
	}
	for _, kp := range pairs {
		if !selected(kp.Tags) {
			continue
		}
		if err := api.DeleteKeyPairs(ctx, []string{kp.Name}); err != nil && !ecs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("sweep: delete key pair %s: %w", kp.Name, err))
			continue
		}
		logf("sweep: deleted key pair %s", kp.Name)
		out.KeyPairs = append(out.KeyPairs, kp.Name)
	}

	runTag := []ecs.Tag{{Key: RunTagKey}}
	if groups, err := api.DescribeSecurityGroups(ctx, ecs.SecurityGroupQuery{Tags: runTag}); err != nil {
		errs = append(errs, fmt.Errorf("sweep: list security groups: %w", err))
	} else {
		for _, g := range groups {
			if selected(g.Tags) && sweepNetwork(ctx, logf, "security group", g.ID, deleteWith(api, cloudops.DeleteSecurityGroup), &errs) {
				out.SecurityGroups = append(out.SecurityGroups, g.ID)
			}
		}
	}
	if vsws, err := api.DescribeVSwitches(ctx, ecs.VSwitchQuery{Tags: runTag}); err != nil {
		errs = append(errs, fmt.Errorf("sweep: list VSwitches: %w", err))
	} else {
		for _, v := range vsws {
			if selected(v.Tags) && sweepNetwork(ctx, logf, "VSwitch", v.ID, deleteWith(api, cloudops.DeleteVSwitch), &errs) {
				out.VSwitches = append(out.VSwitches, v.ID)
			}
		}
	}
	if vpcs, err := api.DescribeVpcs(ctx, ecs.VpcQuery{Tags: runTag}); err != nil {
		errs = append(errs, fmt.Errorf("sweep: list VPCs: %w", err))
	} else {
		for _, v := range vpcs {
			if selected(v.Tags) && sweepNetwork(ctx, logf, "VPC", v.ID, deleteWith(api, cloudops.DeleteVpc), &errs) {
				out.Vpcs = append(out.Vpcs, v.ID)
			}
		}
	}
	return out, errors.Join(errs...)
}

// deleteWith binds a cloudops delete to api.
func deleteWith(api SweepAPI, del func(context.Context, cloudops.Invoker, string) error) func(context.Context, string) error {
	return func(ctx context.Context, id string) error { return del(ctx, api, id) }
}

// sweepNetwork deletes one shared network resource; "in use" answers are
// not errors (another machine, or a run still going, uses it).
func sweepNetwork(ctx context.Context, logf func(string, ...any), kind, id string, del func(context.Context, string) error, errs *[]error) bool {
	err := del(ctx, id)
	switch {
	case err == nil:
		logf("sweep: deleted %s %s", kind, id)
		return true
	case ecs.IsNotFound(err):
		return false
	case ecs.IsCodeFamily(err, "DependencyViolation", "IncorrectStatus", "IncorrectVpcStatus", "IncorrectVSwitchStatus"):
		logf("sweep: %s %s is still in use, left: %v", kind, id, err)
		return false
	default:
		*errs = append(*errs, fmt.Errorf("sweep: delete %s %s: %w", kind, id, err))
		return false
	}
}

// waitInstancesGone polls until DescribeInstances no longer lists ids.
func waitInstancesGone(ctx context.Context, api SweepAPI, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	for {
		left, err := api.DescribeInstances(ctx, ecs.InstanceQuery{InstanceIDs: ids})
		if err == nil && len(left) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("sweep: instances %v not gone: %w", ids, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func tagValue(tags []ecs.Tag, key string) (string, bool) {
	for _, t := range tags {
		if t.Key == key {
			return t.Value, true
		}
	}
	return "", false
}

// MachineLeftovers returns the instances and key pairs of machine name that
// still exist, through the ECS API (so it works on a real account too): the
// instances tagged with the machine name, and the key pairs tagged with it
// or named after it.
func MachineLeftovers(ctx context.Context, api SweepAPI, name string) (instances []ecs.Instance, keyPairs []string, err error) {
	instances, err = api.DescribeInstances(ctx, ecs.InstanceQuery{Tags: []ecs.Tag{{Key: machineNameTagKey, Value: name}}})
	if err != nil {
		return nil, nil, err
	}
	pairs, err := api.DescribeKeyPairs(ctx, "*"+name+"*")
	if err != nil {
		return nil, nil, err
	}
	for _, kp := range pairs {
		if v, _ := tagValue(kp.Tags, machineNameTagKey); v == name || strings.Contains(kp.Name, name) {
			keyPairs = append(keyPairs, kp.Name)
		}
	}
	return instances, keyPairs, nil
}
