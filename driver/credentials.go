package driver

import (
	"encoding/json"
	"fmt"
	"os"

	rpcdriver "github.com/rancher/machine/libmachine/drivers/rpc"
)

// UnmarshalJSON loads the persisted configuration (rancher-machine's
// SetConfigRaw) and then replaces the credentials with those of the current
// process's flags and environment, when given. Rancher runs `rm` in a new
// job with the cloud credential as it is now, so a rotated AccessKey must
// win over the one saved at create time.
func (d *Driver) UnmarshalJSON(data []byte) error {
	// An alias type has no UnmarshalJSON, which avoids recursion; copying d
	// first keeps the unexported runtime fields (client factory, timeouts).
	type plain Driver
	target := plain(*d)
	if err := json.Unmarshal(data, &target); err != nil {
		return fmt.Errorf("could not read the driver configuration: %w", err)
	}
	*d = Driver(target)

	opts := rpcdriver.GetDriverOpts(d.GetCreateFlags(), os.Args)
	id, idSet := opts.Values[flagAccessKeyID]
	secret, secretSet := opts.Values[flagAccessKeySecret]
	if idSet && secretSet && id != "" && secret != "" {
		d.AccessKeyID = opts.String(flagAccessKeyID)
		d.AccessKeySecret = opts.String(flagAccessKeySecret)
		d.SecurityToken = ""
		if _, ok := opts.Values[flagSecurityToken]; ok {
			d.SecurityToken = opts.String(flagSecurityToken)
		}
	}
	d.api = nil
	return nil
}
