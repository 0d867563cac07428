package sshutil

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func writeFile(t *testing.T, path string, data []byte, perm os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, data, perm); err != nil {
		t.Fatal(err)
	}
	// WriteFile is subject to the umask; the tests want the exact mode.
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
}

func TestGenerateKeyPair(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "machines", "m1")
	priv := filepath.Join(dir, "id_rsa")

	line, err := GenerateKeyPair(priv)
	if err != nil {
		t.Fatal(err)
	}
	if got := mode(t, dir); got != 0o700 {
		t.Errorf("dir mode = %o, want 700", got)
	}
	if got := mode(t, priv); got != 0o600 {
		t.Errorf("private key mode = %o, want 600", got)
	}
	if got := mode(t, priv+".pub"); got != 0o644 {
		t.Errorf("public key mode = %o, want 644", got)
	}
	if !strings.HasPrefix(line, "ssh-rsa AAAA") || strings.ContainsAny(line, "\r\n") {
		t.Errorf("public key line = %q, want one ssh-rsa line", line)
	}
	pub, err := os.ReadFile(priv + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	if string(pub) != line+"\n" {
		t.Errorf(".pub = %q, want %q", pub, line+"\n")
	}

	pemBytes, err := os.ReadFile(priv)
	if err != nil {
		t.Fatal(err)
	}
	block, rest := pem.Decode(pemBytes)
	if block == nil || block.Type != "RSA PRIVATE KEY" || len(strings.TrimSpace(string(rest))) != 0 {
		t.Fatalf("private key is not a single PKCS#1 PEM block")
	}
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if key.N.BitLen() != 2048 {
		t.Errorf("key size = %d, want 2048", key.N.BitLen())
	}
	signer, err := LoadSigner(priv)
	if err != nil {
		t.Fatal(err)
	}
	if PublicKeyLine(signer) != line {
		t.Errorf("LoadSigner public key differs from the returned line")
	}
	assertNoTempFiles(t, dir)
}

func TestGenerateKeyPairReplacesLooseFile(t *testing.T) {
	priv := filepath.Join(t.TempDir(), "id_rsa")
	writeFile(t, priv, []byte("old"), 0o644)
	if _, err := GenerateKeyPair(priv); err != nil {
		t.Fatal(err)
	}
	if got := mode(t, priv); got != 0o600 {
		t.Errorf("private key mode = %o, want 600", got)
	}
}

func TestCopyPrivateKey(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalECPrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edPKCS8, err := x509.MarshalPKCS8PrivateKey(edKey)
	if err != nil {
		t.Fatal(err)
	}
	edOpenSSH, err := ssh.MarshalPrivateKey(edKey, "")
	if err != nil {
		t.Fatal(err)
	}
	fixture, err := os.ReadFile("testdata/ed25519_openssh")
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, prefix string
		key          []byte
	}{
		{"rsa pkcs1", "ssh-rsa ", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)})},
		{"ecdsa sec1", "ecdsa-sha2-nistp256 ", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER})},
		{"ed25519 pkcs8", "ssh-ed25519 ", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: edPKCS8})},
		{"ed25519 openssh", "ssh-ed25519 ", pem.EncodeToMemory(edOpenSSH)},
		// Written by ssh-keygen, so the OpenSSH format is not only checked
		// against the library's own encoder.
		{"ssh-keygen ed25519", "ssh-ed25519 ", fixture},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join(dir, "mounted", "id_rsa")
			if err := os.Mkdir(filepath.Dir(src), 0o755); err != nil {
				t.Fatal(err)
			}
			// Rancher mounts the secret with mode 0644.
			key := append(append([]byte{}, tt.key...), '\n')
			writeFile(t, src, key, 0o644)
			dst := filepath.Join(dir, "store", "machines", "m1", "id_rsa")

			line, err := CopyPrivateKey(src, dst)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(line, tt.prefix) {
				t.Errorf("public key = %q, want prefix %q", line, tt.prefix)
			}
			got, err := os.ReadFile(dst)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(key) {
				t.Error("dst content differs from src")
			}
			if m := mode(t, dst); m != 0o600 {
				t.Errorf("dst mode = %o, want 600", m)
			}
			if m := mode(t, src); m != 0o644 {
				t.Errorf("src mode changed to %o", m)
			}
			pub, err := os.ReadFile(dst + ".pub")
			if err != nil {
				t.Fatal(err)
			}
			if string(pub) != line+"\n" {
				t.Errorf(".pub = %q, want %q", pub, line+"\n")
			}
		})
	}
}

func TestCopyPrivateKeyMatchesSSHKeygenPublicKey(t *testing.T) {
	want, err := os.ReadFile("testdata/ed25519_openssh.pub")
	if err != nil {
		t.Fatal(err)
	}
	line, err := CopyPrivateKey("testdata/ed25519_openssh", filepath.Join(t.TempDir(), "id"))
	if err != nil {
		t.Fatal(err)
	}
	if line != strings.TrimSpace(string(want)) {
		t.Errorf("public key = %q, ssh-keygen wrote %q", line, want)
	}
}

func TestCopyPrivateKeyFixesModeOfExistingDst(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "id_rsa")
	key, err := os.ReadFile("testdata/ed25519_openssh")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dst, key, 0o644)

	// Same file as source and destination: a restored store directory.
	if _, err := CopyPrivateKey(dst, dst); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, dst); m != 0o600 {
		t.Errorf("dst mode = %o, want 600", m)
	}
	got, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(key) {
		t.Error("key content changed")
	}
	assertNoTempFiles(t, dir)
}

func TestCopyPrivateKeyRejects(t *testing.T) {
	const marker = "MARKER-7f3a"
	pubOnly, err := os.ReadFile("testdata/ed25519_openssh.pub")
	if err != nil {
		t.Fatal(err)
	}
	encOpenSSH, err := os.ReadFile("testdata/ed25519_encrypted")
	if err != nil {
		t.Fatal(err)
	}
	encPEM, err := os.ReadFile("testdata/rsa_encrypted_pem")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, content, wantErr string
	}{
		{"garbage", "not a key " + marker, "is not an SSH private key"},
		{"public key", string(pubOnly), "is not an SSH private key"},
		{"unknown pem type", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte(marker)})), "is not an SSH private key"},
		{"corrupt pkcs1", string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte(marker)})), "is not an SSH private key"},
		{"encrypted openssh", string(encOpenSSH), "passphrase-protected"},
		{"encrypted legacy pem", string(encPEM), "passphrase-protected"},
		{"encrypted pkcs8", string(pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte(marker)})), "passphrase-protected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join(dir, "id_rsa")
			writeFile(t, src, []byte(tt.content), 0o644)
			dst := filepath.Join(dir, "copy")
			_, err := CopyPrivateKey(src, dst)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantErr) || !strings.Contains(msg, src) {
				t.Errorf("error %q should contain %q and the path", msg, tt.wantErr)
			}
			if strings.Contains(msg, marker) || strings.Contains(msg, "AAAA") {
				t.Errorf("error leaks file content: %q", msg)
			}
			if _, err := os.Stat(dst); !os.IsNotExist(err) {
				t.Errorf("dst written for a rejected key")
			}
		})
	}
}

func TestCopyPrivateKeyMissingSource(t *testing.T) {
	src := filepath.Join(t.TempDir(), "nope")
	_, err := CopyPrivateKey(src, filepath.Join(t.TempDir(), "dst"))
	if err == nil || !strings.Contains(err.Error(), src) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error = %v, want not-exist naming %s", err, src)
	}
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}
