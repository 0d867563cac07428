package driver

import (
	"fmt"
	"os"
	"time"

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
		RequestTimeout:  requestTimeout(),
	})
	if err != nil {
		return nil, fmt.Errorf("could not set up the Alibaba Cloud client: %w", err)
	}
	d.api = api
	return api, nil
}

// requestTimeout reads ALIYUNECS_REQUEST_TIMEOUT (a Go duration such as
// "20s"), the bound of one API attempt; unset or invalid keeps the client's
// defaults (30 s, 90 s for slow actions). Test suites shorten it to inject
// hangs quickly; a user behind a slow proxy can lengthen it.
func requestTimeout() time.Duration {
	d, err := time.ParseDuration(os.Getenv("ALIYUNECS_REQUEST_TIMEOUT"))
	if err != nil || d <= 0 {
		return 0
	}
	return d
}
