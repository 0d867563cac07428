package userdata

import (
	"bytes"
	"compress/gzip"
	"fmt"
)

// fit returns raw if it is within limit, else raw gzip-compressed (cloud-init
// unpacks gzip user data before looking at it), else an error.
func fit(raw []byte, limit int) ([]byte, error) {
	if len(raw) <= limit {
		return raw, nil
	}
	if len(raw) >= 2 && raw[0] == 0x1f && raw[1] == 0x8b {
		return nil, fmt.Errorf("%s: user data is %d bytes (already gzip), over the ECS limit of %d", flag, len(raw), limit)
	}
	z, err := gzipBytes(raw)
	if err != nil {
		return nil, err
	}
	if len(z) > limit {
		return nil, fmt.Errorf("%s: user data is %d bytes (%d after gzip), over the ECS limit of %d", flag, len(raw), len(z), limit)
	}
	return z, nil
}

// gzipBytes compresses deterministically: the gzip header carries no name
// and a zero modification time, so equal input gives equal output.
func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("userdata: gzip: %w", err)
	}
	if _, err := zw.Write(b); err != nil {
		return nil, fmt.Errorf("userdata: gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("userdata: gzip: %w", err)
	}
	return buf.Bytes(), nil
}
