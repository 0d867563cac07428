package guest

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"gopkg.in/yaml.v3"
)

// writeFile is one cloud-config write_files entry.
type writeFile struct {
	Path        string    `yaml:"path"`
	Content     string    `yaml:"content"`
	Encoding    string    `yaml:"encoding"`
	Permissions yaml.Node `yaml:"permissions"`
	Owner       string    `yaml:"owner"`
	Append      bool      `yaml:"append"`
	Defer       bool      `yaml:"defer"`
}

// writeFiles applies write_files. An entry that cannot be decoded is
// reported and skipped; the others are still written.
func (ci *cloudInit) writeFiles(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	if n.Kind != yaml.SequenceNode {
		ci.fail("cloud-config: write_files: want a list, got %s", kindName(n))
		return
	}
	for i, e := range n.Content {
		var wf writeFile
		if err := e.Decode(&wf); err != nil {
			ci.fail("cloud-config: write_files[%d]: %v", i, err)
			continue
		}
		if err := ci.writeFile(wf); err != nil {
			ci.fail("cloud-config: write_files[%d] (%s): %v", i, wf.Path, err)
		}
	}
}

// writeFile writes one entry into the state.
func (ci *cloudInit) writeFile(wf writeFile) error {
	p := strings.TrimSpace(wf.Path)
	if p == "" {
		return fmt.Errorf("no path")
	}
	p = path.Clean("/" + p)
	content, err := decodeContent(wf.Content, wf.Encoding)
	if err != nil {
		return err
	}
	mode, err := parseMode(&wf.Permissions)
	if err != nil {
		return err
	}
	if old, ok := ci.st.Files[p]; ok && wf.Append {
		content = append(bytes.Clone(old.Content), content...)
	}
	ci.st.Files[p] = File{Mode: fmt.Sprintf("%04o", mode), Content: content}
	return nil
}

// decodeContent undoes a write_files encoding. The names are cloud-init's:
// plain text (the default), b64/base64, gz/gzip (raw gzip bytes, usually a
// YAML !!binary), and gz+b64, gz+base64, gzip+b64, gzip+base64. Real
// cloud-init writes an unknown encoding as plain text with a warning; the
// simulation reports it so that tests notice.
func decodeContent(content, encoding string) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "text/plain", "plain", "text":
		return []byte(content), nil
	case "b64", "base64":
		b, err := decodeBase64(content)
		if err != nil {
			return nil, fmt.Errorf("encoding %s: %w", encoding, err)
		}
		return b, nil
	case "gz", "gzip":
		b, err := gunzip([]byte(content))
		if err != nil {
			return nil, fmt.Errorf("encoding %s: gzip: %w", encoding, err)
		}
		return b, nil
	case "gz+b64", "gz+base64", "gzip+b64", "gzip+base64":
		z, err := decodeBase64(content)
		if err != nil {
			return nil, fmt.Errorf("encoding %s: %w", encoding, err)
		}
		b, err := gunzip(z)
		if err != nil {
			return nil, fmt.Errorf("encoding %s: gzip: %w", encoding, err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("unknown encoding %q", encoding)
}
