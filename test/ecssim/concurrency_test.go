package ecssim_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestManyConcurrentClients runs 200 clients at once, each creating,
// describing, tagging and deleting through its own SDK client (as many
// rancher-machine processes would), with some retrying the same
// ClientToken. Run with -race: the point is that nothing is shared
// unguarded and the inventory adds up.
func TestManyConcurrentClients(t *testing.T) {
	t.Parallel()
	e := newConfEnv(t)
	e.sg()
	const clients = 200
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	ids := make([]string, clients)
	for i := range clients {
		wg.Add(1)
		f := e.fork()
		go func() {
			defer wg.Done()
			p := f.runParams(map[string]string{"ClientToken": fmt.Sprintf("tok-%d", i%150), "InstanceName": "node"})
			out, err := f.do(pECS, "RunInstances", p)
			if err != nil {
				errs <- fmt.Errorf("client %d: RunInstances: %w", i, err)
				return
			}
			id := get(out, "InstanceIdSets", "InstanceIdSet", 0).(string)
			ids[i] = id
			if _, err := f.do(pECS, "DescribeInstances", map[string]string{"InstanceIds": `["` + id + `"]`}); err != nil {
				errs <- err
				return
			}
			if _, err := f.do(pECS, "TagResources", map[string]string{"ResourceType": "instance", "ResourceId.1": id,
				"Tag.1.Key": fmt.Sprintf("c%d", i)}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		// A retry of a token still being processed is the one legitimate
		// failure under this load.
		require.Contains(t, err.Error(), "IdempotentProcessing")
	}
	// Tokens 0..149 are shared by clients i and i+150: 150 instances.
	require.Len(t, e.srv.Resources().Instances, 150)
	for i := 150; i < clients; i++ {
		if ids[i] != "" && ids[i-150] != "" {
			require.Equal(t, ids[i-150], ids[i])
		}
	}
	require.GreaterOrEqual(t, len(e.srv.Calls()), 3*clients-100)
}
