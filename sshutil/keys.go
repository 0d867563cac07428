// Package sshutil holds the driver's SSH plumbing: generating and loading the
// machine's private key (always stored 0600, because OpenSSH refuses keys that
// group or others can read), public-key fingerprints in the forms ECS reports,
// and a readiness probe that proves a freshly booted instance accepts the key.
package sshutil

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"
)

// rsaBits is the size of generated keys. ECS ImportKeyPair accepts ssh-rsa in
// every region (ed25519 support is not universal), and 2048 bits is what
// OpenSSH and the ECS console generate by default.
const rsaBits = 2048

const (
	privateKeyMode = 0o600
	publicKeyMode  = 0o644
	keyDirMode     = 0o700
)

// GenerateKeyPair creates a new RSA key, writes the PEM (PKCS#1) private key
// to privPath with mode 0600 and the public key to privPath+".pub" (0644) in
// authorized_keys format, and returns the authorized_keys line without a
// trailing newline. A missing directory is created with mode 0700. Existing
// files are replaced atomically, so a crash never leaves a truncated key.
func GenerateKeyPair(privPath string) (pubAuthorizedKey string, err error) {
	key, err := rsa.GenerateKey(rand.Reader, rsaBits)
	if err != nil {
		return "", fmt.Errorf("sshutil: generate RSA key: %w", err)
	}
	signer, err := ssh.NewSignerFromKey(key)
	if err != nil {
		return "", fmt.Errorf("sshutil: generate RSA key: %w", err)
	}
	// PKCS#1 "RSA PRIVATE KEY" is what libmachine writes too; every SSH client
	// reads it, including old OpenSSH versions in user images.
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	return writeKeyFiles(privPath, pemBytes, signer)
}

// CopyPrivateKey copies the private key at src (RSA, ECDSA or ed25519, in PEM
// or OpenSSH format) to dst with mode 0600, writes dst+".pub" and returns the
// public key in authorized_keys format.
//
// It exists for --aliyunecs-ssh-keypath: Rancher mounts the key read-only with
// mode 0644 and removes it when the job ends, so the driver keeps its own copy
// in the machine's store directory. dst is always rewritten, which also
// repairs the mode of an existing dst; src and dst may be the same file.
func CopyPrivateKey(src, dst string) (pubAuthorizedKey string, err error) {
	pemBytes, err := os.ReadFile(src)
	if err != nil {
		return "", fmt.Errorf("sshutil: read private key: %w", err)
	}
	signer, err := parsePrivateKey(src, pemBytes)
	if err != nil {
		return "", err
	}
	return writeKeyFiles(dst, pemBytes, signer)
}

// LoadSigner reads the unencrypted private key at path and returns a signer
// for it.
func LoadSigner(path string) (ssh.Signer, error) {
	pemBytes, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sshutil: read private key: %w", err)
	}
	return parsePrivateKey(path, pemBytes)
}

// PublicKeyLine returns the signer's public key in authorized_keys format
// ("ssh-rsa AAAA..."), without a trailing newline: the form ECS ImportKeyPair
// takes as PublicKeyBody.
func PublicKeyLine(signer ssh.Signer) string {
	return strings.TrimSuffix(string(ssh.MarshalAuthorizedKey(signer.PublicKey())), "\n")
}

// parsePrivateKey turns key bytes into a signer. Errors name the path but
// never include key material.
func parsePrivateKey(path string, pemBytes []byte) (ssh.Signer, error) {
	raw, err := ssh.ParseRawPrivateKey(pemBytes)
	if err != nil {
		var missing *ssh.PassphraseMissingError
		// PKCS#8 encrypted keys are not recognised as encrypted by
		// ParseRawPrivateKey; they surface as an unsupported PEM type.
		if errors.As(err, &missing) || strings.Contains(err.Error(), `"ENCRYPTED PRIVATE KEY"`) {
			return nil, fmt.Errorf("sshutil: private key %s is passphrase-protected; the driver needs an unencrypted key", path)
		}
		return nil, fmt.Errorf("sshutil: %s is not an SSH private key (RSA, ECDSA or ed25519 in PEM or OpenSSH format): %w", path, err)
	}
	switch k := raw.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, *ed25519.PrivateKey:
	case ed25519.PrivateKey:
		// PKCS#8 yields the value type; NewSignerFromKey wants a pointer.
		raw = &k
	default:
		return nil, fmt.Errorf("sshutil: private key %s has unsupported type %T; use RSA, ECDSA or ed25519", path, raw)
	}
	signer, err := ssh.NewSignerFromKey(raw)
	if err != nil {
		return nil, fmt.Errorf("sshutil: private key %s: %w", path, err)
	}
	return signer, nil
}

// writeKeyFiles writes the private key and its .pub companion and returns the
// public key line.
func writeKeyFiles(privPath string, pemBytes []byte, signer ssh.Signer) (string, error) {
	line := PublicKeyLine(signer)
	if err := writeFileAtomic(privPath, pemBytes, privateKeyMode); err != nil {
		return "", err
	}
	if err := writeFileAtomic(privPath+".pub", []byte(line+"\n"), publicKeyMode); err != nil {
		return "", err
	}
	return line, nil
}
