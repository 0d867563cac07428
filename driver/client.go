package driver

import (
	"fmt"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
)

// client returns the cloud client for this machine, building it on first use.
// The same client serves every call of the plugin process.
func (d *Driver) client() (ecs.API, error) {
	if d.api != nil {
		return d.api, nil
	}
	factory := d.newAPI
	if factory == nil {
		factory = func(cfg ecs.Config) (ecs.API, error) { return ecs.NewClient(cfg) }
	}
	api, err := factory(ecs.Config{
		Region:          d.Region,
		AccessKeyID:     d.AccessKeyID,
		AccessKeySecret: d.AccessKeySecret,
		SecurityToken:   d.SecurityToken,
		Endpoint:        d.APIEndpoint,
		UserAgent:       "docker-machine-driver-aliyunecs/" + Version,
		Retry:           d.retry,
	})
	if err != nil {
		return nil, fmt.Errorf("could not set up the Alibaba Cloud client: %w", err)
	}
	d.api = api
	return api, nil
}
