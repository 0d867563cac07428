package guest

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"strings"
	"testing"
)

// mimePart is one part of a test MIME message.
type mimePart struct {
	ctype, cte, filename string
	body                 []byte
}

// mimeMessage builds a multipart/mixed user-data message the way
// cloud-init's make-mime and Go's mime/multipart write it.
func mimeMessage(t *testing.T, parts ...mimePart) []byte {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		h.Set("Content-Type", p.ctype)
		if p.cte != "" {
			h.Set("Content-Transfer-Encoding", p.cte)
		}
		if p.filename != "" {
			h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", p.filename))
		}
		pw, err := w.CreatePart(h)
		must(t, err)
		_, err = pw.Write(p.body)
		must(t, err)
	}
	must(t, w.Close())
	head := fmt.Sprintf("Content-Type: multipart/mixed; boundary=%q\nMIME-Version: 1.0\n\n", w.Boundary())
	return append([]byte(head), body.Bytes()...)
}

// wrap64 base64-encodes b in 76-column lines, as mail encoders do.
func wrap64(b []byte) []byte {
	s := b64(b)
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	out.WriteString(s + "\r\n")
	return []byte(out.String())
}

func TestApplyUserDataMultipart(t *testing.T) {
	script := []byte("#!/bin/sh\necho part\n")
	const dir = "/var/lib/cloud/instance/scripts/"
	tests := []struct {
		name    string
		data    []byte
		host    string
		files   map[string]File
		runcmd  []string
		keys    []string
		errPart string
	}{
		{
			name: "cloud-config and script",
			data: mimeMessage(t,
				mimePart{ctype: `text/cloud-config; charset="us-ascii"`, body: []byte("#cloud-config\nhostname: mp\nruncmd: [first]\n")},
				mimePart{ctype: "text/x-shellscript", body: script}),
			host:   "mp",
			files:  map[string]File{dir + "part-002": {"0755", script}},
			runcmd: []string{"first", "sh " + dir + "part-002"},
		},
		{
			name: "named script, gzip'd base64 cloud-config, text/plain detected",
			data: mimeMessage(t,
				mimePart{ctype: "text/x-shellscript", filename: "setup.sh", body: script},
				mimePart{ctype: "text/cloud-config", cte: "base64", body: wrap64(gz(t, []byte(
					"write_files:\n- {path: /etc/z, encoding: gz+b64, content: "+b64(gz(t, []byte("zzz")))+"}\n"+
						"ssh_authorized_keys: [ssh-ed25519 AAAA k]\n")))},
				mimePart{ctype: "text/plain", body: script},
				mimePart{ctype: "text/x-shellscript-per-boot", cte: "quoted-printable", body: []byte("#!/bin/sh\necho a=3Db\n")}),
			files: map[string]File{
				dir + "setup.sh": {"0755", script}, "/etc/z": {"0644", []byte("zzz")},
				dir + "part-003": {"0755", script}, dir + "part-004": {"0755", []byte("#!/bin/sh\necho a=b\n")},
			},
			runcmd: []string{"sh " + dir + "setup.sh", "sh " + dir + "part-003", "sh " + dir + "part-004"},
			keys:   []string{"ssh-ed25519 AAAA k"},
		},
		{
			name: "ignored types, gzip part, nested multipart",
			data: mimeMessage(t,
				mimePart{ctype: "text/cloud-boothook", body: []byte("#cloud-boothook\nrm -rf /\n")},
				mimePart{ctype: "text/x-include-url", body: []byte("http://192.0.2.1/x\n")},
				mimePart{ctype: "application/x-gzip", cte: "base64", body: wrap64(gz(t, []byte("#cloud-config\nruncmd: [zipped]\n")))},
				mimePart{ctype: "multipart/mixed; boundary=inner", body: []byte("--inner\r\nContent-Type: text/cloud-config\r\n\r\n" +
					"hostname: nested\r\n--inner--\r\n")}),
			host:   "nested",
			files:  map[string]File{},
			runcmd: []string{"zipped"},
		},
		{
			name: "malformed yaml part reported, other parts applied",
			data: mimeMessage(t,
				mimePart{ctype: "text/cloud-config", body: []byte("hostname: [oops\n")},
				mimePart{ctype: "text/cloud-config", body: []byte("hostname: fine\n")}),
			host:    "fine",
			files:   map[string]File{},
			errPart: "part-001: cloud-config: invalid YAML",
		},
		{
			name:    "multipart without boundary",
			data:    []byte("Content-Type: multipart/mixed\n\nwhatever\n"),
			files:   map[string]File{},
			errPart: "without a boundary",
		},
		{
			name:  "single-part MIME message",
			data:  []byte("Content-Type: text/x-shellscript\nMIME-Version: 1.0\n\n" + string(script)),
			files: map[string]File{dir + "part-001": {"0755", script}}, runcmd: []string{"sh " + dir + "part-001"},
		},
		{
			name:  "whole message gzip'd",
			data:  gz(t, mimeMessage(t, mimePart{ctype: "text/cloud-config", body: []byte("hostname: gz\n")})),
			host:  "gz",
			files: map[string]File{},
		},
		{
			name:  "headers without Content-Type are not MIME",
			data:  []byte("Subject: hi\n\n#!/bin/sh\n"),
			files: map[string]File{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := offlineGuest("ecs-host")
			err := g.ApplyUserData(tc.data)
			if tc.errPart != "" {
				errContains(t, err, tc.errPart)
			} else {
				must(t, err)
			}
			st := g.State()
			host := tc.host
			if host == "" {
				host = "ecs-host"
			}
			equal(t, host, st.HostName, "hostname")
			equal(t, tc.files, st.Files, "files")
			equal(t, tc.runcmd, st.RunCmd, "runcmd")
			equal(t, tc.keys, st.AuthorizedKeys, "keys")
			equal(t, tc.data, st.UserData, "user data")
		})
	}
}
