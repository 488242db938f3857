package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strings"
	"time"

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
	stopPeak := watchHeapPeak(base)
	code := cli.Main(args, cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
	stopPeak()
	stop()
	if h, err := os.Create(base + ".heap.pprof"); err == nil {
		runtime.GC()
		pprof.Lookup("allocs").WriteTo(h, 0)
		h.Close()
	}
	return code
}

// watchHeapPeak writes an in-use heap profile to base.heap-peak.pprof whenever the heap that the
// last collection found live is the largest so far, and the Go runtime's memory classes at the
// highest resident set size to base.mem.txt: peak memory is what the scale targets judge, and a
// profile taken at exit, after the walk, shows none of it. It polls until stop is called.
func watchHeapPeak(base string) (stop func()) {
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		descs := metrics.All()
		all := make([]metrics.Sample, 0, len(descs))
		for _, d := range descs {
			if strings.HasPrefix(d.Name, "/memory/classes/") || d.Name == "/gc/heap/live:bytes" || d.Name == "/sched/goroutines:goroutines" {
				all = append(all, metrics.Sample{Name: d.Name})
			}
		}
		var livePeak, rssPeak uint64
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			metrics.Read(all)
			for _, m := range all {
				if m.Name == "/gc/heap/live:bytes" && m.Value.Uint64() > livePeak+livePeak/50 {
					livePeak = m.Value.Uint64()
					writeFile(base+".heap-peak.pprof", func(w io.Writer) { pprof.Lookup("heap").WriteTo(w, 0) })
				}
			}
			if rss := residentBytes(); rss > rssPeak {
				rssPeak = rss
				writeFile(base+".mem.txt", func(w io.Writer) {
					fmt.Fprintf(w, "VmRSS %d KiB\n", rss>>10)
					for _, m := range all {
						fmt.Fprintf(w, "%s %d\n", m.Name, m.Value.Uint64())
					}
				})
			}
		}
	}()
	return func() { close(done); <-finished }
}

// residentBytes is this process's resident set size now.
func residentBytes() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, resident uint64
	fmt.Sscan(string(b), &size, &resident)
	return resident * uint64(os.Getpagesize())
}

func writeFile(path string, fill func(io.Writer)) {
	if f, err := os.Create(path); err == nil {
		fill(f)
		f.Close()
	}
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
