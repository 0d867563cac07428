package driver

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
	"github.com/rancher/machine/libmachine/log"
)

// Remove deletes the machine; see [drivers.Driver.Remove]. It is idempotent:
// an instance that is already gone, or was never made, is success. In the
// cloud's teardown order it takes the instance out of the load balancer,
// releases the elastic IP it allocated, deletes the instance (found by ID,
// or by the machine's tag when Create died before the ID was saved) and waits
// until it is gone, then deletes the key pair it imported. Shared security
// groups, VPCs and VSwitches are never deleted.
func (d *Driver) Remove() error {
	t := d.timeouts.withDefaults()
	ctx, cancel := context.WithTimeout(context.Background(), t.Delete+2*eipWait+time.Minute)
	defer cancel()
	api, err := d.client()
	if err != nil {
		return removeError(err)
	}
	started := time.Now()
	if err := d.teardown(ctx, api); err != nil {
		return removeError(err)
	}
	log.Infof("Removed machine %s (elapsed %s)", d.MachineName, time.Since(started).Round(10*time.Millisecond))
	return nil
}

// teardown removes everything of the machine. The key pair goes last: while
// anything else remains, a retried rm must still find all of it.
func (d *Driver) teardown(ctx context.Context, api ecs.API) error {
	ids, err := d.instanceIDsToRemove(ctx, api)
	if err != nil {
		return err
	}
	var errs []error
	if err := d.detachSLB(ctx, api, ids); err != nil {
		errs = append(errs, err)
	}
	if err := d.releaseEIPs(ctx, api); err != nil {
		errs = append(errs, err)
	}
	if err := d.deleteInstances(ctx, api, ids); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return d.deleteKeyPair(ctx, api)
}

// removeInstances deletes the machine's instances (see instanceIDsToRemove)
// and waits until they are gone.
func (d *Driver) removeInstances(ctx context.Context, api ecs.API) error {
	ids, err := d.instanceIDsToRemove(ctx, api)
	if err != nil {
		return err
	}
	return d.deleteInstances(ctx, api, ids)
}

// deleteInstances force-deletes ids and waits until each is gone; an ID that
// no longer exists is success.
func (d *Driver) deleteInstances(ctx context.Context, api ecs.API, ids []string) error {
	for _, id := range ids {
		if err := api.DeleteInstance(ctx, id, true); err != nil {
			if ecs.IsNotFound(err) {
				continue
			}
			return fmt.Errorf("could not delete instance %s: %w", id, err)
		}
		log.Infof("Deleting instance %s", id)
	}
	t := d.timeouts.withDefaults()
	for _, id := range ids {
		waitCtx, cancel := context.WithTimeout(ctx, t.Delete)
		err := ecs.WaitInstanceGone(waitCtx, api, id)
		cancel()
		if err != nil {
			return fmt.Errorf("instance %s was not released: %w", id, err)
		}
		log.Infof("Instance %s is gone", id)
	}
	d.InstanceID = ""
	return nil
}

// instanceIDsToRemove returns the saved instance ID, or, when Create died
// before saving one, the instances tagged with this machine's nonce (which
// finds one whose RunInstances answer was lost).
func (d *Driver) instanceIDsToRemove(ctx context.Context, api ecs.API) ([]string, error) {
	if d.InstanceID != "" {
		return []string{d.InstanceID}, nil
	}
	if d.CreateNonce == "" {
		return nil, nil
	}
	found, err := api.DescribeInstances(ctx, ecs.InstanceQuery{Tags: []ecs.Tag{
		{Key: tagMachineID, Value: d.CreateNonce},
		{Key: tagMachineName, Value: d.MachineName},
	}})
	if err != nil {
		return nil, fmt.Errorf("could not look for the instance of machine %s: %w", d.MachineName, err)
	}
	ids := make([]string, 0, len(found))
	for _, inst := range found {
		ids = append(ids, inst.ID)
	}
	return ids, nil
}
