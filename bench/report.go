package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/azsync/azsync/internal/testenv"
)

// renderReport is the Markdown the run prints and saves.
func renderReport(cfg config, e *benchEnv, res results, total time.Duration) string {
	rows, flat := res.rows, res.flat
	var b strings.Builder
	mode := "full"
	if cfg.quick {
		mode = "quick"
	}
	if cfg.profile {
		mode += ", azsync in-process under pprof"
	}
	fmt.Fprintf(&b, "# azsync benchmark, %s (%s run, %s)\n\n", time.Now().Format("2006-01-02 15:04"), mode, total.Round(time.Second))
	fmt.Fprintf(&b, "- machine: %d CPUs, %s/%s, %s; Azurite %s on Node.js %s, in memory, on loopback; load average %s at the start, %s at the end\n",
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), azuriteVersion(), nodeVersion(), e.load0, loadAverage())
	fmt.Fprintf(&b, "- azsync %s: default settings (concurrency %d, 8 MiB blocks, log level INFO, `--output-type=json`)\n",
		sourceVersion(), azsyncConcurrency())
	fmt.Fprintf(&b, "- SDK baseline: azblob, %d workers / block concurrency %d, 8 MiB blocks, connection pool sized to the concurrency\n",
		cfg.conc, cfg.conc)
	if cfg.runs > 1 {
		fmt.Fprintf(&b, "- every dataset measurement taken %d times; the run with the median wall time is shown\n", cfg.runs)
	}
	b.WriteString("\n")

	if len(rows) > 0 {
		b.WriteString("| dataset | operation | tool | wall s | MB/s | files/s | CPU s | peak RSS MiB | Azurite CPU s | others CPU s | azsync/baseline |\n")
		b.WriteString("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n")
		for _, r := range rows {
			fmt.Fprintf(&b, "| %s | %s | %s | %.2f | %s | %s | %.2f | %.0f | %s | %s | %s |\n",
				r.dataset, r.op, r.tool, r.m.wall.Seconds(), mbps(r), filesPerSec(r), r.m.cpu.Seconds(),
				float64(r.m.rssKiB)/1024, serverCPU(r), otherCPU(r), ratio(r, rows))
		}
		b.WriteString(`
- wall s: wall-clock time of the whole process (start-up, listing, transfers); MB/s = 10⁶ bytes moved per
  wall second; files/s = files moved (no-op: files compared) per wall second.
- CPU s: user + system time of the measured process (its rusage); peak RSS: its highest VmHWM, read
  every 2 ms — the same way for azsync and the SDK loop, each a process of its own.
- Azurite CPU s: CPU the emulator used during the run. On a small machine it shares the cores with the
  client; when it approaches the wall time, the emulator is the bottleneck.
- others CPU s: CPU used by every other process on the machine during the run; marked † when above a
  fifth of a core on average — that row's wall time is not reliable, run again on a quiet machine.
- azsync/baseline: wall time divided by the reference row's (ref) of the same dataset and operation;
  above 1 is slower. Uploads are compared with SDK+MD5 (every request carries its Content-MD5, as azsync's
  do); the SDK row without MD5 shows what Azurite's JavaScript CRC-64 of unchecksummed blocks costs.
  The no-op baseline is the least a sync can do: list both sides and compare times.
- Every download, the SDK's and azsync's, was checked file by file against the source's MD5.
`)
		noisyNotes(&b, rows)
	}
	if flat != nil {
		fmt.Fprintf(&b, "\n## Memory flatness (tree of %d tiny files in %d folders)\n\n", flat.n, flat.dirs)
		u := flat.upload
		fmt.Fprintf(&b, "Uploaded once with azsync: %.1f s, %.0f files/s, CPU %.1f s, peak RSS %.0f MiB, Azurite CPU %s s.\n\n",
			u.m.wall.Seconds(), float64(u.files)/u.m.wall.Seconds(), u.m.cpu.Seconds(), float64(u.m.rssKiB)/1024, serverCPU(u))
		b.WriteString("| files | operation | wall s | files/s | CPU s | peak RSS MiB | Azurite CPU s | others CPU s |\n")
		b.WriteString("|--:|---|--:|--:|--:|--:|--:|--:|\n")
		for _, r := range flat.noops {
			fmt.Fprintf(&b, "| %d | %s | %.2f | %s | %.2f | %.1f | %s | %s |\n", r.files, r.op, r.m.wall.Seconds(),
				filesPerSec(r), r.m.cpu.Seconds(), float64(r.m.rssKiB)/1024, serverCPU(r), otherCPU(r))
		}
		b.WriteString("\n")
		noisyNotes(&b, flat.noops)
		for i := 0; i+1 < len(flat.noops); i += 2 {
			small, full := flat.noops[i], flat.noops[i+1]
			fmt.Fprintf(&b, "- %s: peak RSS at N / at N/10 = %.0f / %.0f MiB = **%.2f** (flat when close to 1; a whole side held in memory would approach %d)\n",
				full.op, float64(full.m.rssKiB)/1024, float64(small.m.rssKiB)/1024,
				float64(full.m.rssKiB)/float64(max(small.m.rssKiB, 1)), flatParts)
		}
	}
	renderHash(&b, res.hash)
	renderResume(&b, res.resumed)
	renderLatency(&b, res.lat)
	renderFilesMem(&b, res.filesMem)
	renderScale(&b, res.scale)
	return b.String()
}

// renderHash is the hash part's table: --compare-hash=MD5 on an unchanged tree, with the hash cache.
func renderHash(b *strings.Builder, h *hashResult) {
	if h == nil {
		return
	}
	fmt.Fprintf(b, "\n## --compare-hash=MD5 on an unchanged tree (%s, Local → Blob)\n\n", h.title)
	b.WriteString("| run | wall s | CPU s | peak RSS MiB | Azurite CPU s | others CPU s |\n|---|--:|--:|--:|--:|--:|\n")
	for _, r := range []struct {
		name string
		r    row
	}{{"`--compare-hash=MD5` no-change sync, empty cache (reads every file)", h.first},
		{"plain no-change sync (median of 3)", h.plain}, {"`--compare-hash=MD5` no-change sync, cache filled (median of 3)", h.hot}} {
		fmt.Fprintf(b, "| %s | %.2f | %.2f | %.0f | %s | %s |\n", r.name, r.r.m.wall.Seconds(), r.r.m.cpu.Seconds(),
			float64(r.r.m.rssKiB)/1024, serverCPU(r.r), otherCPU(r.r))
	}
	v := h.hot.m.wall.Seconds() / h.plain.m.wall.Seconds()
	fmt.Fprintf(b, "\n- hashed ÷ plain no-change sync: **%.2f ×** wall, %.2f × CPU (target ≤ 1.1 × wall: %s)\n",
		v, h.hot.m.cpu.Seconds()/max(h.plain.m.cpu.Seconds(), 1e-9), verdict(v <= 1.1))
}

// renderScale is the scale run's table: memory and CPU of a no-change sync as the tree grows.
func renderScale(b *strings.Builder, rows []scaleRow) {
	if len(rows) == 0 {
		return
	}
	b.WriteString("\n## Scale: no-change sync, Blob → Blob, synthetic listings of zero-byte blobs, 1,000 per folder\n\n")
	b.WriteString("| entries | wall s | CPU s | CPU µs/entry | peak RSS MiB | others CPU s |\n|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range rows {
		fmt.Fprintf(b, "| %d | %.1f | %.1f | %.1f | %.1f | %s |\n", r.n, r.m.wall.Seconds(), r.m.cpu.Seconds(),
			r.m.cpu.Seconds()*1e6/float64(r.n), float64(r.m.rssKiB)/1024, otherCPU(row{m: r.m}))
	}
	first, last := rows[0], rows[len(rows)-1]
	if len(rows) > 1 {
		growth := float64(last.m.rssKiB)/float64(max(first.m.rssKiB, 1)) - 1
		fmt.Fprintf(b, "\n- peak RSS from %d to %d entries: %+.1f %% (target ≤ +10 %%: %s); at %d: %.1f MiB (target ≤ 64 MiB: %s)\n",
			first.n, last.n, 100*growth, verdict(growth <= 0.10), last.n, float64(last.m.rssKiB)/1024, verdict(last.m.rssKiB <= 64<<10))
	}
}

// renderLatency is the latency part's table and the targets it measures.
func renderLatency(b *strings.Builder, rows []latRow) {
	if len(rows) == 0 {
		return
	}
	b.WriteString("\n## Through a latency-injecting proxy (round trip added to every request and new connection)\n\n")
	b.WriteString("| RTT ms | dataset | operation | tool | wall s | MB/s | files/s | CPU s | CPU µs/file | peak RSS MiB | requests/file | requests | Azurite CPU s | bench CPU s | others CPU s | ÷ best baseline |\n")
	b.WriteString("|--:|---|---|---|--:|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|\n")
	var plain []row
	for _, r := range rows {
		plain = append(plain, r.row)
	}
	for _, r := range rows {
		files := max(r.files, 1)
		fmt.Fprintf(b, "| %d | %s | %s | %s | %.2f | %s | %s | %.2f | %.0f | %.0f | %.2f | %s | %s | %.2f | %s | %s |\n",
			r.rtt.Milliseconds(), r.dataset, r.op, r.tool, r.m.wall.Seconds(), mbps(r.row), filesPerSec(r.row), r.m.cpu.Seconds(),
			r.m.cpu.Seconds()*1e6/float64(files), float64(r.m.rssKiB)/1024, float64(r.m.reqs.total())/float64(files), r.m.reqs,
			serverCPU(r.row), r.m.benchCPU.Seconds(), otherCPU(r.row), latRatio(r, rows))
	}
	b.WriteString(`
- The proxy (in the benchmark's process, on loopback) holds every request half the round trip on the
  way in and half on the way out, and every new connection one round trip before its first request;
  bandwidth is not limited. Its CPU is the "bench CPU" column, not counted in "others".
- requests: what the proxy saw, by kind; "↳ 404 …" lines count failed requests a second time, by code.
- ÷ best baseline: wall time divided by the fastest baseline row (ref) of the same RTT, dataset and
  operation; the SDK loop runs at each concurrency of -lat-sdk-conc, so "best" is its best rate.
`)
	noisyNotes(b, plain)
	b.WriteString("\n### Latency targets\n\n")
	for _, t := range latencyTargets(rows) {
		b.WriteString("- " + t + "\n")
	}
}

func latRatio(r latRow, rows []latRow) string {
	if r.ref {
		return "ref"
	}
	for _, o := range rows {
		if o.ref && o.rtt == r.rtt && o.dataset == r.dataset && o.op == r.op && o.m.wall > 0 {
			v := fmt.Sprintf("%.2f", r.m.wall.Seconds()/o.m.wall.Seconds())
			if r.tool == toolAzsync {
				v = "**" + v + "**"
			}
			return v
		}
	}
	return "–"
}

// noisyNotes names, for each row marked †, the processes that competed for the CPU.
func noisyNotes(b *strings.Builder, rows []row) {
	for _, r := range rows {
		if r.m.noisy() && r.m.others != "" {
			fmt.Fprintf(b, "- † %s, %s, %s: others used %.1f s of CPU: %s\n", r.dataset, r.op, r.tool, r.m.otherCPU.Seconds(), r.m.others)
		}
	}
}

func rate(r row) string {
	if r.bytes == 0 {
		return filesPerSec(r) + " files/s"
	}
	return mbps(r) + " MB/s"
}

func mbps(r row) string {
	if r.bytes == 0 || r.m.wall <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f", float64(r.bytes)/1e6/r.m.wall.Seconds())
}

func filesPerSec(r row) string {
	if r.m.wall <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f", float64(r.files)/r.m.wall.Seconds())
}

func otherCPU(r row) string {
	v := fmt.Sprintf("%.2f", r.m.otherCPU.Seconds())
	if r.m.noisy() {
		v += " †"
	}
	return v
}

func serverCPU(r row) string {
	if !r.m.serverOK {
		return "–"
	}
	return fmt.Sprintf("%.2f", r.m.serverCPU.Seconds())
}

func ratio(r row, rows []row) string {
	if r.ref {
		return "ref"
	}
	for _, o := range rows {
		if o.ref && o.dataset == r.dataset && o.op == r.op && o.m.wall > 0 {
			v := fmt.Sprintf("%.2f", r.m.wall.Seconds()/o.m.wall.Seconds())
			if r.tool == toolAzsync {
				v = "**" + v + "**"
			}
			return v
		}
	}
	return "–"
}

func azuriteVersion() string {
	root, err := testenv.RepoRoot()
	if err != nil {
		return "?"
	}
	data, err := os.ReadFile(filepath.Join(root, "node_modules", "azurite", "package.json"))
	if err != nil {
		return "?"
	}
	// "version": "3.37.0" — a full JSON decode is not needed for one field.
	s := string(data)
	i := strings.Index(s, `"version"`)
	if i < 0 {
		return "?"
	}
	s = s[i+len(`"version"`):]
	if f := strings.SplitN(s, `"`, 3); len(f) == 3 {
		return f[1]
	}
	return "?"
}

func nodeVersion() string {
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(out))
}

// sourceVersion names the commit azsync was built from, marked when the working tree has changes.
func sourceVersion() string {
	root, err := testenv.RepoRoot()
	if err != nil {
		return "(unknown commit)"
	}
	out, err := exec.Command("git", "-C", root, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "(unknown commit)"
	}
	v := "at " + strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		v += " + uncommitted changes"
	}
	return v
}
