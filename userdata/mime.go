package userdata

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/textproto"
	"slices"
	"strconv"
)

// part is one body part of a MIME multipart user data.
type part struct {
	header textproto.MIMEHeader
	body   []byte // as it appears on the wire (transfer encoding kept)
}

// mergeHow makes cloud-init append the driver's bootcmd entry to a bootcmd
// list from an earlier part instead of replacing it (the default merge of
// cloud-config parts replaces lists).
const mergeHow = "list(append)+dict(no_replace,recurse_list)+str()"

// parseMultipart checks a MIME input the way cloud-init will read it and
// returns its parts. Errors are generic on purpose: the MIME parsers quote
// offending lines, which are user content.
func parseMultipart(in input) ([]part, error) {
	// cloud-init treats user data as MIME only if "mime-version:" appears in
	// its first 4096 bytes; without it the whole text is one unknown part
	// and nothing runs.
	head := bytes.ToLower(in.data[:min(len(in.data), 4096)])
	if !bytes.Contains(head, []byte("mime-version:")) {
		return nil, fmt.Errorf("%s: %s: MIME user data needs a MIME-Version header; cloud-init ignores it otherwise", flag, in.name)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(in.data))
	if err != nil {
		return nil, fmt.Errorf("%s: %s: malformed MIME header", flag, in.name)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" || params["boundary"] == "" {
		return nil, fmt.Errorf("%s: %s: MIME user data must be multipart/mixed with a boundary", flag, in.name)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var parts []part
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %s: malformed MIME multipart (part %d)", flag, in.name, len(parts)+1)
		}
		body, err := io.ReadAll(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: malformed MIME multipart (part %d)", flag, in.name, len(parts)+1)
		}
		parts = append(parts, part{header: p.Header, body: body})
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("%s: %s: MIME multipart has no parts", flag, in.name)
	}
	return parts, nil
}

// scriptWithDisk wraps a #! script and the driver's cloud-config in a MIME
// multipart: cloud-init runs a script part as is, so the script reaches the
// instance unchanged.
func scriptWithDisk(script []byte, disk *DataDisk) ([]byte, error) {
	cfg, err := newCloudConfig(disk)
	if err != nil {
		return nil, err
	}
	return writeMultipart([]part{
		textPart("text/cloud-config", "aliyunecs-datadisk.cfg", cfg),
		textPart("text/x-shellscript", "user-data.sh", script),
	}), nil
}

// multipartWithDisk appends the driver's cloud-config as the last part of the
// user's multipart. Parts keep their headers and bodies.
func multipartWithDisk(in input, disk *DataDisk) ([]byte, error) {
	parts, err := parseMultipart(in)
	if err != nil {
		return nil, err
	}
	frag, err := encodeYAML(map[string]any{
		"merge_how": mergeHow,
		"bootcmd":   [][]string{bootcmdEntry(*disk)},
	})
	if err != nil {
		return nil, err
	}
	cfg := append([]byte(cloudConfigHeader), frag...)
	parts = append(parts, textPart("text/cloud-config", "aliyunecs-datadisk.cfg", cfg))
	return writeMultipart(parts), nil
}

// textPart makes a part for text content. Plain ASCII goes as 7bit, so
// people reading DescribeUserData can read it; anything else as base64,
// which every MIME parser decodes back to the exact bytes.
func textPart(contentType, filename string, content []byte) part {
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	h.Set("MIME-Version", "1.0")
	if is7bit(content) {
		h.Set("Content-Type", contentType+`; charset="us-ascii"`)
		h.Set("Content-Transfer-Encoding", "7bit")
		return part{header: h, body: content}
	}
	h.Set("Content-Type", contentType+`; charset="utf-8"`)
	h.Set("Content-Transfer-Encoding", "base64")
	return part{header: h, body: base64Lines(content)}
}

// is7bit reports content that is valid as a 7bit MIME body: ASCII without
// NUL or bare CR and with lines of at most 998 bytes (RFC 5322).
func is7bit(b []byte) bool {
	line := 0
	for i, c := range b {
		switch {
		case c == 0 || c >= 0x80:
			return false
		case c == '\r' && (i+1 == len(b) || b[i+1] != '\n'):
			return false
		case c == '\n':
			line = 0
			continue
		}
		if line++; line > 998 {
			return false
		}
	}
	return true
}

func base64Lines(b []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(b)
	var out bytes.Buffer
	for len(enc) > 76 {
		out.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	out.WriteString(enc + "\r\n")
	return out.Bytes()
}

// writeMultipart renders parts as a multipart/mixed document. The boundary
// is derived from the content instead of being random, so the same input
// always gives the same bytes (see the package comment).
func writeMultipart(parts []part) []byte {
	boundary := boundaryFor(parts)
	var buf bytes.Buffer
	// Content-Type first so the result starts like the MIME input this
	// package accepts; MIME-Version is what cloud-init looks for.
	fmt.Fprintf(&buf, "Content-Type: multipart/mixed; boundary=%q\r\nMIME-Version: 1.0\r\n\r\n", boundary)
	w := multipart.NewWriter(&buf)
	if err := w.SetBoundary(boundary); err != nil {
		panic(err) // boundaryFor only makes valid boundaries
	}
	for _, p := range parts {
		pw, err := w.CreatePart(p.header)
		if err != nil {
			panic(err) // writes to a bytes.Buffer do not fail
		}
		_, _ = pw.Write(p.body)
	}
	_ = w.Close()
	return buf.Bytes()
}

// boundaryFor hashes the parts into a boundary that none of them contains.
func boundaryFor(parts []part) string {
	h := sha256.New()
	for _, p := range parts {
		// Sorted: map order would make the boundary differ between runs.
		for _, k := range slices.Sorted(maps.Keys(p.header)) {
			fmt.Fprintf(h, "%s:%q\n", k, p.header[k])
		}
		h.Write(p.body)
	}
	sum := h.Sum(nil)
	for n := 0; ; n++ {
		b := "aliyunecs-" + hex.EncodeToString(sum[:16]) + "-" + strconv.Itoa(n)
		clash := false
		for _, p := range parts {
			if bytes.Contains(p.body, []byte("--"+b)) {
				clash = true
			}
		}
		if !clash {
			return b
		}
	}
}
