package ecssim

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// newID returns a resource ID shaped like the real ones: prefix, "-", the
// region's two-character code, then lowercase alphanumerics up to bodyLen
// characters after the dash (e.g. i-bp1... with 20). Real IDs are opaque to
// clients; the region code only helps humans reading logs.
func newID(prefix, regionCode string, bodyLen int) string {
	var b strings.Builder
	b.WriteString(prefix)
	b.WriteByte('-')
	b.WriteString(regionCode)
	for b.Len() < len(prefix)+1+bodyLen {
		b.WriteByte(idAlphabet[rand.IntN(len(idAlphabet))])
	}
	return b.String()
}

// ID body lengths after the dash (aliyun-api.md §3, "Resource ID formats").
const (
	lenInstanceID = 20
	lenSGID       = 20
	lenVpcID      = 21
	lenVSwitchID  = 21
	lenDiskID     = 20
	lenOtherID    = 20
)

// newRequestID returns an uppercase UUID v4 like real RequestIds.
func newRequestID() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(rand.UintN(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return strings.ToUpper(fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]))
}

// newMAC returns an Alibaba Cloud style MAC address (00:16:3e prefix).
func newMAC() string {
	return fmt.Sprintf("00:16:3e:%02x:%02x:%02x", rand.UintN(256), rand.UintN(256), rand.UintN(256))
}

// Time formats of the real API (aliyun-api.md §3 "Time formats").
const (
	timeMinute = "2006-01-02T15:04Z"
	timeSecond = "2006-01-02T15:04:05Z"
)

func fmtMinute(t time.Time) string { return t.UTC().Format(timeMinute) }
func fmtSecond(t time.Time) string { return t.UTC().Format(timeSecond) }
