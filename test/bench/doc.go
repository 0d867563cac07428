// Package bench measures what a Rancher user of the aliyunecs driver waits
// for and pays for: the time from `rancher-machine create` to a running,
// reachable node, the API calls of a machine's life, the throughput of a
// fleet under the cloud's rate limits, and the driver's footprint (binary
// size, plugin start-up, memory).
//
// Everything runs against the ECS/VPC simulator (package ecssim) on
// loopback with its realistic timing profile, optionally scaled, and a fixed
// per-call API latency. The measured driver is any docker-machine plugin
// binary (DriverSpec), so another driver can be timed the same way beside
// ours; the in-process measurements and the call baseline are ours only.
//
// `make bench` runs the command in cmd/bench, which writes
// docs/benchmarks.md. The tests of this package run under `make test`: a
// regression test of the API calls of one machine's life against
// testdata/calls_baseline.json, and a size limit on the stripped binary.
package bench
