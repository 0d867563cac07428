package userdata

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

type kind int

const (
	kindEmpty kind = iota
	kindCloudConfig
	kindScript
	kindMultipart
	kindGzip
)

// maxGunzipBytes bounds what a gzip input may expand to when the driver has
// to unpack it; anything near it could never fit the ECS limit again anyway.
const maxGunzipBytes = 4 << 20

// input is the user's user data with what the driver learned about it.
type input struct {
	// name identifies the input in errors: the file path, or "inline user
	// data" (an inline value is content and must not be echoed).
	name string
	data []byte
	kind kind
}

const inlineName = "inline user data"

// readInput resolves the --aliyunecs-userdata value to bytes and detects
// their format.
func readInput(path string) (input, error) {
	if path == "" {
		return input{kind: kindEmpty}, nil
	}
	if _, statErr := os.Stat(path); statErr != nil && looksInline(path) {
		return classify(input{name: inlineName, data: []byte(path)})
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if strings.ContainsAny(path, "\r\n") {
			// Multi-line values are content (e.g. Rancher <= 2.11 passes the
			// field's text, not a path); repeating them would leak it.
			return input{}, fmt.Errorf("%s: the value is not a readable file, and inline content must start with #cloud-config or #!", flag)
		}
		return input{}, fmt.Errorf("%s: %w", flag, err)
	}
	return classify(input{name: path, data: data})
}

func looksInline(v string) bool {
	return strings.HasPrefix(v, "#cloud-config") || strings.HasPrefix(v, "#!")
}

// classify sets in.kind from the leading bytes, the way cloud-init decides
// how to handle user data, and checks what can be checked cheaply.
func classify(in input) (input, error) {
	d := in.data
	switch {
	case len(d) == 0:
		// An empty file is no user data rather than a format error.
		in.kind = kindEmpty
	case len(d) >= 2 && d[0] == 0x1f && d[1] == 0x8b:
		in.kind = kindGzip
	case isCloudConfig(d):
		in.kind = kindCloudConfig
		if _, err := parseCloudConfig(in); err != nil {
			return input{}, err
		}
	case bytes.HasPrefix(d, []byte("#!")):
		in.kind = kindScript
	case looksMIME(d):
		in.kind = kindMultipart
		if _, err := parseMultipart(in); err != nil {
			return input{}, err
		}
	default:
		return input{}, fmt.Errorf("%s: %s is neither #cloud-config, a #! script, MIME multipart nor gzip", flag, in.name)
	}
	return in, nil
}

// isCloudConfig reports a "#cloud-config" first line. cloud-init picks the
// longest matching prefix, so #cloud-config-archive and #cloud-config-jsonp
// are other formats and do not count.
func isCloudConfig(d []byte) bool {
	return bytes.HasPrefix(d, []byte("#cloud-config")) && !bytes.HasPrefix(d, []byte("#cloud-config-"))
}

// looksMIME reports data that opens with a MIME header.
func looksMIME(d []byte) bool {
	head := strings.ToLower(string(d[:min(len(d), 64)]))
	return strings.HasPrefix(head, "content-type:") || strings.HasPrefix(head, "mime-version:")
}

// gunzip unpacks a gzip input so additions can be merged into it.
func gunzip(in input) (input, error) {
	zr, err := gzip.NewReader(bytes.NewReader(in.data))
	if err != nil {
		return input{}, fmt.Errorf("%s: %s: %w", flag, in.name, err)
	}
	data, err := io.ReadAll(io.LimitReader(zr, maxGunzipBytes+1))
	if err == nil {
		err = zr.Close()
	}
	if err != nil {
		return input{}, fmt.Errorf("%s: %s: gunzip: %w", flag, in.name, err)
	}
	if len(data) > maxGunzipBytes {
		return input{}, fmt.Errorf("%s: %s: expands to more than %d bytes", flag, in.name, maxGunzipBytes)
	}
	inner, err := classify(input{name: in.name + " (gunzipped)", data: data})
	if err != nil {
		return input{}, err
	}
	if inner.kind == kindGzip {
		return input{}, errors.New(flag + ": " + in.name + ": gzip inside gzip is not supported")
	}
	return inner, nil
}
