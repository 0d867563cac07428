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
// an instance that is already gone, or was never made, is success. It
// deletes the instance (found by ID, or by the machine's tag when Create
// failed before the ID was saved), waits until it is gone, then deletes the
// key pair the driver imported. Shared security groups, VPCs and VSwitches
// are never deleted.
func (d *Driver) Remove() error {
	t := d.timeouts.withDefaults()
	ctx, cancel := context.WithTimeout(context.Background(), t.Delete+time.Minute)
	defer cancel()
	api, err := d.client()
	if err != nil {
		return removeError(err)
	}
	started := time.Now()
	var errs []error
	if err := d.removeInstances(ctx, api); err != nil {
		errs = append(errs, err)
	} else if err := d.deleteKeyPair(ctx, api); err != nil {
		// The key pair goes only after the instance is gone: if the
		// instance stays, a retried rm still needs to find everything.
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return removeError(errors.Join(errs...))
	}
	log.Infof("Removed machine %s (elapsed %s)", d.MachineName, time.Since(started).Round(10*time.Millisecond))
	return nil
}

// removeInstances deletes the machine's instance and waits until it is gone.
// Without a saved ID it looks for instances tagged with this machine's
// nonce, which finds one whose RunInstances answer was lost.
func (d *Driver) removeInstances(ctx context.Context, api ecs.API) error {
	ids, err := d.instanceIDsToRemove(ctx, api)
	if err != nil {
		return err
	}
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
