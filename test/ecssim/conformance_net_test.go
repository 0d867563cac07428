package ecssim_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

// with builds a case whose setup returns fixed parameters after prep.
func with(version, action, name string, prep func(e *confEnv) map[string]string, status int, code string) confCase {
	return confCase{name: name, version: version, action: action, setup: prep, status: status, code: code}
}

func ruleCount(e *confEnv, group string) int {
	for _, g := range e.srv.Resources().SecurityGroups {
		if g.ID == group {
			return len(g.Rules)
		}
	}
	return -1
}

func TestConformanceSecurityGroups(t *testing.T) {
	t.Parallel()
	ssh := func(e *confEnv) map[string]string {
		return map[string]string{"SecurityGroupId": e.sg(), "Permissions.1.IpProtocol": "tcp",
			"Permissions.1.PortRange": "22/22", "Permissions.1.SourceCidrIp": "0.0.0.0/0"}
	}
	authorized := func(e *confEnv) map[string]string {
		p := ssh(e)
		e.must(pECS, "AuthorizeSecurityGroup", p)
		return p
	}
	runConformance(t, []confCase{
		{name: "permissions form", version: pECS, action: "AuthorizeSecurityGroup", setup: ssh,
			check: func(t *testing.T, e *confEnv, _ map[string]any) { require.Equal(t, 1, ruleCount(e, e.sg())) }},
		{name: "legacy form", version: pECS, action: "AuthorizeSecurityGroup",
			setup: func(e *confEnv) map[string]string {
				return map[string]string{"SecurityGroupId": e.sg(), "IpProtocol": "udp", "PortRange": "8472/8472", "SourceCidrIp": "10.0.0.0/8"}
			},
			check: func(t *testing.T, e *confEnv, _ map[string]any) { require.Equal(t, 1, ruleCount(e, e.sg())) }},
		{name: "identical rule is a no-op", version: pECS, action: "AuthorizeSecurityGroup", setup: authorized,
			check: func(t *testing.T, e *confEnv, _ map[string]any) { require.Equal(t, 1, ruleCount(e, e.sg())) }},
		with(pECS, "AuthorizeSecurityGroup", "mixed forms", func(e *confEnv) map[string]string {
			p := ssh(e)
			p["IpProtocol"] = "tcp"
			return p
		}, 400, "InvalidParameter"),
		with(pECS, "AuthorizeSecurityGroup", "bad port range", func(e *confEnv) map[string]string {
			p := ssh(e)
			p["Permissions.1.PortRange"] = "22"
			return p
		}, 400, "InvalidPortRange.Malformed"),
		with(pECS, "AuthorizeSecurityGroup", "201st rule", func(e *confEnv) map[string]string {
			for batch := 0; batch < 2; batch++ {
				p := map[string]string{"SecurityGroupId": e.sg()}
				for i := 1; i <= 100; i++ {
					n := batch*100 + i
					p[fmt.Sprintf("Permissions.%d.IpProtocol", i)] = "TCP"
					p[fmt.Sprintf("Permissions.%d.PortRange", i)] = fmt.Sprintf("%d/%d", n, n)
					p[fmt.Sprintf("Permissions.%d.SourceCidrIp", i)] = "0.0.0.0/0"
				}
				e.must(pECS, "AuthorizeSecurityGroup", p)
			}
			p := ssh(e)
			p["Permissions.1.PortRange"] = "9999/9999"
			return p
		}, 403, "AuthorizationLimitExceed"),
		{name: "by fields", version: pECS, action: "RevokeSecurityGroup", setup: authorized,
			check: func(t *testing.T, e *confEnv, _ map[string]any) { require.Equal(t, 0, ruleCount(e, e.sg())) }},
		{name: "by rule id", version: pECS, action: "RevokeSecurityGroup",
			setup: func(e *confEnv) map[string]string {
				authorized(e)
				attr := e.must(pECS, "DescribeSecurityGroupAttribute", map[string]string{"SecurityGroupId": e.sg()})
				return map[string]string{"SecurityGroupId": e.sg(),
					"SecurityGroupRuleId.1": get(attr, "Permissions", "Permission", 0, "SecurityGroupRuleId").(string)}
			},
			check: func(t *testing.T, e *confEnv, _ map[string]any) { require.Equal(t, 0, ruleCount(e, e.sg())) }},
		{name: "absent rule is a no-op", version: pECS, action: "RevokeSecurityGroup", setup: ssh},
		with(pECS, "RevokeSecurityGroup", "unknown rule id", func(e *confEnv) map[string]string {
			return map[string]string{"SecurityGroupId": e.sg(), "SecurityGroupRuleId.1": "sgr-nope"}
		}, 404, "InvalidSecurityGroupRuleId.NotFound"),
		{name: "drop", version: pECS, action: "ModifySecurityGroupPolicy",
			setup: func(e *confEnv) map[string]string {
				return map[string]string{"SecurityGroupId": e.sg(), "InnerAccessPolicy": "Drop"}
			},
			check: func(t *testing.T, e *confEnv, _ map[string]any) {
				attr := e.must(pECS, "DescribeSecurityGroupAttribute", map[string]string{"SecurityGroupId": e.sg()})
				require.Equal(t, "Drop", attr["InnerAccessPolicy"])
			}},
		with(pECS, "ModifySecurityGroupPolicy", "bad policy", func(e *confEnv) map[string]string {
			return map[string]string{"SecurityGroupId": e.sg(), "InnerAccessPolicy": "Maybe"}
		}, 400, "InvalidParameter"),
		with(pECS, "DescribeSecurityGroupAttribute", "unknown", func(*confEnv) map[string]string {
			return map[string]string{"SecurityGroupId": "sg-nope"}
		}, 404, "InvalidSecurityGroupId.NotFound"),
		with(pECS, "DeleteSecurityGroup", "in use", func(e *confEnv) map[string]string {
			e.instance(nil)
			return map[string]string{"SecurityGroupId": e.sg()}
		}, 403, "DependencyViolation"),
		with(pECS, "DeleteSecurityGroup", "in use by a releasing instance", func(e *confEnv) map[string]string {
			e.srv.SetTiming(ecssim.TransitionRelease, time.Hour)
			id := e.running(nil)
			e.must(pECS, "DeleteInstance", map[string]string{"InstanceId": id, "Force": "true"})
			return map[string]string{"SecurityGroupId": e.sg()}
		}, 403, "DependencyViolation"),
		with(pECS, "CreateSecurityGroup", "unknown vpc", func(*confEnv) map[string]string {
			return map[string]string{"VpcId": "vpc-nope"}
		}, 404, "InvalidVpcId.NotFound"),
		with(pECS, "CreateSecurityGroup", "unknown resource group", func(e *confEnv) map[string]string {
			return map[string]string{"VpcId": defaultVpc(e.t, e.srv), "ResourceGroupId": "rg-x"}
		}, 404, "InvalidResourceGroup.NotFound"),
		{name: "enterprise drops inner traffic", version: pECS, action: "CreateSecurityGroup",
			setup: func(e *confEnv) map[string]string {
				return map[string]string{"VpcId": defaultVpc(e.t, e.srv), "SecurityGroupType": "enterprise"}
			},
			check: func(t *testing.T, e *confEnv, _ map[string]any) {
				require.Equal(t, "Drop", e.srv.Resources().SecurityGroups[0].InnerAccessPolicy)
			}},
	})
}

func TestConformanceKeyPairs(t *testing.T) {
	t.Parallel()
	_, pub := newKey(t)
	runConformance(t, []confCase{
		{name: "create", version: pECS, action: "CreateKeyPair",
			setup: func(*confEnv) map[string]string { return map[string]string{"KeyPairName": "made-here"} },
			check: func(t *testing.T, e *confEnv, resp map[string]any) {
				require.Contains(t, resp["PrivateKeyBody"], "BEGIN RSA PRIVATE KEY")
				require.NotEmpty(t, resp["KeyPairId"])
				require.Len(t, e.srv.Resources().KeyPairs, 1)
			}},
		with(pECS, "CreateKeyPair", "exists", func(e *confEnv) map[string]string {
			e.must(pECS, "ImportKeyPair", map[string]string{"KeyPairName": "kp", "PublicKeyBody": pub})
			return map[string]string{"KeyPairName": "kp"}
		}, 400, "KeyPair.AlreadyExist"),
		with(pECS, "ImportKeyPair", "bad name", func(*confEnv) map[string]string {
			return map[string]string{"KeyPairName": "1kp", "PublicKeyBody": pub}
		}, 400, "InvalidKeyPairName.Malformed"),
		with(pECS, "ImportKeyPair", "bad body", func(*confEnv) map[string]string {
			return map[string]string{"KeyPairName": "kp", "PublicKeyBody": "ssh-rsa nope"}
		}, 400, "InvalidPublicKeyBody.Malformed"),
		{name: "in use and unknown", version: pECS, action: "DeleteKeyPairs",
			setup: func(e *confEnv) map[string]string {
				e.must(pECS, "ImportKeyPair", map[string]string{"KeyPairName": "kp", "PublicKeyBody": pub})
				e.instance(map[string]string{"KeyPairName": "kp"})
				return map[string]string{"KeyPairNames": `["kp","ghost"]`}
			},
			check: func(t *testing.T, e *confEnv, _ map[string]any) {
				res := e.srv.Resources()
				require.Empty(t, res.KeyPairs)
				require.Equal(t, "kp", res.Instances[0].KeyPairName)
			}},
		with(pECS, "DeleteKeyPairs", "not json", func(*confEnv) map[string]string {
			return map[string]string{"KeyPairNames": "kp"}
		}, 400, "InvalidKeyPairNames.ValueNotSupported"),
	})
}

func TestConformanceVpc(t *testing.T) {
	t.Parallel()
	vsw := func(cidr, zone string) func(e *confEnv) map[string]string {
		return func(e *confEnv) map[string]string {
			return map[string]string{"VpcId": e.newVpc("10.0.0.0/16"), "ZoneId": zone, "CidrBlock": cidr}
		}
	}
	runConformance(t, []confCase{
		with(pVPC, "CreateVpc", "public cidr", func(*confEnv) map[string]string {
			return map[string]string{"CidrBlock": "8.8.0.0/16"}
		}, 400, "InvalidCidrBlock.Malformed"),
		with(pVPC, "CreateVSwitch", "outside vpc", vsw("10.1.0.0/24", "cn-hangzhou-h"), 400, "InvalidParameter"),
		with(pVPC, "CreateVSwitch", "unknown zone", vsw("10.0.0.0/24", "cn-hangzhou-z"), 404, "InvalidZoneId.NotFound"),
		with(pVPC, "CreateVSwitch", "mask too small", vsw("10.0.0.0/30", "cn-hangzhou-h"), 400, "InvalidParameter"),
		with(pVPC, "CreateVSwitch", "overlap", func(e *confEnv) map[string]string {
			p := vsw("10.0.0.0/24", "cn-hangzhou-h")(e)
			e.must(pVPC, "CreateVSwitch", p)
			p["CidrBlock"], p["ZoneId"] = "10.0.0.128/25", "cn-hangzhou-i"
			return p
		}, 400, "InvalidCidrBlock.Overlapped"),
		with(pVPC, "CreateVSwitch", "vpc pending", func(e *confEnv) map[string]string {
			e.srv.SetTiming(ecssim.TransitionVPC, time.Hour)
			id := e.must(pVPC, "CreateVpc", map[string]string{"CidrBlock": "10.0.0.0/16"})["VpcId"].(string)
			return map[string]string{"VpcId": id, "ZoneId": "cn-hangzhou-h", "CidrBlock": "10.0.0.0/24"}
		}, 400, "IncorrectVpcStatus"),
		with(pVPC, "DeleteVSwitch", "pending", func(e *confEnv) map[string]string {
			e.srv.SetTiming(ecssim.TransitionVSwitch, time.Hour)
			p := vsw("10.0.0.0/24", "cn-hangzhou-h")(e)
			return map[string]string{"VSwitchId": e.must(pVPC, "CreateVSwitch", p)["VSwitchId"].(string)}
		}, 400, "IncorrectVSwitchStatus"),
		with(pVPC, "DeleteVSwitch", "with instance", func(e *confEnv) map[string]string {
			e.instance(nil)
			return map[string]string{"VSwitchId": e.vswitch()}
		}, 400, "DependencyViolation"),
		with(pVPC, "DeleteVpc", "with vswitch", func(e *confEnv) map[string]string {
			p := vsw("10.0.0.0/24", "cn-hangzhou-h")(e)
			e.must(pVPC, "CreateVSwitch", p)
			return map[string]string{"VpcId": p["VpcId"]}
		}, 400, "DependencyViolation.VSwitch"),
		with(pVPC, "DeleteVpc", "with group", func(e *confEnv) map[string]string {
			id := e.newVpc("10.0.0.0/16")
			e.must(pECS, "CreateSecurityGroup", map[string]string{"VpcId": id})
			return map[string]string{"VpcId": id}
		}, 400, "DependencyViolation.SecurityGroup"),
		with(pVPC, "DeleteVpc", "pending", func(e *confEnv) map[string]string {
			e.srv.SetTiming(ecssim.TransitionVPC, time.Hour)
			return map[string]string{"VpcId": e.must(pVPC, "CreateVpc", nil)["VpcId"].(string)}
		}, 400, "IncorrectVpcStatus"),
		with(pVPC, "DeleteVpc", "unknown", func(*confEnv) map[string]string {
			return map[string]string{"VpcId": "vpc-nope"}
		}, 404, "InvalidVpcId.NotFound"),
		{name: "empty", version: pVPC, action: "DeleteVpc",
			setup: func(e *confEnv) map[string]string { return map[string]string{"VpcId": e.newVpc("192.168.0.0/16")} },
			check: func(t *testing.T, e *confEnv, _ map[string]any) { require.Len(t, e.srv.Resources().Vpcs, 8) }},
	})
}
