package driver

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
	"github.com/rancher/machine/libmachine/log"
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
	// candidates are the zones Create may launch in, best first; more than
	// one only when the driver chose the zone, so that it can move on when
	// a zone runs out of stock.
	candidates []string
	network    networkPlan        // for candidates[0]
	group      *ecs.SecurityGroup // nil: find or create in Create
	// groupLooked is true while group is the lookup's answer for the
	// network's VPC (nil then means "missing, create it").
	groupLooked bool
	// groupRules are the group's rules when the driver just created it
	// (none); nil means they must be read before missing ones are added.
	groupRules []ecs.Permission
	// deploymentSet is --aliyunecs-deployment-set-id as the cloud knows it.
	deploymentSet *ecs.DeploymentSet
}

// resolve performs every read-only lookup Create needs: region, zone,
// instance type, image, network and security group. Lookups that do not
// depend on each other run concurrently: each costs a round trip, and the
// time a Rancher user waits for a node includes all of them.
func (d *Driver) resolve(ctx context.Context, api ecs.API) (*resolved, error) {
	r := &resolved{}
	var regions []ecs.Region
	var regionsErr, zonesErr, setErr error
	concurrently(func() { regions, regionsErr = api.DescribeRegions(ctx) },
		func() { r.zones, zonesErr = api.DescribeZones(ctx) },
		func() { r.deploymentSet, setErr = d.findDeploymentSet(ctx, api) })
	if regionsErr != nil {
		return nil, fmt.Errorf("could not list regions (are the credentials right?): %w", regionsErr)
	}
	if !containsRegion(regions, d.Region) {
		return nil, fmt.Errorf("--%s: %q is not a region of this account (%s)", flagRegion, d.Region, regionList(regions))
	}
	if zonesErr != nil {
		return nil, fmt.Errorf("could not list the zones of %s: %w", d.Region, zonesErr)
	}
	if d.Zone != "" && findZone(r.zones, d.Zone) == nil {
		return nil, fmt.Errorf("--%s: %q is not a zone of region %s", flagZone, d.Zone, d.Region)
	}
	if setErr != nil {
		return nil, setErr
	}
	var err error
	if r.instanceType, err = d.chooseInstanceType(r.zones); err != nil {
		return nil, err
	}
	var placeErr, imageErr error
	concurrently(func() { placeErr = d.placeInstance(ctx, api, r) },
		func() { r.image, imageErr = d.chooseImage(ctx, api, r.instanceType) })
	if placeErr != nil {
		return nil, placeErr
	}
	if imageErr != nil {
		return nil, imageErr
	}
	if r.group, err = d.findSecurityGroup(ctx, api, r.network.vpcID); err != nil {
		return nil, err
	}
	r.groupLooked = true
	return r, nil
}

// concurrently runs fns at the same time and waits for all of them; the
// last runs on the calling goroutine.
func concurrently(fns ...func()) {
	var wg sync.WaitGroup
	for _, fn := range fns[:len(fns)-1] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn()
		}()
	}
	fns[len(fns)-1]()
	wg.Wait()
}

// placeInstance decides the zone candidates and the network of the first.
func (d *Driver) placeInstance(ctx context.Context, api ecs.API, r *resolved) error {
	offers := func(zone string) bool {
		z := findZone(r.zones, zone)
		return z != nil && slices.Contains(z.InstanceTypes, r.instanceType)
	}
	if d.VSwitchID != "" {
		plan, err := d.planGivenVSwitch(ctx, api)
		if err != nil {
			return err
		}
		if !offers(plan.zoneID) {
			return fmt.Errorf("--%s: %s is not offered in zone %s of --%s %s", flagInstanceType, r.instanceType, plan.zoneID, flagVSwitchID, d.VSwitchID)
		}
		if err := d.deploymentSetRoom(r.deploymentSet, plan.zoneID); err != nil {
			return err
		}
		r.candidates, r.network = []string{plan.zoneID}, plan
		return nil
	}
	if d.Zone != "" {
		if !offers(d.Zone) {
			return fmt.Errorf("--%s: %s is not offered in zone %s", flagInstanceType, r.instanceType, d.Zone)
		}
		if err := d.deploymentSetRoom(r.deploymentSet, d.Zone); err != nil {
			return err
		}
		r.candidates = []string{d.Zone}
	} else {
		var err error
		if r.candidates, err = d.zonesWithStock(ctx, api, r, offers); err != nil {
			return err
		}
	}
	// Prefer a candidate whose network already exists over creating one.
	for i, zone := range r.candidates {
		plan, found, err := d.planNetwork(ctx, api, zone)
		if err != nil {
			return err
		}
		if found {
			r.candidates = append([]string{zone}, slices.Delete(slices.Clone(r.candidates), i, i+1)...)
			r.network = plan
			return nil
		}
	}
	if d.VpcID != "" {
		return d.noVSwitchInVpc(ctx, api, r)
	}
	plan, _, err := d.planNetwork(ctx, api, r.candidates[0])
	r.network = plan
	return err
}

// zonesWithStock returns the zones that offer the instance type and, per
// DescribeAvailableResource, have it in stock now. If the stock check itself
// fails (some accounts' RAM policies lack it) the offering zones are used.
func (d *Driver) zonesWithStock(ctx context.Context, api ecs.API, r *resolved, offers func(string) bool) ([]string, error) {
	var offering []string
	for _, z := range r.zones {
		if offers(z.ID) {
			offering = append(offering, z.ID)
		}
	}
	if len(offering) == 0 {
		return nil, fmt.Errorf("--%s: no zone of %s offers %s", flagInstanceType, d.Region, r.instanceType)
	}
	stock, err := api.DescribeAvailableResource(ctx, ecs.AvailableResourceQuery{
		DestinationResource: "InstanceType", InstanceType: r.instanceType,
		InstanceChargeType: d.InstanceChargeType, SpotStrategy: d.SpotStrategy,
	})
	if err != nil {
		log.Warnf("Could not check stock (%v); trying the zones that offer %s", err, r.instanceType)
		return offering, nil
	}
	inStock := map[string]bool{}
	for _, res := range stock {
		if res.Type == "InstanceType" && res.Value == r.instanceType && res.InStock() {
			inStock[res.ZoneID] = true
		}
	}
	var out []string
	for _, z := range offering {
		if inStock[z] {
			out = append(out, z)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--%s: %s is out of stock in every zone of %s (%s); try another type or region", flagInstanceType, r.instanceType, d.Region, strings.Join(offering, ", "))
	}
	if r.deploymentSet != nil {
		roomy := slices.DeleteFunc(slices.Clone(out), func(z string) bool { return d.deploymentSetRoom(r.deploymentSet, z) != nil })
		if len(roomy) == 0 {
			return nil, d.deploymentSetRoom(r.deploymentSet, out[0])
		}
		out = roomy
	}
	return out, nil
}

// chooseInstanceType returns the flag's type if some zone offers it (the
// zone's own check comes later), or the first preferred type offered in the
// wanted zone.
func (d *Driver) chooseInstanceType(zones []ecs.Zone) (string, error) {
	offered := func(t string) bool {
		for _, z := range zones {
			if (d.Zone == "" || z.ID == d.Zone) && slices.Contains(z.InstanceTypes, t) {
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
// newest Ubuntu LTS system image for the instance type's architecture, never
// a hard-coded one that may retire.
func (d *Driver) chooseImage(ctx context.Context, api ecs.API, instanceType string) (ecs.Image, error) {
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
				return img, d.checkIPv6Type(ctx, api, instanceType)
			}
		}
		return ecs.Image{}, fmt.Errorf("--%s: no image with ID or name %q in region %s", flagImageID, d.ImageID, d.Region)
	}
	arch := "x86_64"
	types, err := api.DescribeInstanceTypes(ctx, []string{instanceType})
	if err != nil {
		return ecs.Image{}, fmt.Errorf("could not look up instance type %s: %w", instanceType, err)
	}
	if err := d.checkIPv6Capacity(types, instanceType); err != nil {
		return ecs.Image{}, err
	}
	if len(types) == 1 && strings.EqualFold(types[0].CPUArchitecture, "ARM") {
		arch = "arm64"
	}
	images, err := api.DescribeImages(ctx, ecs.ImageQuery{OwnerAlias: "system", OSType: "linux", Architecture: arch})
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
		return ecs.Image{}, fmt.Errorf("--%s: region %s offers no %s Ubuntu LTS system image; pass an image", flagImageID, d.Region, arch)
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
