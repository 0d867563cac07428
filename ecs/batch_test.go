package ecs

import (
	"context"
	"encoding/json"
	"net/url"
	"sync"
	"testing"
	"time"
)

// TestConcurrentWaitsShareDescribeInstances: ten waits of one account and
// region in one process poll together; every wait still gets its own
// instance, and the calls carry several IDs instead of one each.
func TestConcurrentWaitsShareDescribeInstances(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	var mu sync.Mutex
	polls := map[string]int{}
	widest := 0
	f.onECS("DescribeInstances", func(q url.Values) (int, string) {
		var ids []string
		if err := json.Unmarshal([]byte(q.Get("InstanceIds")), &ids); err != nil {
			return 400, errBody("InvalidInstanceIds.Malformed", "bad ids")
		}
		time.Sleep(20 * time.Millisecond) // a round trip, so that polls pile up
		mu.Lock()
		defer mu.Unlock()
		widest = max(widest, len(ids))
		var list []any
		for _, id := range ids {
			polls[id]++
			status := "Pending"
			if polls[id] >= 3 {
				status = "Running"
			}
			if id != "i-missing" {
				list = append(list, wireInst(id, status))
			}
		}
		return 200, okBody(map[string]any{"TotalCount": len(list), "Instances": map[string]any{"Instance": list}})
	})
	ids := []string{"i-0", "i-1", "i-2", "i-3", "i-4", "i-5", "i-6", "i-7", "i-8", "i-9"}
	backoff := WithBackoff(Backoff{Initial: time.Millisecond, Max: 5 * time.Millisecond})
	var wg sync.WaitGroup
	errs := make([]error, len(ids))
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, _ := f.client(t) // a client per wait, as one driver per machine has
			inst, err := WaitInstanceStatus(context.Background(), c, id, StatusRunning, backoff)
			if err == nil && inst.ID != id {
				t.Errorf("wait for %s got %s", id, inst.ID)
			}
			errs[i] = err
		}()
	}
	// An unlisted instance in the same batches is reported as not found.
	c, _ := f.client(t)
	_, missingErr := WaitInstanceStatus(context.Background(), c, "i-missing", StatusRunning, backoff, WithNotFoundChecks(3))
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("wait for %s: %v", ids[i], err)
		}
	}
	if !IsNotFound(missingErr) {
		t.Errorf("wait for an unlisted instance: %v, want not found", missingErr)
	}
	calls := len(f.got("DescribeInstances"))
	if polled := 3 * len(ids); calls >= polled || widest < 2 {
		t.Errorf("%d DescribeInstances calls for %d polls, widest %d IDs: the waits did not share calls", calls, polled, widest)
	}
}

// TestWaitGivesUpWhileItsBatchIsInFlight: a waiter whose context ends does
// not wait for a slow coalesced call.
func TestWaitGivesUpWhileItsBatchIsInFlight(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	release := make(chan struct{})
	f.onECS("DescribeInstances", func(q url.Values) (int, string) {
		<-release
		return 200, okBody(map[string]any{"TotalCount": 0, "Instances": map[string]any{"Instance": []any{}}})
	})
	defer close(release)
	c, _ := f.client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := WaitInstanceStatus(ctx, c, "i-slow", StatusRunning)
	if err == nil || time.Since(start) > 3*time.Second {
		t.Fatalf("WaitInstanceStatus = %v after %v, want a prompt context error", err, time.Since(start))
	}
}

func TestBatchKeySeparatesAccountsAndHidesTheSecret(t *testing.T) {
	base := Config{Region: "cn-hangzhou", AccessKeyID: "AK", AccessKeySecret: "secret-value"}
	other := base
	other.AccessKeyID = "AK2"
	if batchKey(base) == batchKey(other) {
		t.Error("two access keys share a batch key")
	}
	region := base
	region.Region = "cn-beijing"
	if batchKey(base) == batchKey(region) {
		t.Error("two regions share a batch key")
	}
	if k := batchKey(base); k != batchKey(base) || len(k) != 64 {
		t.Errorf("batch key %q is not a stable hash", k)
	}
}
