package sshutil

import (
	"fmt"

	"golang.org/x/crypto/ssh"
)

// FingerprintMD5 returns the MD5 fingerprint of an authorized_keys line as
// colon-separated lowercase hex ("c1:0a:..."), the form ECS reports as
// KeyPairFingerPrint and `ssh-keygen -l -E md5` prints. The driver compares
// it with an existing key pair to tell whether the key pair is ours.
func FingerprintMD5(pubLine string) (string, error) {
	pub, err := parsePublicLine(pubLine)
	if err != nil {
		return "", err
	}
	return ssh.FingerprintLegacyMD5(pub), nil
}

// FingerprintSHA256 returns the OpenSSH SHA256 fingerprint ("SHA256:...",
// unpadded base64) of an authorized_keys line, as `ssh-keygen -l` prints it.
func FingerprintSHA256(pubLine string) (string, error) {
	pub, err := parsePublicLine(pubLine)
	if err != nil {
		return "", err
	}
	return ssh.FingerprintSHA256(pub), nil
}

func parsePublicLine(pubLine string) (ssh.PublicKey, error) {
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(pubLine))
	if err != nil {
		return nil, fmt.Errorf("sshutil: parse public key: %w", err)
	}
	return pub, nil
}
