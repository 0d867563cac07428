package ecs

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
)

// params are the query parameters of one action, flattened the way the
// generated SDK requests flatten them (aliyun-api.md §1.6): empty values are
// not sent, lists become Name.N (1-based), structs Name.N.Field.
type params map[string]string

// set adds k=v unless v is empty.
func (p params) set(k, v string) {
	if v != "" {
		p[k] = v
	}
}

// setInt adds k unless v is 0.
func (p params) setInt(k string, v int) {
	if v != 0 {
		p[k] = strconv.Itoa(v)
	}
}

// setBool adds k=true when v is true; false means "server default".
func (p params) setBool(k string, v bool) {
	if v {
		p[k] = "true"
	}
}

// setBoolPtr adds k=true|false when v is set.
func (p params) setBoolPtr(k string, v *bool) {
	if v != nil {
		p[k] = strconv.FormatBool(*v)
	}
}

// setFloat adds k with the SDK's float format (6 decimals) unless v is 0.
func (p params) setFloat(k string, v float64) {
	if v != 0 {
		p[k] = string(requests.NewFloat(v))
	}
}

// setList adds prefix.1, prefix.2, ... skipping empty entries.
func (p params) setList(prefix string, vs []string) {
	n := 0
	for _, v := range vs {
		if v == "" {
			continue
		}
		n++
		p[prefix+"."+strconv.Itoa(n)] = v
	}
}

// setJSONList adds k as a JSON array string (InstanceIds, KeyPairNames,
// SecurityGroupIds) unless vs is empty.
func (p params) setJSONList(k string, vs []string) {
	if len(vs) == 0 {
		return
	}
	b, _ := json.Marshal(vs) // []string always marshals
	p[k] = string(b)
}

// setTags adds Tag.N.Key / Tag.N.Value (an empty value is not sent, which
// as a filter matches any value of that key).
func (p params) setTags(tags []Tag) {
	n := 0
	for _, t := range tags {
		if t.Key == "" {
			continue
		}
		n++
		prefix := "Tag." + strconv.Itoa(n) + "."
		p[prefix+"Key"] = t.Key
		p.set(prefix+"Value", t.Value)
	}
}

// clone copies p, for paging loops that vary PageNumber.
func (p params) clone() params {
	c := make(params, len(p)+2)
	for k, v := range p {
		c[k] = v
	}
	return c
}

// chunk splits vs into slices of at most n; an empty vs gives one nil chunk
// so that "no filter" still makes one call.
func chunk(vs []string, n int) [][]string {
	if len(vs) == 0 {
		return [][]string{nil}
	}
	var out [][]string
	for len(vs) > n {
		out = append(out, vs[:n])
		vs = vs[n:]
	}
	return append(out, vs)
}

// Tolerant JSON scalars. Responses are decoded with encoding/json into small
// structs; fields the docs say may arrive as either a number or a string
// (Priority, Bandwidth, sizes, counts) use these.

// flexString accepts a JSON string, number, bool or null.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	default:
		*f = flexString(b)
	}
	return nil
}

// flexFloat accepts a JSON number, a numeric string, "" or null.
type flexFloat float64

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	str := strings.TrimSpace(string(s))
	if str == "" {
		*f = 0
		return nil
	}
	v, err := strconv.ParseFloat(str, 64)
	if err != nil {
		return err
	}
	*f = flexFloat(v)
	return nil
}

// flexInt accepts a JSON number, a numeric string, "" or null.
type flexInt int

func (f *flexInt) UnmarshalJSON(b []byte) error {
	var v flexFloat
	if err := v.UnmarshalJSON(b); err != nil {
		return err
	}
	*f = flexInt(v)
	return nil
}

// flexBool accepts true/false, "true"/"false", 0/1, "" or null.
type flexBool bool

func (f *flexBool) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	switch strings.ToLower(strings.TrimSpace(string(s))) {
	case "true", "1":
		*f = true
	case "false", "0", "":
		*f = false
	default:
		v, err := strconv.ParseBool(string(s))
		if err != nil {
			return err
		}
		*f = flexBool(v)
	}
	return nil
}

// wireTags is the {"Tag":[...]} wrapper. ECS answers TagKey/TagValue, VPC
// Key/Value; both are read.
type wireTags struct {
	Tag []struct {
		TagKey   string
		TagValue flexString
		Key      string
		Value    flexString
	}
}

func (w wireTags) tags() []Tag {
	if len(w.Tag) == 0 {
		return nil
	}
	out := make([]Tag, 0, len(w.Tag))
	for _, t := range w.Tag {
		tag := Tag{Key: t.TagKey, Value: string(t.TagValue)}
		if tag.Key == "" {
			tag = Tag{Key: t.Key, Value: string(t.Value)}
		}
		if tag.Key != "" {
			out = append(out, tag)
		}
	}
	return out
}

// page is the common paging envelope of Describe* answers.
type page struct {
	TotalCount flexInt
	PageNumber flexInt
	PageSize   flexInt
	NextToken  string
}

// maxPages bounds paging loops against a server that never stops answering.
const maxPages = 1000
