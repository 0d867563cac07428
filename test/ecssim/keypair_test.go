package ecssim_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"
)

// newKey returns a fresh ed25519 signer and its authorized_keys line.
func newKey(t *testing.T) (ssh.Signer, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	signer, err := ssh.NewSignerFromKey(priv)
	require.NoError(t, err)
	return signer, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey()))) + " test@ecssim"
}

func importKey(t *testing.T, cl *ecs.Client, name, body string) (*ecs.ImportKeyPairResponse, error) {
	t.Helper()
	req := ecs.CreateImportKeyPairRequest()
	req.KeyPairName = name
	req.PublicKeyBody = body
	req.Tag = &[]ecs.ImportKeyPairTag{{Key: "owner", Value: "test"}}
	return cl.ImportKeyPair(req)
}

func TestImportKeyPair(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	cl := ecsClient(t, srv)
	signer, pub := newKey(t)

	resp, err := importKey(t, cl, "docker-machine-1", pub)
	require.NoError(t, err)
	require.Equal(t, "docker-machine-1", resp.KeyPairName)
	want := strings.TrimPrefix(ssh.FingerprintLegacyMD5(signer.PublicKey()), "MD5:")
	require.Equal(t, want, resp.KeyPairFingerPrint)
	require.Regexp(t, `^([0-9a-f]{2}:){15}[0-9a-f]{2}$`, resp.KeyPairFingerPrint)

	_, err = importKey(t, cl, "docker-machine-1", pub)
	requireAPIError(t, err, 400, "KeyPair.AlreadyExist")

	tests := []struct{ name, keyName, body, code string }{
		{"digit first", "1abc", pub, "InvalidKeyPairName.Malformed"},
		{"too short", "a", pub, "InvalidKeyPairName.Malformed"},
		{"url", "http://x", pub, "InvalidKeyPairName.Malformed"},
		{"garbage key", "k1", "ssh-rsa not-base64!!", "InvalidPublicKeyBody.Malformed"},
		{"private key", "k2", "-----BEGIN OPENSSH PRIVATE KEY-----", "InvalidPublicKeyBody.Malformed"},
		{"two keys", "k3", pub + "\n" + pub, "InvalidPublicKeyBody.Malformed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := importKey(t, cl, tc.keyName, tc.body)
			requireAPIError(t, err, 400, tc.code)
		})
	}
	_, err = cl.ImportKeyPair(ecs.CreateImportKeyPairRequest())
	requireAPIError(t, err, 400, "MissingParameter")

	res := srv.Resources()
	require.Len(t, res.KeyPairs, 1)
	require.Equal(t, map[string]string{"owner": "test"}, res.KeyPairs[0].Tags)
}

func TestDescribeAndDeleteKeyPairs(t *testing.T) {
	t.Parallel()
	srv := newSim(t)
	cl := ecsClient(t, srv)
	for i := range 5 {
		_, pub := newKey(t)
		_, err := importKey(t, cl, fmt.Sprintf("rancher-node-%d", i), pub)
		require.NoError(t, err)
	}
	_, pub := newKey(t)
	_, err := importKey(t, cl, "other", pub)
	require.NoError(t, err)

	describe := func(name string, size, page int, withKey bool) *ecs.DescribeKeyPairsResponse {
		req := ecs.CreateDescribeKeyPairsRequest()
		req.KeyPairName = name
		req.PageSize = requests.NewInteger(size)
		req.PageNumber = requests.NewInteger(page)
		if withKey {
			req.IncludePublicKey = requests.NewBoolean(true)
		}
		resp, err := cl.DescribeKeyPairs(req)
		require.NoError(t, err)
		return resp
	}
	names := func(r *ecs.DescribeKeyPairsResponse) []string {
		var out []string
		for _, k := range r.KeyPairs.KeyPair {
			out = append(out, k.KeyPairName)
		}
		return out
	}
	r := describe("rancher-node-*", 2, 2, false)
	require.Equal(t, 5, r.TotalCount)
	require.Equal(t, []string{"rancher-node-2", "rancher-node-3"}, names(r))
	require.Empty(t, r.KeyPairs.KeyPair[0].PublicKey)
	require.Equal(t, "owner", r.KeyPairs.KeyPair[0].Tags.Tag[0].TagKey)

	r = describe("*node-4", 10, 1, true)
	require.Equal(t, []string{"rancher-node-4"}, names(r))
	require.True(t, strings.HasPrefix(r.KeyPairs.KeyPair[0].PublicKey, "ssh-ed25519 "))
	require.Equal(t, 6, describe("", 50, 1, false).TotalCount)

	del := ecs.CreateDeleteKeyPairsRequest()
	del.KeyPairNames = `["rancher-node-0","never-existed"]`
	_, err = cl.DeleteKeyPairs(del)
	require.NoError(t, err)
	require.Equal(t, 4, describe("rancher-node-*", 10, 1, false).TotalCount)

	del.KeyPairNames = `rancher-node-1`
	_, err = cl.DeleteKeyPairs(del)
	requireAPIError(t, err, 400, "InvalidKeyPairNames.ValueNotSupported")
	_, err = cl.DeleteKeyPairs(ecs.CreateDeleteKeyPairsRequest())
	requireAPIError(t, err, 400, "MissingParameter")
}
