package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
)

// adminClient talks to the simulator's admin API; it never uses a proxy.
var adminClient = &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 30 * time.Second}

// simFault is the body of POST /_sim/faults.
type simFault struct {
	Action      string `json:"action"`
	Code        string `json:"code,omitempty"`
	HTTPStatus  int    `json:"httpStatus,omitempty"`
	Times       int    `json:"times,omitempty"`
	Skip        int    `json:"skip,omitempty"`
	AfterEffect bool   `json:"afterEffect,omitempty"`
	HangMs      int    `json:"hangMs,omitempty"`
	Drop        bool   `json:"drop,omitempty"`
}

// adminDo sends one admin request and returns the status and body.
func (w *world) adminDo(method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, w.sim.URL()+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := adminClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// adminOK is adminDo that fails the test on anything but 200.
func (w *world) adminOK(method, path string, body any) []byte {
	w.t.Helper()
	status, out, err := w.adminDo(method, path, body)
	if err != nil || status != http.StatusOK {
		w.t.Fatalf("%s %s: HTTP %d %v: %s", method, path, status, err, out)
	}
	return out
}

func (w *world) addFault(f simFault) { w.adminOK(http.MethodPost, "/_sim/faults", f) }

func (w *world) clearFaults() { w.adminOK(http.MethodDelete, "/_sim/faults", nil) }

func (w *world) setThrottle(action string, perSecond float64) {
	w.adminOK(http.MethodPost, "/_sim/throttle", map[string]any{"action": action, "perSecond": perSecond})
}

func (w *world) addCredential(id, secret, token string) {
	w.adminOK(http.MethodPost, "/_sim/credentials", map[string]string{"id": id, "secret": secret, "token": token})
}

func (w *world) revokeCredential(id string) {
	w.adminOK(http.MethodDelete, "/_sim/credentials/"+id, nil)
}

// supportsDropFault reports whether the simulator takes "drop": true faults
// (the admin API rejects unknown fields).
func (w *world) supportsDropFault() bool {
	status, _, err := w.adminDo(http.MethodPost, "/_sim/faults", simFault{Action: "NoSuchAction", Drop: true, AfterEffect: true})
	w.clearFaults()
	return err == nil && status == http.StatusOK
}

// calls returns the simulator's recorded calls after seq.
func (w *world) calls(after int) []harness.Call {
	w.t.Helper()
	var calls []harness.Call
	out := w.adminOK(http.MethodGet, fmt.Sprintf("/_sim/calls?since=%d", after), nil)
	if err := json.Unmarshal(out, &calls); err != nil {
		w.t.Fatalf("decode calls: %v", err)
	}
	return calls
}

// lastSeq is the seq of the last recorded call (0 if none).
func (w *world) lastSeq() int {
	calls := w.calls(0)
	if len(calls) == 0 {
		return 0
	}
	return calls[len(calls)-1].Seq
}

// inventory is every list of GET /_sim/resources and, when the simulator
// has the billable view, of GET /_sim/billable (kinds prefixed
// "billable."): kind → items as generic JSON.
func (w *world) inventory() (map[string][]map[string]any, error) {
	out := map[string][]map[string]any{}
	for _, path := range []string{"/_sim/resources", "/_sim/billable"} {
		status, body, err := w.adminDo(http.MethodGet, path, nil)
		if err != nil {
			return nil, err
		}
		if path == "/_sim/billable" && (status == http.StatusNotFound || status == http.StatusMethodNotAllowed) {
			continue
		}
		if status != http.StatusOK {
			return nil, fmt.Errorf("GET %s: HTTP %d", path, status)
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(body, &top); err != nil {
			return nil, fmt.Errorf("GET %s: %w", path, err)
		}
		prefix := ""
		if path == "/_sim/billable" {
			prefix = "billable."
		}
		for kind, raw := range top {
			var items []map[string]any
			if json.Unmarshal(raw, &items) == nil {
				out[prefix+kind] = items
			}
		}
	}
	return out, nil
}

// strictKinds are the kinds that must be empty in a world where only one
// machine lived: what costs money, and key pairs. VPCs, VSwitches and the
// default security group are shared and free, and stay.
var strictKinds = map[string]bool{"instances": true, "disks": true, "eips": true, "keyPairs": true, "loadBalancers": true}

// leftovers lists what of machine name the cloud still holds: anything
// tagged docker-machine-name=name, its key pairs (docker-machine-NAME-...),
// its data disks and whatever is attached to its instances. With strict
// (a world only this machine used) anything billable or any key pair at
// all counts; an empty name checks only that.
func (w *world) leftovers(name string, strict bool) ([]string, error) {
	inv, err := w.inventory()
	if err != nil {
		return nil, err
	}
	str := func(item map[string]any, k string) string { s, _ := item[k].(string); return s }
	tagged := func(item map[string]any) bool {
		if name == "" {
			return false
		}
		tags, _ := item["tags"].(map[string]any)
		v, _ := tags["docker-machine-name"].(string)
		return v == name
	}
	ours := map[string]bool{}
	for _, inst := range inv["instances"] {
		if tagged(inst) || (name != "" && str(inst, "name") == name) {
			ours[str(inst, "id")] = true
		}
	}
	var out []string
	for kind, items := range inv {
		for _, item := range items {
			id, itemName := str(item, "id"), str(item, "name")
			switch {
			case strict && (strictKinds[kind] || strings.HasPrefix(kind, "billable.")),
				tagged(item),
				name != "" && strings.HasPrefix(itemName, "docker-machine-"+name+"-") && strings.Contains(strings.ToLower(kind), "key"),
				name != "" && itemName == name+"-data",
				ours[id],
				ours[str(item, "instanceId")] && str(item, "instanceId") != "":
				out = append(out, fmt.Sprintf("%s %s %q (%s)", kind, id, itemName, str(item, "status")))
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// settle polls until machine name has nothing left in the cloud (a deleted
// instance stays visible for the release delay) and returns what is still
// there after settleTimeout; strict as for leftovers.
func (w *world) settle(name string, strict bool) []string {
	w.t.Helper()
	deadline := time.Now().Add(settleTimeout)
	for {
		left, err := w.leftovers(name, strict)
		if err != nil {
			w.t.Fatalf("read the inventory: %v", err)
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// instancesOf returns the IDs and statuses of the instances of name.
func (w *world) instancesOf(name string) map[string]string {
	w.t.Helper()
	inv, err := w.admin.Resources(context.Background())
	if err != nil {
		w.t.Fatalf("read resources: %v", err)
	}
	out := map[string]string{}
	for _, r := range harness.Named(inv.Instances, name) {
		out[r.ID] = r.Status
	}
	return out
}
