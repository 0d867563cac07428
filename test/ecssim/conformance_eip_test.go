package ecssim_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

// associated returns an EIP bound (InUse) to a running instance.
func associated(e *confEnv) (eipID, instID string) {
	eipID, instID = e.eip(), e.running(nil)
	e.must(pVPC, "AssociateEipAddress", map[string]string{"AllocationId": eipID, "InstanceId": instID})
	waitFor(e.t, "InUse", func() bool { return e.eipStatus(eipID) == "InUse" })
	return eipID, instID
}

// slowEip holds EIP transitions so Associating/Unassociating can be hit.
func slowEip(o *ecssim.Options) {
	o.TimingOverrides = map[ecssim.Transition]time.Duration{ecssim.TransitionEIP: time.Hour}
}

func TestConformanceEip(t *testing.T) {
	t.Parallel()
	both := func(name string, c confCase) []confCase {
		ecsCase := c
		ecsCase.version, ecsCase.name = pECS, name+" (ECS)"
		c.version, c.name = pVPC, name
		return []confCase{c, ecsCase}
	}
	assoc := func(prep func(e *confEnv) (string, string)) func(e *confEnv) map[string]string {
		return func(e *confEnv) map[string]string {
			eipID, inst := prep(e)
			return map[string]string{"AllocationId": eipID, "InstanceId": inst}
		}
	}
	cases := []confCase{
		{name: "defaults", version: pVPC, action: "AllocateEipAddress",
			check: func(t *testing.T, e *confEnv, resp map[string]any) {
				res := e.srv.Resources().Eips
				require.Len(t, res, 1)
				require.Equal(t, resp["EipAddress"], res[0].IPAddress)
				require.Regexp(t, `^127\.`, res[0].IPAddress)
				require.Equal(t, 5, res[0].Bandwidth)
				require.Equal(t, "Available", res[0].Status)
			}},
		with(pVPC, "AllocateEipAddress", "bandwidth 0", func(*confEnv) map[string]string {
			return map[string]string{"Bandwidth": "0"}
		}, 400, "InvalidParameter"),
		with(pVPC, "AllocateEipAddress", "prepaid by traffic", func(*confEnv) map[string]string {
			return map[string]string{"InstanceChargeType": "PrePaid", "Period": "1"}
		}, 400, "InvalidParameter"),
		with(pVPC, "AllocateEipAddress", "quota", func(e *confEnv) map[string]string {
			for range 20 {
				e.eip()
			}
			return nil
		}, 400, "QuotaExceeded.Eip"),
		with(pVPC, "AssociateEipAddress", "unknown eip", func(e *confEnv) map[string]string {
			return map[string]string{"AllocationId": "eip-nope", "InstanceId": e.running(nil)}
		}, 404, "InvalidAllocationId.NotFound"),
		with(pVPC, "AssociateEipAddress", "unknown instance", func(e *confEnv) map[string]string {
			return map[string]string{"AllocationId": e.eip(), "InstanceId": "i-nope"}
		}, 404, "InvalidInstanId.NotFound"),
		with(pVPC, "AssociateEipAddress", "pending instance", assoc(func(e *confEnv) (string, string) {
			return e.eip(), e.instance(nil)
		}), 400, "IncorrectInstanceStatus"),
		with(pECS, "AssociateEipAddress", "pending instance (ECS)", assoc(func(e *confEnv) (string, string) {
			return e.eip(), e.instance(nil)
		}), 403, "IncorrectInstanceStatus"),
		with(pVPC, "AssociateEipAddress", "instance has public ip", assoc(func(e *confEnv) (string, string) {
			return e.eip(), e.running(map[string]string{"InternetMaxBandwidthOut": "5"})
		}), 400, "EIP_CAN_NOT_ASSOCIATE_WITH_PUBLIC_IP"),
		with(pVPC, "AssociateEipAddress", "instance already has one", assoc(func(e *confEnv) (string, string) {
			_, inst := associated(e)
			return e.eip(), inst
		}), 400, "InvalidAssociation.Duplicated"),
		with(pVPC, "AssociateEipAddress", "eip in use", assoc(func(e *confEnv) (string, string) {
			eipID, _ := associated(e)
			return eipID, e.running(nil)
		}), 400, "IncorrectEipStatus"),
		{name: "while associating", version: pVPC, action: "UnassociateEipAddress", opts: slowEip, status: 400, code: "IncorrectEipStatus",
			setup: func(e *confEnv) map[string]string {
				eipID, inst := e.eip(), e.running(nil)
				e.must(pVPC, "AssociateEipAddress", map[string]string{"AllocationId": eipID, "InstanceId": inst})
				return map[string]string{"AllocationId": eipID, "InstanceId": inst}
			}},
		{name: "in use", version: pVPC, action: "ReleaseEipAddress", status: 400, code: "IncorrectEipStatus",
			setup: func(e *confEnv) map[string]string {
				eipID, _ := associated(e)
				return map[string]string{"AllocationId": eipID}
			}},
		{name: "prepaid", version: pVPC, action: "ReleaseEipAddress", status: 400, code: "Forbidden.ChargeTypeIsPrepaid",
			setup: func(e *confEnv) map[string]string {
				id := e.must(pVPC, "AllocateEipAddress", map[string]string{"InstanceChargeType": "PrePaid", "Period": "1",
					"InternetChargeType": "PayByBandwidth"})["AllocationId"].(string)
				return map[string]string{"AllocationId": id}
			}},
		with(pVPC, "UnassociateEipAddress", "unknown instance", func(e *confEnv) map[string]string {
			eipID, _ := associated(e)
			return map[string]string{"AllocationId": eipID, "InstanceId": "i-nope"}
		}, 400, "InvalidInstanceId.NotFound"),
		with(pVPC, "UnassociateEipAddress", "not associated", func(e *confEnv) map[string]string {
			return map[string]string{"AllocationId": e.eip(), "InstanceId": e.running(nil)}
		}, 400, "IncorrectEipStatus"),
		with(pVPC, "DescribeEipAddresses", "too many ids", func(*confEnv) map[string]string {
			ids := "eip-0"
			for i := 1; i <= 50; i++ {
				ids += ",eip-" + itoa(i)
			}
			return map[string]string{"AllocationId": ids}
		}, 400, "InvalidParameter"),
	}
	cases = append(cases, both("released", confCase{action: "ReleaseEipAddress",
		setup: func(e *confEnv) map[string]string { return map[string]string{"AllocationId": e.eip()} },
		check: func(t *testing.T, e *confEnv, _ map[string]any) { require.Empty(t, e.srv.Resources().Eips) }})...)
	cases = append(cases, both("associate", confCase{action: "AssociateEipAddress",
		setup: assoc(func(e *confEnv) (string, string) { return e.eip(), e.running(nil) }),
		check: func(t *testing.T, e *confEnv, _ map[string]any) {
			eipID := e.srv.Resources().Eips[0].ID
			require.Contains(t, []string{"Associating", "InUse"}, e.eipStatus(eipID))
			waitFor(t, "InUse", func() bool { return e.eipStatus(eipID) == "InUse" })
			res := e.srv.Resources()
			require.Equal(t, eipID, res.Instances[0].EipID)
			require.Equal(t, res.Instances[0].ID, res.Eips[0].InstanceID)
		}})...)
	runConformance(t, cases)
}

// TestEipLifecycleAndGuest follows an EIP through its states, checks what
// DescribeInstances shows at each step, and that the guest's SSH server
// moves to the EIP's loopback address and away again.
func TestEipLifecycleAndGuest(t *testing.T) {
	t.Parallel()
	e := newConfEnv(t, func(o *ecssim.Options) {
		o.TimingOverrides = map[ecssim.Transition]time.Duration{ecssim.TransitionEIP: 150 * time.Millisecond}
	})
	signer, pub := newKey(t)
	e.must(pECS, "ImportKeyPair", map[string]string{"KeyPairName": "kp", "PublicKeyBody": pub})
	inst := e.running(map[string]string{"KeyPairName": "kp"})
	alloc := e.must(pVPC, "AllocateEipAddress", map[string]string{"Name": "edge", "Bandwidth": "10"})
	eipID, ip := alloc["AllocationId"].(string), alloc["EipAddress"].(string)
	_, err := e.srv.Guest(inst)
	require.ErrorIs(t, err, ecssim.ErrNoGuest) // no public address, no guest

	eipOf := func() map[string]any {
		d := e.must(pECS, "DescribeInstances", map[string]string{"InstanceIds": `["` + inst + `"]`})
		return get(d, "Instances", "Instance", 0, "EipAddress").(map[string]any)
	}
	e.must(pVPC, "AssociateEipAddress", map[string]string{"AllocationId": eipID, "InstanceId": inst})
	waitFor(t, "InUse", func() bool { return e.eipStatus(eipID) == "InUse" })
	require.Equal(t, ip, eipOf()["IpAddress"])
	require.EqualValues(t, 10, eipOf()["Bandwidth"])
	waitFor(t, "guest on the EIP", func() bool {
		info, err := e.srv.Guest(inst)
		return err == nil && info.Running && info.SSHAddr == ip+":"+itoa(e.srv.GuestSSHPort())
	})
	out, err := sshRun(ip+":"+itoa(e.srv.GuestSSHPort()), ssh.PublicKeys(signer), "hostname")
	require.NoError(t, err)
	require.NotEmpty(t, out)
	// ECS-flavoured and filtered views of the same EIP.
	d := e.must(pECS, "DescribeEipAddresses", map[string]string{"EipAddress": ip})
	require.Equal(t, "10", get(d, "EipAddresses", "EipAddress", 0, "Bandwidth"))
	d = e.must(pVPC, "DescribeEipAddresses", map[string]string{"AssociatedInstanceId": inst, "AssociatedInstanceType": "EcsInstance"})
	require.EqualValues(t, 1, d["TotalCount"])
	d = e.must(pECS, "DescribeInstances", map[string]string{"EipAddresses": `["` + ip + `"]`})
	require.EqualValues(t, 1, d["TotalCount"])
	// AllocatePublicIpAddress is refused once an EIP is bound.
	_, err = e.do(pECS, "AllocatePublicIpAddress", map[string]string{"InstanceId": inst})
	requireAPIError(t, err, 403, "InvalidOperation.EipAssociated")

	e.must(pVPC, "UnassociateEipAddress", map[string]string{"AllocationId": eipID, "InstanceId": inst})
	require.Contains(t, []string{"Unassociating", "Available"}, e.eipStatus(eipID))
	waitFor(t, "guest gone", func() bool { info, err := e.srv.Guest(inst); return err == nil && !info.Running })
	waitFor(t, "Available", func() bool { return e.eipStatus(eipID) == "Available" })
	require.Equal(t, "", eipOf()["AllocationId"])
	require.Empty(t, e.srv.Resources().Instances[0].EipID)

	// Released with its instance: the EIP survives, Available and billable.
	e.must(pVPC, "AssociateEipAddress", map[string]string{"AllocationId": eipID, "InstanceId": inst})
	waitFor(t, "InUse", func() bool { return e.eipStatus(eipID) == "InUse" })
	e.must(pECS, "DeleteInstance", map[string]string{"InstanceId": inst, "Force": "true"})
	waitFor(t, "instance gone", func() bool { return e.status(inst) == "" })
	require.Equal(t, "Available", e.eipStatus(eipID))
	require.Len(t, e.srv.Billable().Eips, 1)
	e.must(pVPC, "ReleaseEipAddress", map[string]string{"AllocationId": eipID})
	require.Empty(t, e.srv.Billable().Eips)
}

// TestEipWhileAssociating holds an EIP in Associating: the association
// shows on the EIP but not yet on the instance, and only queries work.
func TestEipWhileAssociating(t *testing.T) {
	t.Parallel()
	e := newConfEnv(t, slowEip)
	eipID, inst := e.eip(), e.running(nil)
	e.must(pVPC, "AssociateEipAddress", map[string]string{"AllocationId": eipID, "InstanceId": inst})
	d := e.must(pVPC, "DescribeEipAddresses", map[string]string{"AllocationId": eipID})
	require.Equal(t, "Associating", get(d, "EipAddresses", "EipAddress", 0, "Status"))
	require.Equal(t, inst, get(d, "EipAddresses", "EipAddress", 0, "InstanceId"))
	di := e.must(pECS, "DescribeInstances", map[string]string{"InstanceIds": `["` + inst + `"]`})
	require.Equal(t, "", get(di, "Instances", "Instance", 0, "EipAddress", "AllocationId"))
	for action, p := range map[string]map[string]string{
		"ReleaseEipAddress":     {"AllocationId": eipID},
		"AssociateEipAddress":   {"AllocationId": eipID, "InstanceId": inst},
		"UnassociateEipAddress": {"AllocationId": eipID, "InstanceId": inst},
	} {
		_, err := e.do(pVPC, action, p)
		requireAPIError(t, err, 400, "IncorrectEipStatus")
	}
	_, err := e.srv.Guest(inst)
	require.ErrorIs(t, err, ecssim.ErrNoGuest) // not reachable before InUse
}
