package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// The memory-flatness probe (SPEC §7: memory does not grow with the number of entries): a tree of
// many tiny files is uploaded once, then re-synced with nothing to do — which lists and compares
// every entry — as a whole (N files) and as one tenth of it (N/10), in both directions. If the
// walk keeps only the directories in flight, the peak RSS at N is about the one at N/10.

const flatParts = 10 // the tree is p00…p09; p00 is the N/10 tree

type flatResult struct {
	n, dirs int
	gen     time.Duration
	upload  row
	noops   []row // per direction: N/10 then N
}

func flatnessProbe(ctx context.Context, e *benchEnv, n, dirs int) (*flatResult, error) {
	perPart := max(dirs/flatParts, 1)
	perDir := max(n/(flatParts*perPart), 1)
	res := &flatResult{n: flatParts * perPart * perDir, dirs: flatParts * perPart}
	root := filepath.Join(e.work, "flat")
	start := time.Now()
	for p := range flatParts {
		for d := range perPart {
			dir := filepath.Join(root, fmt.Sprintf("p%02d", p), fmt.Sprintf("d%03d", d))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, err
			}
			for f := range perDir {
				name := fmt.Sprintf("f%03d.txt", f)
				if err := os.WriteFile(filepath.Join(dir, name), []byte(name), 0o644); err != nil {
					return nil, err
				}
			}
		}
	}
	res.gen = time.Since(start)
	logf("generated the flatness tree: %d files in %d folders in %s", res.n, res.dirs, res.gen.Round(time.Millisecond))

	if err := e.warmUp(ctx); err != nil {
		return nil, err
	}
	const c = "bench-flat"
	if err := e.createContainer(ctx, c); err != nil {
		return nil, err
	}
	defer e.deleteContainer(context.WithoutCancel(ctx), c)
	title := fmt.Sprintf("%d tiny files in %d folders", res.n, res.dirs)
	m, s, err := e.runAzsync(ctx, "flat-upload", root, e.containerURL(c, ""), "--from-to=LocalBlob")
	if err != nil {
		return nil, err
	}
	if s.transfers != int64(res.n) {
		return nil, fmt.Errorf("flatness tree upload copied %d files, want %d", s.transfers, res.n)
	}
	res.upload = row{dataset: title, op: opUpload, tool: toolAzsync, files: res.n, m: m}
	logf("  uploaded the flatness tree with azsync in %.1f s (%.0f files/s)", m.wall.Seconds(), float64(res.n)/m.wall.Seconds())

	small := res.n / flatParts
	probes := []struct {
		label, dir string
		files      int
		upload     bool
	}{
		{"flat-noop-up-small", "p00", small, true},
		{"flat-noop-up-full", "", res.n, true},
		{"flat-noop-down-small", "p00", small, false},
		{"flat-noop-down-full", "", res.n, false},
	}
	for _, p := range probes {
		local := filepath.Join(root, p.dir)
		remote := e.containerURL(c, p.dir)
		args := []string{local, remote, "--from-to=LocalBlob"}
		op := "no-op re-sync ↑"
		if !p.upload {
			args = []string{remote, local, "--from-to=BlobLocal"}
			op = "no-op re-sync ↓"
		}
		m, s, err := e.runAzsync(ctx, p.label, args...)
		if err != nil {
			return nil, err
		}
		if s.transfers != 0 {
			return nil, fmt.Errorf("%s: the no-op re-sync copied %d files", p.label, s.transfers)
		}
		r := row{dataset: fmt.Sprintf("%d files", p.files), op: op, tool: toolAzsync, files: p.files, m: m}
		res.noops = append(res.noops, r)
		logf("  %-28s %-16s %8.2f s  %6.1f MiB peak RSS", r.dataset, op, m.wall.Seconds(), float64(m.rssKiB)/1024)
	}
	return res, nil
}
