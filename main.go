// Command docker-machine-driver-aliyunecs is the Alibaba Cloud ECS driver
// plugin for docker-machine and rancher-machine. It only registers the
// driver: rancher-machine starts it and talks to it over RPC.
package main

import (
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/driver"
	"github.com/rancher/machine/libmachine/drivers/plugin"
)

func main() {
	plugin.RegisterDriver(driver.New())
}
