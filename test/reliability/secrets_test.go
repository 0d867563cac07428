package reliability

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

// markers are secret values made to be searched for. They use only
// characters that URL and percent encoding leave alone, so an encoded copy
// is found too.
type markers struct {
	akID, secret, token, cattle string
}

func newMarkers() markers {
	r := strings.ToLower(rand.Text()[:12])
	return markers{
		akID:   "rel-ak-" + r,
		secret: "SECRETMARKER-" + r,
		token:  "TOKENMARKER-" + r,
		cattle: "CATTLEMARKER-" + r,
	}
}

// secretScenario is one run of a machine's life with marker secrets.
type secretScenario struct {
	name string
	// debug runs every rancher-machine command with --debug, which shows
	// the plugin's stderr.
	debug bool
	// viaFlags passes the secret and token as flags instead of the
	// environment Rancher uses.
	viaFlags bool
	// arm injects a fault before create; the create may then fail.
	arm func(w *world, m markers)
	// failCode, when set, is the code the create must fail with (which
	// shows the scenario took the path it is about).
	failCode string
	short    bool
}

func secretScenarios() []secretScenario {
	return []secretScenario{
		{name: "env"},
		{name: "env-debug", debug: true, short: true},
		{name: "flags-debug", debug: true, viaFlags: true},
		{name: "forbidden-at-launch-debug", debug: true, short: true, failCode: "Forbidden.RAM", arm: func(w *world, _ markers) {
			w.addFault(simFault{Action: "RunInstances", Code: "Forbidden.RAM", HTTPStatus: 403, Times: -1})
		}},
		{name: "lost-key-import-answer-debug", debug: true, arm: func(w *world, _ markers) {
			w.addFault(simFault{Action: "ImportKeyPair", Code: "InternalError", HTTPStatus: 500, AfterEffect: true})
		}},
		{name: "dropped-launch-debug", debug: true, arm: func(w *world, _ markers) {
			w.tap.OnAction("RunInstances", 0, harness.Drop)
		}},
		// The cloud's SignatureDoesNotMatch message quotes its string to
		// sign: every parameter of RunInstances, the STS token and the user
		// data included. The secret changes while the launch is held.
		{name: "signature-mismatch-at-launch-debug", debug: true, short: true, failCode: "SignatureDoesNotMatch", arm: func(w *world, m markers) {
			held := w.tap.OnAction("RunInstances", 0, harness.HoldBefore)
			go func() {
				<-held
				_ = w.sim.AddCredential(ecssim.Credential{ID: m.akID, Secret: m.secret + "-rotated", Token: m.token})
				w.tap.Release()
			}()
		}},
	}
}

// TestSecrets runs machine lives with marker values for the access key
// secret, the STS token, the install script's CATTLE_TOKEN and the
// generated SSH key, and checks that none of them shows up where it must
// not.
func TestSecrets(t *testing.T) {
	parallelTop(t)
	var scenarios []secretScenario
	for _, s := range secretScenarios() {
		if full || s.short {
			scenarios = append(scenarios, s)
		}
	}
	var tl tally
	runParallel(t, len(scenarios), parallelism(), func(i int) string { return scenarios[i].name }, func(t *testing.T, i int) {
		runSecretScenario(t, scenarios[i], i, &tl)
	})
	fmt.Printf("secrets: %d scenarios, %d places checked, %d markers found where they must not be\n",
		len(scenarios), tl.get("places"), tl.get("exposed"))
	tl.printNotes("secrets")
}

// markerWorld is a world whose only credential is an STS credential of
// marker values, passed as Rancher passes it (environment).
func markerWorld(t *testing.T, o worldOptions) (*world, markers) {
	m := newMarkers()
	o.credentials = []ecssim.Credential{{ID: m.akID, Secret: m.secret, Token: m.token}}
	w := newWorld(t, o)
	w.m.ExtraEnv = append(w.m.ExtraEnv, "ALIYUNECS_SECURITY_TOKEN="+m.token)
	return w, m
}

// scanSecrets fails for every marker (or piece of key) found in places and
// returns how many it found.
func scanSecrets(t *testing.T, m markers, key []byte, places map[string]string) int {
	t.Helper()
	secrets := map[string]string{"access key secret": m.secret, "STS token": m.token, "CATTLE_TOKEN": m.cattle}
	for i, chunk := range keyChunks(key) {
		secrets[fmt.Sprintf("SSH private key (part %d)", i+1)] = chunk
	}
	found := 0
	for place, text := range places {
		for what, secret := range secrets {
			// The guest holds the user data by design.
			if what == "CATTLE_TOKEN" && strings.HasPrefix(place, "guest") {
				continue
			}
			if containsForm(text, secret) {
				found++
				t.Errorf("the %s appears in the %s", what, place)
			}
		}
	}
	return found
}

// simPlaces are the simulator's records a secret must never reach: its log
// and what its admin API shows of calls and resources.
func (w *world) simPlaces(t *testing.T) map[string]string {
	places := map[string]string{"simulator log": w.log.text()}
	for _, path := range []string{"/_sim/calls", "/_sim/resources"} {
		_, body, err := w.adminDo(http.MethodGet, path, nil)
		if err != nil {
			t.Fatal(err)
		}
		places["GET "+path] = string(body)
	}
	return places
}

func runSecretScenario(t *testing.T, sc secretScenario, i int, tl *tally) {
	w, m := markerWorld(t, worldOptions{})
	if sc.viaFlags {
		w.m.AccessKeyID, w.m.AccessKeySecret = "", ""
		w.m.ExtraEnv = w.m.ExtraEnv[:len(w.m.ExtraEnv)-1]
	}
	tmp := strings.TrimPrefix(w.m.ExtraEnv[0], "TMPDIR=")
	name := uniqueName("secret", i)
	script := writeScript(t, t.TempDir(), m.cattle)
	cmd := func(args ...string) []string {
		if sc.debug {
			return append([]string{"--debug"}, args...)
		}
		return args
	}
	var flags []string
	if sc.viaFlags {
		flags = []string{"--aliyunecs-access-key-id", m.akID, "--aliyunecs-access-key-secret", m.secret, "--aliyunecs-security-token", m.token}
	}
	if sc.arm != nil {
		sc.arm(w, m)
	}

	var outputs []string
	var guests []string
	create := w.run(cmd(w.m.CreateArgs(name, script, flags...)...)...)
	outputs = append(outputs, create.Output)
	// The outage ends: faults go, the credential is the one Rancher holds.
	w.clearFaults()
	w.tap.Release()
	if err := w.sim.AddCredential(ecssim.Credential{ID: m.akID, Secret: m.secret, Token: m.token}); err != nil {
		t.Fatal(err)
	}
	machineDir := filepath.Join(w.m.StorePath, "machines", name)
	key, _ := os.ReadFile(filepath.Join(machineDir, "id_rsa"))
	if create.ExitCode == 0 {
		if len(key) == 0 {
			t.Errorf("no SSH key in %s after create", machineDir)
		}
		checkModes(t, w.m.StorePath, tl)
		for id := range w.instancesOf(name) {
			_, body, err := w.adminDo(http.MethodGet, "/_sim/instances/"+id+"/guest", nil)
			if err != nil {
				t.Fatal(err)
			}
			guests = append(guests, string(body))
		}
		ssh := w.run(cmd("ssh", name, "exit", "0")...)
		outputs = append(outputs, ssh.Output, w.run(cmd("ls")...).Output)
		if ssh.ExitCode != 0 {
			t.Errorf("ssh exited %d", ssh.ExitCode)
		}
	} else if sc.arm == nil {
		t.Errorf("create exited %d: %s", create.ExitCode, redact(lastLine(create.Output), m, key))
	}
	// With --debug rancher-machine's last line is its own epilogue, so the
	// code is looked for in the whole output.
	if sc.failCode != "" && (create.ExitCode == 0 || !strings.Contains(create.Output, sc.failCode)) {
		t.Errorf("create did not fail with %s: exit %d, %s", sc.failCode, create.ExitCode, redact(lastLine(create.Output), m, key))
	}
	// The user data must not be persisted with the machine.
	checkFiles(t, w.m.StorePath, m.cattle, "the install script's CATTLE_TOKEN", tl)
	if n := countFilesWith(tmp, m.cattle); n > 0 {
		tl.note("rancher-machine leaves %d temp file(s) modified-user-data* holding the install script (CATTLE_TOKEN) in $TMPDIR", n)
	}

	rm := w.run(cmd("rm", "-y", name)...)
	outputs = append(outputs, rm.Output)
	if rm.ExitCode != 0 {
		t.Errorf("rm exited %d: %s", rm.ExitCode, redact(lastLine(rm.Output), m, key))
	}
	if left := w.settle(name, true); len(left) > 0 {
		t.Errorf("left after rm: %v", left)
	}

	places := w.simPlaces(t)
	for i, out := range outputs {
		places[fmt.Sprintf("rancher-machine output %d", i+1)] = out
	}
	// Finding the token in the guest's install script shows the search
	// sees encoded copies.
	for i, g := range guests {
		if !containsForm(g, m.cattle) {
			t.Errorf("the search does not find the CATTLE_TOKEN in the guest's install script")
		}
		places[fmt.Sprintf("guest %d (but for its user data)", i+1)] = g
	}
	for range places {
		tl.add("places")
	}
	for range scanSecrets(t, m, key, places) {
		tl.add("exposed")
	}
}

// keyChunks returns pieces of a PEM private key's body: any of them in a
// log means the key leaked.
func keyChunks(pem []byte) []string {
	var body strings.Builder
	for _, line := range strings.Split(string(pem), "\n") {
		if !strings.HasPrefix(line, "-----") {
			body.WriteString(strings.TrimSpace(line))
		}
	}
	b := body.String()
	var out []string
	for i := 0; i+48 <= len(b) && len(out) < 8; i += len(b) / 8 {
		out = append(out, b[i:i+48])
	}
	return out
}

// redact replaces the markers and key pieces in s, for failure messages.
func redact(s string, m markers, key []byte) string {
	for _, v := range append([]string{m.secret, m.token, m.cattle}, keyChunks(key)...) {
		s = strings.ReplaceAll(s, v, "[REDACTED]")
	}
	return s
}
