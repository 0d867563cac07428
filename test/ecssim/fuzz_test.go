package ecssim

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Fuzz targets for the simulator's request decoding and signature check. As
// plain `go test` they run their seed corpus; CI runs each for a few
// seconds, e.g. `go test -run='^$' -fuzz=FuzzVerifySignature -fuzztime=5s ./test/ecssim`.

// FuzzReadParams decodes arbitrary queries and form bodies: readParams
// either fails or returns exactly the query's first values merged over the
// body's, and the call log's copy of them never shows a secret.
func FuzzReadParams(f *testing.F) {
	f.Add("Action=DescribeRegions&Version=2014-05-26", "RegionId=cn-hangzhou", true)
	f.Add("a=1&a=2", "a=3&b=4", true)
	f.Add("", "Password=hunter2&UserData=I2Nsb3Vk&SecurityToken=t&Signature=s&AccessKeySecret=x", true)
	f.Add("%zz", "", false)
	f.Add("k=v+w%20x", "k2=%E4%BD%A0", true)
	f.Add("", "a=1;b=2", true)
	f.Fuzz(func(t *testing.T, rawQuery, body string, form bool) {
		r := &http.Request{
			Method: http.MethodPost,
			URL:    &url.URL{Path: "/", RawQuery: rawQuery},
			Header: http.Header{},
			Body:   io.NopCloser(strings.NewReader(body)),
		}
		if form {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		p, err := readParams(r)
		if err != nil {
			return
		}
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			t.Fatalf("readParams accepted a query url.ParseQuery rejects: %v", err)
		}
		want := map[string]string{}
		if form {
			fb, err := url.ParseQuery(body)
			if err != nil {
				t.Fatalf("readParams accepted a body url.ParseQuery rejects: %v", err)
			}
			for k, v := range fb {
				want[k] = v[0]
			}
		}
		for k, v := range q {
			want[k] = v[0]
		}
		if len(p) != len(want) {
			t.Fatalf("readParams gave %d parameters, want %d", len(p), len(want))
		}
		for k, v := range want {
			if p[k] != v {
				t.Fatalf("parameter %q is %q, want %q (the query wins over the body)", k, p[k], v)
			}
		}
		masked := maskParams(p)
		if _, ok := masked["AccessKeySecret"]; ok {
			t.Fatal("the call log keeps an AccessKeySecret")
		}
		for k := range maskedParams {
			if p[k] != "" && masked[k] != "***" {
				t.Fatalf("the call log shows %s", k)
			}
		}
	})
}

// fuzzSDKEncode is percent encoding the way the Alibaba Cloud SDK does it
// (url.QueryEscape with a space as %20): an implementation independent of
// the simulator's.
func fuzzSDKEncode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// fuzzSDKSign signs p as the SDK does (signature v1, HMAC-SHA1).
func fuzzSDKSign(method string, p map[string]string, secret string) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	pairs := make([]string, len(keys))
	for i, k := range keys {
		pairs[i] = fuzzSDKEncode(k) + "=" + fuzzSDKEncode(p[k])
	}
	toSign := method + "&" + fuzzSDKEncode("/") + "&" + fuzzSDKEncode(strings.Join(pairs, "&"))
	m := hmac.New(sha1.New, []byte(secret+"&"))
	m.Write([]byte(toSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// FuzzVerifySignature signs arbitrary parameters with an arbitrary secret
// the way the SDK does: the simulator must accept the signature, refuse a
// wrong one with SignatureDoesNotMatch, and never echo the secret.
func FuzzVerifySignature(f *testing.F) {
	srv, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { srv.Close() })
	var nonce atomic.Int64
	f.Add("Action=RunInstances&Version=2014-05-26&RegionId=cn-hangzhou&Tag.1.Key=a b&UserData=I2Nsb3VkLWNvbmZpZw==", "secret", uint8(0))
	f.Add("Description=%E4%BD%A0%E5%A5%BD*~!()'&Name=x+y", "s3cr3t/+=", uint8(1))
	f.Add("", "k", uint8(2))
	f.Add("Empty=&=novalue&%00=%FF", "\x00\xff", uint8(3))
	f.Fuzz(func(t *testing.T, rawParams, secret string, tamper uint8) {
		if secret == "" {
			return
		}
		q, err := url.ParseQuery(rawParams)
		if err != nil {
			return
		}
		p := params{}
		for k, v := range q {
			p[k] = v[0]
		}
		for _, k := range []string{"Signature", "SecurityToken", "SignatureMethod", "SignatureVersion"} {
			delete(p, k)
		}
		now := time.Now()
		id := "fuzz-ak"
		p["AccessKeyId"] = id
		p["Timestamp"] = now.UTC().Format(time.RFC3339)
		p["SignatureNonce"] = "fuzz-" + strconv.FormatInt(nonce.Add(1), 10)
		p["SignatureMethod"], p["SignatureVersion"] = "HMAC-SHA1", "1.0"
		if err := srv.AddCredential(Credential{ID: id, Secret: secret}); err != nil {
			t.Fatal(err)
		}
		good := fuzzSDKSign(http.MethodPost, p, secret)
		if tamper%2 == 1 {
			p["Signature"] = fuzzSDKSign(http.MethodPost, p, secret+"x")
			aerr := srv.verify(http.MethodPost, p, now)
			if aerr == nil || aerr.code != "SignatureDoesNotMatch" {
				t.Fatalf("a signature made with another secret was answered %v", aerr)
			}
			if len(secret) >= 4 && strings.Contains(aerr.message, secret) {
				t.Fatal("the SignatureDoesNotMatch message echoes the secret")
			}
			return
		}
		p["Signature"] = good
		if aerr := srv.verify(http.MethodPost, p, now); aerr != nil {
			t.Fatalf("the SDK's signature was refused: %s: %s", aerr.code, aerr.message)
		}
		if aerr := srv.verify(http.MethodPost, p, now); aerr == nil || aerr.code != "SignatureNonceUsed" {
			t.Fatalf("a replayed request was answered %v", aerr)
		}
	})
}
