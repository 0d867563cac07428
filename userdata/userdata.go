// Package userdata builds the ECS UserData payload from the
// --aliyunecs-userdata value: a file (in Rancher, the #cloud-config temp file
// rancher-machine wrote around the install script) or, for people typing the
// CLI, inline #cloud-config or #! content. It adds the driver's own data-disk
// setup when asked to, and keeps the result within the ECS size limit.
//
// The same input always yields the same bytes (no timestamps, no random MIME
// boundaries): RunInstances retries reuse one ClientToken, and ECS rejects a
// retry whose parameters differ with IdempotentParameterMismatch.
package userdata

import (
	"encoding/base64"
	"fmt"
)

// DefaultMaxRawBytes is the ECS limit on user data before Base64 encoding
// (32 KB in the current RunInstances docs; older docs said 16 KB).
const DefaultMaxRawBytes = 32768

// flag names the option in every error, so Rancher users see which machine
// pool field to fix.
const flag = "--aliyunecs-userdata"

// Options says what to build.
type Options struct {
	// Path is the --aliyunecs-userdata value: a file path, or inline content
	// starting with #cloud-config or #! when no file of that name exists.
	Path string
	// DataDisk, when set, adds cloud-init steps that format and mount the
	// instance's data disk. nil means no data disk setup.
	DataDisk *DataDisk
	// MaxRawBytes is the largest Raw payload ECS accepts; 0 means
	// DefaultMaxRawBytes.
	MaxRawBytes int
}

// Payload is the user data ready for RunInstances.
type Payload struct {
	// Raw is what cloud-init receives: the input as given, the input with
	// the driver's additions, or either of them gzip-compressed when it
	// would not fit otherwise. Empty means "send no UserData".
	Raw []byte
	// Base64 is Raw in standard Base64, the form the UserData parameter
	// takes.
	Base64 string
}

// Build reads the input named by opts.Path, checks its format, merges the
// data-disk setup into it and enforces the size limit.
//
// Errors name --aliyunecs-userdata and the path (or "inline user data") but
// never quote the content: rancher-machine's file embeds the cluster
// registration token.
func Build(opts Options) (Payload, error) {
	if opts.DataDisk != nil {
		if err := opts.DataDisk.validate(); err != nil {
			return Payload{}, err
		}
	}
	in, err := readInput(opts.Path)
	if err != nil {
		return Payload{}, err
	}
	raw, err := compose(in, opts.DataDisk)
	if err != nil {
		return Payload{}, err
	}
	limit := opts.MaxRawBytes
	if limit <= 0 {
		limit = DefaultMaxRawBytes
	}
	raw, err = fit(raw, limit)
	if err != nil {
		return Payload{}, err
	}
	if len(raw) == 0 {
		return Payload{}, nil
	}
	return Payload{Raw: raw, Base64: base64.StdEncoding.EncodeToString(raw)}, nil
}

// compose applies the data-disk additions to the input, in the way its
// format allows.
func compose(in input, disk *DataDisk) ([]byte, error) {
	if disk == nil {
		return in.data, nil
	}
	switch in.kind {
	case kindEmpty:
		return newCloudConfig(disk)
	case kindCloudConfig:
		return mergeCloudConfig(in, disk)
	case kindScript:
		return scriptWithDisk(in.data, disk)
	case kindMultipart:
		return multipartWithDisk(in, disk)
	case kindGzip:
		// Additions cannot be spliced into compressed bytes; unpack, merge
		// and let fit compress again if the result needs it.
		inner, err := gunzip(in)
		if err != nil {
			return nil, err
		}
		return compose(inner, disk)
	}
	return nil, fmt.Errorf("%s: %s: unsupported format", flag, in.name)
}
