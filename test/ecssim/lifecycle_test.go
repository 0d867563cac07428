package ecssim_test

import (
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"
	"github.com/stretchr/testify/require"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

// observeStatuses polls an instance until it reaches final and returns the
// distinct statuses seen, in order.
func observeStatuses(t *testing.T, cl *ecs.Client, id, final string) []string {
	t.Helper()
	var seen []string
	waitFor(t, id+" "+final, func() bool {
		s := instanceStatus(t, cl, id)
		if len(seen) == 0 || seen[len(seen)-1] != s {
			seen = append(seen, s)
		}
		return s == final
	})
	return seen
}

func op(cl *ecs.Client, action, id string, force bool) error {
	var err error
	switch action {
	case "Start":
		r := ecs.CreateStartInstanceRequest()
		r.InstanceId = id
		_, err = cl.StartInstance(r)
	case "Stop":
		r := ecs.CreateStopInstanceRequest()
		r.InstanceId = id
		_, err = cl.StopInstance(r)
	case "Reboot":
		r := ecs.CreateRebootInstanceRequest()
		r.InstanceId = id
		_, err = cl.RebootInstance(r)
	case "Delete":
		r := ecs.CreateDeleteInstanceRequest()
		r.InstanceId = id
		r.Force = requests.NewBoolean(force)
		_, err = cl.DeleteInstance(r)
	}
	return err
}

func TestInstanceLifecycle(t *testing.T) {
	t.Parallel()
	// Slow transitions so every intermediate status is observable.
	srv := newSim(t, func(o *ecssim.Options) {
		o.TimingOverrides = map[ecssim.Transition]time.Duration{
			ecssim.TransitionPending: 250 * time.Millisecond, ecssim.TransitionStarting: 250 * time.Millisecond,
			ecssim.TransitionStopping: 250 * time.Millisecond, ecssim.TransitionRelease: 250 * time.Millisecond,
		}
	})
	cl := ecsClient(t, srv)
	req := runRequest(t, srv)
	req.DataDisk = &[]ecs.RunInstancesDataDisk{
		{Size: "40", Category: "cloud_essd"},
		{Size: "50", Category: "cloud_essd", DeleteWithInstance: "false"},
	}
	id := runOne(t, cl, req)

	require.Equal(t, []string{"Pending", "Starting", "Running"}, observeStatuses(t, cl, id, "Running"))
	require.NoError(t, op(cl, "Stop", id, false))
	require.Equal(t, []string{"Stopping", "Stopped"}, observeStatuses(t, cl, id, "Stopped"))
	require.NoError(t, op(cl, "Start", id, false))
	require.Equal(t, []string{"Starting", "Running"}, observeStatuses(t, cl, id, "Running"))
	require.NoError(t, op(cl, "Reboot", id, false))
	require.Equal(t, []string{"Stopping", "Starting", "Running"}, observeStatuses(t, cl, id, "Running"))

	require.NoError(t, op(cl, "Delete", id, true))
	require.Equal(t, []string{"Stopped", ""}, observeStatuses(t, cl, id, ""))
	for _, action := range []string{"Start", "Stop", "Reboot", "Delete"} {
		requireAPIError(t, op(cl, action, id, true), 404, "InvalidInstanceId.NotFound")
	}
	// The disk that was not DeleteWithInstance survives, detached.
	res := srv.Resources()
	require.Len(t, res.Disks, 1)
	require.Equal(t, 50, res.Disks[0].Size)
	require.Equal(t, "", res.Disks[0].InstanceID)
	require.Equal(t, "Available", res.Disks[0].Status)
	require.Empty(t, res.Instances)
}

// TestInstanceStateRules walks the operation/status table of aliyun-api.md
// §5.2 with each status held long enough to act on.
func TestInstanceStateRules(t *testing.T) {
	t.Parallel()
	srv := newSim(t, func(o *ecssim.Options) {
		o.TimingOverrides = map[ecssim.Transition]time.Duration{ecssim.TransitionPending: time.Hour}
	})
	cl := ecsClient(t, srv)
	base := runRequest(t, srv)
	pending := runOne(t, cl, base)
	require.Equal(t, "Pending", instanceStatus(t, cl, pending))

	fast := newSim(t)
	fcl := ecsClient(t, fast)
	running := runOne(t, fcl, runRequest(t, fast))
	waitStatus(t, fcl, running, "Running")

	tests := []struct {
		name   string
		cl     *ecs.Client
		id     string
		action string
		force  bool
		code   string
	}{
		{"start pending", cl, pending, "Start", false, "IncorrectInstanceStatus"},
		{"stop pending", cl, pending, "Stop", false, "IncorrectInstanceStatus"},
		{"reboot pending", cl, pending, "Reboot", false, "IncorrectInstanceStatus"},
		{"delete pending", cl, pending, "Delete", false, "IncorrectInstanceStatus.Initializing"},
		{"force delete pending", cl, pending, "Delete", true, "IncorrectInstanceStatus.Initializing"},
		{"start running", fcl, running, "Start", false, "IncorrectInstanceStatus"},
		{"delete running", fcl, running, "Delete", false, "IncorrectInstanceStatus"},
		{"unknown", cl, "i-bp000000000000000000", "Start", false, "InvalidInstanceId.NotFound"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status := 403
			if tc.code == "InvalidInstanceId.NotFound" {
				status = 404
			}
			requireAPIError(t, op(tc.cl, tc.action, tc.id, tc.force), status, tc.code)
		})
	}

	// Stopping, held for an hour here, refuses everything.
	slow := newSim(t, func(o *ecssim.Options) {
		o.TimingOverrides = map[ecssim.Transition]time.Duration{ecssim.TransitionStopping: time.Hour}
	})
	scl := ecsClient(t, slow)
	sid := runOne(t, scl, runRequest(t, slow))
	waitStatus(t, scl, sid, "Running")
	require.NoError(t, op(scl, "Stop", sid, false))
	for _, action := range []string{"Start", "Stop", "Reboot"} {
		requireAPIError(t, op(scl, action, sid, false), 403, "IncorrectInstanceStatus")
	}
	requireAPIError(t, op(scl, "Delete", sid, true), 403, "IncorrectInstanceStatus")

	// Stopped: Stop is refused by default, allowed as a no-op when asked.
	stopped := runOne(t, fcl, runRequest(t, fast))
	waitStatus(t, fcl, stopped, "Running")
	require.NoError(t, op(fcl, "Stop", stopped, false))
	waitStatus(t, fcl, stopped, "Stopped")
	requireAPIError(t, op(fcl, "Stop", stopped, false), 403, "IncorrectInstanceStatus")
	requireAPIError(t, op(fcl, "Reboot", stopped, false), 403, "IncorrectInstanceStatus")
	noop := newSim(t, func(o *ecssim.Options) { o.StopStoppedIsNoop = true })
	ncl := ecsClient(t, noop)
	nid := runOne(t, ncl, runRequest(t, noop))
	waitStatus(t, ncl, nid, "Running")
	require.NoError(t, op(ncl, "Stop", nid, false))
	waitStatus(t, ncl, nid, "Stopped")
	require.NoError(t, op(ncl, "Stop", nid, false))

	// DryRun checks the status, then answers DryRunOperation.
	dry := ecs.CreateStartInstanceRequest()
	dry.InstanceId = stopped
	dry.DryRun = requests.NewBoolean(true)
	_, err := fcl.StartInstance(dry)
	requireAPIError(t, err, 400, "DryRunOperation")
	require.Equal(t, "Stopped", instanceStatus(t, fcl, stopped))

	// Delete without Force from Stopped; a repeat while releasing is fine.
	require.NoError(t, op(fcl, "Delete", stopped, false))
	require.NoError(t, op(fcl, "Delete", stopped, false))
	waitStatus(t, fcl, stopped, "")
}

func TestDeletionProtectionAndVSwitchDependency(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	cl := ecsClient(t, srv)
	req := runRequest(t, srv)
	req.DeletionProtection = requests.NewBoolean(true)
	id := runOne(t, cl, req)
	waitStatus(t, cl, id, "Running")
	requireAPIError(t, op(cl, "Delete", id, true), 403, "InvalidOperation.DeletionProtection")

	del := vpc.CreateDeleteVSwitchRequest()
	del.VSwitchId = req.VSwitchId
	_, err := vpcClient(t, srv).DeleteVSwitch(del)
	requireAPIError(t, err, 400, "DependencyViolation")
}
