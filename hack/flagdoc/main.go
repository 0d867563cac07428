// Command flagdoc writes docs/flags.md, the flag reference, from the
// driver's GetCreateFlags: for every flag its name, the field Rancher's
// AliyunecsConfig holds it in, the schema type, the environment variable,
// the default and what it does. With -w it also rewrites the complete flag
// list in README.md (name, Rancher field, default).
//
//	go run ./hack/flagdoc > docs/flags.md
//	go run ./hack/flagdoc -w            # both files, from anywhere in the module
//
// A test fails when either file differs from what this renders.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/driver"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/e2e/harness"
)

// Command is how the reference is regenerated; the document and the
// staleness test both print it.
const Command = "go run ./hack/flagdoc -w"

func main() {
	write := flag.Bool("w", false, "write docs/flags.md and README.md of the enclosing module instead of printing to stdout")
	flag.Parse()
	doc, err := Render()
	if err != nil {
		fmt.Fprintln(os.Stderr, "flagdoc:", err)
		os.Exit(1)
	}
	if !*write {
		os.Stdout.Write(doc)
		return
	}
	root, err := harness.ModuleRoot()
	if err == nil {
		err = os.WriteFile(filepath.Join(root, "docs", "flags.md"), doc, 0o644)
	}
	if err == nil {
		err = rewriteREADME(filepath.Join(root, "README.md"))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "flagdoc:", err)
		os.Exit(1)
	}
}

// Render returns the Markdown reference of the driver's current flags.
func Render() ([]byte, error) {
	fields, err := harness.RancherSchema(driver.New().GetCreateFlags())
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("# Flag reference\n\n")
	fmt.Fprintf(&b, "<!-- Generated from driver.GetCreateFlags by `%s`; do not edit. -->\n\n", Command)
	b.WriteString("Every flag of `rancher-machine create -d aliyunecs` (and `docker-machine create -d aliyunecs`).\n")
	b.WriteString("Rancher turns each flag into a field of the `AliyunecsConfig` machine config (the name in\n")
	b.WriteString("the second column, what the dashboard and `kubectl` write) and passes it back to the\n")
	b.WriteString("driver as `--aliyunecs-<kebab-case field>` in the provisioning job. Numbers are strings\n")
	b.WriteString("in Rancher's schema; booleans can only be turned on from Rancher, so they all default\n")
	b.WriteString("to false. An explicit flag wins over its environment variable.\n\n")
	b.WriteString("| flag | Rancher field | type | environment variable | default | meaning |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, f := range fields {
		field := "`" + f.Name + "`"
		switch alias, ok := harness.RancherFileAliases[f.Name]; {
		case ok && alias != f.Name:
			field = "`" + alias + "` (file content; the job passes its path as `" + f.Name + "`)"
		case ok:
			field += " (file content on Rancher 2.12+, passed as a file; leave empty on 2.11 and older)"
		}
		env := ""
		if f.EnvVar != "" {
			env = "`" + f.EnvVar + "`"
		}
		fmt.Fprintf(&b, "| `--%s` | %s | %s | %s | %s | %s |\n",
			f.Flag, field, f.Type, env, renderDefault(f.Default), cell(f.Usage))
	}
	b.WriteString("\nCredentials normally come from Rancher's cloud credential, which the provisioning job\n")
	b.WriteString("puts in `ALIYUNECS_ACCESS_KEY_ID` / `ALIYUNECS_ACCESS_KEY_SECRET`; see\n")
	b.WriteString("[rancher.md](rancher.md) and [permissions.md](permissions.md).\n")
	return b.Bytes(), nil
}

func rewriteREADME(path string) error {
	readme, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := RenderREADME(readme)
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o644)
}

func renderDefault(v any) string {
	switch d := v.(type) {
	case string:
		if d == "" {
			return ""
		}
		return "`" + d + "`"
	case bool:
		return fmt.Sprint(d)
	case []string:
		if len(d) == 0 {
			return ""
		}
		return "`" + strings.Join(d, "`, `") + "`"
	}
	return fmt.Sprint(v)
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "|", `\|`)
}
