package ecssim

import (
	"strings"
	"unicode"
)

// validName checks the common naming rule of ECS and VPC resources
// (instance, security group, key pair, VPC, VSwitch names): 2 to max
// characters, starting with a letter, then letters, digits, ":", "_", "."
// or "-", and no http:// or https://.
func validName(s string, max int) bool {
	r := []rune(s)
	if len(r) < 2 || len(r) > max || !unicode.IsLetter(r[0]) {
		return false
	}
	if l := strings.ToLower(s); strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") {
		return false
	}
	for _, c := range r[1:] {
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) && !strings.ContainsRune(":_.-", c) {
			return false
		}
	}
	return true
}

// validDescription checks descriptions: empty, or 2 to 256 characters not
// starting with http:// or https://.
func validDescription(s string) bool {
	if s == "" {
		return true
	}
	n := len([]rune(s))
	l := strings.ToLower(s)
	return n >= 2 && n <= 256 && !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://")
}

// validHostName checks a Linux ECS HostName: 2 to 64 characters of
// "."-separated segments made of letters, digits and "-", with no leading,
// trailing or doubled "." or "-" (aliyun-api.md §3.1).
func validHostName(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for _, seg := range strings.Split(s, ".") {
		if seg == "" || seg[0] == '-' || seg[len(seg)-1] == '-' || strings.Contains(seg, "--") {
			return false
		}
		for _, c := range seg {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// validPassword checks an instance password: 8 to 30 characters with at
// least three of upper case, lower case, digits and specials.
func validPassword(s string) bool {
	const specials = "()`~!@#$%^&*-_+=|{}[]:;'<>,.?/"
	if len(s) < 8 || len(s) > 30 {
		return false
	}
	var upper, lower, digit, special bool
	for _, c := range s {
		switch {
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= '0' && c <= '9':
			digit = true
		case strings.ContainsRune(specials, c):
			special = true
		default:
			return false
		}
	}
	n := 0
	for _, b := range []bool{upper, lower, digit, special} {
		if b {
			n++
		}
	}
	return n >= 3
}

// ecsTags renders tags as ECS does: {"Tag":[{"TagKey","TagValue"}]}.
func ecsTags(tags []Tag) obj {
	out := make([]obj, 0, len(tags))
	for _, t := range tags {
		out = append(out, obj{"TagKey": t.Key, "TagValue": t.Value})
	}
	return wrap("Tag", out)
}

// vpcTags renders tags as VPC does: {"Tag":[{"Key","Value"}]}.
func vpcTags(tags []Tag) obj {
	out := make([]obj, 0, len(tags))
	for _, t := range tags {
		out = append(out, obj{"Key": t.Key, "Value": t.Value})
	}
	return wrap("Tag", out)
}

// tagMap turns tags into the admin API's JSON object.
func tagMap(tags []Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}
