//go:build tools

// Package tools records the rancher-machine CLI as a dependency of this module.
package tools

import _ "github.com/rancher/machine/cmd/rancher-machine"
