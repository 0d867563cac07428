package ecssim

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// params are a request's decoded parameters (query merged with form body).
// Absent and empty values are the same thing to the handlers, as the SDK
// never sends empty optional values.
type params map[string]string

func (p params) get(k string) string { return p[k] }

// required returns p[k] or a MissingParameter error.
func (p params) required(k string) (string, *apiError) {
	v := p[k]
	if v == "" {
		return "", errMissing(k)
	}
	return v, nil
}

// integer parses p[k] as an int; def when absent.
func (p params) integer(k string, def int) (int, *apiError) {
	v := p[k]
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, errInvalid(k)
	}
	return n, nil
}

// float parses p[k] as a float (the SDK sends "0.050000"); def when absent.
func (p params) float(k string, def float64) (float64, *apiError) {
	v := p[k]
	if v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, errInvalid(k)
	}
	return f, nil
}

// boolean parses p[k] as "true"/"false" (case-insensitive); def when absent.
func (p params) boolean(k string, def bool) (bool, *apiError) {
	switch strings.ToLower(p[k]) {
	case "":
		return def, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, errInvalid(k)
}

// dryRun reports the DryRun flag.
func (p params) dryRun() (bool, *apiError) { return p.boolean("DryRun", false) }

// indexed returns the values of prefix.N keys ordered by N (1-based, gaps
// allowed, as in SecurityGroupIds.1, SecurityGroupIds.2).
func (p params) indexed(prefix string) []string {
	type kv struct {
		n int
		v string
	}
	var items []kv
	for k, v := range p {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(rest)
		if err != nil || n < 1 || v == "" {
			continue
		}
		items = append(items, kv{n, v})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].n < items[j].n })
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.v)
	}
	return out
}

// structs returns the prefix.N.Field groups ordered by N, each as a map from
// Field to value (as in Tag.1.Key, DataDisk.2.Size, Permissions.1.PortRange).
func (p params) structs(prefix string) []map[string]string {
	groups := map[int]map[string]string{}
	for k, v := range p {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok {
			continue
		}
		num, field, ok := strings.Cut(rest, ".")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 {
			continue
		}
		if groups[n] == nil {
			groups[n] = map[string]string{}
		}
		groups[n][field] = v
	}
	ns := make([]int, 0, len(groups))
	for n := range groups {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	out := make([]map[string]string, 0, len(ns))
	for _, n := range ns {
		out = append(out, groups[n])
	}
	return out
}

// jsonList decodes a "JSON array in a string" parameter such as
// InstanceIds=["i-1","i-2"]. Absent gives nil, false.
func (p params) jsonList(k, malformedCode string, max int) ([]string, bool, *apiError) {
	v := p[k]
	if v == "" {
		return nil, false, nil
	}
	var out []string
	if err := json.Unmarshal([]byte(v), &out); err != nil || len(out) > max {
		return nil, false, apiErr(http.StatusBadRequest, malformedCode, "The specified parameter %q is not valid.", k)
	}
	return out, true, nil
}

// Tag is a resource tag.
type Tag struct {
	Key   string
	Value string
}

// tags parses Tag.N.Key / Tag.N.Value for a create call, validating keys as
// the real service does (aliyun-api.md §3.1 RunInstances "Tags").
func (p params) tags() ([]Tag, *apiError) {
	groups := p.structs("Tag")
	if len(groups) > 20 {
		return nil, apiErr(http.StatusBadRequest, "InvalidTagCount", "The number of specified tags exceeds the limit of 20.")
	}
	var out []Tag
	seen := map[string]int{}
	for _, g := range groups {
		key, value := g["Key"], g["Value"]
		lk := strings.ToLower(key)
		if key == "" || len(key) > 128 || strings.HasPrefix(lk, "aliyun") || strings.HasPrefix(lk, "acs:") ||
			strings.Contains(lk, "http://") || strings.Contains(lk, "https://") {
			return nil, apiErr(http.StatusBadRequest, "InvalidTagKey.Malformed", "The specified Tag.n.Key is not valid.")
		}
		if len(value) > 128 || strings.Contains(strings.ToLower(value), "http://") || strings.Contains(strings.ToLower(value), "https://") {
			return nil, apiErr(http.StatusBadRequest, "InvalidTagValue.Malformed", "The specified Tag.n.Value is not valid.")
		}
		if i, dup := seen[key]; dup { // the last value of a repeated key wins
			out[i].Value = value
			continue
		}
		seen[key] = len(out)
		out = append(out, Tag{Key: key, Value: value})
	}
	return out, nil
}

// tagFilters parses Tag.N.Key / Tag.N.Value of a Describe call; a filter
// without Value matches any value of the key.
func (p params) tagFilters() []Tag {
	var out []Tag
	for _, g := range p.structs("Tag") {
		if g["Key"] != "" {
			out = append(out, Tag{Key: g["Key"], Value: g["Value"]})
		}
	}
	return out
}

// matchTags reports whether have satisfies every filter (ANDed).
func matchTags(have []Tag, filters []Tag) bool {
	for _, f := range filters {
		found := false
		for _, t := range have {
			if t.Key == f.Key && (f.Value == "" || t.Value == f.Value) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// wildcard matches s against pattern where "*" matches any run of
// characters (the InstanceName / KeyPairName filters).
func wildcard(pattern, s string) bool {
	if !strings.Contains(pattern, "*") {
		return pattern == s
	}
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(s, part)
		if i < 0 {
			return false
		}
		s = s[i+len(part):]
	}
	return strings.HasSuffix(s, last)
}
