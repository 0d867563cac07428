package ecssim

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestWildcard(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"abc", "abc", true},
		{"abc", "abcd", false},
		{"*", "", true},
		{"a*", "abc", true},
		{"*c", "abc", true},
		{"a*c", "ac", true},
		{"a*a", "a", false},
		{"rancher-*-node-*", "rancher-pool1-node-7", true},
		{"rancher-*-node-*", "rancher-pool1-etcd-7", false},
		{"*mid*", "xxmidxx", true},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, wildcard(tc.pattern, tc.s), "%q ~ %q", tc.pattern, tc.s)
	}
}

// sdkEncode is how the SDK percent-encodes (QueryEscape plus replacements).
func sdkEncode(s string) string {
	return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(url.QueryEscape(s))
}

func TestPercentEncodeMatchesSDK(t *testing.T) {
	for _, s := range []string{"", "abc", "a b", "a+b", "*", "~", "a/b=c&d", "中文", "[\"i-1\",\"i-2\"]", "!'()"} {
		require.Equal(t, sdkEncode(s), percentEncode(s), "%q", s)
	}
}

func TestValidators(t *testing.T) {
	for s, want := range map[string]bool{
		"node-1": true, "a.b-c.d": true, "a": false, "-a": false, "a-": false, "a..b": false,
		"a--b": false, "a_b": false, strings.Repeat("a", 65): false,
	} {
		require.Equal(t, want, validHostName(s), "hostname %q", s)
	}
	for s, want := range map[string]bool{
		"Abcdef12": true, "abcdef12": false, "Abc-def!": true, "Ab1!": false, "Abcdef12 ": false,
	} {
		require.Equal(t, want, validPassword(s), "password %q", s)
	}
	for s, want := range map[string]bool{
		"ab": true, "a": false, "1ab": false, "名字ab": true, "a b": false, "docker-machine:1_x.y": true,
	} {
		require.Equal(t, want, validName(s, 128), "name %q", s)
	}
}

func TestNextToken(t *testing.T) {
	for _, n := range []int{0, 1, 10, 12345} {
		got, ok := parseNextToken(makeNextToken(n))
		require.True(t, ok)
		require.Equal(t, n, got)
	}
	_, ok := parseNextToken("nope")
	require.False(t, ok)
}

func TestFaultMatching(t *testing.T) {
	var fs faultSet
	require.NoError(t, fs.add(Fault{Action: "A", Code: "X", Skip: 1, Times: 1}))
	require.NoError(t, fs.add(Fault{Action: "*", Code: "Y"}))
	var got []string
	for _, action := range []string{"A", "A", "B", "A"} {
		f := fs.match(action, "r")
		code := ""
		if f != nil {
			code = f.Code
		}
		got = append(got, code)
	}
	// Call 1: A skips, "*" fires. Call 2: A fires. Then nothing is left.
	require.Equal(t, []string{"Y", "X", "", ""}, got)
	require.Error(t, fs.add(Fault{Action: "A"}))
	require.Error(t, fs.add(Fault{Code: "X"}))
	require.Error(t, fs.add(Fault{Action: "A", Code: "X", HTTPStatus: 200}))
}

func TestTokenBucket(t *testing.T) {
	var th throttler
	require.NoError(t, th.set(ThrottleRule{Action: "A", PerSecond: 2}))
	require.NoError(t, th.set(ThrottleRule{Action: "R", PerSecond: 1, Code: "Throttling.Resource"}))
	require.Error(t, th.set(ThrottleRule{Action: "X", PerSecond: 1, Code: "Nope"}))
	now := time.Now()
	allow := func(region, action string, at time.Time) bool { ok, _ := th.allow(region, action, at); return ok }
	require.True(t, allow("r", "A", now))
	require.True(t, allow("r", "A", now))
	ok, code := th.allow("r", "A", now)
	require.False(t, ok)
	require.Equal(t, "Throttling.User", code)
	require.True(t, allow("other", "A", now))
	require.True(t, allow("r", "B", now))
	require.True(t, allow("r", "A", now.Add(500*time.Millisecond)))
	require.False(t, allow("r", "A", now.Add(500*time.Millisecond)))
	require.True(t, allow("r", "R", now))
	_, code = th.allow("r", "R", now)
	require.Equal(t, "Throttling.Resource", code)
}

func TestWithRequestID(t *testing.T) {
	require.Equal(t, `{"RequestId":"X"}`, string(withRequestID("X", []byte("{}"))))
	require.Equal(t, `{"RequestId":"X","A":1}`, string(withRequestID("X", []byte(`{"A":1}`))))
}
