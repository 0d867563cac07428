package ecssim

import (
	"net/http"
	"strings"
)

// Tag storage shared by the tag actions of both products: which resource
// types exist, how their IDs map to tag lists, and the limits.

// maxTagsPerResource is the per-resource tag limit.
const maxTagsPerResource = 20

// ecsTagTypes maps the lower-case ECS ResourceType values to the key of
// DescribeTags' ResourceTypeCount. Only some of them have simulated
// resources; the others are valid types with nothing in them.
var ecsTagTypes = map[string]string{
	"instance": "Instance", "disk": "Disk", "securitygroup": "Securitygroup", "keypair": "KeyPair",
	"eni": "Eni", "image": "Image", "snapshot": "Snapshot", "launchtemplate": "LaunchTemplate",
	"ddh": "Ddh", "snapshotpolicy": "SnapshotPolicy", "reservedinstance": "ReservedInstance", "volume": "Volume",
}

// vpcTagTypes are the VPC ResourceType values (upper case in the docs
// [EST]; accepted in any case).
var vpcTagTypes = map[string]bool{"VPC": true, "VSWITCH": true, "EIP": true, "ROUTETABLE": true}

// tagType canonicalises a ResourceType for the call's product, or answers
// InvalidParameter.
func (c *call) tagType() (string, *apiError) {
	t, aerr := c.p.required("ResourceType")
	if aerr != nil {
		return "", aerr
	}
	if c.version == versionVPC {
		if u := strings.ToUpper(t); vpcTagTypes[u] {
			return u, nil
		}
	} else if l := strings.ToLower(t); ecsTagTypes[l] != "" {
		return l, nil
	}
	return "", apiErr(http.StatusBadRequest, "InvalidResourceType.NotSupported", "The specified ResourceType %q is not supported.", t)
}

func errResourceNotFound() *apiError {
	return apiErr(http.StatusNotFound, "InvalidResourceId.NotFound", "The specified ResourceIds are not found in our records.")
}

// tagsOf returns the tag list of one resource, nil if it does not exist.
// Key pairs are found by name (their API identity) or by key pair ID.
func (rs *regionState) tagsOf(kind, id string) *[]Tag {
	switch kind {
	case "instance":
		if i := rs.instances[id]; i != nil {
			return &i.Tags
		}
	case "eni":
		for _, i := range rs.instances {
			if i.ENIID == id {
				return &i.ENITags
			}
		}
	case "securitygroup":
		if g := rs.groups[id]; g != nil {
			return &g.Tags
		}
	case "keypair":
		for _, k := range rs.keyPairs {
			if k.Name == id || k.ID == id {
				return &k.Tags
			}
		}
	case "disk":
		if d := rs.disks[id]; d != nil {
			return &d.Tags
		}
	case "VPC":
		if v := rs.vpcs[id]; v != nil {
			return &v.Tags
		}
	case "VSWITCH":
		if sw := rs.vswitches[id]; sw != nil {
			return &sw.Tags
		}
	case "EIP":
		if e := rs.eips[id]; e != nil {
			return &e.Tags
		}
	case "ROUTETABLE":
		for _, v := range rs.vpcs {
			if v.RouteTableID == id {
				return &v.RouteTableTags
			}
		}
	}
	return nil
}

// idsOf lists every resource of a kind in creation order.
func (rs *regionState) idsOf(kind string) []string {
	var ids []string
	switch kind {
	case "instance":
		for _, i := range rs.instanceList() {
			ids = append(ids, i.ID)
		}
	case "eni":
		for _, i := range rs.instanceList() {
			ids = append(ids, i.ENIID)
		}
	case "securitygroup":
		for _, g := range rs.groupList() {
			ids = append(ids, g.ID)
		}
	case "keypair":
		for _, k := range rs.keyPairList() {
			ids = append(ids, k.Name)
		}
	case "disk":
		for _, d := range rs.diskList() {
			ids = append(ids, d.ID)
		}
	case "VPC", "ROUTETABLE":
		for _, v := range rs.vpcList() {
			if kind == "VPC" {
				ids = append(ids, v.ID)
			} else {
				ids = append(ids, v.RouteTableID)
			}
		}
	case "VSWITCH":
		for _, sw := range rs.vswitchList() {
			ids = append(ids, sw.ID)
		}
	case "EIP":
		for _, e := range rs.eipList() {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

// setTags merges tags into a list (a key's value is replaced), enforcing
// the per-resource limit.
func setTags(list *[]Tag, tags []Tag) *apiError {
	out := cloneTags(*list)
	for _, t := range tags {
		replaced := false
		for i := range out {
			if out[i].Key == t.Key {
				out[i].Value, replaced = t.Value, true
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	if len(out) > maxTagsPerResource {
		return apiErr(http.StatusForbidden, "QuotaExceed.Tags", "The maximum number of tags on a resource is %d.", maxTagsPerResource)
	}
	*list = out
	return nil
}

// removeTags drops the tags whose key (and value, when given) match.
func removeTags(list *[]Tag, match func(Tag) bool) {
	out := (*list)[:0]
	for _, t := range *list {
		if !match(t) {
			out = append(out, t)
		}
	}
	*list = out
}

// tagParams reads Tag.N for a tagging call: at least one, at most 20.
func tagParams(p params) ([]Tag, *apiError) {
	if len(p.structs("Tag")) > 20 {
		return nil, apiErr(http.StatusBadRequest, "NumberExceed.Tags", "The number of specified tags exceeds the limit of 20.")
	}
	tags, aerr := p.tags()
	if aerr != nil {
		return nil, aerr
	}
	if len(tags) == 0 {
		return nil, errMissing("Tag.1.Key")
	}
	return tags, nil
}

// resourceIDs reads ResourceId.N (1 to 50).
func resourceIDs(p params, required bool) ([]string, *apiError) {
	ids := p.indexed("ResourceId")
	if len(ids) == 0 && required {
		return nil, errMissing("ResourceId.1")
	}
	if len(ids) > 50 {
		return nil, apiErr(http.StatusBadRequest, "NumberExceed.ResourceIds", "The number of specified resources exceeds the limit of 50.")
	}
	return ids, nil
}
