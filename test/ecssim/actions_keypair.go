package ecssim

import (
	"net/http"
	"strings"

	"golang.org/x/crypto/ssh"
)

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
	// Fingerprint: colon-separated MD5 of the key blob (RFC 4716 style).
	fp := strings.TrimPrefix(ssh.FingerprintLegacyMD5(pub), "MD5:")
	st := c.s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	rs := c.region()
	if rs.keyPairs[name] != nil {
		return nil, apiErr(http.StatusBadRequest, "KeyPair.AlreadyExist", "The key pair already exist.")
	}
	kp := &keyPair{
		ID: newID("kp", rs.info.Code, lenOtherID), Region: rs.info.ID, Name: name, FingerPrint: fp,
		PublicKey:       strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))),
		ResourceGroupID: resourceGroup(c.p), Tags: tags, CreationTime: c.now, seq: st.nextSeq(),
	}
	rs.keyPairs[name] = kp
	return obj{"KeyPairName": kp.Name, "KeyPairFingerPrint": kp.FingerPrint}, nil
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
	st := c.s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	rs := c.region()
	// Unknown names succeed, and key pairs in use may go: instances keep
	// the name.
	for _, n := range names {
		delete(rs.keyPairs, n)
	}
	return nil, nil
}
