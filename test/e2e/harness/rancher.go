package harness

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/rancher/machine/libmachine/mcnflag"
)

// This file reproduces, in behaviour, what Rancher does with a node driver's
// flags and a machine config (rancher-integration.md §1.2–§1.4, §4.4):
// the schema field of every flag, the defaults its CRD materialises, the
// machineprovision job's argv and the image entrypoint's argument split.

// RancherDriverName is the NodeDriver name, the prefix of every flag and the
// lower-cased Kind of AliyunecsMachine minus "Machine".
const RancherDriverName = "aliyunecs"

// RancherFileAliases maps driver fields to the schema fields Rancher shows
// instead (nodedriver.cattle.io/file-to-field-aliases, and the ≤2.11
// built-in sshKeyContents alias): the schema holds the file content, the job
// writes it to a file and passes the path under the driver field's flag.
var RancherFileAliases = map[string]string{
	"sshKeypath": "sshKeyContents",
	"userdata":   "userdata",
}

// RancherField is one field of the dynamic schema Rancher derives from a
// flag (FlagToField).
type RancherField struct {
	Name    string // lowerCamel, e.g. vswitchId
	Flag    string // the flag it came from, e.g. aliyunecs-vswitch-id
	Type    string // string, boolean or array[string]
	Default any    // string, bool (always false) or []string
	Usage   string
	EnvVar  string
}

// RancherLowerCamel is Rancher's ToLowerCamelCase: the flag is split on its
// first "-" (the driver prefix, which is dropped) and the rest is
// camel-cased word by word. An empty word makes Rancher panic; it is an
// error here.
func RancherLowerCamel(flag string) (string, error) {
	_, rest, ok := strings.Cut(flag, "-")
	if !ok {
		return "", fmt.Errorf("parameter %s does not follow expected naming convention [DRIVER]-[FLAG-NAME]", flag)
	}
	words := strings.Split(rest, "-")
	out := words[0]
	for _, w := range words[1:] {
		if w == "" {
			return "", fmt.Errorf("parameter %s has an empty word", flag)
		}
		out += strings.ToUpper(w[:1]) + w[1:]
	}
	return out, nil
}

// rancherHyphen is the regular expression of Rancher's args code.
var rancherHyphen = regexp.MustCompile(`([a-z])([A-Z])`)

// RancherFlagName turns a schema field back into the flag the job passes:
// "--" + driver + "-" + lower(field with ([a-z])([A-Z]) → $1-$2).
func RancherFlagName(driver, field string) string {
	return "--" + driver + "-" + strings.ToLower(rancherHyphen.ReplaceAllString(field, "${1}-${2}"))
}

// RancherSchemaField is Rancher's FlagToField for one driver flag: IntFlag
// becomes a string field (default strconv.Itoa), BoolFlag a boolean with no
// default, StringSliceFlag an array[string].
func RancherSchemaField(f mcnflag.Flag) (RancherField, error) {
	name, err := RancherLowerCamel(f.String())
	if err != nil {
		return RancherField{}, err
	}
	rf := RancherField{Name: name, Flag: f.String()}
	switch v := f.(type) {
	case mcnflag.StringFlag:
		rf.Type, rf.Default, rf.Usage, rf.EnvVar = "string", v.Value, v.Usage, v.EnvVar
	case *mcnflag.StringFlag:
		rf.Type, rf.Default, rf.Usage, rf.EnvVar = "string", v.Value, v.Usage, v.EnvVar
	case mcnflag.IntFlag:
		rf.Type, rf.Default, rf.Usage, rf.EnvVar = "string", strconv.Itoa(v.Value), v.Usage, v.EnvVar
	case *mcnflag.IntFlag:
		rf.Type, rf.Default, rf.Usage, rf.EnvVar = "string", strconv.Itoa(v.Value), v.Usage, v.EnvVar
	case mcnflag.BoolFlag:
		rf.Type, rf.Default, rf.Usage, rf.EnvVar = "boolean", false, v.Usage, v.EnvVar
	case *mcnflag.BoolFlag:
		rf.Type, rf.Default, rf.Usage, rf.EnvVar = "boolean", false, v.Usage, v.EnvVar
	case mcnflag.StringSliceFlag:
		rf.Type, rf.Default, rf.Usage, rf.EnvVar = "array[string]", append([]string{}, v.Value...), v.Usage, v.EnvVar
	case *mcnflag.StringSliceFlag:
		rf.Type, rf.Default, rf.Usage, rf.EnvVar = "array[string]", append([]string{}, v.Value...), v.Usage, v.EnvVar
	default:
		return RancherField{}, fmt.Errorf("unknown type of flag %v: %T", f, f)
	}
	return rf, nil
}

// RancherSchema converts every flag, in order.
func RancherSchema(flags []mcnflag.Flag) ([]RancherField, error) {
	out := make([]RancherField, 0, len(flags))
	for _, f := range flags {
		rf, err := RancherSchemaField(f)
		if err != nil {
			return nil, err
		}
		out = append(out, rf)
	}
	return out, nil
}

// RancherConfigDefaults is what a new AliyunecsConfig holds before the user
// types anything: every schema field with its CRD default, in the JSON
// shapes the API server stores (strings, booleans, arrays of strings).
// Aliased file fields appear under their schema name, empty.
func RancherConfigDefaults(flags []mcnflag.Flag) (map[string]any, error) {
	fields, err := RancherSchema(flags)
	if err != nil {
		return nil, err
	}
	cfg := map[string]any{}
	for _, f := range fields {
		if alias, ok := RancherFileAliases[f.Name]; ok {
			cfg[alias] = ""
			continue
		}
		switch d := f.Default.(type) {
		case []string:
			arr := make([]any, len(d))
			for i, s := range d {
				arr[i] = s
			}
			cfg[f.Name] = arr
		default:
			cfg[f.Name] = d
		}
	}
	return cfg, nil
}

// RancherToArgs is the machineprovision controller's toArgs for the
// infra machine's spec: strings only when non-empty, JSON numbers as %v,
// booleans bare and only when true, arrays one flag per string element in
// order; providerID, maps and nulls are skipped. The order is Go's map
// order, as in current Rancher.
func RancherToArgs(driver string, spec map[string]any) []string {
	var cmd []string
	for k, v := range spec {
		if k == "providerID" || v == nil {
			continue
		}
		flag := RancherFlagName(driver, k)
		switch v := v.(type) {
		case float64:
			cmd = append(cmd, fmt.Sprintf("%s=%v", flag, v))
		case string:
			if v != "" {
				cmd = append(cmd, flag+"="+v)
			}
		case bool:
			if v {
				cmd = append(cmd, flag)
			}
		case []any:
			for _, s := range v {
				if s, ok := s.(string); ok {
					cmd = append(cmd, flag+"="+s)
				}
			}
		}
	}
	return cmd
}

// RancherMachineSpec turns an AliyunecsConfig document (flat fields beside
// apiVersion, kind and metadata) into the AliyunecsMachine spec Rancher
// derives from it: the fields, plus common (with the cloud credential's
// name) and an empty providerID.
func RancherMachineSpec(config map[string]any, cloudCredential string) map[string]any {
	spec := map[string]any{}
	for k, v := range config {
		switch k {
		case "apiVersion", "kind", "metadata":
			continue
		}
		spec[k] = v
	}
	spec["common"] = map[string]any{"cloudCredentialSecretName": cloudCredential}
	spec["providerID"] = ""
	return spec
}

// JobState names the state secret of a machineprovision job.
type JobState struct {
	Namespace, SecretName string
}

// RancherCreateJobArgs is the create job's container argv (before the
// entrypoint): driver download, state secret, `create` with the install
// script path, the spec's flags and the instance name.
func RancherCreateJobArgs(state JobState, driverURL, driverHash, scriptPath, instanceName string, spec map[string]any) []string {
	args := rancherJobPrefix(state, driverURL, driverHash)
	args = append(args, "create", "--driver="+RancherDriverName, "--custom-install-script="+scriptPath)
	args = append(args, RancherToArgs(RancherDriverName, spec)...)
	return append(args, instanceName)
}

// RancherDeleteJobArgs is the delete job's container argv.
func RancherDeleteJobArgs(state JobState, driverURL, driverHash, instanceName string) []string {
	args := rancherJobPrefix(state, driverURL, driverHash)
	return append(args, "rm", "-y", "--update-config", instanceName)
}

func rancherJobPrefix(state JobState, url, hash string) []string {
	return []string{
		"--driver-download-url=" + url,
		"--driver-hash=" + hash,
		"--secret-namespace=" + state.Namespace,
		"--secret-name=" + state.SecretName,
	}
}

// EntrypointArgs is what rancher/machine's entrypoint.sh hands to
// rancher-machine: --driver-download-url and --driver-hash are consumed,
// every other "flag=value" becomes two arguments (flag = text before the
// first "=", value = text after it when the argument starts with "--"), and
// arguments without "=" pass unchanged.
func EntrypointArgs(jobArgs []string) []string {
	var out []string
	for _, a := range jobArgs {
		if strings.HasPrefix(a, "--driver-download-url=") || strings.HasPrefix(a, "--driver-hash=") {
			continue
		}
		flag, _, _ := strings.Cut(a, "=")
		value := a
		if rest, ok := strings.CutPrefix(a, "--"); ok {
			if _, v, found := strings.Cut(rest, "="); found {
				value = v
			}
		}
		if flag == value {
			out = append(out, flag)
		} else {
			out = append(out, flag, value)
		}
	}
	return out
}

// WithoutSecretStore drops --secret-namespace and --secret-name (and their
// values) from split arguments: the tests play the Kubernetes state secret
// themselves (see TarMachines), since there is no API server to hold it.
func WithoutSecretStore(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		if args[i] == "--secret-namespace" || args[i] == "--secret-name" {
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}
