package main

import (
	"bytes"
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The emulator's CPU time is read from /proc, so that the table shows how busy the server was during
// each measurement: on a small machine a run whose wall time ≈ Azurite's CPU time is bound by the
// emulator, not by the client.

// listenerPID finds the process listening on 127.0.0.1:port (Linux /proc), or 0.
func listenerPID(port int) int {
	data, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		return 0
	}
	want := fmt.Sprintf("0100007F:%04X", port)
	var inode string
	for _, line := range strings.Split(string(data), "\n")[1:] {
		f := strings.Fields(line)
		// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
		if len(f) > 9 && f[1] == want && f[3] == "0A" { // 0A = LISTEN
			inode = f[9]
			break
		}
	}
	if inode == "" {
		return 0
	}
	target := "socket:[" + inode + "]"
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		fds, _ := os.ReadDir(filepath.Join("/proc", p.Name(), "fd"))
		for _, fd := range fds {
			if l, err := os.Readlink(filepath.Join("/proc", p.Name(), "fd", fd.Name())); err == nil && l == target {
				return pid
			}
		}
	}
	return 0
}

// clockTicks is USER_HZ, 100 on every Linux configuration Go supports.
const clockTicks = 100

// processCPU is the user+system CPU time a process has used so far, or 0 if it cannot be read.
func processCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(data[i+1:]))
	// After ')': state(3) ppid(4) … utime(14) stime(15), so utime is f[11] and stime f[12].
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * time.Second / clockTicks
}

// processHWM is the peak resident set size of a running process (VmHWM) in bytes, or 0.
func processHWM(pid int) int64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	_, rest, ok := strings.Cut(string(data), "VmHWM:")
	if !ok {
		return 0
	}
	f := strings.Fields(rest)
	if len(f) == 0 {
		return 0
	}
	kib, _ := strconv.ParseInt(f[0], 10, 64)
	return kib << 10
}

// busyCPU is the CPU time the whole machine has spent busy so far (all processes, all cores), from
// /proc/stat, or 0. Compared with what the measured process and Azurite used, it tells whether
// something else was competing for the cores during a measurement.
func busyCPU() time.Duration {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} { // user nice system irq softirq steal
		v, _ := strconv.ParseInt(f[i], 10, 64)
		ticks += v
	}
	return time.Duration(ticks) * time.Second / clockTicks
}

// loadAverage is the one-minute load average, or "?".
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// procSnapshot is the CPU time every process has used so far, by pid, with its command name.
type procSnapshot map[int]procCPU

type procCPU struct {
	comm string
	cpu  time.Duration
}

func snapshotProcs() procSnapshot {
	snap := procSnapshot{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		open, end := bytes.IndexByte(data, '('), bytes.LastIndexByte(data, ')')
		if open < 0 || end < open {
			continue
		}
		snap[pid] = procCPU{comm: string(data[open+1 : end]), cpu: processCPU(pid)}
	}
	return snap
}

// busiestOthers names the processes, other than those in skip, that used the most CPU between two
// snapshots (a process that ended in between is missed).
func busiestOthers(before, after procSnapshot, skip ...int) string {
	type use struct {
		name string
		cpu  time.Duration
	}
	var uses []use
	for pid, a := range after {
		if slices.Contains(skip, pid) {
			continue
		}
		if d := a.cpu - before[pid].cpu; d >= 100*time.Millisecond {
			uses = append(uses, use{fmt.Sprintf("%s[%d]", a.comm, pid), d})
		}
	}
	slices.SortFunc(uses, func(a, b use) int { return cmp.Compare(b.cpu, a.cpu) })
	var parts []string
	for _, u := range uses[:min(len(uses), 3)] {
		parts = append(parts, fmt.Sprintf("%s %.1f s", u.name, u.cpu.Seconds()))
	}
	if len(parts) == 0 {
		return "no single process (kernel work or processes that came and went)"
	}
	return strings.Join(parts, ", ")
}

// selfCPU is the user+system CPU time this process has used so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
