package reliability

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/sshutil"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

// userDataCase is a case whose --aliyunecs-userdata is a file with content
// (or, with content nil, path itself).
func userDataCase(name string, content []byte, path string, plain bool) badCase {
	return badCase{name: name, plain: plain, want: []string{"--aliyunecs-userdata", "aliyunecs-userdata"},
		setup: func(t *testing.T, w *world) []string {
			if content == nil {
				return []string{"--aliyunecs-userdata", path}
			}
			p := filepath.Join(t.TempDir(), "user-data")
			if err := os.WriteFile(p, content, 0o600); err != nil {
				t.Fatal(err)
			}
			return []string{"--aliyunecs-userdata", p}
		}}
}

// badUserDataCases are unusable --aliyunecs-userdata values.
func badUserDataCases() []badCase {
	big := make([]byte, 48<<10)
	_, _ = rand.Read(big)
	tooBig := append([]byte("#cloud-config\nwrite_files:\n- path: /x\n  content: "), base64.StdEncoding.EncodeToString(big)...)
	return []badCase{
		userDataCase("userdata-missing", nil, "/nonexistent/user-data", true),
		// In Rancher mode rancher-machine reads the file itself first and
		// names only the path.
		{name: "userdata-missing-rancher-mode", flags: []string{"--aliyunecs-userdata", "/nonexistent/user-data"},
			want: []string{"--aliyunecs-userdata", "/nonexistent/user-data"}},
		userDataCase("userdata-directory", nil, os.TempDir(), true),
		userDataCase("userdata-too-big", tooBig, "", true),
		userDataCase("userdata-plain-text", []byte("hello, this is no cloud-init format\n"), "", true),
		userDataCase("userdata-bad-yaml", []byte("#cloud-config\nruncmd: [unclosed\n"), "", true),
		userDataCase("userdata-not-mapping", []byte("#cloud-config\n- a\n- b\n"), "", true),
		userDataCase("userdata-two-documents", []byte("#cloud-config\na: 1\n---\nb: 2\n"), "", true),
		userDataCase("userdata-archive-format", []byte("#cloud-config-archive\n- type: text/x-shellscript\n"), "", true),
	}
}

// simAPI is an ecs client straight to the simulator (not through the tap),
// for setting up the cloud side of a case.
func (w *world) simAPI(t *testing.T) ecs.API {
	t.Helper()
	api, err := ecs.NewClient(ecs.Config{
		Region: "cn-hangzhou", AccessKeyID: w.m.AccessKeyID, AccessKeySecret: w.m.AccessKeySecret,
		Endpoint: w.sim.URL(), Retry: ecs.RetryPolicy{MaxAttempts: 3},
	})
	if err != nil {
		t.Fatal(err)
	}
	return api
}

// networks is what otherVPC found and made.
type networks struct {
	defaultVSwitch ecs.VSwitch // the first default VSwitch
	otherZone      string      // another zone of the region
	vpcID          string      // a second VPC
	vswitchID      string      // a VSwitch of the second VPC, in defaultVSwitch's zone
}

// otherVPC creates a second VPC with a VSwitch next to the default one.
func otherVPC(t *testing.T, w *world) networks {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	api := w.simAPI(t)
	isDefault := true
	vsws, err := api.DescribeVSwitches(ctx, ecs.VSwitchQuery{IsDefault: &isDefault})
	if err != nil || len(vsws) == 0 {
		t.Fatalf("want a default VSwitch, have %d: %v", len(vsws), err)
	}
	zones, err := api.DescribeZones(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := networks{defaultVSwitch: vsws[0]}
	for _, z := range zones {
		if z.ID != n.defaultVSwitch.ZoneID {
			n.otherZone = z.ID
		}
	}
	if n.vpcID, err = api.CreateVpc(ctx, ecs.CreateVpcRequest{CidrBlock: "192.168.0.0/16", Name: "other"}); err != nil {
		t.Fatal(err)
	}
	err = ecs.Retry(ctx, ecs.RetryPolicy{MaxAttempts: 50}, func(ctx context.Context) error {
		n.vswitchID, err = api.CreateVSwitch(ctx, ecs.CreateVSwitchRequest{
			VpcID: n.vpcID, ZoneID: n.defaultVSwitch.ZoneID, CidrBlock: "192.168.1.0/24", Name: "other"})
		return err
	}, "IncorrectVpcStatus", "IncorrectStatus")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// badCloudCases are values that only the cloud can tell are wrong.
func badCloudCases() []badCase {
	return []badCase{
		{name: "vswitch-in-other-vpc", want: []string{"--aliyunecs-vswitch-id"}, short: true,
			setup: func(t *testing.T, w *world) []string {
				n := otherVPC(t, w)
				return []string{"--aliyunecs-vpc-id", n.defaultVSwitch.VpcID, "--aliyunecs-vswitch-id", n.vswitchID}
			}},
		{name: "vswitch-in-other-zone", want: []string{"--aliyunecs-vswitch-id", "--aliyunecs-zone"},
			setup: func(t *testing.T, w *world) []string {
				n := otherVPC(t, w)
				return []string{"--aliyunecs-zone", n.otherZone, "--aliyunecs-vswitch-id", n.defaultVSwitch.ID}
			}},
		{name: "group-in-other-vpc", want: []string{"--aliyunecs-security-group"},
			setup: func(t *testing.T, w *world) []string {
				n := otherVPC(t, w)
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				sg, err := w.simAPI(t).CreateSecurityGroup(ctx, ecs.CreateSecurityGroupRequest{VpcID: n.vpcID, Name: "theirs"})
				if err != nil {
					t.Fatal(err)
				}
				return []string{"--aliyunecs-security-group", sg}
			}},
		{name: "vswitch-missing", flags: []string{"--aliyunecs-vswitch-id", "vsw-doesnotexist000"}, want: []string{"--aliyunecs-vswitch-id"}},
		{name: "vpc-missing", flags: []string{"--aliyunecs-vpc-id", "vpc-doesnotexist000"}, want: []string{"--aliyunecs-vpc-id"}},
		{name: "deployment-set-missing", flags: []string{"--aliyunecs-deployment-set-id", "ds-doesnotexist000"}, want: []string{"--aliyunecs-deployment-set-id"}},
		{name: "ipv6-vswitch-without-block", want: []string{"--aliyunecs-ipv6address-count"},
			setup: func(t *testing.T, w *world) []string {
				n := otherVPC(t, w)
				return []string{"--aliyunecs-ipv6address-count", "1", "--aliyunecs-vswitch-id", n.defaultVSwitch.ID}
			}},
		{name: "ipv6-more-than-the-type-takes", flags: []string{"--aliyunecs-ipv6address-count", "7", "--aliyunecs-instance-type", "ecs.g7.large"},
			want: []string{"--aliyunecs-ipv6address-count"}},
		{name: "group-missing", flags: []string{"--aliyunecs-security-group", "sg-doesnotexist000"}, want: []string{"--aliyunecs-security-group"}},
		{name: "keypair-missing", want: []string{"--aliyunecs-ssh-keypair"},
			setup: func(t *testing.T, w *world) []string {
				key := filepath.Join(t.TempDir(), "id_rsa")
				if _, err := sshutil.GenerateKeyPair(key); err != nil {
					t.Fatal(err)
				}
				return []string{"--aliyunecs-ssh-keypair", "no-such-pair", "--aliyunecs-ssh-keypath", key}
			}},
		{name: "keypath-missing", flags: []string{"--aliyunecs-ssh-keypath", "/nonexistent/id_rsa"}, want: []string{"--aliyunecs-ssh-keypath"}},
		{name: "credential-revoked", want: []string{"InvalidAccessKeyId.NotFound"}, short: true,
			setup: func(t *testing.T, w *world) []string {
				w.revokeCredential(ecssim.DefaultAccessKeyID)
				return nil
			}},
		{name: "secret-wrong", env: []string{"ALIYUNECS_ACCESS_KEY_SECRET=not-the-secret"}, want: []string{"SignatureDoesNotMatch"}},
		{name: "token-for-plain-key", env: []string{"ALIYUNECS_SECURITY_TOKEN=unexpected-token"}, want: []string{"InvalidSecurityToken"}},
	}
}
