package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"

	"github.com/azsync/azsync/internal/cli"
)

// With -profile, every azsync run is this executable re-run with profiledWorkerCmd: azsync's own
// command line (cli.Main, the code cmd/azsync runs) in-process, under the CPU profiler, then a heap
// profile at exit. No environment variable or product change is involved; the numbers in the table
// include the profiler's small overhead.

const profiledWorkerCmd = "__azsync-profiled"

// profiledMain is `__azsync-profiled <base> <azsync args…>`; it writes <base>.cpu.pprof and
// <base>.heap.pprof.
func profiledMain(args []string) int {
	if len(args) < 1 {
		fmt.Fprintln(os.Stderr, "usage: __azsync-profiled <profile base> <azsync args…>")
		return 2
	}
	base, args := args[0], args[1:]
	stop, err := startCPUProfile(base + ".cpu.pprof")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	code := cli.Main(args, cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
	stop()
	if h, err := os.Create(base + ".heap.pprof"); err == nil {
		runtime.GC()
		pprof.Lookup("allocs").WriteTo(h, 0)
		h.Close()
	}
	return code
}

// summarizeProfile writes `go tool pprof -top` of a run's CPU profile next to it, for a first look.
func (e *benchEnv) summarizeProfile(ctx context.Context, label string) {
	base := filepath.Join(e.profDir, label)
	out, err := exec.CommandContext(ctx, "go", "tool", "pprof", "-top", "-nodecount=40", base+".cpu.pprof").CombinedOutput()
	if err != nil {
		logf("warning: go tool pprof %s: %v", base, err)
		return
	}
	if err := os.WriteFile(base+".cpu.top.txt", out, 0o644); err != nil {
		logf("warning: %v", err)
	}
}

// startCPUProfile writes a CPU profile to path until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
