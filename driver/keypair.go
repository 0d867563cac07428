package driver

import (
	"context"
	"fmt"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/ecs"
	"github.com/aliyunecs/docker-machine-driver-aliyunecs/sshutil"
	"github.com/rancher/machine/libmachine/log"
)

// ensureKeyPair puts the machine's private key into its store directory
// (generated, or copied from --aliyunecs-ssh-keypath because Rancher's
// mounted copy disappears with the job) and makes sure ECS knows the public
// half: the named --aliyunecs-ssh-keypair, or one the driver imports.
func (d *Driver) ensureKeyPair(ctx context.Context, api ecs.API, p *pipeline, key <-chan localKey) error {
	var k localKey
	select {
	case k = <-key:
	case <-ctx.Done():
		return ctx.Err()
	}
	if k.err != nil {
		return k.err
	}
	pub := k.pub
	if d.SSHKeyPair != "" {
		d.KeyPairName, d.KeyPairImported = d.SSHKeyPair, false
		return nil
	}

	// The name is recorded, and its undo registered, before the call: if
	// the import takes effect but its answer is lost, rollback and Remove
	// still delete it (deleting an unknown name succeeds).
	name := d.resourceName()
	d.KeyPairName, d.KeyPairImported = name, true
	p.onFailure("key pair "+name, func(ctx context.Context) error { return d.deleteKeyPair(ctx, api) })
	_, err := api.ImportKeyPair(ctx, ecs.ImportKeyPairRequest{
		Name: name, PublicKeyBody: pub, ResourceGroupID: d.ResourceGroupID, Tags: d.machineTags(),
	})
	if ecs.IsCode(err, "KeyPair.AlreadyExist") {
		// ImportKeyPair has no ClientToken: a retry after an attempt whose
		// answer was lost meets the pair that attempt stored. The name
		// carries this machine's nonce, so it is ours if the key matches.
		err = d.adoptKeyPair(ctx, api, name, pub)
	}
	if err != nil {
		return fmt.Errorf("could not import key pair %s: %w", name, err)
	}
	log.Infof("Imported key pair %s (elapsed %s)", name, p.elapsed())
	return nil
}

// localKey is the machine's key in its store directory: the public half, or
// why it could not be made.
type localKey struct {
	pub string
	err error
}

// prepareKey puts the machine's private key into its store directory in the
// background (an RSA key takes a few hundred milliseconds to generate, time
// the network steps can use) and delivers the result once.
func (d *Driver) prepareKey() <-chan localKey {
	out := make(chan localKey, 1)
	keyPath := d.GetSSHKeyPath()
	go func() {
		if d.SSHKeySource != "" {
			pub, err := sshutil.CopyPrivateKey(d.SSHKeySource, keyPath)
			if err != nil {
				err = fmt.Errorf("--%s: %w", flagSSHKeyPath, err)
			}
			out <- localKey{pub, err}
			return
		}
		pub, err := sshutil.GenerateKeyPair(keyPath)
		if err != nil {
			err = fmt.Errorf("could not generate the machine's SSH key: %w", err)
		}
		out <- localKey{pub, err}
	}()
	return out
}

// adoptKeyPair accepts an existing pair of our name when it holds our public
// key.
func (d *Driver) adoptKeyPair(ctx context.Context, api ecs.API, name, pub string) error {
	want, err := sshutil.FingerprintMD5(pub)
	if err != nil {
		return err
	}
	pairs, err := api.DescribeKeyPairs(ctx, name)
	if err != nil {
		return err
	}
	for _, kp := range pairs {
		if kp.Name == name && kp.Fingerprint == want {
			return nil
		}
	}
	return fmt.Errorf("a key pair named %s exists with a different key", name)
}

// deleteKeyPair deletes the key pair the driver imported. When Create died
// before recording it, the pair may still exist under the machine's derived
// name; deleting a name that does not exist succeeds, so it is deleted too.
// A key pair the user named with --aliyunecs-ssh-keypair is never touched.
func (d *Driver) deleteKeyPair(ctx context.Context, api ecs.API) error {
	name := d.KeyPairName
	switch {
	case d.SSHKeyPair != "" && !d.KeyPairImported:
		return nil
	case !d.KeyPairImported && d.CreateNonce != "":
		name = d.resourceName()
	case !d.KeyPairImported:
		return nil
	}
	if err := api.DeleteKeyPairs(ctx, []string{name}); err != nil && !ecs.IsNotFound(err) {
		return fmt.Errorf("could not delete key pair %s: %w", name, err)
	}
	d.KeyPairImported = false
	return nil
}
