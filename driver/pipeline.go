package driver

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rancher/machine/libmachine/log"
)

// step is one stage of Create. run records every ID it creates on the driver
// the moment the cloud returns it and registers the matching undo with
// p.onFailure before doing anything else, so that no failure (including a
// failed wait) can leave an unknown resource behind.
type step struct {
	name string
	run  func(ctx context.Context, p *pipeline) error
}

// undo removes one thing a step made.
type undo struct {
	what string
	fn   func(ctx context.Context) error
}

// pipeline runs steps in order and, if one fails, runs the registered undos
// in reverse order. On success the undos are dropped: what was made now
// belongs to the machine and Remove takes care of it.
type pipeline struct {
	started time.Time
	undos   []undo
	// rollbackTimeout bounds the whole rollback, which runs on a fresh
	// context because the create context may be what failed.
	rollbackTimeout time.Duration
}

// onFailure registers fn to run if a later step fails.
func (p *pipeline) onFailure(what string, fn func(ctx context.Context) error) {
	p.undos = append(p.undos, undo{what: what, fn: fn})
}

// elapsed is the time since Create started, for progress lines.
func (p *pipeline) elapsed() string {
	return time.Since(p.started).Round(10 * time.Millisecond).String()
}

// run executes steps. The returned error is the step's error first, then any
// rollback errors, joined into one line each.
func (p *pipeline) run(ctx context.Context, steps []step) error {
	for _, s := range steps {
		if err := s.run(ctx, p); err != nil {
			return p.rollback(err)
		}
	}
	p.undos = nil
	return nil
}

func (p *pipeline) rollback(cause error) error {
	if len(p.undos) == 0 {
		log.Infof("Create failed after %s; it made nothing that needs removing", p.elapsed())
		return oneLine(cause)
	}
	log.Infof("Create failed after %s; removing what it made", p.elapsed())
	ctx, cancel := context.WithTimeout(context.Background(), p.rollbackTimeout)
	defer cancel()
	errs := []error{cause}
	for i := len(p.undos) - 1; i >= 0; i-- {
		u := p.undos[i]
		if err := u.fn(ctx); err != nil {
			errs = append(errs, fmt.Errorf("rollback: could not remove %s: %w", u.what, err))
			continue
		}
		log.Infof("Removed %s (elapsed %s)", u.what, p.elapsed())
	}
	p.undos = nil
	return oneLine(errors.Join(errs...))
}
