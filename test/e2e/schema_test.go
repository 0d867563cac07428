package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net/rpc"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/driver"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
	rpcdriver "github.com/rancher/machine/libmachine/drivers/rpc"
	"github.com/rancher/machine/libmachine/mcnflag"
)

// schemaFields are the AliyunecsConfig fields that must exist with their
// schema type: the 29 names of the legacy cnrancher/upstream driver, the 7 of
// the PANDARIA fork, the fields the Rancher dashboard form and the community
// driver write (rancher-integration.md §4.5, §7), and the credential and
// file fields Rancher's annotations name. Only ever add to this list.
var schemaFields = map[string]string{
	// Legacy driver (anchor-drivers.md §1).
	"accessKeyId": "string", "accessKeySecret": "string", "imageId": "string", "region": "string",
	"vpcId": "string", "vswitchId": "string", "zone": "string", "securityGroup": "string",
	"instanceType": "string", "privateIp": "string", "description": "string", "sshPassword": "string",
	"sshKeypair": "string", "sshKeypath": "string", "privateAddressOnly": "boolean",
	"internetMaxBandwidth": "int", "internetChargeType": "string", "routeCidr": "string",
	"slbId": "string", "tag": "array[string]", "diskSize": "int", "diskFs": "string",
	"systemDiskSize": "int", "systemDiskCategory": "string", "diskCategory": "string",
	"upgradeKernel": "boolean", "ioOptimized": "string", "apiEndpoint": "string",
	"resourceGroupId": "string",
	// PANDARIA fork.
	"instanceChargeType": "string", "period": "int", "periodUnit": "string", "spotStrategy": "string",
	"spotPriceLimit": "string", "spotDuration": "int", "openPort": "array[string]",
	// Community driver and this driver.
	"allocatePublicStaticIp": "boolean", "securityToken": "string", "sshUser": "string",
	"sshPort": "int", "userdata": "string",
}

// kebabWords is the flag shape Rancher's round trip needs: lower-case words
// starting with a letter. Digits may sit inside a word ("ipv6address"), but
// a word ending in a digit before another word does not survive (the args
// regex breaks words only at a lower-case letter before an upper-case one);
// the round-trip check below catches that.
var kebabWords = regexp.MustCompile(`^aliyunecs(-[a-z][a-z0-9]*)+$`)

// TestSchemaRoundTrip holds every flag to what Rancher does with it: the
// schema field from ToLowerCamelCase, back to the same flag through the
// job's args regex; the type mapping; bool defaults; the userdata and OS
// flag detection of rancher-machine.
func TestSchemaRoundTrip(t *testing.T) {
	flags := driver.New().GetCreateFlags()
	fields := map[string]harness.RancherField{}
	var userdataFlags []string
	for _, f := range flags {
		name := f.String()
		if !kebabWords.MatchString(name) {
			t.Errorf("flag %s: only aliyunecs-<lowercase words> survive Rancher's schema round trip", name)
		}
		rf, err := harness.RancherSchemaField(f)
		if err != nil {
			t.Errorf("flag %s: Rancher cannot turn it into a schema field: %v", name, err)
			continue
		}
		if back := harness.RancherFlagName(harness.RancherDriverName, rf.Name); back != "--"+name {
			t.Errorf("flag %s → field %s → %s: the job would pass a flag the driver does not have", name, rf.Name, back)
		}
		if prev, dup := fields[rf.Name]; dup {
			t.Errorf("flags %s and %s both become field %s", prev.Flag, name, rf.Name)
		}
		fields[rf.Name] = rf
		if strings.HasSuffix(name, "-os") {
			t.Errorf("flag %s ends in -os: rancher-machine would read it as the OS selector", name)
		}
		for _, s := range []string{"user-data", "userdata", "custom-data", "cloud-config"} {
			if strings.Contains(name, s) {
				userdataFlags = append(userdataFlags, name)
				break
			}
		}
		if rf.Type == "boolean" && rf.Default != false {
			t.Errorf("flag %s: a boolean must default to false (Rancher can only pass true)", name)
		}
	}
	if len(userdataFlags) != 1 || userdataFlags[0] != "aliyunecs-userdata" {
		t.Errorf("flags naming user data: %v; want exactly aliyunecs-userdata (rancher-machine merges the install script into the first)", userdataFlags)
	}

	intFlags := map[string]bool{}
	for _, f := range flags {
		switch f.(type) {
		case mcnflag.IntFlag, *mcnflag.IntFlag:
			intFlags[f.String()] = true
		}
	}
	for field, want := range schemaFields {
		rf, ok := fields[field]
		if !ok {
			t.Errorf("field %s is missing: stored AliyunecsConfigs and the dashboard form use it", field)
			continue
		}
		schemaType := want
		if want == "int" {
			schemaType = "string"
			if !intFlags[rf.Flag] {
				t.Errorf("field %s: flag %s must stay an IntFlag", field, rf.Flag)
			}
		}
		if rf.Type != schemaType {
			t.Errorf("field %s has schema type %s, want %s", field, rf.Type, schemaType)
		}
	}
	for flag, env := range map[string]string{
		"accessKeyId": "ALIYUNECS_ACCESS_KEY_ID", "accessKeySecret": "ALIYUNECS_ACCESS_KEY_SECRET",
	} {
		if fields[flag].EnvVar != env {
			t.Errorf("field %s reads %q; Rancher sets the cloud credential in %s", flag, fields[flag].EnvVar, env)
		}
	}
}

// TestSchemaFromPluginBinary asks the built plugin for its flags over the
// plugin RPC protocol, as the Rancher server does when it builds the schema,
// and requires the same flags as the driver package (a stale binary or a
// flag type gob cannot carry would show here).
func TestSchemaFromPluginBinary(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, harness.DriverBinary))
	cmd.Env = append(os.Environ(), "MACHINE_PLUGIN_TOKEN=42", "MACHINE_PLUGIN_DRIVER_NAME=aliyunecs")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() {
		t.Fatalf("the plugin printed no address: %v", sc.Err())
	}
	addr := strings.TrimSpace(sc.Text())
	go func() {
		for sc.Scan() { // keep the pipe drained
		}
	}()
	client, err := rpc.DialHTTP("tcp", addr)
	if err != nil {
		t.Fatalf("dial plugin at %q: %v", addr, err)
	}
	defer client.Close()
	var remote []mcnflag.Flag
	if err := rpcdriver.NewInternalClient(client).Call(".GetCreateFlags", struct{}{}, &remote); err != nil {
		t.Fatalf("GetCreateFlags over RPC: %v", err)
	}
	_ = rpcdriver.NewInternalClient(client).Call(".Close", struct{}{}, nil)

	local := driver.New().GetCreateFlags()
	describe := func(fs []mcnflag.Flag) []string {
		var out []string
		for _, f := range fs {
			rf, err := harness.RancherSchemaField(f)
			if err != nil {
				t.Fatalf("flag %s: %v", f, err)
			}
			out = append(out, fmt.Sprintf("%s %s %s %v", rf.Flag, rf.Type, rf.EnvVar, rf.Default))
		}
		return out
	}
	if l, r := describe(local), describe(remote); !reflect.DeepEqual(l, r) {
		t.Errorf("the plugin binary's flags differ from driver.GetCreateFlags (rebuild with `make build`):\nbinary: %q\nsource: %q", r, l)
	}
}
