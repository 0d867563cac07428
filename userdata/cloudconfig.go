package userdata

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

const cloudConfigHeader = "#cloud-config\n"

// parseCloudConfig parses a #cloud-config input and returns its top-level
// mapping, or nil for a document with nothing but comments. cloud-init uses
// yaml.safe_load, which accepts exactly one document whose root is a mapping.
func parseCloudConfig(in input) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(in.data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, yamlError(in, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, yamlError(in, err)
		}
		return nil, fmt.Errorf("%s: %s: #cloud-config holds more than one YAML document (line %d)", flag, in.name, extra.Line)
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: %s: #cloud-config must be a YAML mapping (line %d)", flag, in.name, root.Line)
	}
	return root, nil
}

// quoted matches the quoted fragments yaml.v3 puts in some messages (keys,
// values); they are user content and are blanked out.
var quoted = regexp.MustCompile("\"[^\"]*\"|`[^`]*`")

// yamlError reports a YAML syntax error with its line number but without any
// quoted content. Lines count from the #cloud-config header, which is a YAML
// comment, so they are the file's line numbers.
func yamlError(in input, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = quoted.ReplaceAllString(msg, `"…"`)
	return fmt.Errorf("%s: %s: #cloud-config is not valid YAML: %s", flag, in.name, msg)
}

// newCloudConfig is the whole user data when the user gave none.
func newCloudConfig(disk *DataDisk) ([]byte, error) {
	frag, err := additionsYAML(disk)
	if err != nil {
		return nil, err
	}
	return append([]byte(cloudConfigHeader), frag...), nil
}

// additionsYAML renders the driver's top-level keys as block YAML.
func additionsYAML(disk *DataDisk) ([]byte, error) {
	return encodeYAML(map[string]any{"bootcmd": [][]string{bootcmdEntry(*disk)}})
}

func encodeYAML(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("userdata: encode cloud-config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("userdata: encode cloud-config: %w", err)
	}
	return buf.Bytes(), nil
}

// mergeCloudConfig adds the driver's bootcmd entry to a #cloud-config input.
//
// When the input has no bootcmd key, the entry is appended as text after the
// user's bytes, which stay byte-for-byte as they were (rancher-machine's
// write_files, runcmd and hostname included). The result is parsed back and
// compared with the input; only if that check fails (a flow-style root, an
// explicit document end, ...) or the input already has a bootcmd list is the
// document re-encoded from its parse tree. Re-encoding keeps every key, value
// and scalar style but may change indentation and line breaks.
func mergeCloudConfig(in input, disk *DataDisk) ([]byte, error) {
	root, err := parseCloudConfig(in)
	if err != nil {
		return nil, err
	}
	entry := bootcmdEntry(*disk)
	if root == nil || lookup(root, "bootcmd") == nil {
		frag, err := additionsYAML(disk)
		if err != nil {
			return nil, err
		}
		out := append([]byte{}, in.data...)
		if !bytes.HasSuffix(out, []byte("\n")) {
			out = append(out, '\n')
		}
		out = append(out, frag...)
		if appendedCleanly(in.data, out, entry) {
			return out, nil
		}
	}
	return mergeTree(in, root, entry)
}

// appendedCleanly reports whether out parses to the mapping of orig plus a
// bootcmd holding only entry.
func appendedCleanly(orig, out []byte, entry []string) bool {
	var before, after map[string]any
	if yaml.Unmarshal(orig, &before) != nil || yaml.Unmarshal(out, &after) != nil {
		return false
	}
	got, ok := after["bootcmd"]
	if !ok || !reflect.DeepEqual(got, []any{toAny(entry)}) {
		return false
	}
	delete(after, "bootcmd")
	if before == nil {
		before = map[string]any{}
	}
	return reflect.DeepEqual(before, after)
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// mergeTree puts entry first in the document's bootcmd list (creating the
// key if needed) and re-encodes the document. First, so the data disk is
// mounted before the user's own early commands run.
func mergeTree(in input, root *yaml.Node, entry []string) ([]byte, error) {
	if root == nil {
		root = &yaml.Node{Kind: yaml.MappingNode}
	}
	var item yaml.Node
	if err := item.Encode(entry); err != nil {
		return nil, fmt.Errorf("userdata: encode cloud-config: %w", err)
	}
	if seq := lookup(root, "bootcmd"); seq != nil {
		if seq.Kind != yaml.SequenceNode {
			return nil, fmt.Errorf("%s: %s: bootcmd must be a list (line %d)", flag, in.name, seq.Line)
		}
		seq.Content = append([]*yaml.Node{&item}, seq.Content...)
		seq.Style &^= yaml.FlowStyle // a multi-line script in flow style is unreadable
	} else {
		key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "bootcmd"}
		seq := &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{&item}}
		root.Content = append(root.Content, key, seq)
	}
	// A flow-style root would put the whole document on one line.
	root.Style &^= yaml.FlowStyle
	body, err := encodeYAML(root)
	if err != nil {
		return nil, err
	}
	// The header is a comment; the encoder may or may not carry it over.
	body = bytes.TrimPrefix(body, []byte(cloudConfigHeader))
	return append([]byte(cloudConfigHeader), body...), nil
}

// lookup returns the value node of key in a mapping node, or nil.
func lookup(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
