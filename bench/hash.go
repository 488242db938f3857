package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

// The hash part: --compare-hash=MD5 on an unchanged tree. Without a cache every run reads every
// local file to hash it; with the hash cache (--local-hash-storage-mode, extended attributes by
// default) a file whose size and mtime are unchanged is not read again, so a hashed no-change sync
// should cost about what a plain one does.

// hashResult holds the part's measurements, in order: the first hashed re-sync (which fills the
// cache), a plain no-change sync, a hashed no-change sync with the cache filled.
type hashResult struct {
	title             string
	first, plain, hot row
}

func hashPart(ctx context.Context, e *benchEnv, size int64, files int) (*hashResult, error) {
	dir := filepath.Join(e.work, "hash")
	defer os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	start := time.Now()
	content := rand.NewChaCha8(seed)
	for i := range files {
		if _, err := writeRandomFile(filepath.Join(dir, fmt.Sprintf("f%03d.bin", i)), size/int64(files), content); err != nil {
			return nil, err
		}
	}
	res := &hashResult{title: fmt.Sprintf("%d files, %s in all", files, sizeString(size))}
	logf("generated %s in %s", res.title, time.Since(start).Round(time.Millisecond))
	if err := e.warmUp(ctx); err != nil {
		return nil, err
	}
	const ct = "bench-hash"
	if err := e.createContainer(ctx, ct); err != nil {
		return nil, err
	}
	defer e.deleteContainer(context.WithoutCancel(ctx), ct)
	u := e.containerURL(ct, "")
	// The upload stores every Content-MD5 (--compare-hash implies it), so later runs can compare.
	if _, s, err := e.runAzsync(ctx, "hash-fill", dir, u, "--from-to=LocalBlob", "--compare-hash=MD5"); err != nil {
		return nil, err
	} else if s.transfers != int64(files) {
		return nil, fmt.Errorf("hash part upload copied %d files, want %d", s.transfers, files)
	}
	// A cold run keeps its hashes in an empty folder of its own, so it reads every file. The plain
	// and the hot run alternate three times; the median of each is kept.
	cold := filepath.Join(e.work, "hash-cold-cache")
	m, err := e.hashRun(ctx, "hash-cold", dir, u, "--compare-hash=MD5", "--hash-meta-dir="+cold)
	if err != nil {
		return nil, err
	}
	res.first = row{dataset: res.title, op: opNoop, tool: toolAzsync, files: files, m: m}
	ms, err := measureGroup(3, []contender{
		{"plain", false, func(int) (measurement, error) { return e.hashRun(ctx, "hash-plain", dir, u) }},
		{"hot", false, func(int) (measurement, error) { return e.hashRun(ctx, "hash-hot", dir, u, "--compare-hash=MD5") }},
	})
	if err != nil {
		return nil, err
	}
	res.plain = row{dataset: res.title, op: opNoop, tool: toolAzsync, files: files, m: ms["plain"]}
	res.hot = row{dataset: res.title, op: opNoop, tool: toolAzsync, files: files, m: ms["hot"]}
	for _, r := range []row{res.first, res.plain, res.hot} {
		logf("  hash part %8.2f s  CPU %.2f s  peak RSS %.0f MiB", r.m.wall.Seconds(), r.m.cpu.Seconds(), float64(r.m.rssKiB)/1024)
	}
	return res, nil
}

// hashRun is one no-change sync of the hash part's tree, which must copy nothing.
func (e *benchEnv) hashRun(ctx context.Context, label, dir, u string, flags ...string) (measurement, error) {
	m, s, err := e.runAzsync(ctx, label, append([]string{dir, u, "--from-to=LocalBlob"}, flags...)...)
	if err == nil && s.transfers != 0 {
		err = fmt.Errorf("%s: the no-change sync copied %d files", label, s.transfers)
	}
	return m, err
}
