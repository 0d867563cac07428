package ecs

import (
	"context"
	"fmt"
)

// Service names the API product an Invoke call addresses.
type Service string

// The products Invoke can address.
const (
	ServiceECS Service = "ecs"
	ServiceVPC Service = "vpc"
)

// Invoke sends an action the typed methods do not cover, signed, retried and
// decoded (into out, when not nil) exactly like them. It exists for tools and
// tests (the end-to-end sweeper deletes the shared network a test run left);
// the driver never calls it, so the actions sent through it are not in
// docs/ram-policy.json, which holds exactly the typed methods' actions.
func (c *Client) Invoke(ctx context.Context, svc Service, action string, query map[string]string, out any) error {
	var p product
	switch svc {
	case ServiceECS:
		p = productECS
	case ServiceVPC:
		p = productVPC
	default:
		return fmt.Errorf("ecs: unknown service %q", svc)
	}
	q := params{}
	for k, v := range query {
		q.set(k, v)
	}
	return c.call(ctx, p, action, q, out)
}
