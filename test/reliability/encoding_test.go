package reliability

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"io"
	"regexp"
	"strings"
)

// encodedForms are s and its Base64 encodings at the three alignments it
// can have inside a longer encoded text (the edge characters, which depend
// on the neighbours, are cut).
func encodedForms(s string) []string {
	forms := []string{s}
	for pad := range 3 {
		enc := base64.StdEncoding.EncodeToString(append(make([]byte, pad), s...))
		start := (pad*4 + 2) / 3
		end := len(enc) - 4
		if end > start+8 {
			forms = append(forms, enc[start+1:end])
		}
	}
	return forms
}

// base64Run is a stretch of text that may be Base64 data.
var base64Run = regexp.MustCompile(`[A-Za-z0-9+/]{40,}={0,2}`)

// containsForm reports whether text holds s in any of its encodedForms,
// or inside Base64 data of text, gzip-compressed or not (rancher-machine
// embeds the install script gzipped and Base64-encoded).
func containsForm(text, s string) bool {
	for _, f := range encodedForms(s) {
		if strings.Contains(text, f) {
			return true
		}
	}
	for _, run := range base64Run.FindAllString(text, -1) {
		run = strings.TrimRight(run, "=")
		raw, err := base64.RawStdEncoding.DecodeString(run[:len(run)/4*4])
		if err != nil {
			continue
		}
		if zr, err := gzip.NewReader(bytes.NewReader(raw)); err == nil {
			if plain, err := io.ReadAll(io.LimitReader(zr, 16<<20)); err == nil || len(plain) > 0 {
				raw = plain
			}
		}
		if bytes.Contains(raw, []byte(s)) {
			return true
		}
	}
	return false
}
