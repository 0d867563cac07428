package harness

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// InstallScript returns a bootstrap script shaped like the one Rancher's
// RKEBootstrap controller hands to the machineprovision job: agent variables
// (CATTLE_SERVER, CATTLE_TOKEN, ...) followed by a system-agent installer
// body. The body is filler of realistic size; nothing runs it.
func InstallScript(server, token string) []byte {
	var b strings.Builder
	b.WriteString("#!/usr/bin/env sh\n")
	b.WriteString("STRICT_VERIFY=\"true\"\n")
	fmt.Fprintf(&b, "CATTLE_SERVER=%s\n", server)
	b.WriteString("CATTLE_CA_CHECKSUM=\"0d3f5a1c7b9e2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a\"\n")
	b.WriteString("CATTLE_ROLE_NONE=true\n")
	fmt.Fprintf(&b, "CATTLE_TOKEN=%q\n", token)
	b.WriteString("#!/usr/bin/env sh\nset -e\n\n# rancher-system-agent install body (placeholder of realistic length)\n")
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&b, "info() { echo \"[INFO] step %03d: $*\"; }  # keeps the script near the real one's size\n", i)
	}
	b.WriteString("info done\n")
	return []byte(b.String())
}

// WriteInstallScript writes InstallScript to path with the job's mode.
func WriteInstallScript(path, server, token string) ([]byte, error) {
	script := InstallScript(server, token)
	return script, os.WriteFile(path, script, 0o644)
}

// shebang matches the first line rancher-machine strips from the install
// script before it writes the script into cloud-config.
var shebang = regexp.MustCompile(`^#!.*\n`)

// DeliveredScript is the install script as rancher-machine delivers it to
// /usr/local/custom_script/install.sh: without its leading shebang line.
func DeliveredScript(script []byte) []byte {
	return shebang.ReplaceAll(script, nil)
}
