// Command ecssim runs the Alibaba Cloud ECS/VPC API simulator (package
// ecssim) as a program, for demos, end-to-end tests and manual poking:
//
//	go run ./test/ecssim/cmd/ecssim -listen 127.0.0.1:8600 -timing realistic
//
// Its first stdout line is "ecssim listening on http://HOST:PORT"; scripts
// wait for it. It runs until SIGINT or SIGTERM. Logs go to stderr and never
// contain secrets or user data.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aliyunecs/docker-machine-driver-aliyunecs/test/ecssim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "ecssim:", err)
		os.Exit(2)
	}
}

// run parses args, starts the simulator, announces it on stdout and serves
// until ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	srv, err := ecssim.New(opts)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(stdout, "ecssim listening on %s\n", srv.URL()); err != nil {
		_ = srv.Close()
		return err
	}
	<-ctx.Done()
	return srv.Close()
}

func parseFlags(args []string, stderr io.Writer) (ecssim.Options, error) {
	fs := flag.NewFlagSet("ecssim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		opts      ecssim.Options
		creds     listFlag
		throttles listFlag
		overrides listFlag
	)
	fs.StringVar(&opts.Listen, "listen", "127.0.0.1:8600", "`ADDR` to listen on (port 0 picks a free port)")
	fs.Var(&creds, "credential", "accepted AccessKey `ID:SECRET` (repeatable; default "+
		ecssim.DefaultAccessKeyID+":"+ecssim.DefaultAccessKeySecret+")")
	fs.StringVar(&opts.Timing, "timing", ecssim.TimingFast, "transition delays: fast or realistic")
	fs.IntVar(&opts.GuestSSHPort, "guest-ssh-port", 0, "`PORT` of guest SSH servers (default 22 as root, else 2222)")
	fs.Var(&throttles, "throttle", "limit `ACTION=N[:CODE]` calls per second per region, * for every action; CODE is "+
		"Throttling.User (default), Throttling, Throttling.Api or Throttling.Resource (repeatable)")
	fs.DurationVar(&opts.Latency, "latency", 0, "delay every API answer by `DURATION`, e.g. 80ms")
	fs.Var(&overrides, "timing-override", "override one delay, `NAME=DURATION` (repeatable; names: "+transitionNames()+")")
	fs.BoolVar(&opts.StopStoppedIsNoop, "stop-stopped-noop", false, "StopInstance on a Stopped instance succeeds")
	quiet := fs.Bool("quiet", false, "do not log events to stderr")
	if err := fs.Parse(args); err != nil {
		return opts, err
	}
	if fs.NArg() > 0 {
		return opts, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	for _, c := range creds {
		id, secret, ok := strings.Cut(c, ":")
		if !ok || id == "" || secret == "" {
			return opts, fmt.Errorf("-credential %q: want ID:SECRET", c)
		}
		opts.Credentials = append(opts.Credentials, ecssim.Credential{ID: id, Secret: secret})
	}
	for _, t := range throttles {
		action, spec, ok := strings.Cut(t, "=")
		n, code, _ := strings.Cut(spec, ":")
		rate, err := strconv.ParseFloat(n, 64)
		if !ok || action == "" || err != nil || rate <= 0 {
			return opts, fmt.Errorf("-throttle %q: want ACTION=N[:CODE] with N > 0", t)
		}
		opts.ThrottleRules = append(opts.ThrottleRules, ecssim.ThrottleRule{Action: action, PerSecond: rate, Code: code})
	}
	for _, o := range overrides {
		name, v, ok := strings.Cut(o, "=")
		d, err := time.ParseDuration(v)
		if !ok || err != nil {
			return opts, fmt.Errorf("-timing-override %q: want NAME=DURATION, e.g. starting=2s", o)
		}
		if opts.TimingOverrides == nil {
			opts.TimingOverrides = map[ecssim.Transition]time.Duration{}
		}
		opts.TimingOverrides[ecssim.Transition(name)] = d
	}
	if !*quiet {
		logger := log.New(stderr, "", log.LstdFlags|log.Lmicroseconds)
		opts.Logf = logger.Printf
	}
	return opts, nil
}

func transitionNames() string {
	var names []string
	for _, t := range ecssim.Transitions() {
		names = append(names, string(t))
	}
	return strings.Join(names, ", ")
}

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}
