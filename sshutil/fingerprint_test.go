package sshutil

import (
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

// Vectors printed by `ssh-keygen -l -E md5 -f` and `ssh-keygen -l -f`
// (OpenSSH) for keys it generated.
var fingerprintVectors = []struct {
	line, md5, sha256 string
}{
	{
		line:   "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDvMTZqX2Dr6o3PLN0Vj9oRGZhqKbllJawK+sP4P2t1W",
		md5:    "43:6d:cc:13:ff:13:18:02:1c:a7:77:5c:76:fb:77:68",
		sha256: "SHA256:1/XD/J2pCMTtgz80TMO0UabmRlqDLufArKAZXA5a1xQ",
	},
	{
		line:   "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC8HZtD/JS4IaVWB40zyANQLjRsoP1EJUax/i9OBRhIqQokdO0uaqb7ysW9jZl5uPwWuc2T+Y49PwGF7W4rZY+mtqgFGmTSsquj0VNFACBBuHWnsBwjz0Ym9H926ECPyus9FGJ6sufZWtzSDzM3MDq1tHf5+JGkViszyb92UZv8gQ== test@example",
		md5:    "54:c8:a9:60:28:81:c3:b8:c2:de:d3:92:52:3d:98:ba",
		sha256: "SHA256:kQnDXopVzARBnHrGPgbmcOeFyP9WY2StH93R0fs+cWE",
	},
	{
		line:   "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAbL1F6pSYrT/2wbzlQGWV6iBfBao8jWH2FgRWOw2Bwg", // testdata/ed25519_openssh.pub
		md5:    "57:31:42:ed:8a:9b:5d:4f:e5:8f:9d:6c:65:84:37:9d",
		sha256: "SHA256:JoMZZ4lcpkhCHShjM5sJR840VdaRBgCGfQO7yShQ3PA",
	},
}

func TestFingerprints(t *testing.T) {
	for _, v := range fingerprintVectors {
		md5fp, err := FingerprintMD5(v.line)
		if err != nil {
			t.Fatal(err)
		}
		if md5fp != v.md5 {
			t.Errorf("FingerprintMD5 = %s, want %s", md5fp, v.md5)
		}
		// Independent derivation: MD5 over the decoded key blob (RFC 4716).
		if want := md5Colon(t, v.line); md5fp != want {
			t.Errorf("FingerprintMD5 = %s, blob MD5 = %s", md5fp, want)
		}
		shafp, err := FingerprintSHA256(v.line)
		if err != nil {
			t.Fatal(err)
		}
		if shafp != v.sha256 {
			t.Errorf("FingerprintSHA256 = %s, want %s", shafp, v.sha256)
		}
	}
}

func TestFingerprintOfCopiedKey(t *testing.T) {
	line, err := CopyPrivateKey("testdata/ed25519_openssh", t.TempDir()+"/id")
	if err != nil {
		t.Fatal(err)
	}
	got, err := FingerprintMD5(line)
	if err != nil {
		t.Fatal(err)
	}
	if got != fingerprintVectors[2].md5 {
		t.Errorf("FingerprintMD5 = %s, want %s", got, fingerprintVectors[2].md5)
	}
}

func TestFingerprintRejectsGarbage(t *testing.T) {
	for _, line := range []string{"", "ssh-rsa", "ssh-rsa !!!notbase64"} {
		if _, err := FingerprintMD5(line); err == nil {
			t.Errorf("FingerprintMD5(%q): no error", line)
		}
		if _, err := FingerprintSHA256(line); err == nil {
			t.Errorf("FingerprintSHA256(%q): no error", line)
		}
	}
}

func md5Colon(t *testing.T, line string) string {
	t.Helper()
	blob, err := base64.StdEncoding.DecodeString(strings.Fields(line)[1])
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(blob)
	hexes := make([]string, len(sum))
	for i, b := range sum {
		hexes[i] = fmt.Sprintf("%02x", b)
	}
	return strings.Join(hexes, ":")
}
