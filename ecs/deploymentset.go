package ecs

import (
	"context"
	"encoding/json"
)

// DescribeDeploymentSets allows at most 50 per page.
const deploymentSetPageSize = 50

// DescribeDeploymentSets returns the deployment sets with the given IDs
// (at most 100); IDs that do not exist are absent from the answer.
func (c *Client) DescribeDeploymentSets(ctx context.Context, ids []string) ([]DeploymentSet, error) {
	p := params{}
	p.setJSONList("DeploymentSetIds", ids)
	var out []DeploymentSet
	err := c.describeAll(ctx, productECS, "DescribeDeploymentSets", p, deploymentSetPageSize, func(body []byte) (page, int, error) {
		var resp struct {
			page
			DeploymentSets struct {
				DeploymentSet []struct {
					DeploymentSetId   string
					DeploymentSetName string
					Strategy          string
					Capacities        struct {
						Capacity []struct {
							ZoneId          string
							AvailableAmount flexInt
						}
					}
				}
			}
		}
		if err := json.Unmarshal(body, &resp); err != nil {
			return page{}, 0, err
		}
		for _, s := range resp.DeploymentSets.DeploymentSet {
			ds := DeploymentSet{ID: s.DeploymentSetId, Name: s.DeploymentSetName, Strategy: s.Strategy, Available: map[string]int{}}
			for _, c := range s.Capacities.Capacity {
				ds.Available[c.ZoneId] = int(c.AvailableAmount)
			}
			out = append(out, ds)
		}
		return resp.page, len(resp.DeploymentSets.DeploymentSet), nil
	})
	return out, err
}
