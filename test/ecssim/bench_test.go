package ecssim

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// seedRunning creates n Running instances in a region directly in the
// store, skipping the API and the lifecycle timers (setup speed only).
func seedRunning(tb testing.TB, s *Server, region string, n int) {
	tb.Helper()
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	rs := s.st.regions[region]
	var sw *vswitch
	for _, v := range rs.vswitches {
		sw = v
	}
	g := &securityGroup{ID: newID("sg", rs.info.Code, lenSGID), Region: region, VpcID: sw.VpcID, Type: "normal",
		InnerAccessPolicy: "Accept", CreationTime: time.Now(), seq: s.st.nextSeq()}
	rs.groups[g.ID] = g
	r, aerr := parseRun(params{"ImageId": images[0].ID, "InstanceType": instanceTypes[0].ID})
	if aerr != nil {
		tb.Fatal(aerr)
	}
	r.groupIDs = []string{g.ID}
	c := &call{s: s, p: params{}, regionID: region, now: time.Now()}
	for i := range n {
		r.name = fmt.Sprintf("node-%04d", i)
		inst := r.newInstance(c, rs, sw, defaultResourceGroupID, 0)
		setStatus(inst, instRunning)
		inst.Tags = []Tag{{Key: "cluster", Value: fmt.Sprintf("c%d", i%10)}}
	}
}

// BenchmarkDescribeInstances measures DescribeInstances calls per second
// through the real SDK with 1,000 instances in the region, from parallel
// clients (one SDK client per goroutine: SDK clients are not thread-safe).
func BenchmarkDescribeInstances(b *testing.B) {
	srv, err := New(Options{GuestSSHPort: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	seedRunning(b, srv, "cn-hangzhou", 1000)
	for _, bc := range []struct {
		name string
		edit func(r *ecs.DescribeInstancesRequest)
	}{
		{"page-of-10", func(*ecs.DescribeInstancesRequest) {}},
		{"page-of-100", func(r *ecs.DescribeInstancesRequest) { r.PageSize = requests.NewInteger(100) }},
		{"tag-filter", func(r *ecs.DescribeInstancesRequest) {
			r.Tag = &[]ecs.DescribeInstancesTag{{Key: "cluster", Value: "c3"}}
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var calls atomic.Int64
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				cl, err := ecs.NewClientWithAccessKey("cn-hangzhou", DefaultAccessKeyID, DefaultAccessKeySecret)
				if err != nil {
					b.Error(err)
					return
				}
				cl.Domain = srv.Addr()
				for pb.Next() {
					req := ecs.CreateDescribeInstancesRequest()
					bc.edit(req)
					resp, err := cl.DescribeInstances(req)
					if err != nil || resp.TotalCount == 0 {
						b.Errorf("DescribeInstances: %v (total %d)", err, resp.TotalCount)
						return
					}
					calls.Add(1)
				}
			})
			b.ReportMetric(float64(calls.Load())/time.Since(start).Seconds(), "calls/s")
		})
	}
}

// TestSeedRunning keeps the benchmark's setup honest in normal test runs.
func TestSeedRunning(t *testing.T) {
	srv, err := New(Options{GuestSSHPort: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	seedRunning(t, srv, "cn-hangzhou", 50)
	if got := len(srv.Resources().Instances); got != 50 {
		t.Fatalf("seeded %d instances, want 50", got)
	}
}
