package driver

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
)

// Tag keys the driver puts on what it creates. ECS rejects keys that start
// with "aliyun" or "acs:", so they cannot carry the driver's name as prefix.
const (
	// tagManagedBy marks a resource as created (and owned) by this driver.
	tagManagedBy      = "docker-machine-driver"
	tagManagedByValue = DriverName
	// tagMachineName is the machine name, for people and for orphan search.
	tagMachineName = "docker-machine-name"
	// tagMachineID is the machine's CreateNonce: unique per machine, even
	// across machines of the same name.
	tagMachineID = "docker-machine-id"
)

// parseUserTag splits a --aliyunecs-tag value at the first "=" (values may
// contain "="), applying ECS's key rules.
func parseUserTag(s string) (ecs.Tag, error) {
	key, value, ok := strings.Cut(s, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		return ecs.Tag{}, fmt.Errorf("%q is not key=value", s)
	}
	if len(key) > 128 || len(value) > 128 {
		return ecs.Tag{}, fmt.Errorf("%q: keys and values are at most 128 characters", s)
	}
	lower := strings.ToLower(key)
	if strings.HasPrefix(lower, "aliyun") || strings.HasPrefix(lower, "acs:") {
		return ecs.Tag{}, fmt.Errorf("%q: tag keys may not start with aliyun or acs:", s)
	}
	if strings.Contains(lower, "http://") || strings.Contains(lower, "https://") {
		return ecs.Tag{}, fmt.Errorf("%q: tag keys may not contain http:// or https://", s)
	}
	if lv := strings.ToLower(value); strings.Contains(lv, "http://") || strings.Contains(lv, "https://") {
		return ecs.Tag{}, fmt.Errorf("%q: tag values may not contain http:// or https://", s)
	}
	switch key {
	case tagManagedBy, tagMachineName, tagMachineID:
		return ecs.Tag{}, fmt.Errorf("%q: the key %s is reserved for the driver", s, key)
	}
	return ecs.Tag{Key: key, Value: value}, nil
}

// ownershipTags are the tags on everything the driver creates for all
// machines (security group, VPC, VSwitch).
func ownershipTags() []ecs.Tag {
	return []ecs.Tag{{Key: tagManagedBy, Value: tagManagedByValue}}
}

// sharedTags are the tags on what the driver creates for all its machines
// (security group, VPC, VSwitch): ownership plus the user's tags.
func (d *Driver) sharedTags() []ecs.Tag {
	return append(ownershipTags(), d.userTags()...)
}

// userTags are the parsed --aliyunecs-tag values (validated by
// SetConfigFromFlags).
func (d *Driver) userTags() []ecs.Tag {
	var tags []ecs.Tag
	for _, raw := range d.Tags {
		if t, err := parseUserTag(raw); err == nil {
			tags = append(tags, t)
		}
	}
	return tags
}

// machineTags are the tags on what belongs to this machine alone: the
// ownership tag, its name and nonce, then the user's tags.
func (d *Driver) machineTags() []ecs.Tag {
	tags := append(ownershipTags(),
		ecs.Tag{Key: tagMachineName, Value: d.MachineName},
		ecs.Tag{Key: tagMachineID, Value: d.CreateNonce},
	)
	return append(tags, d.userTags()...)
}

// hasTag reports whether tags contain key=value.
func hasTag(tags []ecs.Tag, key, value string) bool {
	for _, t := range tags {
		if t.Key == key && t.Value == value {
			return true
		}
	}
	return false
}

// clientToken derives the RunInstances idempotency token from the machine
// name and nonce: stable across retries of this create, distinct for every
// other machine. ECS allows at most 64 ASCII characters.
func (d *Driver) clientToken(step string) string {
	sum := sha256.Sum256([]byte(d.MachineName + "\x00" + d.CreateNonce + "\x00" + step))
	return "dm-" + hex.EncodeToString(sum[:20])
}

// sharedToken is the ClientToken for creating something all the driver's
// machines share (default security group, VPC, VSwitch). It depends only on
// what is created and the UTC day, so machines that create the same thing
// at the same time send the same token and the cloud hands them all the
// one resource it made, instead of each making its own. The day keeps a
// token from outliving a resource someone deletes later.
func sharedToken(now time.Time, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	h.Write([]byte(now.UTC().Format(time.DateOnly)))
	return "dm-" + hex.EncodeToString(h.Sum(nil)[:20])
}

// tagsKey renders tags for a token.
func tagsKey(tags []ecs.Tag) string {
	var b strings.Builder
	for _, t := range tags {
		b.WriteString(t.Key + "=" + t.Value + ";")
	}
	return b.String()
}

// resourceName names what the driver makes for this machine alone (key
// pair, EIP): it starts with a letter as ECS wants, and the nonce keeps two
// machines of the same name apart, so cleanup can find a resource by name
// even when its ID was never saved.
func (d *Driver) resourceName() string {
	name := d.MachineName
	if len(name) > 100 {
		name = name[:100]
	}
	nonce := d.CreateNonce
	if len(nonce) > 8 {
		nonce = nonce[:8]
	}
	return "docker-machine-" + name + "-" + nonce
}
