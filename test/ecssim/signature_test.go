package ecssim_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"
	"github.com/stretchr/testify/require"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

var requestIDPattern = regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$`)

func TestSDKSignatureAccepted(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	// Values with spaces, "*" and "~" exercise every encoding rule.
	req := ecs.CreateDescribeKeyPairsRequest()
	req.KeyPairName = "a b*c~d"
	resp, err := ecsClient(t, srv).DescribeKeyPairs(req)
	require.NoError(t, err)
	require.Regexp(t, requestIDPattern, resp.RequestId)
	require.Equal(t, "application/json;charset=utf-8", resp.GetHttpHeaders()["Content-Type"][0])
}

func TestAuthErrors(t *testing.T) {
	t.Parallel()
	srv := newSim(t)

	t.Run("wrong secret", func(t *testing.T) {
		_, err := ecsClientWith(t, srv, ecssim.DefaultAccessKeyID, "nope").DescribeRegions(ecs.CreateDescribeRegionsRequest())
		se := requireAPIError(t, err, http.StatusBadRequest, "SignatureDoesNotMatch")
		require.Contains(t, se.Message(), "server string to sign is:POST&%2F&")
		// The SDK compares the server's string-to-sign with its own: equal
		// means our canonicalisation is the SDK's, only the secret differs.
		require.True(t, strings.HasPrefix(se.Recommend(), "InvalidAccessKeySecret"), se.Recommend())
	})
	t.Run("unknown key", func(t *testing.T) {
		_, err := ecsClientWith(t, srv, "who", "x").DescribeRegions(ecs.CreateDescribeRegionsRequest())
		requireAPIError(t, err, http.StatusNotFound, "InvalidAccessKeyId.NotFound")
	})
	t.Run("added then revoked key", func(t *testing.T) {
		require.NoError(t, srv.AddCredential(ecssim.Credential{ID: "ak2", Secret: "s2"}))
		cl := ecsClientWith(t, srv, "ak2", "s2")
		_, err := cl.DescribeRegions(ecs.CreateDescribeRegionsRequest())
		require.NoError(t, err)
		require.True(t, srv.RevokeCredential("ak2"))
		_, err = cl.DescribeRegions(ecs.CreateDescribeRegionsRequest())
		requireAPIError(t, err, http.StatusNotFound, "InvalidAccessKeyId.NotFound")
	})
	t.Run("sts token", func(t *testing.T) {
		require.NoError(t, srv.AddCredential(ecssim.Credential{ID: "STS.ak", Secret: "s", Token: "tok"}))
		good, err := ecs.NewClientWithStsToken(region, "STS.ak", "s", "tok")
		require.NoError(t, err)
		good.Domain = srv.Addr()
		_, err = good.DescribeRegions(ecs.CreateDescribeRegionsRequest())
		require.NoError(t, err)
		sts := func(id, secret, token string) error {
			cl, err := ecs.NewClientWithStsToken(region, id, secret, token)
			require.NoError(t, err)
			cl.Domain = srv.Addr()
			_, err = cl.DescribeRegions(ecs.CreateDescribeRegionsRequest())
			return err
		}
		// A token nobody was given is malformed.
		requireAPIError(t, sts("STS.ak", "s", "other"), http.StatusBadRequest, "InvalidSecurityToken.Malformed")
		// Another key's token is a mismatch, with or without a token of
		// one's own.
		require.NoError(t, srv.AddCredential(ecssim.Credential{ID: "STS.ak2", Secret: "s2", Token: "tok2"}))
		requireAPIError(t, sts("STS.ak", "s", "tok2"), http.StatusBadRequest, "InvalidSecurityToken.MismatchWithAccessKey")
		requireAPIError(t, sts(ecssim.DefaultAccessKeyID, ecssim.DefaultAccessKeySecret, "tok2"),
			http.StatusBadRequest, "InvalidSecurityToken.MismatchWithAccessKey")
		_, err = ecsClientWith(t, srv, "STS.ak", "s").DescribeRegions(ecs.CreateDescribeRegionsRequest())
		requireAPIError(t, err, http.StatusBadRequest, "InvalidSecurityToken.MismatchWithAccessKey")
		// An expired token, added over the admin API.
		require.Equal(t, 200, adminJSON(t, srv, "POST", "/_sim/credentials",
			`{"id":"STS.old","secret":"s3","token":"tok3","expiration":"2020-01-01T00:00:00Z"}`, nil))
		requireAPIError(t, sts("STS.old", "s3", "tok3"), http.StatusBadRequest, "InvalidSecurityToken.Expired")
	})
	t.Run("unknown region", func(t *testing.T) {
		req := ecs.CreateDescribeZonesRequest()
		req.RegionId = "mars-north-1"
		_, err := ecsClient(t, srv).DescribeZones(req)
		requireAPIError(t, err, http.StatusNotFound, "InvalidRegionId.NotFound")
		vreq := vpc.CreateDescribeVpcsRequest()
		vreq.RegionId = "mars-north-1"
		_, err = vpcClient(t, srv).DescribeVpcs(vreq)
		requireAPIError(t, err, http.StatusNotFound, "Forbidden.RegionNotFound")
	})
}

func TestRawRequestChecks(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	raw := newRaw(t, srv)
	tests := []struct {
		name   string
		edit   func(p map[string]string)
		unsign bool // send without re-signing after edit
		status int
		code   string
	}{
		{name: "valid", status: 200},
		{name: "bad timestamp", edit: func(p map[string]string) { p["Timestamp"] = "yesterday" }, status: 400, code: "InvalidTimeStamp.Format"},
		{name: "old timestamp", edit: func(p map[string]string) {
			p["Timestamp"] = time.Now().Add(-20 * time.Minute).UTC().Format("2006-01-02T15:04:05Z")
		}, status: 400, code: "InvalidTimeStamp.Expired"},
		{name: "future timestamp", edit: func(p map[string]string) {
			p["Timestamp"] = time.Now().Add(20 * time.Minute).UTC().Format("2006-01-02T15:04:05Z")
		}, status: 400, code: "InvalidTimeStamp.Expired"},
		{name: "no action", edit: func(p map[string]string) { delete(p, "Action") }, status: 400, code: "MissingParameter"},
		{name: "no version", edit: func(p map[string]string) { delete(p, "Version") }, status: 400, code: "MissingParameter"},
		{name: "no key", edit: func(p map[string]string) { delete(p, "AccessKeyId") }, status: 400, code: "MissingParameter"},
		{name: "no timestamp", edit: func(p map[string]string) { delete(p, "Timestamp") }, status: 400, code: "MissingParameter"},
		{name: "no signature", edit: func(p map[string]string) { delete(p, "Signature") }, unsign: true, status: 400, code: "MissingParameter"},
		{name: "tampered", edit: func(p map[string]string) { p["RegionId"] = "cn-beijing" }, unsign: true, status: 400, code: "SignatureDoesNotMatch"},
		{name: "empty param dropped", edit: func(p map[string]string) { delete(p, "SignatureType") }, unsign: true, status: 400, code: "SignatureDoesNotMatch"},
		{name: "unknown version", edit: func(p map[string]string) { p["Version"] = "2099-01-01" }, status: 400, code: "InvalidVersion"},
		{name: "unknown action", edit: func(p map[string]string) { p["Action"] = "LaunchRocket" }, status: 404, code: "InvalidAction.NotFound"},
		{name: "ecs action on vpc version", edit: func(p map[string]string) { p["Version"] = "2016-04-28" }, status: 404, code: "InvalidAction.NotFound"},
		{name: "sha256", edit: func(p map[string]string) { p["SignatureMethod"] = "HMAC-SHA256" }, status: 400, code: "InvalidParameter"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := raw.params("DescribeZones")
			raw.sign(http.MethodPost, p)
			if tc.edit != nil {
				tc.edit(p)
				if !tc.unsign {
					raw.sign(http.MethodPost, p)
				}
			}
			status, body := raw.do(http.MethodPost, p)
			require.Equal(t, tc.status, status, "body %v", body)
			require.Regexp(t, requestIDPattern, body["RequestId"])
			if tc.code != "" {
				require.Equal(t, tc.code, body["Code"])
				for _, k := range []string{"HostId", "Message", "Recommend"} {
					require.IsType(t, "", body[k], k)
				}
			}
		})
	}
}

func TestNonceReplay(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	raw := newRaw(t, srv)
	p := raw.params("DescribeRegions")
	raw.sign(http.MethodPost, p)
	status, _ := raw.do(http.MethodPost, p)
	require.Equal(t, 200, status)
	status, body := raw.do(http.MethodPost, p)
	require.Equal(t, 400, status)
	require.Equal(t, "SignatureNonceUsed", body["Code"])
}

func TestGetAndFormBody(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	raw := newRaw(t, srv)

	p := raw.params("DescribeRegions")
	raw.sign(http.MethodGet, p)
	status, body := raw.do(http.MethodGet, p)
	require.Equal(t, 200, status, "%v", body)

	// A signed GET replayed as POST no longer matches: the method is signed.
	p = raw.params("DescribeRegions")
	raw.sign(http.MethodGet, p)
	status, body = raw.do(http.MethodPost, p)
	require.Equal(t, 400, status)
	require.Equal(t, "SignatureDoesNotMatch", body["Code"])

	// Parameters in a form body are merged and signed like query ones.
	p = raw.params("DescribeKeyPairs")
	p["KeyPairName"] = "with space+plus"
	raw.sign(http.MethodPost, p)
	form := url.Values{}
	for k, v := range p {
		form.Set(k, v)
	}
	req, err := http.NewRequest(http.MethodPost, srv.URL()+"/", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	status, body = doHTTP(t, req)
	require.Equal(t, 200, status, "%v", body)
}
