package guest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"regexp"
	"strings"
)

// headerLine matches the first line of a MIME message ("Content-Type: ...",
// "MIME-Version: 1.0", ...).
var headerLine = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]*:[ \t]`)

// parseMIME splits data into MIME headers and body when data is a MIME
// message: header lines first, one of them Content-Type.
func parseMIME(data []byte) (textproto.MIMEHeader, []byte, bool) {
	if !headerLine.Match(data) {
		return nil, nil, false
	}
	br := bufio.NewReader(bytes.NewReader(data))
	hdr, err := textproto.NewReader(br).ReadMIMEHeader()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, false
	}
	if hdr.Get("Content-Type") == "" {
		return nil, nil, false
	}
	body, _ := io.ReadAll(br)
	return hdr, body, true
}

// processEntity handles one MIME entity: a multipart container, whose parts
// are processed in order, or a leaf part handled by its content type as
// cloud-init does (text/cloud-config, text/x-shellscript*, and text/plain or
// gzip parts whose type is detected from their content). Other types
// (text/cloud-boothook, text/x-include-url, text/part-handler, ...) are
// ignored.
func (ci *cloudInit) processEntity(hdr textproto.MIMEHeader, body []byte, depth int) {
	if depth > maxNesting {
		ci.fail("user data nested more than %d levels deep", maxNesting)
		return
	}
	ct := hdr.Get("Content-Type")
	if ct == "" {
		ct = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		ci.part++
		ci.fail("MIME: Content-Type %q: %v", ct, err)
		return
	}
	body, err = decodeTransfer(hdr.Get("Content-Transfer-Encoding"), body)
	if err != nil {
		ci.part++
		ci.fail("MIME: %v", err)
		return
	}
	if strings.HasPrefix(mt, "multipart/") {
		ci.processMultipart(body, params["boundary"], depth)
		return
	}
	filename := ""
	if _, dp, err := mime.ParseMediaType(hdr.Get("Content-Disposition")); err == nil {
		filename = dp["filename"]
	}
	if filename == "" {
		filename = params["name"]
	}
	switch mt {
	case "text/plain", "application/octet-stream", "application/x-gzip", "application/gzip":
		ci.process(body, depth+1)
		return
	}
	ci.part++
	if isGzip(body) {
		d, err := gunzip(body)
		if err != nil {
			ci.fail("%s: gzip: %v", mt, err)
			return
		}
		body = d
	}
	switch mt {
	case "text/cloud-config":
		ci.applyCloudConfig(body)
	case "text/x-shellscript", "text/x-shellscript-per-boot",
		"text/x-shellscript-per-instance", "text/x-shellscript-per-once":
		ci.addScript(body, filename)
	}
}

// processMultipart processes the parts of a multipart body in order.
func (ci *cloudInit) processMultipart(body []byte, boundary string, depth int) {
	if boundary == "" {
		ci.part++
		ci.fail("MIME: multipart without a boundary")
		return
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		p, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			ci.part++
			ci.fail("MIME: %v", err)
			return
		}
		data, err := io.ReadAll(p)
		if err != nil {
			ci.part++
			ci.fail("MIME: %v", err)
			return
		}
		ci.processEntity(textproto.MIMEHeader(p.Header), data, depth+1)
	}
}

// decodeTransfer undoes a Content-Transfer-Encoding.
func decodeTransfer(cte string, body []byte) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "", "7bit", "8bit", "binary":
		return body, nil
	case "base64":
		b, err := decodeBase64(string(body))
		if err != nil {
			return nil, errors.New("transfer encoding base64: invalid base64")
		}
		return b, nil
	case "quoted-printable":
		b, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		if err != nil {
			return nil, errors.New("transfer encoding quoted-printable: " + err.Error())
		}
		return b, nil
	}
	return nil, errors.New("unknown transfer encoding " + cte)
}
