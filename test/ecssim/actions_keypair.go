package ecssim

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"strings"

	"golang.org/x/crypto/ssh"
)

// maxKeyPairsPerRegion is the key pair quota [EST].
const maxKeyPairsPerRegion = 500

// keyTypes are the public key algorithms ImportKeyPair accepts.
var keyTypes = map[string]bool{
	ssh.KeyAlgoRSA: true, ssh.KeyAlgoED25519: true,
	ssh.KeyAlgoECDSA256: true, ssh.KeyAlgoECDSA384: true, ssh.KeyAlgoECDSA521: true,
}

func actImportKeyPair(c *call) (any, error) {
	name, aerr := c.p.required("KeyPairName")
	if aerr != nil {
		return nil, aerr
	}
	body, aerr := c.p.required("PublicKeyBody")
	if aerr != nil {
		return nil, aerr
	}
	if !validName(name, 128) {
		return nil, apiErr(http.StatusBadRequest, "InvalidKeyPairName.Malformed", "Specified Key Pair name is not valid.")
	}
	pub, _, _, rest, err := ssh.ParseAuthorizedKey([]byte(body))
	if err != nil || strings.TrimSpace(string(rest)) != "" || !keyTypes[pub.Type()] {
		return nil, apiErr(http.StatusBadRequest, "InvalidPublicKeyBody.Malformed", "The PublicKeyBody format is not supported.")
	}
	tags, aerr := c.p.tags()
	if aerr != nil {
		return nil, aerr
	}
	kp, aerr := addKeyPair(c, name, pub, tags)
	if aerr != nil {
		return nil, aerr
	}
	return obj{"KeyPairName": kp.Name, "KeyPairFingerPrint": kp.FingerPrint}, nil
}

// addKeyPair stores a new key pair after the name, quota and resource
// group checks.
func addKeyPair(c *call, name string, pub ssh.PublicKey, tags []Tag) (*keyPair, *apiError) {
	// Fingerprint: colon-separated MD5 of the key blob (RFC 4716 style).
	fp := strings.TrimPrefix(ssh.FingerprintLegacyMD5(pub), "MD5:")
	st := c.s.st
	rs, unlock := c.lockRegion()
	defer unlock()
	if rs.keyPairs[name] != nil {
		return nil, apiErr(http.StatusBadRequest, "KeyPair.AlreadyExist", "The key pair already exist.")
	}
	if len(rs.keyPairs) >= maxKeyPairsPerRegion {
		return nil, apiErr(http.StatusForbidden, "QuotaExceed.KeyPair", "The key pair quota exceeds.")
	}
	rg, aerr := c.resourceGroupParam()
	if aerr != nil {
		return nil, aerr
	}
	kp := &keyPair{
		ID: newID("kp", rs.info.Code, lenOtherID), Region: rs.info.ID, Name: name, FingerPrint: fp,
		PublicKey:       strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))),
		ResourceGroupID: rg, Tags: tags, CreationTime: c.now, seq: st.nextSeq(),
	}
	rs.keyPairs[name] = kp
	return kp, nil
}

// actCreateKeyPair generates an RSA key pair; the private key is in the
// answer only, never stored.
func actCreateKeyPair(c *call) (any, error) {
	name, aerr := c.p.required("KeyPairName")
	if aerr != nil {
		return nil, aerr
	}
	if !validName(name, 128) {
		return nil, apiErr(http.StatusBadRequest, "InvalidKeyPairName.Malformed", "Specified Key Pair name is not valid.")
	}
	tags, aerr := c.p.tags()
	if aerr != nil {
		return nil, aerr
	}
	// Key generation is slow (seconds under -race on a busy machine):
	// refuse a taken name first. addKeyPair checks again, atomically.
	c.s.st.mu.Lock()
	taken := c.region().keyPairs[name] != nil
	c.s.st.mu.Unlock()
	if taken {
		return nil, apiErr(http.StatusBadRequest, "KeyPair.AlreadyExist", "The key pair already exist.")
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	pub, err := ssh.NewPublicKey(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	kp, aerr := addKeyPair(c, name, pub, tags)
	if aerr != nil {
		return nil, aerr
	}
	priv := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	return obj{"KeyPairId": kp.ID, "KeyPairName": kp.Name, "KeyPairFingerPrint": kp.FingerPrint,
		"PrivateKeyBody": string(priv)}, nil
}

func actDescribeKeyPairs(c *call) (any, error) {
	pg, aerr := c.p.pageNumberSize(10, 50)
	if aerr != nil {
		return nil, aerr
	}
	withKey, aerr := c.p.boolean("IncludePublicKey", false)
	if aerr != nil {
		return nil, aerr
	}
	tagFilters := c.p.tagFilters()
	st := c.s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	var match []*keyPair
	for _, kp := range c.region().keyPairList() {
		switch {
		case c.p.get("KeyPairName") != "" && !wildcard(c.p.get("KeyPairName"), kp.Name),
			c.p.get("KeyPairFingerPrint") != "" && c.p.get("KeyPairFingerPrint") != kp.FingerPrint,
			c.p.get("ResourceGroupId") != "" && c.p.get("ResourceGroupId") != kp.ResourceGroupID,
			!matchTags(kp.Tags, tagFilters):
			continue
		}
		match = append(match, kp)
	}
	out := []obj{}
	for _, kp := range pageOf(match, pg) {
		o := obj{
			"KeyPairName": kp.Name, "KeyPairFingerPrint": kp.FingerPrint, "CreationTime": fmtSecond(kp.CreationTime),
			"ResourceGroupId": kp.ResourceGroupID, "Tags": ecsTags(kp.Tags),
		}
		if withKey {
			o["PublicKey"] = kp.PublicKey
		}
		out = append(out, o)
	}
	return obj{"TotalCount": len(match), "PageNumber": pg.number, "PageSize": pg.size,
		"KeyPairs": wrap("KeyPair", out)}, nil
}

func actDeleteKeyPairs(c *call) (any, error) {
	names, ok, aerr := c.p.jsonList("KeyPairNames", "InvalidKeyPairNames.ValueNotSupported", 100)
	if aerr != nil {
		return nil, aerr
	}
	if !ok {
		return nil, errMissing("KeyPairNames")
	}
	rs, unlock := c.lockRegion()
	defer unlock()
	// Unknown names succeed, and key pairs in use may go: instances keep
	// the name.
	for _, n := range names {
		delete(rs.keyPairs, n)
	}
	return nil, nil
}
