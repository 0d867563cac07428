package ecssim

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// Signature v1 (aliyun-api.md §1.3/§1.4): HMAC-SHA1 over
// METHOD&%2F&percentEncode(sorted k=v pairs), keyed with secret+"&".

// percentEncode is RFC 3986 encoding as Alibaba Cloud uses it: unreserved
// characters stay, everything else becomes %XX (uppercase hex) over UTF-8
// bytes; so space is %20, * is %2A and ~ stays literal.
func percentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// stringToSign rebuilds what the client signed from every parameter except
// Signature, keeping empty values (the SDK always sends SignatureType=).
func stringToSign(method string, p params) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	pairs := make([]string, len(keys))
	for i, k := range keys {
		pairs[i] = percentEncode(k) + "=" + percentEncode(p[k])
	}
	return method + "&" + percentEncode("/") + "&" + percentEncode(strings.Join(pairs, "&"))
}

// sign computes the v1 signature of a string-to-sign with a secret.
func sign(toSign, secret string) string {
	m := hmac.New(sha1.New, []byte(secret+"&"))
	m.Write([]byte(toSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// timestampWindow is how far a request's Timestamp may be from server time;
// SignatureNonces are remembered for the same window so a replay of a
// still-valid request is caught.
const timestampWindow = 15 * time.Minute

// verify authenticates an API request, answering nil or the error the real
// gateway answers with.
func (s *Server) verify(method string, p params, now time.Time) *apiError {
	for _, k := range []string{"AccessKeyId", "Signature", "Timestamp"} {
		if p[k] == "" {
			return errMissing(k)
		}
	}
	if m := p["SignatureMethod"]; m != "" && m != "HMAC-SHA1" {
		return apiErr(http.StatusBadRequest, "InvalidParameter", "The specified parameter \"SignatureMethod\" is not valid.")
	}
	if v := p["SignatureVersion"]; v != "" && v != "1.0" {
		return apiErr(http.StatusBadRequest, "InvalidParameter", "The specified parameter \"SignatureVersion\" is not valid.")
	}
	ts, err := time.Parse(time.RFC3339, p["Timestamp"])
	if err != nil {
		return apiErr(http.StatusBadRequest, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.")
	}
	if d := now.Sub(ts); d > timestampWindow || d < -timestampWindow {
		return apiErr(http.StatusBadRequest, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
	}
	cred, ok := s.credential(p["AccessKeyId"])
	if !ok {
		return apiErr(http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
	}
	toSign := stringToSign(method, p)
	want := sign(toSign, cred.Secret)
	if subtle.ConstantTimeCompare([]byte(want), []byte(p["Signature"])) != 1 {
		// The SDK compares this suffix with its own string-to-sign to tell a
		// wrong secret from a canonicalisation bug.
		return apiErr(http.StatusBadRequest, "SignatureDoesNotMatch",
			"Specified signature is not matched with our calculation. server string to sign is:%s", toSign)
	}
	if aerr := s.checkSecurityToken(cred, p["SecurityToken"], now); aerr != nil {
		return aerr
	}
	// Only a correctly signed request consumes its nonce, so garbage cannot
	// burn nonces of legitimate clients.
	if n := p["SignatureNonce"]; n != "" && !s.nonces.use(p["AccessKeyId"]+"/"+n, now, ts) {
		return apiErr(http.StatusBadRequest, "SignatureNonceUsed", "Specified signature nonce was used already.")
	}
	return nil
}

// checkSecurityToken applies the STS rules: an STS credential needs its
// own token, unexpired; a token that belongs to another AccessKey is a
// mismatch; any other token is malformed.
func (s *Server) checkSecurityToken(cred Credential, token string, now time.Time) *apiError {
	mismatch := apiErr(http.StatusBadRequest, "InvalidSecurityToken.MismatchWithAccessKey",
		"The Security Token does not match with the AccessKeyId.")
	switch {
	case token == "" && cred.Token == "":
		return nil
	case token == "":
		return mismatch // an STS AccessKey is useless without its token
	case cred.Token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(cred.Token)) == 1:
		if !cred.Expiration.IsZero() && now.After(cred.Expiration) {
			return apiErr(http.StatusBadRequest, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired.")
		}
		return nil
	}
	s.credMu.RLock()
	defer s.credMu.RUnlock()
	for _, other := range s.creds {
		if other.Token != "" && other.Token == token {
			return mismatch
		}
	}
	return apiErr(http.StatusBadRequest, "InvalidSecurityToken.Malformed", "Specified SecurityToken is malformed.")
}

// nonceCache remembers each SignatureNonce until its request's Timestamp
// leaves the window: from then on a replay is refused as expired anyway.
// Pruning runs at most once a minute, which bounds the cache to about 31
// minutes of traffic.
type nonceCache struct {
	mu        sync.Mutex
	seen      map[string]time.Time // nonce -> expiry
	lastPrune time.Time
}

// use records a nonce; false if it was seen and has not expired.
func (c *nonceCache) use(nonce string, now, ts time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = map[string]time.Time{}
	}
	if now.Sub(c.lastPrune) > time.Minute {
		for k, exp := range c.seen {
			if now.After(exp) {
				delete(c.seen, k)
			}
		}
		c.lastPrune = now
	}
	if exp, ok := c.seen[nonce]; ok && now.Before(exp) {
		return false
	}
	// A replay is refused by its Timestamp once ts+window has passed, so
	// the nonce need not be kept longer.
	c.seen[nonce] = ts.Add(timestampWindow)
	return true
}

func (c *nonceCache) reset() {
	c.mu.Lock()
	c.seen = nil
	c.mu.Unlock()
}
