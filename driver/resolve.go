package driver

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
)

// preferredInstanceTypes are tried in order when --aliyunecs-instance-type is
// empty: current general-purpose 2 vCPU / 8 GiB types (enough for an RKE2
// server), then cheaper current families.
var preferredInstanceTypes = []string{
	"ecs.g7.large", "ecs.g8i.large", "ecs.g8a.large", "ecs.g6.large",
	"ecs.u1-c1m4.large", "ecs.c7.large", "ecs.u1-c1m2.large",
}

// resolved is what PreCreateCheck learned from the cloud; Create reuses it so
// the same plugin process does not ask twice.
type resolved struct {
	zones        []ecs.Zone
	instanceType string
	image        ecs.Image
	network      networkPlan
	group        *ecs.SecurityGroup // nil: create the named default group
}

// resolve performs every read-only lookup Create needs: region, zone,
// instance type, image, network and security group.
func (d *Driver) resolve(ctx context.Context, api ecs.API) (*resolved, error) {
	regions, err := api.DescribeRegions(ctx)
	if err != nil {
		return nil, fmt.Errorf("could not list regions (are the credentials right?): %w", err)
	}
	if !containsRegion(regions, d.Region) {
		return nil, fmt.Errorf("--%s: %q is not a region of this account (%s)", flagRegion, d.Region, regionList(regions))
	}
	r := &resolved{}
	if r.zones, err = api.DescribeZones(ctx); err != nil {
		return nil, fmt.Errorf("could not list the zones of %s: %w", d.Region, err)
	}
	if d.Zone != "" && findZone(r.zones, d.Zone) == nil {
		return nil, fmt.Errorf("--%s: %q is not a zone of region %s", flagZone, d.Zone, d.Region)
	}
	if r.instanceType, err = d.chooseInstanceType(r.zones); err != nil {
		return nil, err
	}
	zoneOK := func(zone string) bool {
		z := findZone(r.zones, zone)
		return z != nil && contains(z.InstanceTypes, r.instanceType)
	}
	if r.network, err = d.planNetwork(ctx, api, zoneOK); err != nil {
		return nil, err
	}
	if r.network.zoneID == "" {
		for _, z := range r.zones {
			if zoneOK(z.ID) {
				r.network.zoneID = z.ID
				break
			}
		}
		if r.network.zoneID == "" {
			return nil, fmt.Errorf("--%s: no zone of %s offers %s", flagInstanceType, d.Region, r.instanceType)
		}
	}
	if !zoneOK(r.network.zoneID) {
		return nil, fmt.Errorf("--%s: zone %s does not offer %s", flagInstanceType, r.network.zoneID, r.instanceType)
	}
	if r.image, err = d.chooseImage(ctx, api); err != nil {
		return nil, err
	}
	if r.group, err = d.findSecurityGroup(ctx, api, r.network.vpcID); err != nil {
		return nil, err
	}
	return r, nil
}

// chooseInstanceType returns the flag's type if some zone offers it (the
// zone's own check comes later), or the first preferred type offered in the
// wanted zone.
func (d *Driver) chooseInstanceType(zones []ecs.Zone) (string, error) {
	offered := func(t string) bool {
		for _, z := range zones {
			if (d.Zone == "" || z.ID == d.Zone) && contains(z.InstanceTypes, t) {
				return true
			}
		}
		return false
	}
	if d.InstanceType != "" {
		if !offered(d.InstanceType) {
			return "", fmt.Errorf("--%s: %s is not offered in %s", flagInstanceType, d.InstanceType, d.where())
		}
		return d.InstanceType, nil
	}
	for _, t := range preferredInstanceTypes {
		if offered(t) {
			return t, nil
		}
	}
	return "", fmt.Errorf("--%s: none of %s is offered in %s; pass a type", flagInstanceType, strings.Join(preferredInstanceTypes, ", "), d.where())
}

func (d *Driver) where() string {
	if d.Zone != "" {
		return "zone " + d.Zone
	}
	return "region " + d.Region
}

// imageIDPattern tells image IDs (ubuntu_22_04_x64_20G_alibase_2024.vhd,
// m-bp1...) from image names.
var imageIDPattern = regexp.MustCompile(`^(m-[a-z0-9]+|[a-z0-9_]+\.vhd)$`)

// chooseImage resolves --aliyunecs-image-id (an ID or a name) or picks the
// newest Ubuntu LTS system image, never a hard-coded one that may retire.
func (d *Driver) chooseImage(ctx context.Context, api ecs.API) (ecs.Image, error) {
	if d.ImageID != "" {
		q := ecs.ImageQuery{ImageName: d.ImageID}
		if imageIDPattern.MatchString(d.ImageID) {
			q = ecs.ImageQuery{ImageIDs: []string{d.ImageID}}
		}
		images, err := api.DescribeImages(ctx, q)
		if err != nil {
			return ecs.Image{}, fmt.Errorf("could not look up --%s %s: %w", flagImageID, d.ImageID, err)
		}
		for _, img := range images {
			if img.ID == d.ImageID || img.Name == d.ImageID {
				return img, nil
			}
		}
		return ecs.Image{}, fmt.Errorf("--%s: no image with ID or name %q in region %s", flagImageID, d.ImageID, d.Region)
	}
	images, err := api.DescribeImages(ctx, ecs.ImageQuery{OwnerAlias: "system", OSType: "linux", Architecture: "x86_64"})
	if err != nil {
		return ecs.Image{}, fmt.Errorf("could not list system images: %w", err)
	}
	var lts []ecs.Image
	for _, img := range images {
		if isUbuntuLTS(img) {
			lts = append(lts, img)
		}
	}
	if len(lts) == 0 {
		return ecs.Image{}, fmt.Errorf("--%s: region %s offers no Ubuntu LTS system image; pass an image", flagImageID, d.Region)
	}
	// Image IDs embed the release and build date, so the greatest ID is the
	// newest release's newest build.
	sort.Slice(lts, func(i, j int) bool { return lts[i].ID > lts[j].ID })
	return lts[0], nil
}

var ubuntuLTSID = regexp.MustCompile(`^ubuntu_(\d+)_04_`)

func isUbuntuLTS(img ecs.Image) bool {
	m := ubuntuLTSID.FindStringSubmatch(img.ID)
	if m == nil {
		return false
	}
	var major int
	fmt.Sscan(m[1], &major)
	return major%2 == 0
}

func containsRegion(regions []ecs.Region, id string) bool {
	for _, r := range regions {
		if r.ID == id {
			return true
		}
	}
	return false
}

func regionList(regions []ecs.Region) string {
	ids := make([]string, 0, len(regions))
	for _, r := range regions {
		ids = append(ids, r.ID)
	}
	if len(ids) > 8 {
		ids = append(ids[:8], "...")
	}
	return strings.Join(ids, ", ")
}

func findZone(zones []ecs.Zone, id string) *ecs.Zone {
	for i := range zones {
		if zones[i].ID == id {
			return &zones[i]
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
