package driver

import (
	"errors"
	"strings"
	"testing"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
	"github.com/rancher/machine/libmachine/state"
)

func TestHostName(t *testing.T) {
	cases := map[string]string{
		"pool1-abc12":                  "pool1-abc12",
		"a..b--c":                      "a.b-c",
		"-lead":                        "lead",
		"trail-":                       "trail",
		"x":                            "",
		strings.Repeat("a", 70):        strings.Repeat("a", 64),
		strings.Repeat("a", 63) + "-b": strings.Repeat("a", 63),
	}
	for in, want := range cases {
		if got := hostName(in); got != want {
			t.Errorf("hostName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInstanceName(t *testing.T) {
	if instanceName("node-1") != "node-1" {
		t.Error("a valid name was dropped")
	}
	if instanceName("1node") != "" {
		t.Error("a name starting with a digit was kept; ECS would reject it")
	}
}

func TestParsePortSpec(t *testing.T) {
	cases := map[string]string{"80": "TCP 80/80", "53/udp": "UDP 53/53", "30000-32767/tcp": "TCP 30000/32767", "8472/UDP": "UDP 8472/8472"}
	for in, want := range cases {
		p, err := parsePortSpec(in)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if got := p.protocol + " " + p.rangeString(); got != want {
			t.Errorf("%s → %s, want %s", in, got, want)
		}
	}
	for _, bad := range []string{"", "0", "65536", "a", "80/icmp", "20-10", "1-x"} {
		if _, err := parsePortSpec(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestMissingRulesConverges(t *testing.T) {
	d := NewDriver("n", "")
	d.OpenPorts = []string{"8080", "22"}
	wanted := d.wantedRules("sg-1")
	missing := missingRules(wanted, nil)
	// Duplicates within the wanted set (22 is both default and open-port)
	// are asked for once.
	if len(missing) != len(wanted)-1 {
		t.Fatalf("missing %d of %d wanted rules", len(missing), len(wanted))
	}
	// Existing rules as ECS reports them (direction set, upper case) count.
	var existing []ecs.Permission
	for _, r := range missing {
		r.Direction = "ingress"
		existing = append(existing, r)
	}
	if again := missingRules(wanted, existing); len(again) != 0 {
		t.Fatalf("rules already present were asked for again: %+v", again)
	}
}

func TestParseUserTag(t *testing.T) {
	tag, err := parseUserTag("env=a=b")
	if err != nil || tag.Key != "env" || tag.Value != "a=b" {
		t.Fatalf("env=a=b → %+v, %v", tag, err)
	}
	for _, bad := range []string{"=v", "k", "acs:x=1", "Aliyun=1", tagMachineName + "=x", "http://k=1"} {
		if _, err := parseUserTag(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestClientTokenIsStablePerMachineAndDistinctAcrossMachines(t *testing.T) {
	a := &Driver{BaseDriver: NewDriver("node", "").BaseDriver, CreateNonce: "0011223344556677"}
	b := &Driver{BaseDriver: NewDriver("node", "").BaseDriver, CreateNonce: "8899aabbccddeeff"}
	if a.clientToken("instance") != a.clientToken("instance") {
		t.Fatal("token changes between retries")
	}
	if a.clientToken("instance") == b.clientToken("instance") {
		t.Fatal("two machines of the same name share a token")
	}
	if len(a.clientToken("instance")) > 64 {
		t.Fatal("token longer than ECS allows")
	}
}

func TestStateOfMapsEveryStatus(t *testing.T) {
	want := map[string]state.State{
		"Pending": state.Starting, "Starting": state.Starting, "Running": state.Running,
		"Stopping": state.Stopping, "Stopped": state.Stopped,
	}
	for status, s := range want {
		got, err := stateOf(status)
		if err != nil || got != s {
			t.Errorf("%s → %v, %v", status, got, err)
		}
	}
	if _, err := stateOf("Exploded"); err == nil {
		t.Error("an unknown status is not an error")
	}
}

func TestRemoveErrorNeverSaysNotFound(t *testing.T) {
	cause := errors.New("DeleteInstance: InvalidAccessKeyId.NotFound: Specified access key is not found.\nRequestId: X")
	err := removeError(cause)
	if strings.Contains(strings.ToLower(err.Error()), "not found") {
		t.Fatalf("rancher-machine would take %q for success", err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Fatalf("not one line: %q", err)
	}
	if !strings.Contains(err.Error(), "InvalidAccessKeyId.NotFound") {
		t.Fatalf("the error code was lost: %q", err)
	}
}

func TestFreeSubnet(t *testing.T) {
	got, err := freeSubnet("172.16.0.0/12", 20, []ecs.VSwitch{{CidrBlock: "172.16.0.0/20"}, {CidrBlock: "172.16.16.0/24"}})
	if err != nil || got != "172.16.32.0/20" {
		t.Fatalf("freeSubnet = %q, %v", got, err)
	}
}
