package ecs

import (
	"context"
	"encoding/json"
)

const (
	keyPairPageSize     = 50  // DescribeKeyPairs PageSize bound [EST]
	keyPairNamesPerCall = 100 // DeleteKeyPairs KeyPairNames bound
)

// ImportKeyPair registers a public key. The call has no ClientToken: if an
// attempt timed out after the server stored the key, the retry answers
// KeyPair.AlreadyExist, which the caller must treat as ambiguous (compare the
// fingerprint via DescribeKeyPairs).
func (c *Client) ImportKeyPair(ctx context.Context, req ImportKeyPairRequest) (*KeyPair, error) {
	p := params{}
	p.set("KeyPairName", req.Name)
	p.set("PublicKeyBody", req.PublicKeyBody)
	p.set("ResourceGroupId", req.ResourceGroupID)
	p.setTags(req.Tags)
	var resp struct {
		KeyPairName        string
		KeyPairFingerPrint string
	}
	if err := c.call(ctx, productECS, "ImportKeyPair", p, &resp); err != nil {
		return nil, err
	}
	kp := &KeyPair{Name: resp.KeyPairName, Fingerprint: resp.KeyPairFingerPrint, Tags: req.Tags}
	if kp.Name == "" {
		kp.Name = req.Name
	}
	return kp, nil
}

// DescribeKeyPairs lists key pairs named name ("*" wildcards allowed; empty
// lists all), following every page.
func (c *Client) DescribeKeyPairs(ctx context.Context, name string) ([]KeyPair, error) {
	p := params{}
	p.set("KeyPairName", name)
	var out []KeyPair
	err := c.describeAll(ctx, productECS, "DescribeKeyPairs", p, keyPairPageSize, func(body []byte) (page, int, error) {
		var resp struct {
			page
			KeyPairs struct {
				KeyPair []struct {
					KeyPairName        string
					KeyPairFingerPrint string
					Tags               wireTags
				}
			}
		}
		if err := json.Unmarshal(body, &resp); err != nil {
			return page{}, 0, err
		}
		for _, k := range resp.KeyPairs.KeyPair {
			out = append(out, KeyPair{Name: k.KeyPairName, Fingerprint: k.KeyPairFingerPrint, Tags: k.Tags.tags()})
		}
		return resp.page, len(resp.KeyPairs.KeyPair), nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteKeyPairs deletes key pairs by name (KeyPairNames JSON array, 100 per
// call). Unknown names are not an error on the real API.
func (c *Client) DeleteKeyPairs(ctx context.Context, names []string) error {
	if len(names) == 0 {
		return nil
	}
	for _, batch := range chunk(names, keyPairNamesPerCall) {
		p := params{}
		p.setJSONList("KeyPairNames", batch)
		if err := c.call(ctx, productECS, "DeleteKeyPairs", p, nil); err != nil {
			return err
		}
	}
	return nil
}
