package ecs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Instance waits poll one instance each. When several run in one process
// for the same account and region (a Go program creating a pool, the
// benchmark's in-process runs), their polls are coalesced: a poll that
// arrives while another DescribeInstances is in flight joins the next call,
// which carries up to instanceIDsPerCall IDs. A lone wait calls exactly as
// before, with no added delay.

// batchFlightTimeout bounds one coalesced call, which no single waiter's
// context owns (a waiter that gives up stops waiting for it at once).
const batchFlightTimeout = 2 * time.Minute

// instanceBatcher coalesces the polls of one account and region.
type instanceBatcher struct {
	mu      sync.Mutex
	pending []*instancePoll
	flying  bool
}

type instancePoll struct {
	id     string
	client *Client
	ctx    context.Context
	done   chan pollAnswer // buffered: the flight never blocks on a waiter
}

type pollAnswer struct {
	inst *Instance // nil: not listed
	err  error
}

// batchers holds one instanceBatcher per batch key (see batchKey).
var batchers sync.Map

// batchKey tells which clients may answer each other's polls: the same
// region, endpoint, credentials and custom transport. The secret only enters
// as a hash.
func batchKey(cfg Config) string {
	h := sha256.New()
	if cfg.Transport != nil {
		fmt.Fprintf(h, "%p", cfg.Transport)
	}
	for _, s := range []string{cfg.Region, cfg.Endpoint, cfg.AccessKeyID, cfg.AccessKeySecret, cfg.SecurityToken} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func batcherFor(key string) *instanceBatcher {
	b, _ := batchers.LoadOrStore(key, &instanceBatcher{})
	return b.(*instanceBatcher)
}

// describeForWait returns instance id, or nil when it is not listed, through
// the client's batcher.
func (c *Client) describeForWait(ctx context.Context, id string) (*Instance, error) {
	p := &instancePoll{id: id, client: c, ctx: ctx, done: make(chan pollAnswer, 1)}
	b := c.batcher
	b.mu.Lock()
	b.pending = append(b.pending, p)
	start := !b.flying
	b.flying = true
	b.mu.Unlock()
	if start {
		go b.fly()
	}
	select {
	case a := <-p.done:
		return a.inst, a.err
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// fly sends coalesced calls until no poll is pending.
func (b *instanceBatcher) fly() {
	for {
		b.mu.Lock()
		// Polls whose waiter already gave up need no answer.
		b.pending = slices.DeleteFunc(b.pending, func(p *instancePoll) bool { return p.ctx.Err() != nil })
		if len(b.pending) == 0 {
			b.flying = false
			b.mu.Unlock()
			return
		}
		var batch []*instancePoll
		var ids []string
		rest := b.pending[:0:0]
		for _, p := range b.pending {
			switch {
			case slices.Contains(ids, p.id):
				batch = append(batch, p)
			case len(ids) < instanceIDsPerCall:
				ids = append(ids, p.id)
				batch = append(batch, p)
			default:
				rest = append(rest, p)
			}
		}
		b.pending = rest
		b.mu.Unlock()
		b.answer(batch, ids)
	}
}

// answer makes one DescribeInstances call for batch and hands every poll
// its instance.
func (b *instanceBatcher) answer(batch []*instancePoll, ids []string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(batch[0].ctx), batchFlightTimeout)
	defer cancel()
	list, err := batch[0].client.DescribeInstances(ctx, InstanceQuery{InstanceIDs: ids})
	for _, p := range batch {
		a := pollAnswer{err: err}
		if err == nil {
			if i := slices.IndexFunc(list, func(inst Instance) bool { return inst.ID == p.id }); i >= 0 {
				inst := list[i]
				a.inst = &inst
			}
		}
		p.done <- a
	}
}
