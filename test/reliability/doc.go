// Package reliability holds the suites behind "nothing leaked, nothing
// exposed, under every fault we can make": the fault and crash matrices,
// concurrency under throttling, bad input, idempotent removal and secret
// handling. They drive the real rancher-machine CLI and the built plugin
// against the in-process ECS simulator, like the end-to-end tests.
//
// `go test ./test/reliability` runs a short subset of every suite (the one
// `make test` runs); RELIABILITY_FULL=1 (`make test-reliability`) runs them
// all. Each suite prints its counts on a plain line, visible with -v.
package reliability
