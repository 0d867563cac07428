package userdata

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

// randomText is incompressible beyond base64's 6-of-8-bit redundancy.
func randomText(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)[:n]
}

func TestSizeLimit(t *testing.T) {
	compressible := "#!/bin/sh\n" + strings.Repeat("echo 'the same line again'\n", 3000) // ~80 KB
	atLimit := "#!/bin/sh\n" + strings.Repeat("x", DefaultMaxRawBytes-len("#!/bin/sh\n"))

	t.Run("at the limit is sent as is", func(t *testing.T) {
		p, err := Build(Options{Path: writeTemp(t, "ud", []byte(atLimit))})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Raw) != DefaultMaxRawBytes || !bytes.Equal(p.Raw, []byte(atLimit)) {
			t.Errorf("Raw changed (%d bytes)", len(p.Raw))
		}
	})
	t.Run("compressible is gzipped", func(t *testing.T) {
		p, err := Build(Options{Path: writeTemp(t, "ud", []byte(compressible))})
		if err != nil {
			t.Fatal(err)
		}
		checkPayload(t, p)
		if len(p.Raw) > DefaultMaxRawBytes || p.Raw[0] != 0x1f || p.Raw[1] != 0x8b {
			t.Fatalf("Raw is %d bytes, not gzip within the limit", len(p.Raw))
		}
		if got := gunzipT(t, p.Raw); string(got) != compressible {
			t.Error("gunzip(Raw) differs from the input")
		}
	})
	t.Run("compressible with data disk", func(t *testing.T) {
		p, err := Build(Options{Path: writeTemp(t, "ud", []byte(compressible)), DataDisk: &DataDisk{MountPoint: "/data"}})
		if err != nil {
			t.Fatal(err)
		}
		parts := readMultipart(t, gunzipT(t, p.Raw))
		if len(parts) != 2 || string(parts[1].body) != compressible {
			t.Error("gzipped multipart does not hold the script")
		}
	})
	t.Run("incompressible fails", func(t *testing.T) {
		in := "#!/bin/sh\n: " + randomText(t, 50000) + "\n"
		_, err := Build(Options{Path: writeTemp(t, "ud", []byte(in))})
		if err == nil {
			t.Fatal("no error")
		}
		var n, m, limit int
		if _, scanErr := fmt.Sscanf(err.Error(), "--aliyunecs-userdata: user data is %d bytes (%d after gzip), over the ECS limit of %d", &n, &m, &limit); scanErr != nil {
			t.Fatalf("error %q: %v", err, scanErr)
		}
		if n != len(in) || m <= DefaultMaxRawBytes || m >= n || limit != DefaultMaxRawBytes {
			t.Errorf("error %q: sizes do not add up (input %d bytes)", err, len(in))
		}
	})
	t.Run("gzip input over the limit fails", func(t *testing.T) {
		in := gz(t, []byte(randomText(t, 60000)))
		_, err := Build(Options{Path: writeTemp(t, "ud.gz", in)})
		want := fmt.Sprintf("--aliyunecs-userdata: user data is %d bytes (already gzip), over the ECS limit of 32768", len(in))
		if err == nil || err.Error() != want {
			t.Errorf("error = %v, want %q", err, want)
		}
	})
	t.Run("custom limit", func(t *testing.T) {
		in := "#!/bin/sh\n" + randomText(t, 200) + "\n"
		_, err := Build(Options{Path: writeTemp(t, "ud", []byte(in)), MaxRawBytes: 100})
		if err == nil || !strings.HasSuffix(err.Error(), "over the ECS limit of 100") {
			t.Errorf("error = %v, want the limit of 100", err)
		}
	})
}
