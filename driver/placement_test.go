package driver

import (
	"testing"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
)

func TestFreeIPv6Index(t *testing.T) {
	vsw := func(block string) ecs.VSwitch { return ecs.VSwitch{Ipv6CidrBlock: block} }
	cases := []struct {
		existing []ecs.VSwitch
		want     int
	}{
		{nil, 0},
		{[]ecs.VSwitch{vsw(""), vsw("2001:db8:1::/64")}, 1},
		{[]ecs.VSwitch{vsw("2001:db8:1::/64"), vsw("2001:db8:1:2::/64")}, 1},
		{[]ecs.VSwitch{vsw("2001:db8:1::/64"), vsw("2001:db8:1:1::/64"), vsw("not a block")}, 2},
	}
	for _, c := range cases {
		got, err := freeIPv6Index("2001:db8:1::/56", c.existing)
		if err != nil || got != c.want {
			t.Errorf("freeIPv6Index(%v) = %d, %v; want %d", c.existing, got, err, c.want)
		}
	}
	var full []ecs.VSwitch
	for i := range 256 {
		full = append(full, vsw(fmtIPv6Block(i)))
	}
	if _, err := freeIPv6Index("2001:db8:1::/56", full); err == nil {
		t.Error("a /56 with all 256 /64s used has no free index")
	}
	if _, err := freeIPv6Index("nonsense", nil); err == nil {
		t.Error("a malformed VPC block was accepted")
	}
}

func fmtIPv6Block(i int) string {
	const hex = "0123456789abcdef"
	return "2001:db8:1:" + string([]byte{hex[i>>4], hex[i&15]}) + "::/64"
}

func TestDeploymentSetRoom(t *testing.T) {
	d := &Driver{DeploymentSetID: "ds-1"}
	set := &ecs.DeploymentSet{ID: "ds-1", Strategy: "Availability", Available: map[string]int{"z-full": 0, "z-some": 3}}
	if err := d.deploymentSetRoom(set, "z-full"); err == nil {
		t.Error("a full zone has room")
	}
	for _, z := range []string{"z-some", "z-unused"} {
		if err := d.deploymentSetRoom(set, z); err != nil {
			t.Errorf("zone %s: %v", z, err)
		}
	}
	if err := d.deploymentSetRoom(nil, "z-full"); err != nil {
		t.Errorf("no set: %v", err)
	}
}
