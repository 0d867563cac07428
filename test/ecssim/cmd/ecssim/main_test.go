package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

var firstLine = regexp.MustCompile(`^ecssim listening on (http://127\.0\.0\.1:\d+)$`)

// TestMain lets the test binary act as the real program when re-executed,
// so the signal handling of main itself is tested without a go build.
func TestMain(m *testing.M) {
	if os.Getenv("ECSSIM_TEST_MAIN") == "1" {
		os.Args = append([]string{"ecssim"}, strings.Fields(os.Getenv("ECSSIM_TEST_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestProgramFirstLineAndSIGTERM(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "ECSSIM_TEST_MAIN=1",
		"ECSSIM_TEST_ARGS=-listen 127.0.0.1:0 -credential a:b -credential c:d:e -throttle DescribeRegions=5 "+
			"-throttle RunInstances=2:Throttling.Resource -latency 5ms -quiet")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	m := firstLine.FindStringSubmatch(strings.TrimSuffix(line, "\n"))
	require.NotNil(t, m, "first line %q", line)

	resp, err := http.Get(m[1] + "/_sim/throttle")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Contains(t, string(body), `"DescribeRegions"`)
	require.Contains(t, string(body), `"Throttling.Resource"`)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		require.NoError(t, err, "clean exit on SIGTERM")
	case <-time.After(10 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
}

func TestRunInProcess(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-timing", "realistic", "-timing-override", "starting=1s"}, pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	require.NoError(t, err)
	require.Regexp(t, firstLine, strings.TrimSuffix(line, "\n"))
	cancel()
	require.NoError(t, <-done)
}

func TestFlagErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"-credential", "nocolon"},
		{"-throttle", "DescribeRegions"},
		{"-throttle", "X=-1"},
		{"-throttle", "X=1:Nope"},
		{"-latency", "fast"},
		{"-timing", "glacial"},
		{"-timing-override", "warp=1s"},
		{"-timing-override", "starting=soon"},
		{"stray"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			err := run(context.Background(), append([]string{"-listen", "127.0.0.1:0"}, args...), io.Discard, io.Discard)
			require.Error(t, err)
		})
	}
}

func TestParseFlagsDefaults(t *testing.T) {
	t.Parallel()
	opts, err := parseFlags(nil, io.Discard)
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:8600", opts.Listen)
	require.Empty(t, opts.Credentials) // the library's default pair applies
	require.Equal(t, ecssim.TimingFast, opts.Timing)
	require.NotNil(t, opts.Logf)
}
