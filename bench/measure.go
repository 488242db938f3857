package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// measurement is what one measured process cost.
type measurement struct {
	wall      time.Duration
	cpu       time.Duration // user + system of the measured process
	rssKiB    int64         // peak resident set size of the measured process (Linux: KiB)
	serverCPU time.Duration // user + system of Azurite during the run
	serverOK  bool          // Azurite's process was found, so serverCPU means something
	benchCPU  time.Duration // CPU of the benchmark itself during the run: its latency proxy, its polling
	otherCPU  time.Duration // CPU used by everything else on the machine during the run
	others    string        // when noisy: which processes used it
	reqs      requestCounts // requests the tool sent, when it went through a latencyProxy
}

// noisy says whether other processes took more than a fifth of a core on average during the run
// (kernel work such as writing back downloaded files counts too, hence some margin).
func (m measurement) noisy() bool {
	return m.otherCPU > m.wall/5 && m.otherCPU > 50*time.Millisecond
}

// runMeasured runs cmd to completion and measures it the same way whatever it is (azsync or the SDK
// loop): wall time; CPU time from the kernel's rusage of the child; peak memory as the highest VmHWM
// of the child read from /proc while it runs. (The child's rusage Maxrss cannot be used for memory:
// Linux starts it at the parent's own peak RSS, which this benchmark's datasets and checks inflate.)
// Stdout is returned; a failure includes the end of both streams.
func (e *benchEnv) runMeasured(ctx context.Context, cmd *exec.Cmd) (measurement, []byte, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	server0, busy0, procs0, self0 := processCPU(e.azuritePID), busyCPU(), snapshotProcs(), selfCPU()
	start := time.Now()
	err := cmd.Start()
	var peak int64
	if err == nil {
		// Start returns once the child has exec'd, so every reading is of the new program alone.
		done := make(chan struct{})
		polled := make(chan int64)
		go func() { polled <- pollPeakRSS(cmd.Process.Pid, done) }()
		err = cmd.Wait()
		close(done)
		peak = <-polled
	}
	wall := time.Since(start)
	server, busy := processCPU(e.azuritePID)-server0, busyCPU()-busy0
	m := measurement{wall: wall, serverCPU: server, serverOK: e.azuritePID != 0, rssKiB: peak >> 10, benchCPU: selfCPU() - self0}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			m.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	// The rest, less this benchmark's own work (polling, the latency proxy), is someone else's.
	m.otherCPU = max(busy-m.cpu-server-m.benchCPU, 0)
	if m.noisy() && cmd.Process != nil {
		m.others = busiestOthers(procs0, snapshotProcs(), os.Getpid(), cmd.Process.Pid, e.azuritePID)
		logf("    (others used %.1f s of CPU during %s: %s)", m.otherCPU.Seconds(), filepath.Base(cmd.Path), m.others)
	}
	if ctx.Err() != nil {
		return m, stdout.Bytes(), ctx.Err()
	}
	if err != nil {
		return m, stdout.Bytes(), fmt.Errorf("%s: %w\n--- stdout (end)\n%s\n--- stderr (end)\n%s",
			cmdLine(cmd), err, tail(stdout.String(), 3000), tail(stderr.String(), 3000))
	}
	return m, stdout.Bytes(), nil
}

// pollPeakRSS reads the high-water mark of pid's resident memory every few milliseconds until done
// is closed, and returns the highest value seen in bytes. VmHWM only grows, so only growth in the
// last interval before the process exits can be missed.
func pollPeakRSS(pid int, done <-chan struct{}) int64 {
	var peak int64
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for {
		peak = max(peak, processHWM(pid))
		select {
		case <-done:
			return peak
		case <-t.C:
		}
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// cmdLine shows a command without its SAS.
func cmdLine(cmd *exec.Cmd) string {
	parts := make([]string, len(cmd.Args))
	for i, a := range cmd.Args {
		if j := strings.IndexByte(a, '?'); j >= 0 && strings.Contains(a, "sig=") {
			a = a[:j] + "?<SAS>"
		}
		parts[i] = a
	}
	return strings.Join(parts, " ")
}
