package main

import (
	"cmp"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
)

// Operations, in table order.
const (
	opUpload   = "upload"
	opNoop     = "no-op re-sync"
	opDownload = "download"
	opCopy     = "copy"
)

// Tools.
const (
	toolSDK    = "SDK"
	toolSDKMD5 = "SDK+MD5"
	toolSDKLs  = "SDK list"
	toolSDKPls = "SDK list ∥"
	toolAzsync = "azsync"
)

// row is one measurement in the table.
type row struct {
	dataset string
	op      string
	tool    string
	bytes   int64 // moved; 0 for a no-op
	files   int   // moved, or compared for a no-op
	m       measurement
	ref     bool // the baseline the other rows of the same dataset and operation are divided by
}

// contender is one tool's measurement in a group (the tools doing the same operation on a dataset).
type contender struct {
	tool string
	ref  bool
	run  func(i int) (measurement, error) // i is the run number, for fresh containers and folders
}

// measureGroup measures every contender runs times. The order alternates from run to run (azsync
// first, then last, …) so that whatever drifts during a session — the emulator's JIT and garbage
// collector, page cache, other load — does not always favour the same tool; each tool keeps its run
// with the median wall time. With one run azsync goes first, so any warm-up bias is against it.
func measureGroup(runs int, cs []contender) (map[string]measurement, error) {
	all := map[string][]measurement{}
	for i := range runs {
		order := slices.Clone(cs)
		if i%2 == 1 {
			slices.Reverse(order)
		}
		for _, c := range order {
			m, err := c.run(i)
			if err != nil {
				return nil, err
			}
			if runs > 1 {
				logf("    run %d/%d %-8s %.2f s (CPU %.2f s, Azurite %.2f s, others %.2f s)", i+1, runs, c.tool,
					m.wall.Seconds(), m.cpu.Seconds(), m.serverCPU.Seconds(), m.otherCPU.Seconds())
			}
			all[c.tool] = append(all[c.tool], m)
		}
	}
	med := map[string]measurement{}
	for tool, ms := range all {
		slices.SortFunc(ms, func(a, b measurement) int { return cmp.Compare(a.wall, b.wall) })
		med[tool] = ms[len(ms)/2]
	}
	return med, nil
}

// benchDataset measures upload, no-op re-sync and download of one dataset with the SDK baseline and
// with azsync, checking every download against the source's MD5s. Each upload goes into a fresh
// container and each download into a fresh folder.
func benchDataset(ctx context.Context, e *benchEnv, d *dataset, rawSDK bool) ([]row, error) {
	var rows []row
	runs, conc := e.cfg.runs, e.cfg.conc
	group := func(op string, bytes int64, cs []contender) error {
		ms, err := measureGroup(runs, cs)
		if err != nil {
			return err
		}
		// Table order: the reference, the other baselines, azsync.
		slices.SortStableFunc(cs, func(a, b contender) int {
			rank := func(c contender) int {
				switch {
				case c.ref:
					return 0
				case c.tool != toolAzsync:
					return 1
				}
				return 2
			}
			return rank(a) - rank(b)
		})
		for _, c := range cs {
			r := row{dataset: d.title, op: op, tool: c.tool, bytes: bytes, files: d.files, m: ms[c.tool], ref: c.ref}
			rows = append(rows, r)
			logf("  %-36s %-14s %-8s %8.2f s  %s", d.title, op, c.tool, r.m.wall.Seconds(), rate(r))
		}
		return nil
	}
	if err := e.warmUp(ctx); err != nil { // the emulator sat idle while the dataset was written
		return rows, err
	}

	// Upload into an empty container. The baselines' containers go as soon as they are measured
	// (Azurite keeps everything in memory); azsync's last one stays for the no-op and the downloads,
	// so that both downloads read the same blobs.
	container := func(tool string, run int) string { return fmt.Sprintf("bench-%s-%s-%d", d.key, tool, run) }
	upload := func(tool string, keep bool, run func(url string) (measurement, error)) func(int) (measurement, error) {
		return func(i int) (measurement, error) {
			c := container(tool, i)
			if err := e.createContainer(ctx, c); err != nil {
				return measurement{}, err
			}
			m, err := run(e.containerURL(c, ""))
			if !keep || i < runs-1 {
				e.deleteContainer(context.WithoutCancel(ctx), c)
			}
			return m, err
		}
	}
	sdkUpload := func(md5 bool) func(string) (measurement, error) {
		return func(url string) (measurement, error) {
			return e.runSDK(ctx, sdkJob{op: "upload", url: url, local: d.dir, md5: md5, conc: conc})
		}
	}
	uploads := []contender{
		{toolAzsync, false, upload("azsync", true, func(url string) (measurement, error) {
			m, s, err := e.runAzsync(ctx, d.key+"-upload", d.dir, url, "--from-to=LocalBlob")
			if err == nil && s.transfers != int64(d.files) {
				err = fmt.Errorf("azsync upload of %s copied %d files, want %d", d.title, s.transfers, d.files)
			}
			return m, err
		})},
		{toolSDKMD5, true, upload("sdkmd5", false, sdkUpload(true))},
	}
	if rawSDK {
		uploads = append(uploads, contender{toolSDK, false, upload("sdk", false, sdkUpload(false))})
	}
	az := container("azsync", runs-1)
	defer e.deleteContainer(context.WithoutCancel(ctx), az)
	if err := group(opUpload, d.bytes, uploads); err != nil {
		return rows, err
	}

	// Nothing changed: list both sides and compare.
	if err := group(opNoop, 0, []contender{
		{toolAzsync, false, func(int) (measurement, error) {
			m, s, err := e.runAzsync(ctx, d.key+"-noop", d.dir, e.containerURL(az, ""), "--from-to=LocalBlob")
			if err == nil && s.transfers != 0 {
				err = fmt.Errorf("the re-sync of %s copied %d files, want none", d.title, s.transfers)
			}
			return m, err
		}},
		{toolSDKLs, true, func(int) (measurement, error) {
			return e.runSDK(ctx, sdkJob{op: "list", url: e.containerURL(az, ""), local: d.dir, conc: conc})
		}},
	}); err != nil {
		return rows, err
	}

	// Download into an empty folder, then check every byte.
	download := func(tool string, run func(dir string) (measurement, error)) func(int) (measurement, error) {
		return e.freshDownload(d, d.key+"-"+tool, run)
	}
	err := group(opDownload, d.bytes, []contender{
		{toolAzsync, false, download("azsync", func(dir string) (measurement, error) {
			m, _, err := e.runAzsync(ctx, d.key+"-download", e.containerURL(az, ""), dir, "--from-to=BlobLocal")
			return m, err
		})},
		{toolSDK, true, download("sdk", func(dir string) (measurement, error) {
			return e.runSDK(ctx, sdkJob{op: "download", url: e.containerURL(az, ""), local: dir, conc: conc})
		})},
	})
	return rows, err
}

// runSDK runs one baseline job in a process of its own (with -profile, under the CPU profiler too).
func (e *benchEnv) runSDK(ctx context.Context, j sdkJob) (measurement, error) {
	if e.profDir != "" {
		md5 := ""
		if j.md5 {
			md5 = "-md5"
		}
		j.prof = filepath.Join(e.profDir, fmt.Sprintf("sdk-%s-%s%s.cpu.pprof", filepath.Base(j.local), j.op, md5))
	}
	m, _, err := e.runMeasured(ctx, exec.CommandContext(ctx, e.self, j.args()...))
	return m, err
}
